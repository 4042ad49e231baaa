//! Schemathesis against the running server: every operation of `/api/v1/openapi.json`, with
//! generated valid and invalid requests, all checks on (no 5xx; every status, content type,
//! header and body as the document says; invalid input refused, valid input taken; 405 with
//! `Allow` for other methods; auth enforced where the document asks for it).
//!
//! First `openapi-spec-validator` checks the served document against the OpenAPI 3.1 schema.
//!
//! It needs the `schemathesis` CLI (PyPI, pinned in tests/python/requirements.txt), found in
//! the folder `SELFSERVE_PYTHON_BIN` names (`.ci/run` makes a venv at `target/ci-python`).
//! Without it the test prints a notice and passes (a fresh clone's `cargo test`), unless
//! `SELFSERVE_SCHEMATHESIS=required`, as in CI.
//!
//! `tests/python/schemathesis.toml` gives the fixture's ids to the operations on one document.
//! The server runs over a copy of `site-basic` with an admin (`root`, whose API token every
//! request carries) and a learner (`ada`); writes land in that copy and its scratch database
//! (stubs written by `POST /api/v1/insights/stubs`, votes, outcomes, attempts).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::auth::{add_user, token_for};
use crate::support::TestApp;

/// Test cases per operation and phase: the whole run stays near a minute on two cores.
const MAX_EXAMPLES: &str = "50";
/// A fixed seed, so a failure found in CI comes back on a developer's machine.
const SEED: &str = "18";

fn required() -> bool {
    std::env::var("SELFSERVE_SCHEMATHESIS").is_ok_and(|v| v == "required")
}

/// The CLI, or `None` after a notice (a panic when it is required).
fn schemathesis() -> Option<PathBuf> {
    let found = std::env::var_os("SELFSERVE_PYTHON_BIN")
        .map(|dir| PathBuf::from(dir).join("schemathesis"))
        .filter(|cli| cli.is_file());
    if found.is_none() {
        let why = "no `schemathesis` in the folder SELFSERVE_PYTHON_BIN names (.ci/run installs \
                   tests/python/requirements.txt into target/ci-python and sets it)";
        assert!(!required(), "SELFSERVE_SCHEMATHESIS=required but {why}");
        eprintln!("notice: skipping the Schemathesis test: {why}");
    }
    found
}

#[test]
fn the_running_server_answers_as_its_openapi_document_says() {
    let Some(cli) = schemathesis() else {
        return;
    };
    let app = TestApp::start("site-basic");
    add_user(&app, "root", true, Some("correct horse battery"));
    add_user(&app, "ada", false, Some("correct horse battery"));
    let token = token_for(&app, "root");
    let work = tempfile::tempdir().expect("temporary folder");
    let report = work.path().join("junit.xml");
    let started = Instant::now();
    // The document itself first: valid OpenAPI 3.1 by the JSON Schema of the specification.
    let document = work.path().join("openapi.json");
    std::fs::write(&document, app.get("/api/v1/openapi.json").body).expect("write the document");
    let validator = cli.with_file_name("openapi-spec-validator");
    let checked = Command::new(&validator)
        .arg(&document)
        .output()
        .expect("run openapi-spec-validator");
    assert!(
        checked.status.success(),
        "/api/v1/openapi.json is not valid OpenAPI 3.1:\n{}{}",
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );

    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/schemathesis.toml");
    let output = Command::new(&cli)
        .current_dir(work.path())
        .env("NO_COLOR", "1")
        .arg("--config-file")
        .arg(&config)
        .args([
            "run",
            &format!("http://{}/api/v1/openapi.json", app.addr),
            "--checks",
            "all",
            "--max-examples",
            MAX_EXAMPLES,
            "--seed",
            SEED,
            "--workers",
            "2",
            "--generation-database",
            "none",
            "--request-timeout",
            "30",
            "--no-color",
            "--report",
            "junit",
            "--report-junit-path",
        ])
        .arg(&report)
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .output()
        .expect("run schemathesis");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // The summary is what a reader of the CI log wants; the whole output on failure.
    println!(
        "schemathesis took {:.1} s\n{stdout}",
        started.elapsed().as_secs_f64()
    );
    assert!(
        output.status.success(),
        "schemathesis found failures ({}):\n{stderr}",
        output.status
    );
    assert!(
        stdout.contains("passed") && !stdout.contains("No operations"),
        "schemathesis tested nothing:\n{stdout}"
    );
}
