//! What an author reads about broken content: `selfserve check` on the authoring-errors
//! fixture (front matter values in the author's terms, MkDocs-style links, ids shared by two
//! files), and the same lines in the terminal of `serve --watch` after an edit.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::support::{copy_dir, fixture};

fn selfserve() -> Command {
    Command::new(env!("CARGO_BIN_EXE_selfserve"))
}

#[test]
fn check_names_keys_links_and_both_files_of_a_shared_id() {
    let out = selfserve()
        .arg("check")
        .arg(fixture("authoring-errors"))
        .output()
        .expect("check runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    let shared = "`guides/same-a.md` and `guides/same-b.md` both have the id `shared`; \
                  `guides/same-a.md` is served (the first by path) and `guides/same-b.md` is left \
                  out; give one of them another `id:`";
    let expected = [
        "guides/colon.md:2:1: error: the value of `title` contains `: `, which YAML reads as another key; quote it: `title: \"Kubernetes: the basics\"`".to_owned(),
        "guides/front-matter.md:3:1: error: `order` must be a whole number such as 3; `first` is not".to_owned(),
        "guides/mkdocs-links.md:6:40: error: the link points to `guides/nowhere.md`, which does not exist; fix the path or create the page".to_owned(),
        format!("guides/same-a.md:2:1: error: {shared}"),
        format!("guides/same-b.md:3:1: error: {shared}"),
        "training/modules/percent.md:4:1: error: `pass` is a percentage as a whole number, such as 80 (without %); `80%` is not".to_owned(),
        "training/modules/percent.md:10:16: error: a choice is empty (`null`, `~` or a `-` with nothing after it); write the choice's text, in quotes if it is the word itself: `\"null\"`".to_owned(),
    ];
    assert_eq!(lines, expected, "{stdout}");
    assert!(
        !stdout.contains("good.md/"),
        "`good.md/#a-section` resolves like `good.md#a-section`: {stdout}"
    );
}

#[test]
fn serve_watch_prints_each_new_problem_in_the_terminal() {
    let dirs = tempfile::tempdir().expect("temp dir");
    let content = dirs.path().join("content");
    copy_dir(&fixture("site-basic"), &content);
    let mut child = selfserve()
        .args(["serve", "--watch", "--addr", "127.0.0.1:0", "--content"])
        .arg(&content)
        .arg("--data")
        .arg(dirs.path().join("data"))
        .env("SELFSERVE_SEMANTIC", "off")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve starts");
    let (tx, rx) = mpsc::channel::<String>();
    for stream in [
        Box::new(child.stdout.take().expect("stdout")) as Box<dyn std::io::Read + Send>,
        Box::new(child.stderr.take().expect("stderr")),
    ] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
    }
    let mut seen = Vec::new();
    let mut wait_for = |needle: &str| {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
                let found = line.contains(needle);
                seen.push(line);
                if found {
                    return true;
                }
            }
        }
        false
    };
    let listening = wait_for("listening on");
    // The watcher is running once the server listens; give inotify a moment all the same.
    std::thread::sleep(Duration::from_millis(500));
    write(
        &content,
        "guides/late.md",
        "---\ntitle: Late\norder: first\n---\n# Late\n",
    );
    let printed = wait_for(
        "guides/late.md:3:1: error: `order` must be a whole number such as 3; `first` is not",
    );
    let _ = child.kill();
    let _ = child.wait();
    assert!(listening && printed, "terminal:\n{}", seen.join("\n"));
}

fn write(root: &Path, rel: &str, text: &str) {
    std::fs::write(root.join(rel), text).expect("write file");
}
