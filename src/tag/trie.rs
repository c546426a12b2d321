//! A byte trie of the normalized aliases, for anchored prefix matching.
//!
//! Mentions only start at word boundaries, so the tagger never needs an Aho-Corasick
//! automaton's failure transitions (which dominated build time at 200k+ aliases): at each
//! possible start it walks this trie once and gets *every* alias that is a prefix of the text
//! there, shortest first, in one pass. That is what leftmost-longest with an end-boundary check
//! needs (the longest alias may end inside a word while a shorter one does not), and what
//! overlapping tagging needs.
//!
//! Layout: nodes are numbered so that each node's children are contiguous and sorted by label
//! (built breadth-first from the sorted keys). A range of keys with a single key left becomes a
//! leaf holding the rest of the key as a *tail* (compared with one slice comparison), so long
//! unique suffixes cost no nodes. The root's children are found through a 256-entry table.

const NONE: u32 = u32::MAX;

/// One trie node, packed so one step of a walk touches one cache line for the node.
#[derive(Debug, Clone, Copy)]
#[repr(C)]
struct Node {
    /// Internal node: its first child. Leaf: index into `tails`.
    first: u32,
    /// The pattern that ends at this node (after the tail, for a leaf), or NONE.
    pattern: u32,
    /// Number of children (0 for a leaf).
    count: u16,
}

#[derive(Debug, Default)]
pub(crate) struct Trie {
    nodes: Vec<Node>,
    /// The byte on the edge into each node (children of one node are contiguous and sorted).
    label: Vec<u8>,
    /// (start, len) in `tail_bytes` for each leaf.
    tails: Vec<(u32, u32)>,
    tail_bytes: Vec<u8>,
    /// The root's child for each first byte, or NONE.
    root: Vec<u32>,
    /// The depth-2 node for each first two bytes (`b0 << 8 | b1`), or NONE.
    root2: Vec<u32>,
}

impl Trie {
    /// Builds the trie of `keys` (distinct, non-empty); pattern ids are indices into `keys`.
    /// Returns None if the trie would not fit u32 indices.
    pub(crate) fn new(keys: &[String]) -> Option<Trie> {
        let mut order: Vec<u32> = (0..u32::try_from(keys.len()).ok()?).collect();
        order.sort_unstable_by(|&a, &b| {
            let ka = keys.get(a as usize).map_or(&[][..], |k| k.as_bytes());
            let kb = keys.get(b as usize).map_or(&[][..], |k| k.as_bytes());
            ka.cmp(kb)
        });
        let key = |i: usize| -> &[u8] {
            order
                .get(i)
                .and_then(|&p| keys.get(p as usize))
                .map_or(&[][..], |k| k.as_bytes())
        };
        let blank = Node {
            first: 0,
            pattern: NONE,
            count: 0,
        };
        let mut t = Trie {
            root: vec![NONE; 256],
            root2: vec![NONE; 1 << 16],
            ..Trie::default()
        };
        // The root (node 0): an internal node over all keys at depth 0.
        t.nodes.push(blank);
        t.label.push(0);
        // Work queue of (node, lo, hi, depth, path): keys[lo..hi] share the node's path of
        // `depth` bytes; `path` is its first two bytes (for `root2`).
        let mut queue = std::collections::VecDeque::new();
        queue.push_back((0u32, 0usize, keys.len(), 0usize, 0usize));
        while let Some((node, mut lo, hi, depth, path)) = queue.pop_front() {
            let n = node as usize;
            // A leaf: one key left (and not the root).
            if hi - lo == 1 && node != 0 {
                let k = key(lo);
                let rest = k.get(depth..).unwrap_or(&[]);
                let tail_start = u32::try_from(t.tail_bytes.len()).ok()?;
                let tail_index = u32::try_from(t.tails.len()).ok()?;
                t.tail_bytes.extend_from_slice(rest);
                t.tails.push((tail_start, u32::try_from(rest.len()).ok()?));
                let slot = t.nodes.get_mut(n)?;
                slot.first = tail_index;
                slot.pattern = order.get(lo).copied().unwrap_or(NONE);
                continue;
            }
            // The key that ends here sorts first.
            if key(lo).len() == depth {
                t.nodes.get_mut(n)?.pattern = order.get(lo).copied().unwrap_or(NONE);
                lo += 1;
            }
            let first_child = u32::try_from(t.nodes.len()).ok()?;
            let mut children = 0u16;
            let mut i = lo;
            while i < hi {
                let b = key(i).get(depth).copied().unwrap_or(0);
                let mut j = i + 1;
                while j < hi && key(j).get(depth).copied() == Some(b) {
                    j += 1;
                }
                let child = u32::try_from(t.nodes.len()).ok()?;
                t.nodes.push(blank);
                t.label.push(b);
                let child_path = (path << 8) | b as usize;
                match depth {
                    0 => *t.root.get_mut(b as usize)? = child,
                    1 => *t.root2.get_mut(child_path)? = child,
                    _ => {}
                }
                queue.push_back((child, i, j, depth + 1, child_path));
                children += 1;
                i = j;
            }
            let slot = t.nodes.get_mut(n)?;
            slot.first = first_child;
            slot.count = children;
        }
        Some(t)
    }

