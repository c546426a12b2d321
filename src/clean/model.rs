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

/// A tree node: an inner node tests `x[feature] <= threshold`; a leaf (`feature == LEAF`)
/// carries its value in `threshold`.
#[derive(Debug, Clone, Copy)]
struct Node {
    feature: u32,
    threshold: f32,
    left: u32,
    right: u32,
}

const LEAF: u32 = u32::MAX;

/// Early decision: trees always summed before the first check.
pub const GATE_START: usize = 20;
/// Early decision: trees between later checks.
pub const GATE_EVERY: usize = 10;
/// Early decision: a running log-odds beyond ±this decides.
pub const GATE_MARGIN: f32 = 3.0;

/// The largest `f32` not above `t`: for any `f32` x, `x <= t` iff `x <= floor_f32(t)`.
fn floor_f32(t: f64) -> f32 {
    let r = t as f32;
    if f64::from(r) <= t || !r.is_finite() {
        return r;
    }
    // One step down towards negative infinity.
    let bits = r.to_bits();
    if r == 0.0 {
        -f32::from_bits(1)
    } else if r > 0.0 {
        f32::from_bits(bits - 1)
    } else {
        f32::from_bits(bits + 1)
    }
}

/// A parsed tree ensemble.
#[derive(Debug, Clone)]
pub struct Model {
    base: f32,
    /// Root index of each tree in `nodes`.
    roots: Vec<u32>,
    nodes: Vec<Node>,
    /// `rest_max[k]` / `rest_min[k]`: the most / least trees `k..` can still add (for exact
    /// early decisions).
    rest_max: Vec<f32>,
    rest_min: Vec<f32>,
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
                if feature >= 0
                    && (feature as usize >= n_feat || left >= n_nodes || right >= n_nodes)
                {
                    return None;
                }
                nodes.push(if feature < 0 {
                    Node {
                        feature: LEAF,
                        threshold: value,
                        left: 0,
                        right: 0,
                    }
                } else {
                    Node {
                        feature: feature as u32,
                        threshold: floor_f32(threshold),
                        left: u32::try_from(root + left).ok()?,
                        right: u32::try_from(root + right).ok()?,
                    }
                });
            }
        }
        // Bounds of what each suffix of trees can add, from its leaves.
        let t = roots.len();
        let mut rest_max = vec![0f32; t + 1];
        let mut rest_min = vec![0f32; t + 1];
        for k in (0..t).rev() {
            let a = roots[k] as usize;
            let b = roots.get(k + 1).map_or(nodes.len(), |&r| r as usize);
            let leaves = nodes
                .get(a..b)?
                .iter()
                .filter(|n| n.feature == LEAF)
                .map(|n| n.threshold);
            let (lo, hi) = leaves.fold((f32::MAX, f32::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
            // Round outward a little so float summation order cannot flip a decision.
            rest_max[k] = rest_max[k + 1] + hi + 1e-4;
            rest_min[k] = rest_min[k + 1] + lo - 1e-4;
        }
        Some(Model {
            base,
            roots,
            nodes,
            rest_max,
            rest_min,
        })
    }

    #[inline]
    fn tree(&self, root: u32, x: &[f32]) -> f32 {
        let mut k = root as usize;
        // Trees are acyclic in scikit-learn's layout; the step bound guards a corrupt file.
        for _ in 0..64 {
            let Some(node) = self.nodes.get(k) else { break };
            if node.feature == LEAF {
                return node.threshold;
            }
            let v = x.get(node.feature as usize).copied().unwrap_or(0.0);
            k = if v <= node.threshold {
                node.left
            } else {
                node.right
            } as usize;
        }
        0.0
    }

    /// Is the line with features `x` body text? `score(x) > 0`, except that after the first
    /// [`GATE_START`] trees (and every [`GATE_EVERY`] after) a line whose running score is
    /// beyond ±[`GATE_MARGIN`] is decided at once. With the shipped 80-tree model this walks
    /// 33 trees per line on average over the dev set and changes none of its 28 498
    /// decisions (the cross-validated scores are measured with it). Exact bounds on what the
    /// remaining trees can add also stop the walk early.
    pub fn keep(&self, x: &[f32]) -> bool {
        let mut s = self.base;
        let t = self.roots.len();
        let mut k = 0;
        while k < t {
            let end = if k < GATE_START {
                GATE_START.min(t)
            } else {
                (k + GATE_EVERY).min(t)
            };
            for &r in self.roots.get(k..end).unwrap_or(&[]) {
                s += self.tree(r, x);
            }
            k = end;
            if k >= t {
                break;
            }
            if s < -GATE_MARGIN || s + self.rest_max.get(k).copied().unwrap_or(0.0) <= 0.0 {
                return false;
            }
            if s > GATE_MARGIN || s + self.rest_min.get(k).copied().unwrap_or(0.0) > 0.0 {
                return true;
            }
        }
        s > 0.0
    }

    /// Log-odds that the line with features `x` is body text.
    pub fn score(&self, x: &[f32]) -> f32 {
        let mut s = self.base;
        for &r in &self.roots {
            s += self.tree(r, x);
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
    M.get_or_init(|| Model::parse(include_str!("model.txt")))
        .as_ref()
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
        assert!(!m.keep(&[0f32; N_FEAT]));
        assert!(m.keep(&x));
        assert!(Model::parse("gbdt 3 0 0").is_none());
        assert!(Model::parse("junk").is_none());
    }

    #[test]
    fn f32_floor_is_exact() {
        for t in [0.1f64, -0.1, 1e-9, 3.0, 0.5000000001, -2.7] {
            let f = floor_f32(t);
            assert!(f64::from(f) <= t);
            let up = if f >= 0.0 {
                f32::from_bits(f.to_bits() + 1)
            } else {
                f32::from_bits(f.to_bits() - 1)
            };
            assert!(f64::from(up) > t, "{t} {f} {up}");
        }
    }

    #[test]
    fn shipped_model_loads() {
        assert!(shipped().is_some_and(|m| m.n_trees() > 0));
    }
}
