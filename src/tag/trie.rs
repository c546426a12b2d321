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
//! unique suffixes cost no nodes. The root's children are found through a 256-entry table,
//! the depth-2 nodes through a 65536-entry one.
//!
//! Most starts in news text are ASCII words. There the walk does not go byte by byte through
//! the word: the word's *token* (its run of ASCII letters and digits) is looked up whole, first
//! in a small Bloom filter of the keys' first tokens (most words are no key's first token:
//! nothing can match there), then in a hash table from first token to the trie position after
//! it, and the walk goes on from there. A key can only match with its whole first token: a
//! shorter one would end inside the word. Table hits are checked against the key's bytes, so
//! a hash collision can never make a wrong match. Most common words begin some multi-word
//! alias, yet few are followed by its next word: where no key is the first token alone, the
//! walk also needs the text after the token to pass a Bloom filter of the keys' (first
//! token, next word) pairs.

use super::normalize::{alnum_lanes, Slots, HIGH_BITS};

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
    /// The length of the path to this node (saturating).
    depth: u16,
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
    /// All keys, concatenated in pattern order; key `p` is `keys[key_starts[p]..key_starts[p + 1]]`.
    keys: Vec<u8>,
    key_starts: Vec<u32>,
    /// The keys' first tokens: a Bloom filter, then the trie position after each.
    first_tokens: FirstTokens,
    token_nodes: TokenTable,
    /// The (first token, what follows it) pairs of the keys that go on after their first token.
    second_words: SecondWords,
}

/// A start where some key may match, from [`Trie::find_walks`].
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct WalkStart {
    /// The offset in the text.
    pub start: u32,
    token_len: u32,
    /// The trie node after the token, or AMBIGUOUS: walk from the root.
    node: u32,
}

/// [`Trie::find_walks`]' output, and its scratch (kept between texts).
#[derive(Debug, Default)]
pub(crate) struct Walks {
    /// (start, token length, token hash) of the starts the Bloom filter lets through.
    tokens: Slots<(u32, u32, u64)>,
    found: Slots<WalkStart>,
}

impl Walks {
    /// The bytes its buffers hold.
    pub(crate) fn heap_size(&self) -> usize {
        self.tokens.capacity() * std::mem::size_of::<(u32, u32, u64)>()
            + self.found.capacity() * std::mem::size_of::<WalkStart>()
    }

