#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: {
        // The corpus reader catches panics of the Parquet library (corrupt files are error
        // rows or typed errors); libFuzzer's hook would abort on those caught panics too.
        // The default hook only prints; an uncaught panic still aborts the run.
        let _ = std::panic::take_hook();
    },
    |data: &[u8]| newsprep_fuzz::corpus::check_corpus_jsonl(data)
);
