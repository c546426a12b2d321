#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| newsprep_fuzz::check_gazetteer_jsonl(data));
