//! The invariants the fuzz targets check, shared with the regression test in `cargo test`
//! (`tests/it/fuzz.rs` replays the kept inputs through the same file).

#[path = "../../tests/fuzz/checks.rs"]
pub mod checks;
