//! `selfserve check` as a content repository's CI runs it: the real binary on fixture folders.

use std::process::Command;

fn selfserve() -> Command {
    Command::new(env!("CARGO_BIN_EXE_selfserve"))
}

#[test]
fn check_of_a_missing_folder_exits_2() {
    let out = selfserve()
        .args(["check", "/definitely/not/a/folder"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read the content folder"));
}
