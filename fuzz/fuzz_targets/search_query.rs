//! Fuzz target `search_query`: see `tests/fuzz/checks.rs` for the entry point and its invariants.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    selfserve_fuzz::checks::search_query(data);
});
