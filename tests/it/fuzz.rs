//! The fuzzers' kept inputs (`tests/fuzz/<target>/`: the crashes and timeouts they found and
//! a minimised corpus) replayed through the same entry points and invariants as the fuzz
//! targets (`tests/fuzz/checks.rs`), so a fixed parser bug stays fixed in `cargo test`.

use std::path::Path;
use std::time::{Duration, Instant};

#[path = "../fuzz/checks.rs"]
mod checks;

/// Far above what any kept input needs in a debug build; a quadratic blow-up that comes
/// back takes minutes.
const SLOW: Duration = Duration::from_secs(10);

#[test]
fn fuzz_inputs_keep_every_parser_invariant() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz");
    let mut failures = Vec::new();
    let mut replayed = 0;
    for target in checks::TARGETS {
        let mut files: Vec<_> = std::fs::read_dir(root.join(target))
            .unwrap_or_else(|e| panic!("tests/fuzz/{target} is missing: {e}"))
            .map(|entry| entry.expect("a readable entry").path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "no kept inputs for {target}");
        for file in files {
            let data = std::fs::read(&file).expect("a readable input");
            let started = Instant::now();
            let outcome = std::panic::catch_unwind(|| checks::check(target, &data));
            let name = file
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            match outcome {
                Err(_) => failures.push(format!("{target}/{name}: panicked (see above)")),
                Ok(()) if started.elapsed() > SLOW => {
                    failures.push(format!("{target}/{name}: took {:?}", started.elapsed()))
                }
                Ok(()) => {}
            }
            replayed += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {replayed} fuzz inputs failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
