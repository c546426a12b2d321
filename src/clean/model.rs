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

/// A parsed tree node: an inner node sends a sample to `child[!(x[feature] <= threshold) as
/// usize]` (left on `<=`, NaN right: scikit-learn's convention); a leaf's children are itself
/// and it keeps its value in `threshold`.
#[derive(Debug, Clone, Copy)]
struct Node {
    feature: u32,
    threshold: f32,
    child: [u32; 2],
}

/// The deepest tree a model may hold (the training script grows trees of depth 5).
const MAX_DEPTH: usize = 5;
/// Inner nodes (and leaves) of a complete tree of depth [`MAX_DEPTH`].
const SLOTS: usize = 1 << MAX_DEPTH;

/// A tree as a complete binary tree of depth [`MAX_DEPTH`], in breadth-first order with
/// implicit children: inner node `k` (from 1) has children `2k` and `2k + 1`, and a walk of
/// `MAX_DEPTH` steps ends at `SLOTS + leaf`, where `value` holds the leaf's value (thresholds
/// and leaves in one array: the last step's index reads the leaf as it is). A leaf above the bottom stands as inner nodes
/// whose subtrees all end in copies of its value, so the way taken there does not matter.
/// The arrays' fixed size lets every index be masked instead of checked.
#[derive(Debug, Clone)]
struct Tree {
    feature: [u8; SLOTS],
    /// Inner node `k`'s threshold at `k`, leaf `j`'s value at `SLOTS + j`.
    value: [f32; 2 * SLOTS],
    /// Bit `f` set: an inner node reads feature `f` (features number fewer than 64).
    reads: u64,
}

impl Tree {
    /// Lays out the tree rooted at `root` in `nodes` (`None`: deeper than [`MAX_DEPTH`]).
    fn complete(nodes: &[Node], is_leaf: &[bool], root: usize) -> Option<Tree> {
        let mut tree = Tree {
            feature: [0; SLOTS],
            value: [0.0; 2 * SLOTS],
            reads: 0,
        };
        // (node, slot): slots 1.. are inner nodes, SLOTS.. leaves.
        let mut stack = vec![(root, 1usize)];
        while let Some((k, slot)) = stack.pop() {
            let node = nodes.get(k)?;
            let leaf = *is_leaf.get(k)?;
            if slot >= SLOTS {
                if !leaf {
                    return None;
                }
                *tree.value.get_mut(slot)? = node.threshold;
                continue;
            }
            if !leaf {
                *tree.feature.get_mut(slot)? = u8::try_from(node.feature).ok()?;
                *tree.value.get_mut(slot)? = node.threshold;
                tree.reads |= 1u64.checked_shl(node.feature)?;
            }
            // A leaf's children are itself: its value fills the slots below.
            stack.push((node.child[0] as usize, 2 * slot));
            stack.push((node.child[1] as usize, 2 * slot + 1));
        }
        Some(tree)
    }

    /// [`Tree::walk`] for four samples at once (independent chains of loads in flight).
    #[inline(always)]
    fn walk4(&self, x: [&Window; 4]) -> [f32; 4] {
        let mut k = [1; 4];
        for _ in 0..MAX_DEPTH {
            for j in 0..4 {
                let slot = k[j] & (SLOTS - 1);
                let v = x[j][usize::from(self.feature[slot])];
                k[j] = child(k[j], v, self.value[slot]);
            }
        }
        k.map(|k| self.value[k & (2 * SLOTS - 1)])
    }

    /// The leaf value this tree gives the sample seen through the [`Window`] `x` (so a
    /// feature index needs no bounds check).
    #[inline(always)]
    fn walk(&self, x: &Window) -> f32 {
        let mut k = 1;
        for _ in 0..MAX_DEPTH {
            let slot = k & (SLOTS - 1);
            let v = x[usize::from(self.feature[slot])];
            k = child(k, v, self.value[slot]);
        }
        self.value[k & (2 * SLOTS - 1)]
    }
}

/// Floats a row is read through during [`Model::keep_rows`]: its `N_FEAT` features and
/// whatever follows them (the next rows', or padding), as many as a node's `u8` feature index
/// can name, so that no index needs a check or a mask. Nodes only name features below
/// `N_FEAT`.
const WINDOW: usize = 1 << u8::BITS;
type Window = [f32; WINDOW];
const _: () = assert!(N_FEAT <= WINDOW);

