//! `selfserve check` as a content repository's CI runs it: the real binary on fixture folders,
//! including a deliberately broken one.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn selfserve() -> Command {
    Command::new(env!("CARGO_BIN_EXE_selfserve"))
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create fixture copy");
    for entry in fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("fixture entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy fixture file");
        }
    }
}

/// The broken fixture plus the cases that are better generated than committed: a 5 MB file,
/// deep folder and Markdown nesting, a symlink loop and CRLF line endings.
fn broken_content() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&fixture("broken"), dir.path());
    let guides = dir.path().join("guides");
    let paragraph = "Kubernetes pods restart when the liveness probe fails. ".repeat(20);
    let mut big = String::from("---\ntitle: Big\n---\n");
    while big.len() < 5 * 1024 * 1024 {
        big.push_str(&paragraph);
        big.push_str("\n\n");
    }
    fs::write(guides.join("big.md"), big).expect("write big file");
    let nested = format!(
        "---\ntitle: Nested\n---\n{}deep\n\n{}item\n",
        "> ".repeat(3000),
        "- ".repeat(3000)
    );
    fs::write(guides.join("nested.md"), nested).expect("write nested file");
    fs::write(
        guides.join("crlf.md"),
        "---\r\ntitle: CRLF\r\n---\r\n# CRLF\r\n\r\nSee [nothing](nothing.md).\r\n",
    )
    .expect("write crlf file");
    let mut deep = guides.join("deep");
    for i in 0..60 {
        deep = deep.join(format!("d{i}"));
    }
    fs::create_dir_all(&deep).expect("deep folders");
    fs::write(deep.join("bottom.md"), "---\ntitle: Bottom\n---\n").expect("write bottom");
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path(), guides.join("loop")).expect("symlink loop");
    dir
}

fn run_check(dir: &Path, extra: &[&str]) -> Output {
    selfserve()
        .arg("check")
        .arg(dir)
        .args(extra)
        .output()
        .expect("selfserve check runs")
}

#[test]
fn check_of_a_missing_folder_exits_2() {
    let out = run_check(Path::new("/definitely/not/a/folder"), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read the content folder"));
}

#[test]
fn check_reports_every_broken_file_with_path_line_col_and_exits_1() {
    let dir = broken_content();
    let out = run_check(dir.path(), &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    for line in stdout.lines() {
        let mut parts = line.splitn(4, ':');
        let (path, row, col, rest) = (parts.next(), parts.next(), parts.next(), parts.next());
        assert!(
            path.is_some_and(|p| !p.starts_with('/')),
            "relative path in {line}"
        );
        assert!(
            row.is_some_and(|r| r.parse::<u32>().is_ok()),
            "line number in {line}"
        );
        assert!(
            col.is_some_and(|c| c.parse::<u32>().is_ok()),
            "column in {line}"
        );
        assert!(
            rest.is_some_and(|r| r.starts_with(" error: ") || r.starts_with(" warning: ")),
            "severity in {line}"
        );
    }
    let expect = [
        "guides/bad-yaml.md:3:1: error: the list or mapping opened in `tags: [kubernetes` is never closed",
        "guides/unclosed.md:1:1: error: the front matter opened with `---` on line 1 is never closed",
        "guides/binary.md:4:1: error: the file is not UTF-8",
        "guides/empty.md:1:1: warning: the file is empty",
        "guides/links.md:4:1: warning: unknown front matter key `colour`",
        "guides/links.md:8:5: error: the link points to `guides/missing.md`, which does not exist",
        "guides/links.md:10:3: error: the link points to `#no-such-heading` in `guides/good.md`",
        "guides/links.md:12:1: warning: the image `guides/img/diagram.png` does not exist",
        "guides/no-title.md:1:1: warning: no `title:` in front matter",
        "guides/odd-kind.md:3:1: error: unknown kind `blogpost`",
        "guides/crlf.md:6:5: error: the link points to `guides/nothing.md`",
        "guides/dup-one.md:2:1: error: `guides/dup-one.md` and `guides/dup-two.md` both have the id `shared-id`; `guides/dup-one.md` is served",
        "guides/dup-two.md:2:1: error: `guides/dup-one.md` and `guides/dup-two.md` both have the id `shared-id`; `guides/dup-one.md` is served",
        "training/paths/bad-path.md:4:",
        "`modules` names the unknown module `no-such-module`",
        "resources/bad-resource.md:4:",
        "`requires` names the unknown path `no-such-path`",
        "resources/bad-resource.md:5:1: error: `forever` is not a duration",
        "resources/bad-resource.md:6:1: error: `self_serve: javascript:alert(1)` must be an http(s) URL",
        "training/modules/bad-settings.md:4:1: error: `review: everything` is not a review policy",
        "training/modules/bad-settings.md:5:1: error: `draw: 5` asks more questions than the quiz has (2)",
        "training/modules/bad-settings.md:8:3: error: `free: 0` must be between 1 and 100",
        "training/modules/bad-settings.md:9:3: error: `delay: 10` has no unit",
        "training/modules/bad-settings.md:10:3: error: `soon` is not a duration",
        "training/modules/bad-settings.md:18:3: error: `section: no-such-heading` names no heading of this module",
        "symlink loop",
        "nest deeper than",
    ];
    for needle in expect {
        assert!(stdout.contains(needle), "missing `{needle}` in:\n{stdout}");
    }
    assert!(stderr.contains("errors"), "summary on stderr: {stderr}");
}

#[test]
fn check_json_is_an_array_of_the_same_diagnostics() {
    let dir = broken_content();
    let text = run_check(dir.path(), &[]);
    let json = run_check(dir.path(), &["--format", "json"]);
    assert_eq!(json.status.code(), Some(1));
    let parsed: serde_json::Value = serde_json::from_slice(&json.stdout).expect("valid JSON");
    let items = parsed.as_array().expect("an array");
    assert_eq!(
        items.len(),
        String::from_utf8_lossy(&text.stdout).lines().count()
    );
    let first = &items[0];
    for key in ["path", "line", "column", "severity", "message"] {
        assert!(first.get(key).is_some(), "{key} in {first}");
    }
}

#[test]
fn the_sample_content_passes_with_no_errors_and_no_warnings() {
    let out = run_check(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("content")
            .as_path(),
        &[],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert_eq!(
        stdout.trim(),
        "",
        "sample content must have no warnings either"
    );
}
