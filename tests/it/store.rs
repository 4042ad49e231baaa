//! The store under the conditions the training issue names: the real server killed while
//! attempts stream in, and many writers at once from separate connections; and those issue
//! 13 names: a full disk, an emptied database file.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use selfserve::store::{NewAttempt, Store, UserName};

/// Runs the CLI against `data` and returns its stdout.
fn cli(data: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_selfserve"))
        .args(args)
        .arg("--data")
        .arg(data)
        .stdin(Stdio::null())
        .output()
        .expect("the CLI runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// One `POST` over a fresh connection; the status, or `None` when the connection failed
/// (the server is gone) before a whole response arrived.
fn post_attempt(addr: &str, token: &str) -> Option<u16> {
    let body = r#"{"answers": [[0], [0, 2]]}"#;
    let mut stream = TcpStream::connect(addr).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let request = format!(
        "POST /api/v1/modules/basics/attempts HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Authorization: Bearer {token}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw);
    // Only a complete answer counts as an acknowledgement.
    if !text.contains("\r\n\r\n{") || !text.trim_end().ends_with('}') {
        return None;
    }
    text.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn a_killed_server_loses_no_acknowledged_attempt() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    // `user add` creates a database only in an existing folder (a typo is refused).
    std::fs::create_dir(&data).expect("mkdir");
    cli(&data, &["user", "add", "crash"]);
    let token = cli(&data, &["token", "create", "crash"]).trim().to_owned();
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/training");
    let mut server = Command::new(env!("CARGO_BIN_EXE_selfserve"))
        .arg("serve")
        .arg("--content")
        .arg(&content)
        .arg("--data")
        .arg(&data)
        .args(["--addr", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server starts");
    let stdout = server.stdout.take().expect("piped");
    // Kept open until the end: a closed pipe would fail the server's next print.
    let mut lines = BufReader::new(stdout).lines();
    let addr = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| {
            line.strip_prefix("selfserve listening on http://")
                .map(str::to_owned)
        })
        .expect("the server prints its address");

    let acked = AtomicUsize::new(0);
    let failed = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                while let Some(status) = post_attempt(&addr, &token) {
                    if status == 200 {
                        acked.fetch_add(1, Ordering::SeqCst);
                    } else {
                        failed.fetch_add(1, Ordering::SeqCst);
                    }
                }
            });
        }
        while acked.load(Ordering::SeqCst) < 200 {
            std::thread::sleep(Duration::from_millis(5));
        }
        // SIGKILL while the clients keep writing: no shutdown, no checkpoint, whatever write
        // is in flight dies with the process.
        server.kill().expect("kill");
    });
    let _ = server.wait();
    drop(lines);
    let acked = acked.load(Ordering::SeqCst);
    assert_eq!(
        failed.load(Ordering::SeqCst),
        0,
        "no request failed before the kill"
    );

    let store = Store::open(&data).expect("the database opens after the kill");
    let conn = rusqlite::Connection::open(store.path()).expect("open");
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("check");
    assert_eq!(check, "ok");
    let stored = store.attempt_count().expect("count");
    // Each acknowledged attempt was committed before its answer was sent; attempts in flight
    // at the kill may or may not be there.
    assert!(
        stored >= u64::try_from(acked).expect("small"),
        "{acked} acknowledged but only {stored} stored"
    );
}