/// Early decision: trees always summed before the first check.
pub const GATE_START: usize = 4;
/// Early decision: trees between later checks.
pub const GATE_EVERY: usize = 1;
/// Early decision: a running log-odds beyond ±this decides.
pub const GATE_MARGIN: f32 = 2.0;

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

/// The smallest `f32` above `v` (finite `v`): `s > v` iff `s >= next_up(v)`.
fn next_up(v: f32) -> f32 {
    let bits = v.to_bits();
    if v == 0.0 {
        f32::from_bits(1)
    } else if v > 0.0 {
        f32::from_bits(bits + 1)
    } else {
        f32::from_bits(bits - 1)
    }
}

/// An early decision after some trees, as the range of running scores it leaves undecided:
/// below `lo` the row is no body, above `hi` it is. Equivalent to the rule in
/// [`Model::keep_rows`], `s < -GATE_MARGIN || s + rest_max <= 0` for no, then
/// `s > GATE_MARGIN || s + rest_min > 0` for yes: the sign of a rounded float sum is the
/// sign of the exact sum, so `s + r > 0` iff `s > -r`, and `s > -r` iff `s >= next_up(-r)`.
#[derive(Debug, Clone, Copy)]
struct Gate {
    lo: f32,
    hi: f32,
}

impl Gate {
    fn new(rest_max: f32, rest_min: f32) -> Gate {
        Gate {
            lo: (-GATE_MARGIN).max(next_up(-rest_max)),
            hi: GATE_MARGIN.min(-rest_min),
        }
    }

    /// Is there a decision on a row with running score `score` (`decide(score).is_some()`,
    /// without branches)?
    #[inline(always)]
    fn decides(self, score: f32) -> bool {
        (score < self.lo) | (score > self.hi)
    }

    /// The decision on a row with running score `score`, if there is one yet.
    #[inline(always)]
    fn decide(self, score: f32) -> Option<bool> {
        if score < self.lo {
            Some(false)
        } else if score > self.hi {
            Some(true)
        } else {
            None
        }
    }
}

/// A row not yet decided in [`Model::keep_rows`] (its running score is kept apart, in a
/// slice of its own, so that four rows' scores are summed and checked as one vector).
#[derive(Clone, Copy)]
struct Pending<'a> {
    x: &'a Window,
    row: u32,
}

/// A parsed tree ensemble.
#[derive(Debug, Clone)]
pub struct Model {
    base: f32,
    trees: Vec<Tree>,
    /// `gates[k]`: the early decision after the first `k` trees, if one comes then.
    gates: Vec<Option<Gate>>,
}

