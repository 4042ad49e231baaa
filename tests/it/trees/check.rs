//! `selfserve check` on `tests/fixtures/trees-broken` (one file per tree fault) and on the
//! walkable fixture: the real binary, every `PATH:LINE:COL` line asserted.

use std::path::Path;
use std::process::Command;

use crate::support::fixture;

/// `PATH:LINE:COL: severity: message` lines of `selfserve check` on a folder.
fn check_lines(dir: &Path) -> (Option<i32>, Vec<String>) {
    let out = Command::new(env!("CARGO_BIN_EXE_selfserve"))
        .arg("check")
        .arg(dir)
        .output()
        .expect("selfserve check runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    (
        out.status.code(),
        stdout.lines().map(str::to_owned).collect(),
    )
}

#[test]
fn check_reports_every_tree_fault_at_its_line_and_column() {
    let (code, lines) = check_lines(&fixture("trees-broken"));
    assert_eq!(code, Some(1));
    let expected = [
        "troubleshooting/ambiguous-choices.md:7:1: error: the last list of node `start` mixes links to nodes with other items (this item links to no node)",
        "troubleshooting/both-outcomes.md:8:1: error: node `on` has both `.resolved` and `.escalate`",
        "troubleshooting/cycle.md:11:3: warning: choice `Look again from the start` leads back to `#start`, an earlier step, so the tree has a cycle",
        "troubleshooting/duplicate-id.md:10:1: error: node id `on` is already used on line 8",
        "troubleshooting/leaf-without-outcome.md:11:1: error: node `off` has no choices and no outcome",
        "troubleshooting/missing-target.md:7:3: error: choice `No` points at `#nowhere`, but no node has that id",
        "troubleshooting/no-nodes.md:4:1: error: this troubleshooting tree has no nodes",
        "troubleshooting/no-way-out.md:11:1: warning: no walk from node `check` reaches an outcome",
        "troubleshooting/no-way-out.md:15:1: warning: no walk from node `switch` reaches an outcome",
        "troubleshooting/no-way-out.md:17:3: warning: choice `Check the light again` leads back to `#check`",
        "troubleshooting/outcome-on-question.md:4:1: error: node `start` has choices and also the `.resolved` class",
        "troubleshooting/unreachable.md:10:1: error: node `island` cannot be reached from the start node `start`",
    ];
    assert_eq!(lines.len(), expected.len(), "{lines:#?}");
    for (line, prefix) in lines.iter().zip(expected) {
        assert!(
            line.starts_with(prefix),
            "expected `{prefix}…`, got `{line}`"
        );
    }
    // The walkable fixture has only its deliberate "check again" cycle.
    let (code, lines) = check_lines(&fixture("trees-basic"));
    assert_eq!(code, Some(0));
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(lines[0].starts_with(
        "troubleshooting/pod-crash.md:27:3: warning: choice `Check for OOMKilled again`"
    ));
}