    /// The starts where some key may match, ascending.
    pub(crate) fn found(&self) -> &[WalkStart] {
        self.found.as_slice()
    }
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
            depth: 0,
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
            t.nodes.get_mut(n)?.depth = u16::try_from(depth).unwrap_or(u16::MAX);
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
        drop(queue);
        drop(order);
        // The keys, for checking token-table hits.
        t.key_starts.reserve(keys.len() + 1);
        for k in keys {
            t.key_starts.push(u32::try_from(t.keys.len()).ok()?);
            t.keys.extend_from_slice(k.as_bytes());
        }
        t.key_starts.push(u32::try_from(t.keys.len()).ok()?);
        // Table values carry a flag bit above the node.
        if t.nodes.len() >= (MULTI_WORD_ONLY - 2) as usize {
            return None;
        }
        // First tokens, and the words after them.
        t.first_tokens = FirstTokens::new(keys);
        t.token_nodes = TokenTable::with_capacity(keys.len());
        t.second_words = SecondWords::with_capacity(keys.len());
        for k in keys {
            let bytes = k.as_bytes();
            let n = token_len(bytes);
            let Some(token) = bytes.get(..n).filter(|t| !t.is_empty()) else {
                continue;
            };
            let node = match t.locate(token) {
                Some(node) if t.nodes.get(node as usize)?.depth != u16::MAX => node,
                _ => AMBIGUOUS,
            };
            let hash = token_hash(token);
            let multi_word = bytes.len() > n;
            if multi_word {
                t.second_words.insert(hash, bytes, n);
            }
            t.token_nodes.insert(hash, node, multi_word);
        }
        Some(t)
    }

    /// The node reached by walking `path` from the root (a leaf, if `path` ends in its tail).
    fn locate(&self, path: &[u8]) -> Option<u32> {
        let mut node = 0usize;
        for &b in path {
            let n = self.nodes.get(node)?;
            if n.count == 0 {
                return Some(node as u32);
            }
            let first = n.first as usize;
            let labels = self.label.get(first..first + n.count as usize)?;
            node = first + labels.binary_search(&b).ok()?;
        }
        u32::try_from(node).ok()
    }

    /// Key `p`'s bytes.
    #[inline]
    fn key(&self, p: u32) -> Option<&[u8]> {
        let p = p as usize;
        let (&a, &b) = (self.key_starts.get(p)?, self.key_starts.get(p + 1)?);
        self.keys.get(a as usize..b as usize)
    }

    /// Finds which of `starts` (ascending offsets in `hay`) some key may match at, and where
    /// the walk goes on from there, into `walks.found`. Two passes: the first measures and
    /// hashes each start's token and keeps those the Bloom filter lets through, the second
    /// looks them up in the token table (and in [`SecondWords`] where the token only begins
    /// multi-word keys). Neither branches on the outcome of a filter or table lookup, so their
    /// cache misses overlap instead of waiting behind mispredicted branches.
    pub(crate) fn find_walks(&self, hay: &[u8], starts: &[u32], walks: &mut Walks) {
        walks.tokens.clear();
        let tokens = walks.tokens.spare(starts.len());
        let mut kept = 0usize;
        for &start in starts {
            let (n, h) = token_at(hay.get(start as usize..).unwrap_or(&[]));
            if let Some(slot) = tokens.get_mut(kept) {
                *slot = (start, n as u32, h);
            }
            kept += usize::from(n == 0 || self.first_tokens.contains(h));
        }
        walks.tokens.advance(kept);
        walks.found.clear();
        let found = walks.found.spare(kept);
        let mut kept = 0usize;
        for &(start, token_len, h) in walks.tokens.as_slice() {
            // An empty token (the start is no ASCII word): walk from the root.
            let mut node = if token_len == 0 {
                AMBIGUOUS
            } else {
                self.token_nodes.get(h)
            };
            // Every key with this first token goes on after it: the text's next word must
            // follow the token in one of them.
            if node < AMBIGUOUS && node & MULTI_WORD_ONLY != 0 {
                let after = start as usize + token_len as usize;
                node = if self.second_words.may_follow(h, hay, after) {
                    node & !MULTI_WORD_ONLY
                } else {
                    NONE
                };
            }
            if let Some(slot) = found.get_mut(kept) {
                *slot = WalkStart {
                    start,
                    token_len,
                    node,
                };
            }
            kept += usize::from(node != NONE);
        }
        walks.found.advance(kept);
    }

    /// Calls `found(end, pattern)` for every key that may match at a start [`Trie::find_walks`]
    /// found (a prefix of the text there that does not end inside its first ASCII word),
    /// shortest first (`end` is exclusive, in `hay`).
    #[inline]
    pub(crate) fn prefixes(&self, hay: &[u8], at: WalkStart, mut found: impl FnMut(usize, u32)) {
        let start = at.start as usize;
        match at.node {
            NONE => {}
            AMBIGUOUS => self.walk_root(hay, start, found),
            node => {
                let end = start + at.token_len as usize;
                self.walk(hay, start, end, node as usize, |e, p| {
                    if self.key(p) == hay.get(start..e) {
                        found(e, p);
                    }
                })
            }
        }
    }

    /// Calls `found(end, pattern)` for every key that is a prefix of `hay[start..]`, shortest
    /// first (`end` is exclusive, in `hay`).
    #[inline]
    fn walk_root(&self, hay: &[u8], start: usize, mut found: impl FnMut(usize, u32)) {
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
        self.walk(hay, start, pos, node, found);
    }

    /// Walks on from `node`, reached with `hay[start..pos]`: reports the pattern at `node` and
    /// every one below it that the text goes on with.
    #[inline]
    fn walk(
        &self,
        hay: &[u8],
        start: usize,
        mut pos: usize,
        mut node: usize,
        mut found: impl FnMut(usize, u32),
    ) {
        loop {
            let Some(&Node {
                first,
                pattern,
                count,
                depth,
            }) = self.nodes.get(node)
            else {
                return;
            };
            if count == 0 {
                // A leaf: the pattern ends after the tail, of which `pos - start - depth`
                // bytes are already matched (by a token lookup).
                let done = (pos - start).saturating_sub(depth as usize);
                if let Some(&(ts, tl)) = self.tails.get(first as usize) {
                    let (ts, tl) = (ts as usize + done, (tl as usize).saturating_sub(done));
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
            + self.keys.len()
            + self.key_starts.len() * 4
            + self.first_tokens.memory_usage()
            + self.token_nodes.slots.len() * 8
            + self.second_words.bits.len() * 8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key that is a prefix (the plain walk).
    fn all(t: &Trie, hay: &str, start: usize) -> Vec<(usize, u32)> {
        let mut v = Vec::new();
        t.walk_root(hay.as_bytes(), start, |e, p| v.push((e, p)));
        v
    }

    /// What the tagger sees: no key ending inside the first ASCII word.
    fn words(t: &Trie, hay: &str, start: usize) -> Vec<(usize, u32)> {
        let mut walks = Walks::default();
        t.find_walks(hay.as_bytes(), &[start as u32], &mut walks);
        let mut v = Vec::new();
        for &at in walks.found() {
            t.prefixes(hay.as_bytes(), at, |e, p| v.push((e, p)));
        }
        v
    }

    #[test]
    fn token_table_collisions_are_ambiguous() {
        let mut t = TokenTable::with_capacity(4);
        let h = 0xABCD_0000_0000_0003u64;
        t.insert(h, 7, true);
        assert_eq!(t.get(h), 7 | MULTI_WORD_ONLY);
        t.insert(h, 7, false); // a one-word key clears the flag
        t.insert(h, 7, true);
        assert_eq!(t.get(h), 7);
        t.insert(0xABCD_0000_0000_0004, 9, false); // same fingerprint, another slot
        assert_eq!(t.get(0xABCD_0000_0000_0004), 9);
        assert_eq!(t.get(0x1111_0000_0000_0003), NONE);
        t.insert(h, 8, true); // same hash, another node
        assert_eq!(t.get(h), AMBIGUOUS);
        t.insert(h, 7, true);
        assert_eq!(t.get(h), AMBIGUOUS);
        t.insert(0x2222_0000_0000_0005, 9, true);
        t.insert(0x2222_0000_0000_0005, 8, true);
        assert_eq!(t.get(0x2222_0000_0000_0005), AMBIGUOUS);
    }

    #[test]
    fn token_lookup_skips_keys_inside_the_first_word() {
        let keys: Vec<String> = [
            "new york city",
            "new",
            "new york",
            "newark",
            "york",
            "n",
            "kyiv's",
            "kyivan",
            "\u{445}\u{430}",
            "x\u{e9}",
            "a-b",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let t = Trie::new(&keys).unwrap();
        assert_eq!(
            words(&t, "new york city!", 0),
            vec![(3, 1), (8, 2), (13, 0)]
        );
        assert_eq!(words(&t, "n york", 0), vec![(1, 5)]);
        assert_eq!(words(&t, "newark", 0), vec![(6, 3)]);
        assert_eq!(words(&t, "newar", 0), vec![]);
        assert_eq!(words(&t, "newarks", 0), vec![]);
        assert_eq!(words(&t, "kyiv's", 0), vec![(6, 6)]);
        assert_eq!(words(&t, "kyivan", 0), vec![(6, 7)]);
        assert_eq!(words(&t, "kyiv", 0), vec![]);
        assert_eq!(words(&t, "\u{445}\u{430}\u{431}", 0), vec![(4, 8)]);
        assert_eq!(words(&t, "x\u{e9}", 0), vec![(3, 9)]);
        assert_eq!(words(&t, "a-b", 0), vec![(3, 10)]);
        assert_eq!(words(&t, "a-c", 0), vec![]);
        assert_eq!(words(&t, "", 0), vec![]);
        assert_eq!(words(&t, "new", 3), vec![]);
        // For every key, the token lookup agrees with the walk on the key itself.
        for (p, k) in keys.iter().enumerate() {
            let w = words(&t, k, 0);
            assert!(w.contains(&(k.len(), p as u32)), "{k:?}");
        }
    }

    /// The second-word filter never drops a start where a key can match: wherever the text
    /// goes on with a key and then with no ASCII letter or digit (else the match would end
    /// inside a word), the walk reports it.
    #[test]
    fn second_words_never_drop_a_key() {
        let keys: Vec<String> = [
            "new york",
            "new york city",
            "new-york",
            "new jersey's",
            "new. york",
            "new.york",
            "new..",
            "new 'york'",
            "new \u{e9}t\u{e9}",
            "new\u{e9}",
            "new-",
            "new 9",
            "u.s.",
            "u.s.a",
            "u.k",
            "st. louis",
            "o'neil",
            "o'",
            "rock 'n' roll",
            "inc.",
            "a. b",
            "a-b-c",
            "x y",
            "verylongfirstwordbeyondsixteen second",
            "abcdefgh ijklmnopqrstuvwxyz",
            "abcdefgh12345678 x",
            "one",
            "one two",
            "two  three",
            "\u{445} word",
            "(ap) news",
            "1 2 3",
        ]
        .iter()
        .map(|s| super::super::normalize::normalize_key(s, true, false))
        .collect();
        let t = Trie::new(&keys).unwrap();
        let afters = [
            "",
            " ",
            ".",
            ",",
            "'s",
            " x",
            "-y",
            "\u{e9}",
            "s",
            "1",
            "!",
            "  ",
            " new york",
        ];
        for (p, k) in keys.iter().enumerate() {
            for before in ["", "x ", "(", "zz-"] {
                for after in afters {
                    let hay = format!("{before}{k}{after}");
                    let start = before.len();
                    let end = start + k.len();
                    let got = words(&t, &hay, start);
                    let inside_word = hay
                        .as_bytes()
                        .get(end)
                        .is_some_and(u8::is_ascii_alphanumeric);
                    if !inside_word {
                        assert!(got.contains(&(end, p as u32)), "{k:?} in {hay:?}: {got:?}");
                    }
                }
            }
        }
        // Every pair of keys, one after the other.
        for (p, k) in keys.iter().enumerate() {
            for other in &keys {
                let hay = format!("{k} {other}");
                let got = words(&t, &hay, 0);
                assert!(
                    got.contains(&(k.len(), p as u32)),
                    "{k:?} in {hay:?}: {got:?}"
                );
            }
        }
        // A first token that only begins multi-word keys, followed by none of their words.
        let mut walks = Walks::default();
        t.find_walks(b"new mexico", &[0], &mut walks);
        assert!(walks.found().is_empty());
        t.find_walks(b"abcdefgh ijklmnx", &[0], &mut walks);
        assert!(walks.found().is_empty());
        t.find_walks(b"new", &[0], &mut walks);
        assert!(walks.found().is_empty());
        // One that also is a key: walked whatever follows.
        t.find_walks(b"one three", &[0], &mut walks);
        assert_eq!(walks.found().len(), 1);
    }

    /// On random keys and texts (ASCII words of all lengths, spaces, punctuation, non-ASCII),
    /// at every start: the token lookup and its filters report exactly the keys the plain walk
    /// finds there that do not end inside an ASCII word.
    #[test]
    fn walks_agree_with_the_plain_walk() {
        let mut rng = crate::testing::XorShift(0x1405_7B7E_F767_814F);
        let pieces: Vec<&str> =
            "a|ab|new|york|x|9|abcdefgh|abcdefghijklmnopq| | |'|-|.|\u{e9}|\u{436}|s"
                .split('|')
                .collect();
        let random = |rng: &mut crate::testing::XorShift, max: u64| -> String {
            let len = 1 + rng.next_u64() % max;
            (0..len)
                .map(|_| pieces[(rng.next_u64() % pieces.len() as u64) as usize])
                .collect()
        };
        for _ in 0..200 {
            let count = 1 + rng.next_u64() % 40;
            let mut keys: Vec<String> = (0..count).map(|_| random(&mut rng, 4)).collect();
            keys.sort();
            keys.dedup();
            let t = Trie::new(&keys).unwrap();
            for _ in 0..10 {
                // Texts made of whole keys and random pieces.
                let mut hay = String::new();
                for _ in 0..rng.next_u64() % 8 {
                    if rng.next_u64().is_multiple_of(2) {
                        hay.push_str(&keys[(rng.next_u64() % keys.len() as u64) as usize]);
                    } else {
                        hay.push_str(&random(&mut rng, 3));
                    }
                }
                let bytes = hay.as_bytes();
                for start in (0..=hay.len()).filter(|&i| hay.is_char_boundary(i)) {
                    let want: Vec<(usize, u32)> = all(&t, &hay, start)
                        .into_iter()
                        .filter(|&(e, _)| !bytes.get(e).is_some_and(u8::is_ascii_alphanumeric))
                        .collect();
                    let got: Vec<(usize, u32)> = words(&t, &hay, start)
                        .into_iter()
                        .filter(|&(e, _)| !bytes.get(e).is_some_and(u8::is_ascii_alphanumeric))
                        .collect();
                    assert_eq!(got, want, "{keys:?} in {hay:?} at {start}");
                }
            }
        }
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

/// In [`TokenTable`]: more than one token has this fingerprint; walk from the root (also what
/// a [`WalkStart`] without a token says).
const AMBIGUOUS: u32 = NONE - 1;

/// In [`TokenTable`] values: the bit above the node that says every key with this first token
/// goes on after it (none is the token alone).
const MULTI_WORD_ONLY: u32 = 1 << 31;

/// First token -> trie node after it (NONE: no key starts with that token). Open addressing
/// on the token hash (low bits pick the slot, the high 32 bits are the fingerprint).
#[derive(Debug, Default)]
struct TokenTable {
    /// (fingerprint, node); node NONE is an empty slot.
    slots: Vec<(u32, u32)>,
    mask: usize,
}

impl TokenTable {
    fn with_capacity(keys: usize) -> TokenTable {
        let n = (keys.max(8) * 2).next_power_of_two();
        TokenTable {
            slots: vec![(0, NONE); n],
            mask: n - 1,
        }
    }

    /// Records `node` for a first token of this hash; `multi_word`: the key goes on after it
    /// (the flag stays only if every key with that first token does).
    fn insert(&mut self, hash: u64, node: u32, multi_word: bool) {
        let node = if multi_word && node < AMBIGUOUS {
            node | MULTI_WORD_ONLY
        } else {
            node
        };
        let fp = (hash >> 32) as u32;
        let mut i = hash as usize & self.mask;
        // The table is at most half full: an empty slot is always found.
        for _ in 0..self.slots.len() {
            let Some(slot) = self.slots.get_mut(i) else {
                return;
            };
            if slot.1 == NONE {
                *slot = (fp, node);
                return;
            }
            if slot.0 == fp {
                let same = slot.1 | MULTI_WORD_ONLY == node | MULTI_WORD_ONLY;
                slot.1 = if same && slot.1 != AMBIGUOUS {
                    slot.1 & node
                } else {
                    AMBIGUOUS
                };
                return;
            }
            i = (i + 1) & self.mask;
        }
    }

    /// The node for this hash (with MULTI_WORD_ONLY if every key with that first token goes
    /// on after it), AMBIGUOUS, or NONE.
    #[inline]
    fn get(&self, hash: u64) -> u32 {
        let fp = (hash >> 32) as u32;
        let mut i = hash as usize & self.mask;
        for _ in 0..self.slots.len() {
            let Some(&(f, node)) = self.slots.get(i) else {
                return NONE;
            };
            if node == NONE {
                return NONE;
            }
            if f == fp {
                return node;
            }
            i = (i + 1) & self.mask;
        }
        NONE
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

const HASH_K: u64 = 0x9E37_79B9_7F4A_7C15;

/// One step of [`token_hash`]: mixes in 8 bytes (little-endian, zero-padded).
#[inline]
fn hash_step(h: u64, word: u64) -> u64 {
    (h.rotate_left(5) ^ word).wrapping_mul(HASH_K)
}

/// The last step of [`token_hash`]: mixes the high bits, which pick the Bloom filter bit.
#[inline]
fn hash_finish(h: u64) -> u64 {
    (h ^ (h >> 29)).wrapping_mul(HASH_K)
}

#[inline]
fn token_hash(token: &[u8]) -> u64 {
    let mut h: u64 = token.len() as u64;
    let mut chunks = token.chunks_exact(8);
    for c in &mut chunks {
        h = hash_step(h, load_word(c));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        h = hash_step(h, load_word(rest));
    }
    hash_finish(h)
}

/// The length of the token at the start of `bytes` and its [`token_hash`] (meaningless for an
/// empty token). A token shorter than 16 bytes with 16 bytes of text from its start (most
/// words), or shorter than 8 with 8, is measured and hashed from one or two loads, without a
/// loop.
#[inline]
fn token_at(bytes: &[u8]) -> (usize, u64) {
    if let Some(head) = bytes.get(..8) {
        let word = load_word(head);
        let n = (!alnum_lanes(word) & HIGH_BITS).trailing_zeros() as usize / 8;
        if n < 8 {
            let token = word & ((1u64 << (8 * n)) - 1);
            return (n, hash_finish(hash_step(n as u64, token)));
        }
        if let Some(next) = bytes.get(8..16) {
            let next = load_word(next);
            let m = (!alnum_lanes(next) & HIGH_BITS).trailing_zeros() as usize / 8;
            if m < 8 {
                // As token_hash: the first eight bytes, then the rest (if any) zero-padded.
                let h = hash_step(8 + m as u64, word);
                let h = if m == 0 {
                    h
                } else {
                    hash_step(h, next & ((1u64 << (8 * m)) - 1))
                };
                return (8 + m, hash_finish(h));
            }
        }
    }
    long_token_at(bytes)
}

/// [`token_at`] for a token of 16 bytes or more (or near the end of the text): measured eight
/// bytes at a time, then hashed by [`token_hash`]. Kept out of line so that `token_at`
/// inlines.
#[inline(never)]
fn long_token_at(bytes: &[u8]) -> (usize, u64) {
    let mut n = 0usize;
    loop {
        let Some(chunk) = bytes.get(n..n + 8) else {
            n += token_len(bytes.get(n..).unwrap_or(&[]));
            break;
        };
        let k = (!alnum_lanes(load_word(chunk)) & HIGH_BITS).trailing_zeros() as usize / 8;
        n += k;
        if k < 8 {
            break;
        }
    }
    (n, token_hash(bytes.get(..n).unwrap_or(&[])))
}

/// The first eight bytes of `bytes` as a little-endian word, zero-padded when it has fewer.
#[inline]
fn load_word(bytes: &[u8]) -> u64 {
    match bytes
        .get(..8)
        .and_then(|head| <[u8; 8]>::try_from(head).ok())
    {
        Some(head) => u64::from_le_bytes(head),
        None => {
            let mut w = [0u8; 8];
            for (slot, &b) in w.iter_mut().zip(bytes) {
                *slot = b;
            }
            u64::from_le_bytes(w)
        }
    }
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

    /// Whether a token of this hash may be a key's first token.
    #[inline]
    fn contains(&self, hash: u64) -> bool {
        let bit = (hash >> self.shift) as usize;
        self.bits
            .get(bit / 64)
            .is_none_or(|w| w & (1 << (bit % 64)) != 0)
    }

    /// Whether some key may match at the start of `bytes`.
    #[cfg(test)]
    pub(crate) fn may_start(&self, bytes: &[u8]) -> bool {
        let n = token_len(bytes);
        if n == 0 {
            return self.empty;
        }
        let Some(token) = bytes.get(..n) else {
            return true;
        };
        self.contains(token_hash(token))
    }

    pub(crate) fn memory_usage(&self) -> usize {
        self.bits.len() * 8
    }
}

/// A filter on what follows the first token of the keys that go on after it: a blocked Bloom
/// filter (two bits of one word) over (first token, [`next_word`] after it). At a start whose
/// first token only begins such keys ([`MULTI_WORD_ONLY`]), a text that goes on otherwise than
/// all of them cannot match there, and the walk is skipped: most common words begin some
/// multi-word alias and few of them go on with its second word.
///
/// Why a key's pair is the text's wherever the key can match: the key's first token is the
/// text's (see [`FirstTokens`]), so the byte after it (not a token byte) is the text's too,
/// and so are the token bytes after that one in the key; the key's next byte after them is the
/// text's, or the key ends there and the text goes on with no token byte (a token byte would
/// put the match's end inside an ASCII word: no match, as for the first token).
#[derive(Debug, Default)]
struct SecondWords {
    bits: Vec<u64>,
    shift: u32,
}

/// The byte at the start of `bytes` and the token bytes after it (at most 7) as a little-endian
/// word, zero-padded: what [`SecondWords`] keys on after a first token. One load where 8
/// bytes are left.
#[inline]
fn next_word(bytes: &[u8]) -> u64 {
    let word = load_word(bytes);
    // The first byte is kept whatever it is; the token ends at the first other lane that is
    // no ASCII letter or digit (none: the whole word is kept).
    let stops = !alnum_lanes(word) & HIGH_BITS & !0xFF;
    let keep = ((stops & stops.wrapping_neg()) >> 7).wrapping_sub(1);
    word & keep
}

impl SecondWords {
    /// About 8 bits per key (a few % false positives; small enough to stay in cache).
    fn with_capacity(keys: usize) -> SecondWords {
        let words = (keys.max(1) / 8).next_power_of_two().clamp(1 << 6, 1 << 20);
        SecondWords {
            bits: vec![0; words],
            shift: 64 - words.trailing_zeros(),
        }
    }

    /// The word and the two bits for a first token (of hash `first`) followed by `next`.
    #[inline]
    fn slot(&self, first: u64, next: u64) -> (usize, u64) {
        let pair = hash_finish(hash_step(first, next));
        let bits = (1u64 << (pair & 63)) | (1u64 << ((pair >> 6) & 63));
        ((pair >> self.shift) as usize, bits)
    }

    /// Adds the pair of `key`, whose first token (of hash `first`) is `key[..n]`.
    fn insert(&mut self, first: u64, key: &[u8], n: usize) {
        let (word, bits) = self.slot(first, next_word(key.get(n..).unwrap_or(&[])));
        if let Some(w) = self.bits.get_mut(word) {
            *w |= bits;
        }
    }

    /// Whether a key whose first token (of hash `first`) ends at `hay[after]` may go on with
    /// the text there.
    #[inline]
    fn may_follow(&self, first: u64, hay: &[u8], after: usize) -> bool {
        let (word, bits) = self.slot(first, next_word(hay.get(after..).unwrap_or(&[])));
        self.bits.get(word).is_none_or(|w| w & bits == bits)
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

    #[test]
    fn next_word_keeps_the_first_byte_and_the_token_after_it() {
        let w = |s: &[u8]| next_word(s).to_le_bytes();
        assert_eq!(w(b" york city"), *b" york\0\0\0");
        assert_eq!(w(b" york"), *b" york\0\0\0");
        assert_eq!(w(b".s."), *b".s\0\0\0\0\0\0");
        assert_eq!(w(b". b"), *b".\0\0\0\0\0\0\0");
        assert_eq!(w(b"-abcdefghij"), *b"-abcdefg");
        assert_eq!(w(b"-abcdefg"), *b"-abcdefg");
        assert_eq!(w(b" ab\xc3\xa9"), *b" ab\0\0\0\0\0");
        assert_eq!(w(b"\xc3\xa9tudes"), *b"\xc3\0\0\0\0\0\0\0");
        assert_eq!(w(b"a"), *b"a\0\0\0\0\0\0\0");
        assert_eq!(w(b""), [0; 8]);
        // The same word from a longer text as from the key alone.
        for key in [
            &b" y"[..],
            b" yo",
            b" york",
            b"'s",
            b" 1234567",
            b" 12345678",
        ] {
            for after in [&b""[..], b" ", b"!", b".x", b"\xc3\xa9", b"  and more text"] {
                let text = [key, after].concat();
                assert_eq!(next_word(&text), next_word(key), "{text:?}");
            }
        }
    }

    #[test]
    fn token_at_agrees_with_token_len_and_hash() {
        let check = |bytes: &[u8]| {
            let n = token_len(bytes);
            let (m, h) = token_at(bytes);
            assert_eq!(m, n, "{bytes:?}");
            if n > 0 {
                assert_eq!(h, token_hash(&bytes[..n]), "{bytes:?}");
            }
        };
        // Every byte value at every position of short and long tokens.
        for b in 0..=255u8 {
            for at in 0..26 {
                for len in [at + 1, 12, 17, 27] {
                    if at >= len {
                        continue;
                    }
                    let mut text: Vec<u8> =
                        b"kz09AZyb7Qxmw".iter().copied().cycle().take(len).collect();
                    text[at] = b;
                    check(&text);
                    text.push(b' ');
                    check(&text);
                    // Text after the token: its last word is masked from a load.
                    text.extend_from_slice(b"kyiv and more");
                    check(&text);
                }
            }
        }
        for text in [
            &b""[..],
            b"a",
            b"new york",
            b"newyorks",
            b"newyork",
            b"\xc3\xa9t\xc3\xa9 a",
        ] {
            check(text);
        }
    }
}
