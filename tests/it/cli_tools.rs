//! `check`'s choice of folder and its summary, `init`, `--version`, completions, the man
//! page and `--addr` with a host name: the real binary, as a content repository's CI or an
//! operator runs it.

use std::path::Path;
use std::process::{Command, Output};

fn selfserve(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_selfserve"))
        .args(args)
        .current_dir(cwd)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("selfserve runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn check_at_a_repository_root_checks_its_content_folder_and_says_so() {
    let out = selfserve(&["check", "."], repo_root());
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert_eq!(
        stdout.trim(),
        "",
        "no false errors from target/ or tests/fixtures"
    );
    assert!(stderr.contains("checking ./content"), "{stderr}");
    let summary = stderr.trim_end().lines().last().unwrap_or_default();
    assert!(
        summary.starts_with("checked ") && summary.ends_with(": 0 errors, 0 warnings"),
        "{summary}"
    );
}

#[test]
fn check_takes_content_like_the_other_commands_but_not_both() {
    let root = repo_root();
    let out = selfserve(&["check", "--content", "content", "--format", "json"], root);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let parsed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("pure JSON");
    assert_eq!(parsed, serde_json::json!([]));

    let both = selfserve(&["check", "content", "--content", "content"], root);
    assert_eq!(both.status.code(), Some(2));
    assert!(
        text(&both.stderr).contains("give it once"),
        "{}",
        text(&both.stderr)
    );
}

#[test]
fn check_of_an_empty_or_markdown_free_folder_exits_2() {
    let dir = tempfile::tempdir().expect("dir");
    let out = selfserve(&["check", "."], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("no Markdown files under .")
            && stderr.contains("is this the content folder?"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn init_scaffolds_a_repository_that_checks_clean_and_never_overwrites() {
    let dir = tempfile::tempdir().expect("dir");
    let out = selfserve(&["init", "kb"], dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let kb = dir.path().join("kb");
    for file in [
        "site.toml",
        "README.md",
        ".gitlab-ci.yml",
        ".github/workflows/check.yml",
    ] {
        assert!(kb.join(file).is_file(), "{file}");
    }
    let ci = std::fs::read_to_string(kb.join(".github/workflows/check.yml")).expect("read");
    assert!(ci.contains("selfserve check"), "{ci}");

    let check = selfserve(&["check", "kb"], dir.path());
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stdout));
    assert_eq!(text(&check.stdout), "", "no problems at all");
    assert!(text(&check.stderr).contains("0 errors, 0 warnings"));

    let site_before = std::fs::read(kb.join("site.toml")).expect("read");
    let again = selfserve(&["init", "kb"], dir.path());
    assert_ne!(again.status.code(), Some(0));
    assert!(
        text(&again.stderr).contains("is not empty"),
        "{}",
        text(&again.stderr)
    );
    assert_eq!(
        std::fs::read(kb.join("site.toml")).expect("read"),
        site_before
    );
}

#[test]
fn version_completions_and_man_page_come_from_the_definitions() {
    let root = repo_root();
    let version = selfserve(&["--version"], root);
    assert!(version.status.success());
    assert_eq!(
        text(&version.stdout).trim(),
        format!("selfserve {}", env!("CARGO_PKG_VERSION"))
    );
    for shell in ["bash", "zsh", "fish"] {
        let out = selfserve(&["completions", shell], root);
        assert!(out.status.success(), "{shell}");
        assert!(text(&out.stdout).contains("migrate-store"), "{shell}");
    }
    let man = selfserve(&["man"], root);
    assert!(man.status.success());
    let page = text(&man.stdout);
    assert!(
        page.contains(".TH selfserve") && page.contains("SELFSERVE CHECK"),
        "{page}"
    );
}

#[test]
fn serve_accepts_a_host_name_and_an_error_does_not_repeat_its_cause() {
    let blocker = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = blocker.local_addr().expect("addr").port();
    let data = tempfile::tempdir().expect("dir");
    let addr = format!("localhost:{port}");
    let out = selfserve(
        &[
            "serve",
            "--addr",
            &addr,
            "--data",
            data.path().to_str().expect("utf-8"),
        ],
        repo_root(),
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let error = stderr
        .lines()
        .find(|l| l.starts_with("error: "))
        .unwrap_or_default();
    assert!(
        error.contains(&format!("127.0.0.1:{port}")),
        "resolved: {error}"
    );
    let cause = std::io::Error::from(std::io::ErrorKind::AddrInUse).to_string();
    let said = if error.contains("Address already in use") {
        "Address already in use"
    } else {
        cause.as_str()
    };
    assert_eq!(error.matches(said).count(), 1, "said once: {error}");
    assert!(
        !stderr.contains("\u{1b}["),
        "no colour codes when stderr is not a terminal"
    );
}

#[cfg(unix)]
#[test]
fn sigterm_with_watch_leaves_no_index_folder_behind() {
    use std::io::BufRead;
    let data = tempfile::tempdir().expect("dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_selfserve"))
        .args(["serve", "--watch", "--addr", "127.0.0.1:0", "--data"])
        .arg(data.path())
        .current_dir(repo_root())
        .env("SELFSERVE_SEMANTIC", "off")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut first = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut first)
        .expect("read");
    assert!(first.contains("listening on"), "{first}");
    let search = data.path().join("search");
    let folders = || std::fs::read_dir(&search).map_or(0, |d| d.count());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while folders() == 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(folders(), 1, "the index is on disk while serving");
    // One answered request: the server runs, its signal handlers with it.
    let addr = first
        .trim()
        .rsplit("http://")
        .next()
        .unwrap_or_default()
        .to_owned();
    let mut stream = std::net::TcpStream::connect(&addr).expect("connect");
    std::io::Write::write_all(
        &mut stream,
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .expect("send");
    let mut answer = String::new();
    std::io::Read::read_to_string(&mut stream, &mut answer).expect("answer");
    assert!(answer.starts_with("HTTP/1.1"), "{answer}");
    std::thread::sleep(std::time::Duration::from_millis(200));
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let status = child.wait().expect("the server stops");
    assert!(status.success(), "a graceful stop: {status}");
    assert_eq!(folders(), 0, "no index folder left in the data folder");
}
