//! The store under the conditions the training issue names: a writer killed mid-write, and
//! many writers at once from separate connections.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use selfserve::store::{NewAttempt, Store, UserName};

/// Where the child writer finds its data folder.
const CHILD_DIR: &str = "SELFSERVE_TEST_WRITER_DIR";

/// Not a test on its own: the body of the child process that
/// `a_killed_writer_loses_no_acknowledged_attempt` starts and kills. It records attempts
/// forever, printing each id only after `record_attempt` returned (i.e. after commit).
#[test]
#[ignore = "run as a child process by a_killed_writer_loses_no_acknowledged_attempt"]
fn writer_child() {
    let Ok(dir) = std::env::var(CHILD_DIR) else {
        return;
    };
    let store = Store::open(std::path::Path::new(&dir)).expect("child opens the store");
    let name = UserName::parse("writer").expect("name");
    let user = store.create_user(&name, false, None).expect("child user");
    loop {
        let id = store
            .record_attempt(&NewAttempt {
                user_id: user.id,
                module_id: "crash/test",
                module_version: 1,
                answers_json: "[[0],[1,2],[3]]",
                score: 67,
                passed: false,
            })
            .expect("child attempt");
        println!("acked {}", id.0);
    }
}

#[test]
fn a_killed_writer_loses_no_acknowledged_attempt() {
    let dir = tempfile::tempdir().expect("dir");
    let exe = std::env::current_exe().expect("test binary");
    let mut child = Command::new(exe)
        .args([
            "--exact",
            "store::writer_child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DIR, dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("child starts");
    let stdout = child.stdout.take().expect("piped");
    let mut acked = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("line");
        if let Some(id) = line.strip_prefix("acked ") {
            acked.push(id.parse::<i64>().expect("an id"));
            if acked.len() == 300 {
                // SIGKILL: no destructors, no checkpoint, whatever write is in flight dies.
                child.kill().expect("kill");
                break;
            }
        }
    }
    let _ = child.wait();
    assert_eq!(acked.len(), 300, "the child wrote before it was killed");

    let store = Store::open(dir.path()).expect("the database opens after the kill");
    let conn = rusqlite::Connection::open(store.path()).expect("open");
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("check");
    assert_eq!(check, "ok");
    let mut stmt = conn
        .prepare("SELECT 1 FROM attempts WHERE id = ?1")
        .expect("prepare");
    for id in &acked {
        assert!(
            stmt.exists([id]).expect("query"),
            "acknowledged attempt {id} was lost"
        );
    }
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