impl Model {
    /// Parses the text format; `None` when it is malformed, built for other features or holds
    /// a tree deeper than [`MAX_DEPTH`].
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
        let mut trees = Vec::with_capacity(n_trees);
        let mut nodes: Vec<Node> = Vec::new();
        let mut is_leaf: Vec<bool> = Vec::new();
        for _ in 0..n_trees {
            if it.next()? != "tree" {
                return None;
            }
            let n_nodes: usize = it.next()?.parse().ok()?;
            let root = nodes.len();
            roots.push(u32::try_from(root).ok()?);
            for k in 0..n_nodes {
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
                let this = u32::try_from(root + k).ok()?;
                is_leaf.push(feature < 0);
                nodes.push(if feature < 0 {
                    Node {
                        feature: 0,
                        threshold: value,
                        child: [this, this],
                    }
                } else {
                    Node {
                        feature: feature as u32,
                        threshold: floor_f32(threshold),
                        child: [
                            u32::try_from(root + left).ok()?,
                            u32::try_from(root + right).ok()?,
                        ],
                    }
                });
            }
            tree_depth(&nodes, &is_leaf, root)?;
            trees.push(Tree::complete(&nodes, &is_leaf, root)?);
        }
        // Bounds of what each suffix of trees can add, from its leaves (`rest_max[k]` /
        // `rest_min[k]`: the most / least trees `k..` can still add), for exact early
        // decisions.
        let t = roots.len();
        let mut rest_max = vec![0f32; t + 1];
        let mut rest_min = vec![0f32; t + 1];
        for k in (0..t).rev() {
            let a = roots[k] as usize;
            let b = roots.get(k + 1).map_or(nodes.len(), |&r| r as usize);
            let leaves = nodes
                .get(a..b)?
                .iter()
                .zip(is_leaf.get(a..b)?)
                .filter(|(_, &leaf)| leaf)
                .map(|(n, _)| n.threshold);
            let (lo, hi) = leaves.fold((f32::MAX, f32::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
            // Round outward a little so float summation order cannot flip a decision.
            rest_max[k] = rest_max[k + 1] + hi + 1e-4;
            rest_min[k] = rest_min[k + 1] + lo - 1e-4;
        }
        // The early decisions' bounds assume finite leaf values.
        if rest_max.iter().chain(&rest_min).any(|r| !r.is_finite()) {
            return None;
        }
        // Checks after the first GATE_START trees and every GATE_EVERY after, while trees
        // remain.
        let gates = (0..=t)
            .map(|done| {
                (done < t && checks_after(done)).then(|| Gate::new(rest_max[done], rest_min[done]))
            })
            .collect();
        Some(Model { base, trees, gates })
    }

    /// Is the line with features `x` body text? See [`Model::keep_rows`].
    pub fn keep(&self, x: &[f32]) -> bool {
        self.keep_rows(x).first().copied().unwrap_or(false)
    }

    /// Is each row of the row-major feature matrix `x` (`N_FEAT` per row) body text?
    /// `score(row) > 0`, except that after the first [`GATE_START`] trees (and every
    /// [`GATE_EVERY`] after) a row whose running score is beyond ±[`GATE_MARGIN`] is decided
    /// at once. With the shipped 40-tree, depth-5 model this walks 9.2 trees per line on
    /// average over the dev set (28 501 rows) and flips 107 of its decisions against the
    /// full sum (the cross-validated and in-sample scores are measured with it). Exact bounds
    /// on what the remaining trees can add also stop early.
    ///
    /// Rows are scored tree by tree: one tree's nodes stay in cache while every undecided
    /// row walks it, and the rows' walks are independent, so the CPU overlaps them.
    pub fn keep_rows(&self, x: &[f32]) -> Vec<bool> {
        let n = x.len() / N_FEAT;
        let mut out = vec![false; n];
        let all = (0..n as u32).map(|row| (row, self.base)).collect();
        let undecided = self.walk_trees(x, 0..self.trees.len(), all, &mut out);
        decide_by_sign(&undecided, &mut out);
        out
    }

    /// [`Model::keep_rows`], with feature `deferred` of each row left for `fill(row)` to give
    /// when the row, still undecided, reaches the first tree that reads the feature (until
    /// then its value in `x` is never read). For a costly feature that only late trees read:
    /// most rows are decided before.
    pub fn keep_rows_deferring(
        &self,
        x: &mut [f32],
        deferred: usize,
        mut fill: impl FnMut(usize) -> f32,
    ) -> Vec<bool> {
        let n = x.len() / N_FEAT;
        let mut out = vec![false; n];
        // (Trees read features below `N_FEAT` only: a `deferred` past them is read by none.)
        let reads = |t: &Tree| {
            u32::try_from(deferred)
                .ok()
                .and_then(|d| t.reads.checked_shr(d))
                .is_some_and(|r| r & 1 != 0)
        };
        let first = self
            .trees
            .iter()
            .position(reads)
            .unwrap_or(self.trees.len());
        let all = (0..n as u32).map(|row| (row, self.base)).collect();
        let undecided = self.walk_trees(x, 0..first, all, &mut out);
        if first < self.trees.len() {
            for &(row, _) in &undecided {
                let row = row as usize;
                if let Some(v) = x.get_mut(row * N_FEAT + deferred) {
                    *v = fill(row);
                }
            }
        }
        let undecided = self.walk_trees(x, first..self.trees.len(), undecided, &mut out);
        decide_by_sign(&undecided, &mut out);
        out
    }

    /// Walks the rows `undecided` (row, running score) through the trees `trees`, deciding
    /// those the gates after them decide (into `out`); returns the rest, in order.
    fn walk_trees(
        &self,
        x: &[f32],
        trees: std::ops::Range<usize>,
        undecided: Vec<(u32, f32)>,
        out: &mut [bool],
    ) -> Vec<(u32, f32)> {
        let n = x.len() / N_FEAT;
        // A row is seen in place through a window running into the next rows, except the
        // last few (from `first_copied`), whose windows would run past `x`: through padded
        // copies.
        let first_copied = x
            .len()
            .checked_sub(WINDOW)
            .map_or(0, |fit| fit / N_FEAT + 1)
            .min(n);
        let mut copies: Vec<Window> = vec![[0.0; WINDOW]; n - first_copied];
        let tail = x.get(first_copied * N_FEAT..n * N_FEAT).unwrap_or_default();
        for (w, row) in copies.iter_mut().zip(tail.chunks_exact(N_FEAT)) {
            w[..N_FEAT].copy_from_slice(row);
        }
        static BLANK: Window = [0.0; WINDOW];
        let window = |r: usize| -> &Window {
            x.get(r * N_FEAT..r * N_FEAT + WINDOW)
                .and_then(|w| w.try_into().ok())
                .or_else(|| copies.get(r.wrapping_sub(first_copied)))
                .unwrap_or(&BLANK)
        };
        let (mut pending, mut scores): (Vec<Pending>, Vec<f32>) = undecided
            .into_iter()
            .map(|(row, score)| {
                let x = window(row as usize);
                (Pending { x, row }, score)
            })
            .unzip();
        let gates = self.gates.get(trees.start + 1..=trees.end).unwrap_or(&[]);
        for (tree, gate) in self.trees.get(trees).unwrap_or(&[]).iter().zip(gates) {
            if pending.is_empty() {
                break;
            }
            match *gate {
                Some(gate) => add_tree_deciding(tree, gate, &mut pending, &mut scores, out),
                None => add_tree(tree, &pending, &mut scores),
            }
        }
        pending
            .iter()
            .zip(scores)
            .map(|(p, s)| (p.row, s))
            .collect()
    }

    /// Log-odds that the line with features `x` is body text.
    pub fn score(&self, x: &[f32]) -> f32 {
        let Some(row) = x.get(..N_FEAT) else {
            return f32::NAN;
        };
        let mut window: Window = [0.0; WINDOW];
        window[..N_FEAT].copy_from_slice(row);
        let mut s = self.base;
        for tree in &self.trees {
            s += tree.walk(&window);
        }
        s
    }

    /// The features some tree reads (bit `f`: feature `f`).
    pub fn reads(&self) -> u64 {
        self.trees.iter().fold(0, |r, t| r | t.reads)
    }

    pub fn n_trees(&self) -> usize {
        self.trees.len()
    }
}

/// Adds `tree`'s leaf value to the running score (`scores`) of every row in `pending`.
#[inline(always)]
fn add_tree(tree: &Tree, pending: &[Pending], scores: &mut [f32]) {
    for (p, s) in pending.chunks_exact(4).zip(scores.chunks_exact_mut(4)) {
        if let (Ok(p), Ok(s)) = (<&[Pending; 4]>::try_from(p), <&mut [f32; 4]>::try_from(s)) {
            *s = quad_sums(tree, p, *s);
        }
    }
    add_tail(tree, pending, scores);
}

/// Adds `tree`'s leaf value to the running scores of the rows after the last whole quad.
#[inline(always)]
fn add_tail(tree: &Tree, pending: &[Pending], scores: &mut [f32]) {
    let n = pending.len().min(scores.len());
    let quads_end = n - n % 4;
    let tail = pending.get(quads_end..n).unwrap_or_default();
    let tail_scores = scores.get_mut(quads_end..n).unwrap_or_default();
    for (p, s) in tail.iter().zip(tail_scores) {
        *s += tree.walk(p.x);
    }
}

/// [`add_tree`], then the rows `gate` decides are decided (into `out`) and dropped from
/// `pending` and `scores`; the rest keep their order.
///
/// Up to the first quad with a decided row, four rows' scores are summed and checked as one
/// vector; after it they are only summed. Then the rows from that quad on are decided or
/// moved down, in a pass of their own: deciding is a coin toss to the branch predictor, and
/// a missed branch amid the walks would stall their loads in flight (measured: fusing it
/// into the walks saved instructions but no time).
#[inline(always)]
fn add_tree_deciding(
    tree: &Tree,
    gate: Gate,
    pending: &mut Vec<Pending>,
    scores: &mut Vec<f32>,
    out: &mut [bool],
) {
    let n = pending.len().min(scores.len());
    let mut quads = pending
        .chunks_exact(4)
        .zip(scores.chunks_exact_mut(4))
        .map(|(p, s)| (<&[Pending; 4]>::try_from(p), <&mut [f32; 4]>::try_from(s)));
    let mut k = 0;
    for (p, s) in quads.by_ref() {
        let (Ok(p), Ok(s)) = (p, s) else {
            break;
        };
        *s = quad_sums(tree, p, *s);
        if any_of_four(*s, |s| gate.decides(s)) {
            break;
        }
        k += 4;
    }
    // After it, only sums (no branch that could stall the walks), then the rows from the
    // first decided one on are decided or moved down, in a pass of their own.
    for (p, s) in quads {
        if let (Ok(p), Ok(s)) = (p, s) {
            *s = quad_sums(tree, p, *s);
        }
    }
    add_tail(tree, pending, scores);
    let mut kept = k;
    for j in k..n {
        let score = scores.get(j).copied().unwrap_or(0.0);
        settle(gate, j, score, &mut kept, pending, scores, out);
    }
    pending.truncate(kept);
    scores.truncate(kept);
}

/// Decides row `k` of `pending`, with running score `score`, into `out`, or keeps it: moves
/// it down to `kept` (no place above `k`), the next free place, with its score.
#[inline(always)]
fn settle(
    gate: Gate,
    k: usize,
    score: f32,
    kept: &mut usize,
    pending: &mut [Pending],
    scores: &mut [f32],
    out: &mut [bool],
) {
    let Some(&p) = pending.get(k) else {
        return;
    };
    match gate.decide(score) {
        Some(keep) => {
            if let Some(o) = out.get_mut(p.row as usize) {
                *o = keep;
            }
        }
        None => {
            if let (Some(to), Some(s)) = (pending.get_mut(*kept), scores.get_mut(*kept)) {
                (*to, *s) = (p, score);
            }
            *kept += 1;
        }
    }
}

/// Does any of the four scores `s` decide? Written branch-free, and apart from which one
/// does, so that the four checks compile to one vector compare.
#[inline(always)]
fn any_of_four(s: [f32; 4], decides: impl Fn(f32) -> bool) -> bool {
    let d = s.map(decides);
    d[0] | d[1] | d[2] | d[3]
}

/// The running scores `scores` of the four rows `p` with `tree`'s leaf values added.
#[inline(always)]
fn quad_sums(tree: &Tree, p: &[Pending; 4], scores: [f32; 4]) -> [f32; 4] {
    let mut sums = scores;
    for (sum, v) in sums.iter_mut().zip(tree.walk4(p.map(|p| p.x))) {
        *sum += v;
    }
    sums
}

/// The rows no gate decided, after all trees: kept when their score is positive.
fn decide_by_sign(undecided: &[(u32, f32)], out: &mut [bool]) {
    for &(row, score) in undecided {
        if let Some(o) = out.get_mut(row as usize) {
            *o = score > 0.0;
        }
    }
}

/// Does an early decision come after the first `done` trees (while trees remain)?
// GATE_EVERY is a tuning knob that is 1 at present.
#[allow(clippy::modulo_one)]
fn checks_after(done: usize) -> bool {
    done >= GATE_START && (done - GATE_START).is_multiple_of(GATE_EVERY)
}

/// The child of inner node `k` a sample with value `v` goes to: `2k` (left) when
/// `v <= threshold`, else `2k + 1` (right; NaN goes right, as in scikit-learn). Written as
/// `2k + 1 - (v <= threshold)`, which compiles to an add-with-carry of the comparison's flag
/// (`2k + (!(v <= threshold))` compiles to a set-byte, a clear and a `lea`: one instruction
/// more per level).
#[inline(always)]
fn child(k: usize, v: f32, threshold: f32) -> usize {
    2 * k + 1 - usize::from(v <= threshold)
}

/// Steps from `root` to the deepest leaf below it (`None`: deeper than 64, or a cycle).
fn tree_depth(nodes: &[Node], is_leaf: &[bool], root: usize) -> Option<u32> {
    let mut deepest = 0;
    let mut stack = vec![(root, 0u32)];
    while let Some((k, d)) = stack.pop() {
        if d > 64 {
            return None;
        }
        if *is_leaf.get(k)? {
            deepest = deepest.max(d);
        } else {
            let n = nodes.get(k)?;
            stack.push((n.child[0] as usize, d + 1));
            stack.push((n.child[1] as usize, d + 1));
        }
    }
    Some(deepest)
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

    /// The model reads the features its trees' inner nodes name; the shipped one reads all
    /// but [`UNREAD_BY_SHIPPED`](super::super::features::UNREAD_BY_SHIPPED).
    #[test]
    fn reads_are_the_features_of_inner_nodes() {
        let (_, trees) = reference_trees();
        let named = trees
            .iter()
            .flatten()
            .filter(|n| n.0 >= 0)
            .fold(0u64, |r, n| r | 1 << n.0);
        let reads = shipped().unwrap().reads();
        assert_eq!(reads, named);
        let unread = super::super::features::UNREAD_BY_SHIPPED;
        assert_eq!(reads & unread, 0);
        assert_eq!(reads | unread, (1 << N_FEAT) - 1);
    }

    #[test]
    fn gates_decide_as_the_margin_and_bounds_rule() {
        let m = shipped().unwrap();
        let bounds = reference_bounds(&reference_trees().1);
        let mut rng = crate::testing::XorShift(0x9E37_79B9_7F4A_7C15);
        for done in 0..=m.n_trees() {
            let (rest_max, rest_min) = (bounds.0[done], bounds.1[done]);
            let checks = done < m.n_trees() && checks_after(done);
            let mut scores = vec![
                0.0,
                -0.0,
                1e-30,
                GATE_MARGIN,
                -GATE_MARGIN,
                -rest_max,
                -rest_min,
            ];
            for s in scores.clone() {
                // Neighbours (of 0.0: a NaN below, also worth a try).
                scores.extend([
                    f32::from_bits(s.to_bits().wrapping_add(1)),
                    f32::from_bits(s.to_bits().wrapping_sub(1)),
                ]);
            }
            scores.extend((0..2000).map(|_| (rng.next_u64() % 20_000) as f32 / 1000.0 - 10.0));
            for s in scores {
                let rule = if !checks {
                    None
                } else if s < -GATE_MARGIN || s + rest_max <= 0.0 {
                    Some(false)
                } else if s > GATE_MARGIN || s + rest_min > 0.0 {
                    Some(true)
                } else {
                    None
                };
                assert_eq!(
                    m.gates[done].and_then(|g| g.decide(s)),
                    rule,
                    "after {done} trees, score {s}"
                );
                assert_eq!(
                    m.gates[done].is_some_and(|g| g.decides(s)),
                    rule.is_some(),
                    "after {done} trees, score {s}"
                );
            }
        }
    }

    /// (feature, threshold, left, right, value) as written in the model's text.
    type RefNode = (i32, f64, usize, usize, f32);

    /// The shipped model read straight from its text: per tree, (feature, threshold, left,
    /// right, value) nodes with the thresholds as written (f64).
    fn reference_trees() -> (f32, Vec<Vec<RefNode>>) {
        let mut it = include_str!("model.txt").split_ascii_whitespace().skip(2);
        let n_trees: usize = it.next().unwrap().parse().unwrap();
        let base: f32 = it.next().unwrap().parse().unwrap();
        let trees = (0..n_trees)
            .map(|_| {
                assert_eq!(it.next(), Some("tree"));
                let n: usize = it.next().unwrap().parse().unwrap();
                (0..n)
                    .map(|_| {
                        let mut f = || it.next().unwrap();
                        (
                            f().parse().unwrap(),
                            f().parse().unwrap(),
                            f().parse().unwrap(),
                            f().parse().unwrap(),
                            f().parse().unwrap(),
                        )
                    })
                    .collect()
            })
            .collect();
        (base, trees)
    }

    /// The most and least trees `k..` can add (`[k]`), from their leaves, rounded outward by
    /// 1e-4 per tree as the model's parser does.
    fn reference_bounds(trees: &[Vec<RefNode>]) -> (Vec<f32>, Vec<f32>) {
        let mut rest_max = vec![0f32; trees.len() + 1];
        let mut rest_min = vec![0f32; trees.len() + 1];
        for (k, tree) in trees.iter().enumerate().rev() {
            let leaves = tree.iter().filter(|n| n.0 < 0).map(|n| n.4);
            let hi = leaves.clone().fold(f32::MIN, f32::max);
            let lo = leaves.fold(f32::MAX, f32::min);
            rest_max[k] = rest_max[k + 1] + hi + 1e-4;
            rest_min[k] = rest_min[k + 1] + lo - 1e-4;
        }
        (rest_max, rest_min)
    }

    /// A node-by-node walk, comparing in f64 against the written thresholds.
    #[allow(clippy::neg_cmp_op_on_partial_ord)]
    fn reference_leaf(tree: &[RefNode], x: &[f32]) -> f32 {
        let mut k = 0;
        loop {
            let (f, t, l, r, v) = tree[k];
            if f < 0 {
                return v;
            }
            k = if !(f64::from(x[f as usize]) <= t) {
                r
            } else {
                l
            };
        }
    }

    /// Deferring a feature decides as [`Model::keep_rows`] on the filled matrix, reads no
    /// deferred value before it is filled, and fills it only for the rows still undecided at
    /// the first tree reading it.
    #[test]
    fn deferring_a_feature_decides_as_the_filled_matrix() {
        let m = shipped().unwrap();
        let (_, trees) = reference_trees();
        let mut rng = crate::testing::XorShift(0x1234_5678_9ABC_DEF1);
        // The title similarity (read late), a feature the first tree reads, one no tree
        // reads (if any), and one past the features.
        let first_read = trees[0][0].0 as usize;
        let unread = (0..N_FEAT).find(|&f| trees.iter().flatten().all(|n| n.0 != f as i32));
        let mut deferred = vec![super::super::features::TITLE_SIM, first_read, N_FEAT, 1000];
        deferred.extend(unread);
        for f in deferred {
            for rows in [0, 1, 3, 4, 5, 9, 64, 301] {
                let full: Vec<f32> = (0..rows * N_FEAT)
                    .map(|_| match rng.next_u64() % 4 {
                        0 => 0.0,
                        1 => 1.0,
                        _ => (rng.next_u64() % 2000) as f32 / 100.0 - 5.0,
                    })
                    .collect();
                let mut lazy = full.clone();
                for row in lazy.chunks_exact_mut(N_FEAT) {
                    if let Some(v) = row.get_mut(f) {
                        *v = f32::NAN;
                    }
                }
                let mut filled = vec![false; rows];
                let got = m.keep_rows_deferring(&mut lazy, f, |row| {
                    assert!(
                        !std::mem::replace(&mut filled[row], true),
                        "row {row} twice"
                    );
                    full[row * N_FEAT + f]
                });
                assert_eq!(got, m.keep_rows(&full), "feature {f}, rows {rows}");
                if f >= N_FEAT || Some(f) == unread {
                    assert!(!filled.contains(&true), "feature {f}");
                }
                if f == first_read {
                    assert!(!filled.contains(&false), "feature {f}");
                }
            }
        }
    }

    #[test]
    fn walks_and_decisions_match_a_node_by_node_reference() {
        let m = shipped().unwrap();
        let (base, trees) = reference_trees();
        let (rest_max, rest_min) = reference_bounds(&trees);
        // Feature values at, just below and just above the model's thresholds, NaN and
        // infinities.
        let mut values: Vec<f32> = vec![
            f32::NAN,
            0.0,
            -0.0,
            -1.0,
            1e9,
            f32::INFINITY,
            f32::NEG_INFINITY,
        ];
        for t in trees.iter().flatten().filter(|n| n.0 >= 0) {
            let v = t.1 as f32;
            values.extend([
                v,
                // Neighbours (a threshold of 0.0 gives a NaN below: also worth a try).
                f32::from_bits(v.to_bits().wrapping_add(1)),
                f32::from_bits(v.to_bits().wrapping_sub(1)),
            ]);
        }
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = |m: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % m as u64) as usize
        };
        for rows in [1, 2, 3, 4, 5, 7, 8, 9, 33, 64, 301] {
            let matrix: Vec<f32> = (0..rows * N_FEAT)
                .map(|_| values[next(values.len())])
                .collect();
            let keep = m.keep_rows(&matrix);
            for (r, row) in matrix.chunks_exact(N_FEAT).enumerate() {
                let mut s = base;
                let mut decided = None;
                for (k, tree) in trees.iter().enumerate() {
                    s += reference_leaf(tree, row);
                    let done = k + 1;
                    if decided.is_none() && done < trees.len() && checks_after(done) {
                        if s < -GATE_MARGIN || s + rest_max[done] <= 0.0 {
                            decided = Some(false);
                        } else if s > GATE_MARGIN || s + rest_min[done] > 0.0 {
                            decided = Some(true);
                        }
                    }
                    if decided.is_some() {
                        break;
                    }
                }
                assert_eq!(keep[r], decided.unwrap_or(s > 0.0), "rows {rows}, row {r}");
                let mut full = base;
                for tree in &trees {
                    full += reference_leaf(tree, row);
                }
                assert_eq!(
                    m.score(row).to_bits(),
                    full.to_bits(),
                    "rows {rows}, row {r}"
                );
            }
        }
    }
}