    /// Calls `found(end, pattern)` for every key that is a prefix of `hay[start..]`, shortest
    /// first (`end` is exclusive, in `hay`).
    #[inline]
    pub(crate) fn prefixes(&self, hay: &[u8], start: usize, mut found: impl FnMut(usize, u32)) {
        let Some(&b0) = hay.get(start) else {
            return;
        };
        let mut node = match self.root.get(b0 as usize) {
            Some(&c) if c != NONE => c as usize,
            _ => return,
        };
        let mut pos = start + 1;
        // Depth 1 by hand, then jump to depth 2 through `root2`.
        let Some(&n1) = self.nodes.get(node) else {
            return;
        };
        if n1.count != 0 {
            if n1.pattern != NONE {
                found(pos, n1.pattern);
            }
            let Some(&b1) = hay.get(pos) else {
                return;
            };
            node = match self.root2.get(((b0 as usize) << 8) | b1 as usize) {
                Some(&c) if c != NONE => c as usize,
                _ => return,
            };
            pos += 1;
        }
        loop {
            let Some(&Node {
                first,
                pattern,
                count,
            }) = self.nodes.get(node)
            else {
                return;
            };
            if count == 0 {
                // A leaf: the pattern ends after the tail.
                if let Some(&(ts, tl)) = self.tails.get(first as usize) {
                    let (ts, tl) = (ts as usize, tl as usize);
                    if let (Some(tail), Some(text)) =
                        (self.tail_bytes.get(ts..ts + tl), hay.get(pos..pos + tl))
                    {
                        if tail == text && pattern != NONE {
                            found(pos + tl, pattern);
                        }
                    }
                }
                return;
            }
            if pattern != NONE {
                found(pos, pattern);
            }
            let Some(&b) = hay.get(pos) else {
                return;
            };
            let first = first as usize;
            let Some(labels) = self.label.get(first..first + count as usize) else {
                return;
            };
            let child = if labels.len() <= 8 {
                labels.iter().position(|&l| l == b)
            } else {
                labels.binary_search(&b).ok()
            };
            match child {
                Some(c) => node = first + c,
                None => return,
            }
            pos += 1;
        }
    }

