//! A small gradient-boosted tree ensemble over the line features, trained by
//! `scripts/train_cleaner.py` and shipped as text (`model.txt`, embedded at build time).
//!
//! Format (whitespace-separated):
//! ```text
//! gbdt <n_features> <n_trees> <base_score>
//! tree <n_nodes>
//! <feature> <threshold> <left> <right> <value>     (feature -1: a leaf with `value`)
//! ...
//! ```
//! A sample goes left when `x[feature] <= threshold` (scikit-learn's convention). The
//! score is `base + sum(leaf values)`, a log-odds of "this line is article body".

use std::sync::OnceLock;

use super::features::N_FEAT;

#[derive(Debug, Clone, Copy)]
struct Node {
    feature: i32,
    threshold: f64,
    left: u32,
    right: u32,
    value: f32,
}

/// A parsed tree ensemble.
#[derive(Debug, Clone)]
pub struct Model {
    base: f32,
    /// Root index of each tree in `nodes`.
    roots: Vec<u32>,
    nodes: Vec<Node>,
}

impl Model {
    /// Parses the text format; `None` when it is malformed or built for other features.
    pub fn parse(src: &str) -> Option<Model> {
        let mut it = src.split_ascii_whitespace();
        if it.next()? != "gbdt" {
            return None;
        }
        let n_feat: usize = it.next()?.parse().ok()?;
        let n_trees: usize = it.next()?.parse().ok()?;
        let base: f32 = it.next()?.parse().ok()?;
        if n_feat != N_FEAT || n_trees == 0 {
            return None;
        }
        let mut roots = Vec::with_capacity(n_trees);
        let mut nodes = Vec::new();
        for _ in 0..n_trees {
            if it.next()? != "tree" {
                return None;
            }
            let n_nodes: usize = it.next()?.parse().ok()?;
            let root = nodes.len();
            roots.push(u32::try_from(root).ok()?);
            for _ in 0..n_nodes {
                let feature: i32 = it.next()?.parse().ok()?;
                let threshold: f64 = it.next()?.parse().ok()?;
                let left: usize = it.next()?.parse().ok()?;
                let right: usize = it.next()?.parse().ok()?;
                let value: f32 = it.next()?.parse().ok()?;
                if feature >= 0 && (feature as usize >= n_feat || left >= n_nodes || right >= n_nodes) {
                    return None;
                }
                nodes.push(Node {
                    feature,
                    threshold,
                    left: u32::try_from(root + left).ok()?,
                    right: u32::try_from(root + right).ok()?,
                    value,
                });
            }
        }
        Some(Model { base, roots, nodes })
    }

    /// Log-odds that the line with features `x` is body text.
    pub fn score(&self, x: &[f32]) -> f32 {
        let mut s = self.base;
        for &r in &self.roots {
            let mut k = r as usize;
            // Trees are finite and acyclic by construction (children follow parents in
            // scikit-learn's layout); the step bound guards against a corrupt file.
            for _ in 0..64 {
                let Some(node) = self.nodes.get(k) else { break };
                if node.feature < 0 {
                    s += node.value;
                    break;
                }
                let v = x.get(node.feature as usize).copied().unwrap_or(0.0);
                k = if f64::from(v) <= node.threshold { node.left } else { node.right } as usize;
            }
        }
        s
    }

    pub fn n_trees(&self) -> usize {
        self.roots.len()
    }
}

/// The shipped model (`None` if the embedded file does not match this build's features).
pub fn shipped() -> Option<&'static Model> {
    static M: OnceLock<Option<Model>> = OnceLock::new();
    M.get_or_init(|| Model::parse(include_str!("model.txt"))).as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_scores_a_stump() {
        let src = format!("gbdt {N_FEAT} 1 0.5\ntree 3\n0 1.5 1 2 0\n-1 0 0 0 -1\n-1 0 0 0 2\n");
        let m = Model::parse(&src).unwrap();
        let mut x = vec![0f32; N_FEAT];
        assert_eq!(m.score(&x), -0.5);
        x[0] = 2.0;
        assert_eq!(m.score(&x), 2.5);
        assert!(Model::parse("gbdt 3 0 0").is_none());
        assert!(Model::parse("junk").is_none());
    }

    #[test]
    fn shipped_model_loads() {
        assert!(shipped().is_some_and(|m| m.n_trees() > 0));
    }
}
