//! Helpers shared by the modules' tests: the development set's pages, a stable hash for
//! output fingerprints, and a small random generator for reference tests.

use std::path::PathBuf;

/// The dev set's noisy pages (`tests/data/cleanup-dev/*.noisy.txt`) with their paths, sorted
/// by path. Panics (fails the test) when the pages are missing.
pub(crate) fn dev_pages() -> Vec<(PathBuf, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/cleanup-dev");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".noisy.txt"))
        .collect();
    paths.sort();
    assert_eq!(paths.len(), 181, "dev pages missing");
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("dev page");
            (p, text)
        })
        .collect()
}

/// Every line of every dev-set file (noisy pages and gold texts), for reference tests over
/// real lines; none when the folder is missing.
pub(crate) fn dev_set_lines() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/cleanup-dev");
    let mut lines = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if let Ok(text) = std::fs::read_to_string(e.path()) {
            lines.extend(text.lines().map(str::to_string));
        }
    }
    lines
}

/// The `REPS` environment variable of the profiling loops (`profile_stage`, `profile_tag`):
/// how many rounds of the dev pages to run, 60 unless set.
pub(crate) fn profile_reps() -> usize {
    std::env::var("REPS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(60)
}

/// FNV-1a (64-bit) over bytes: fingerprints that are stable across platforms and Rust
/// versions.
pub(crate) struct Fnv(pub u64);

impl Fnv {
    pub(crate) fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    pub(crate) fn write(&mut self, bytes: impl IntoIterator<Item = u8>) {
        for b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// xorshift64: cheap, reproducible pseudo-random numbers for tests that compare a fast
/// function with its reference on random inputs.
pub(crate) struct XorShift(pub u64);

impl XorShift {
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}