#[test]
fn separate_stores_on_one_file_share_writes_without_busy_errors() {
    // Two handles on one file behave like two server processes (or a server and the CLI).
    let dir = tempfile::tempdir().expect("dir");
    let a = Store::open(dir.path()).expect("a");
    let b = Store::open(dir.path()).expect("b");
    let user = a
        .create_user(&UserName::parse("ada").expect("name"), false, None)
        .expect("user");
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let store = if i % 2 == 0 { a.clone() } else { b.clone() };
            std::thread::spawn(move || {
                for _ in 0..25 {
                    store
                        .record_attempt(&NewAttempt {
                            user_id: user.id,
                            module_id: "m",
                            module_version: 1,
                            answers_json: "[]",
                            score: 0,
                            passed: false,
                        })
                        .expect("no busy error");
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("thread");
    }
    assert_eq!(b.attempt_count().expect("count"), 200);
}

/// Issue 13: on a full disk writes answered 500 and `/healthz` said `ok`. SQLite's page limit
/// makes writes fail as on a full disk, without root.
#[test]
fn a_full_disk_answers_503_with_a_sentence_and_healthz_says_so() {
    let app = crate::support::TestApp::start("trees-basic");
    assert_eq!(app.get("/healthz").status, 200);
    let store = &app.state.store;
    let pages: i64 = rusqlite::Connection::open(store.path())
        .expect("open")
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .expect("page count");
    store
        .set_max_page_count(Some(u64::try_from(pages).expect("positive")))
        .expect("limit the database");
    let note = "The pod restarts every few minutes. ".repeat(100);
    let body = serde_json::json!({
        "path": ["start", "app-error", "start", "ask"],
        "outcome": "escalate",
        "note": note,
    });
    let outcomes = "/api/v1/trees/troubleshooting/pod-crash/outcomes";
    // The first posts may fit in pages the database had freed; then it is full.
    let full = (0..20)
        .map(|_| app.post_json(outcomes, &body, &[]))
        .find(|res| res.status != 200)
        .expect("the database filled up");
    assert_eq!(full.status, 503, "{}", full.body);
    assert_eq!(full.header("retry-after"), Some("60"));
    let error = full.json()["error"].as_str().unwrap_or_default().to_owned();
    assert!(error.contains("disk is full"), "{error}");

    let health = app.get("/healthz");
    assert_eq!(health.status, 503, "{}", health.body);
    assert!(
        health.body.starts_with("The server's disk is full"),
        "plain text: {}",
        health.body
    );
    assert!(!health.body.contains('<'), "no HTML page: {}", health.body);

    store.set_max_page_count(None).expect("room again");
    assert_eq!(app.get("/healthz").status, 200, "a write works again");
    assert_eq!(app.post_json(outcomes, &body, &[]).status, 200);
}

/// Runs `serve` on `data` and returns its exit status and stderr, or panics if it is still
/// running after a while (it started instead of refusing).
fn serve_refuses(data: &Path) -> (std::process::ExitStatus, String) {
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/site-basic");
    let mut server = Command::new(env!("CARGO_BIN_EXE_selfserve"))
        .arg("serve")
        .arg("--content")
        .arg(&content)
        .arg("--data")
        .arg(data)
        .args(["--addr", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server starts");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = server.try_wait().expect("wait") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = server.kill();
            let _ = server.wait();
            panic!("serve started on an emptied database instead of refusing it");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    server
        .stderr
        .take()
        .expect("piped")
        .read_to_string(&mut stderr)
        .expect("stderr");
    (status, stderr)
}

/// Issue 13: an empty database file where data existed was silently treated as a new one.
#[test]
fn an_emptied_database_is_refused_with_a_sentence() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    // `user add` creates a database only in an existing folder (a typo is refused).
    std::fs::create_dir(&data).expect("mkdir");
    cli(&data, &["user", "add", "keep"]);
    let db = data.join("selfserve.db");
    std::fs::File::create(&db).expect("truncate the database");
    for sidecar in ["selfserve.db-wal", "selfserve.db-shm"] {
        let _ = std::fs::remove_file(data.join(sidecar));
    }
    let (status, stderr) = serve_refuses(&data);
    assert!(!status.success());
    assert!(stderr.contains("is empty"), "{stderr}");
    assert!(stderr.contains("selfserve backup"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    assert_eq!(stderr.matches("is empty").count(), 1, "said once: {stderr}");
    assert_eq!(
        std::fs::metadata(&db).expect("db").len(),
        0,
        "left as it was"
    );

    // No marker (a database from before it existed), but its write-ahead log holds data.
    let other = dir.path().join("other");
    std::fs::create_dir_all(&other).expect("folder");
    std::fs::File::create(other.join("selfserve.db")).expect("empty database");
    std::fs::write(other.join("selfserve.db-wal"), vec![7u8; 8192]).expect("wal");
    let (status, stderr) = serve_refuses(&other);
    assert!(!status.success());
    assert!(stderr.contains("write-ahead log"), "{stderr}");

    // Removing the files as the sentence says starts afresh.
    for name in [
        "selfserve.db",
        "selfserve.db-wal",
        "selfserve.db-shm",
        "selfserve.db-created",
    ] {
        let _ = std::fs::remove_file(data.join(name));
    }
    cli(&data, &["user", "add", "fresh"]);
}
