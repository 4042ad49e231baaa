//! The store under the conditions the training issue names: the real server killed while
//! attempts stream in, and many writers at once from separate connections.

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