    /// Approximate heap size in bytes.
    pub(crate) fn memory_usage(&self) -> usize {
        self.nodes.len() * std::mem::size_of::<Node>()
            + self.label.len()
            + self.tails.len() * 8
            + self.tail_bytes.len()
            + (self.root.len() + self.root2.len()) * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(t: &Trie, hay: &str, start: usize) -> Vec<(usize, u32)> {
        let mut v = Vec::new();
        t.prefixes(hay.as_bytes(), start, |e, p| v.push((e, p)));
        v
    }

    #[test]
    fn prefixes_shortest_first() {
        let keys: Vec<String> = ["new york city", "new", "new york", "newark", "york", "n"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let t = Trie::new(&keys).unwrap();
        assert_eq!(
            all(&t, "new york city!", 0),
            vec![(1, 5), (3, 1), (8, 2), (13, 0)]
        );
        assert_eq!(all(&t, "new york city!", 4), vec![(8, 4)]);
        assert_eq!(all(&t, "newar", 0), vec![(1, 5), (3, 1)]);
        assert_eq!(all(&t, "newark", 0), vec![(1, 5), (3, 1), (6, 3)]);
        assert_eq!(all(&t, "", 0), vec![]);
        assert_eq!(all(&t, "x", 5), vec![]);
    }

    #[test]
    fn short_keys_through_the_depth_two_table() {
        let keys: Vec<String> = ["ab", "ac", "a", "b", "abc", "x\u{e9}"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let t = Trie::new(&keys).unwrap();
        assert_eq!(all(&t, "abcd", 0), vec![(1, 2), (2, 0), (3, 4)]);
        assert_eq!(all(&t, "ac", 0), vec![(1, 2), (2, 1)]);
        assert_eq!(all(&t, "a", 0), vec![(1, 2)]);
        assert_eq!(all(&t, "b", 0), vec![(1, 3)]);
        assert_eq!(all(&t, "bb", 0), vec![(1, 3)]);
        assert_eq!(all(&t, "x\u{e9}", 0), vec![(3, 5)]);
        assert_eq!(all(&t, "x\u{e8}", 0), vec![]);
    }

    #[test]
    fn empty_and_single() {
        let t = Trie::new(&[]).unwrap();
        assert_eq!(all(&t, "abc", 0), vec![]);
        let t = Trie::new(&["abc".to_string()]).unwrap();
        assert_eq!(all(&t, "abcd", 0), vec![(3, 0)]);
        assert_eq!(all(&t, "ab", 0), vec![]);
        let t = Trie::new(&["a".to_string()]).unwrap();
        assert_eq!(all(&t, "a", 0), vec![(1, 0)]);
        assert!(t.memory_usage() > 0);
    }
}

/// A filter on the first *token* (the longest prefix of ASCII letters and digits) of the keys:
/// a Bloom filter with one hash. At a start in the text, if the text's token there is not the
/// first token of any key, no key can match (a key whose token is followed by more key bytes
/// needs the same token in the text; a key that is all token needs a word boundary after it),
/// so the trie walk is skipped. Most words of news text are skipped this way.
#[derive(Debug, Default)]
pub(crate) struct FirstTokens {
    bits: Vec<u64>,
    shift: u32,
    /// Some key starts with a byte that is not an ASCII letter or digit.
    empty: bool,
}

static IS_TOKEN_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    t
};

/// The length of the token at the start of `bytes`.
#[inline]
pub(crate) fn token_len(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .position(|&b| !IS_TOKEN_BYTE[b as usize])
        .unwrap_or(bytes.len())
}

#[inline]
fn token_hash(token: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h: u64 = token.len() as u64;
    let mut chunks = token.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    // Mix the high bits, which pick the bit.
    (h ^ (h >> 29)).wrapping_mul(K)
}

impl FirstTokens {
    pub(crate) fn new(keys: &[String]) -> FirstTokens {
        // About 8 bits per key (a few % false positives; small enough to stay in cache),
        // between 2^12 and 2^24 bits.
        let want = (keys.len().max(1) * 8)
            .next_power_of_two()
            .clamp(1 << 12, 1 << 24);
        let log = want.trailing_zeros();
        let mut f = FirstTokens {
            bits: vec![0; want / 64],
            shift: 64 - log,
            empty: false,
        };
        for k in keys {
            let bytes = k.as_bytes();
            let n = token_len(bytes);
            if n == 0 {
                f.empty = true;
            } else if let Some(token) = bytes.get(..n) {
                let bit = (token_hash(token) >> f.shift) as usize;
                if let Some(w) = f.bits.get_mut(bit / 64) {
                    *w |= 1 << (bit % 64);
                }
            }
        }
        f
    }

    /// Whether some key may match at the start of `bytes`.
    #[inline]
    pub(crate) fn may_start(&self, bytes: &[u8]) -> bool {
        let n = token_len(bytes);
        if n == 0 {
            return self.empty;
        }
        let Some(token) = bytes.get(..n) else {
            return true;
        };
        let bit = (token_hash(token) >> self.shift) as usize;
        self.bits
            .get(bit / 64)
            .map_or(true, |w| w & (1 << (bit % 64)) != 0)
    }

    pub(crate) fn memory_usage(&self) -> usize {
        self.bits.len() * 8
    }
}

#[cfg(test)]
mod token_tests {
    use super::*;

    #[test]
    fn first_tokens() {
        let keys: Vec<String> = ["new york", "kyiv's", "kiev", "(ap)", "x1"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let f = FirstTokens::new(&keys);
        assert!(f.may_start(b"new york"));
        assert!(f.may_start(b"new-jersey"));
        assert!(f.may_start(b"kiev, "));
        assert!(f.may_start(b"kyiv's"));
        assert!(f.may_start(b"x1"));
        assert!(f.may_start(b"(x"));
        assert!(!f.may_start(b"newark"));
        assert!(!f.may_start(b"kievan"));
        let g = FirstTokens::new(&keys[..3]);
        assert!(!g.may_start("\u{416}".as_bytes()));
        assert!(!g.may_start(b""));
        assert_eq!(token_len(b"ab1-c"), 3);
    }
}
