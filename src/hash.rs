//! One fast hasher (FxHash-like) for the crate's internal maps and sets, whose keys are short
//! and not chosen by an attacker in a way that matters: a worst case is a slow build, never a
//! wrong result.

use std::hash::{BuildHasherDefault, Hasher};

const K: u64 = 0x517C_C1B7_2722_0A95;

/// The hasher: rotate, xor a word, multiply.
#[derive(Debug, Default, Clone, Copy)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.write_u8(b);
        }
    }
    fn write_u8(&mut self, b: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// `HashMap<K, V, FxBuildHasher>` / `HashSet<T, FxBuildHasher>`.
pub type FxBuildHasher = BuildHasherDefault<FxHasher>;
