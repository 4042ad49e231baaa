//! Webhooks end to end, checked by a receiver we did not write: `tests/python/
//! webhook_receiver.py` verifies every delivery with the `standardwebhooks` package (the
//! Standard Webhooks reference library) and records it. A learner passes a module through the
//! API (`qualification.granted`), the passes age (`qualification.expiring`, then
//! `qualification.expired`, found by the scheduled check), a walk escalates
//! (`help_request.created`) and the team replies on `/requests` (`help_request.answered`);
//! the receiver refuses the first delivery, so it is retried, and an admin redelivers one.
//!
//! The receiver needs Python with `standardwebhooks` (`tests/python/requirements.txt`):
//! `SELFSERVE_PYTHON_BIN` names the folder holding that `python` (`.ci/run` makes a venv at
//! `target/ci-python`), else `python3` on the PATH is tried. Without it the test prints a
//! notice and passes, unless `SELFSERVE_WEBHOOK_TESTS=required` (CI).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use selfserve::webhooks::{self, Endpoint, Schedule, Secret, Timing};
use serde_json::{Value, json};

use crate::auth::{add_user, token_for};
use crate::support::{TestApp, request_to, run_to_end};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// The Python that has `standardwebhooks`, or `None` after a notice (a panic in CI).
fn python() -> Option<PathBuf> {
    let candidate = match std::env::var_os("SELFSERVE_PYTHON_BIN") {
        Some(bin) => Path::new(&bin).join("python"),
        None => PathBuf::from("python3"),
    };
    let usable = Command::new(&candidate)
        .args(["-c", "import standardwebhooks.webhooks"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if usable {
        return Some(candidate);
    }
    let why = format!(
        "{} cannot import standardwebhooks; install tests/python/requirements.txt in a venv and set SELFSERVE_PYTHON_BIN to its bin folder",
        candidate.display()
    );
    if std::env::var("SELFSERVE_WEBHOOK_TESTS").is_ok_and(|v| v == "required") {
        panic!("{why}");
    }
    eprintln!("notice: skipping the webhook test: {why}");
    None
}

/// The receiver process; killed when dropped.
struct Receiver {
    child: Child,
    port: u16,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Receiver {
    fn start(python: &Path, fail_first: u32) -> Receiver {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/webhook_receiver.py");
        let mut child = Command::new(python)
            .arg(script)
            .arg(SECRET)
            .args(["--fail-first", &fail_first.to_string()])
            .stdout(Stdio::piped())
            .spawn()
            .expect("the receiver starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the receiver says where it listens");
        let port = line
            .trim()
            .strip_prefix("listening on ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line: {line}"));
        Receiver { child, port }
    }

    /// What the receiver recorded, oldest first.
    fn records(&self) -> Vec<Value> {
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], self.port));
        let res = request_to(addr, "GET", "/log", &[], b"");
        match res.json() {
            Value::Array(records) => records,
            other => panic!("not a list: {other}"),
        }
    }

    /// Waits until `want` holds for the records (at most 20 s), and returns them.
    fn wait_for(&self, what: &str, want: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let start = Instant::now();
        loop {
            let records = self.records();
            if want(&records) {
                return records;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "the receiver never saw {what}; it recorded:\n{}",
                serde_json::to_string_pretty(&records).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The verified deliveries of `event`, as (headers, body).
fn verified(records: &[Value], event: &str) -> Vec<(Value, Value)> {
    records
        .iter()
        .filter(|r| r["verified"] == true && r["answered"] == 204)
        .filter_map(|r| {
            let body: Value = serde_json::from_str(r["body"].as_str()?).ok()?;
            (body["type"] == event).then(|| (r["headers"].clone(), body))
        })
        .collect()
}

fn has(event: &'static str, field: &'static str, value: &'static str) -> impl Fn(&[Value]) -> bool {
    move |records| {
        verified(records, event)
            .iter()
            .any(|(_, body)| body["data"][field] == value)
    }
}

/// Ages every stored pass by `days` (what the calendar would do).
fn age_passes(app: &TestApp, days: i64) {
    let db = rusqlite::Connection::open(app.data.join("selfserve.db")).expect("open");
    db.execute(
        "UPDATE attempts SET created_at = created_at - ?1",
        [days * 86_400],
    )
    .expect("age passes");
}

#[test]
fn a_receiver_verifies_every_event_and_retries_and_redeliveries_reach_it() {
    let Some(python) = python() else { return };
    let receiver = Receiver::start(&python, 1);
    let app = TestApp::start("site-basic");
    add_user(&app, "ada", false, Some("pw"));
    add_user(&app, "root", true, Some("pw"));
    let ada = token_for(&app, "ada");
    let root = token_for(&app, "root");
    let timing = Timing {
        schedule: Schedule::from_waits(vec![Duration::from_millis(300); 3]),
        poll: Duration::from_millis(50),
        check_every: Duration::from_millis(200),
        timeout: Duration::from_secs(5),
        keep: Duration::from_secs(3600),
    };
    let endpoint = Endpoint {
        url: format!("http://127.0.0.1:{}/hooks", receiver.port),
        secret: Secret::parse(SECRET).expect("secret"),
    };
    let _webhooks = webhooks::start(
        &app.state.store,
        std::sync::Arc::clone(&app.state.snapshot),
        endpoint,
        timing,
    )
    .expect("webhooks start");

    // Passing the path's one module through the API qualifies Ada for the namespace.
    let auth = format!("Bearer {ada}");
    let res = app.post_json(
        "/api/v1/modules/k8s-basics/attempts",
        &json!({"answers": [[0]]}),
        &[("Authorization", &auth)],
    );
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["passed"], true);
    let records = receiver.wait_for(
        "qualification.granted",
        has("qualification.granted", "learner", "ada"),
    );
    let (headers, body) = verified(&records, "qualification.granted").remove(0);
    assert_eq!(body["data"]["resource"], "k8s-namespace");
    assert_eq!(body["data"]["status"], "qualified");
    assert_eq!(body["data"]["previous_status"], "missing");
    let granted_id = body["id"].as_str().expect("id").to_owned();
    assert_eq!(headers["webhook-id"], granted_id.as_str());
    assert!(
        headers["webhook-signature"]
            .as_str()
            .is_some_and(|s| s.starts_with("v1,"))
    );
    // The receiver refused the first delivery (503): the same message came again.
    let first = &records[0];
    assert_eq!(
        (first["verified"].clone(), first["answered"].clone()),
        (json!(true), json!(503))
    );
    let same: Vec<&Value> = records
        .iter()
        .filter(|r| r["headers"]["webhook-id"] == granted_id.as_str())
        .collect();
    assert_eq!(same.len(), 2, "one refused attempt and one retry");
    println!(
        "a delivery as the receiver recorded it:\n{}",
        serde_json::to_string_pretty(same[1]).unwrap_or_default()
    );

    // The delivery log shows the retry.
    let admin = format!("Bearer {root}");
    let log = app.get_with(
        &format!("/api/v1/webhooks/deliveries/{granted_id}"),
        &[("Authorization", &admin)],
    );
    assert_eq!(log.status, 200, "{}", log.body);
    let log = log.json();
    assert_eq!(log["status"], "delivered");
    assert_eq!(log["attempts"], 2);
    assert_eq!(log["attempt_log"][0]["http_status"], 503);
    assert_eq!(log["attempt_log"][1]["http_status"], 204);

    // A year on (valid_for: 365d, expiring_days 30) the scheduled check finds the lapse coming,
    // then the lapse: no request is involved.
    age_passes(&app, 340);
    receiver.wait_for(
        "qualification.expiring",
        has("qualification.expiring", "learner", "ada"),
    );
    age_passes(&app, 30);
    let records = receiver.wait_for(
        "qualification.expired",
        has("qualification.expired", "learner", "ada"),
    );
    let (_, expired) = verified(&records, "qualification.expired").remove(0);
    assert_eq!(expired["data"]["status"], "expired");
    assert_eq!(expired["data"]["previous_status"], "expiring");

    // An escalated walk opens a help request; the team's reply answers it.
    let res = app.post_json(
        "/api/v1/trees/troubleshooting/pod-crash/outcomes",
        &json!({"path": ["start", "ask"], "outcome": "escalate", "note": "still crashing"}),
        &[("Authorization", &auth)],
    );
    assert!(res.status < 300, "{}: {}", res.status, res.body);
    let records = receiver.wait_for(
        "help_request.created",
        has("help_request.created", "learner", "ada"),
    );
    let (_, created) = verified(&records, "help_request.created").remove(0);
    assert_eq!(created["data"]["tree"], "troubleshooting/pod-crash");
    let request = created["data"]["request"].as_i64().expect("request id");
    let store = &app.state.store;
    let root_user = crate::support::user_named(store, "root");
    let (session, csrf) = store
        .create_session(root_user.id, time::OffsetDateTime::now_utc())
        .expect("session");
    let cookie = format!("selfserve_session={session}");
    let res = app.post_form(
        &format!("/requests/{request}/reply"),
        &format!("csrf={csrf}&reply=Raise+the+limit"),
        &[("Cookie", &cookie)],
    );
    assert_eq!(res.status, 303, "{}", res.body);
    let records = receiver.wait_for(
        "help_request.answered",
        has("help_request.answered", "answered_by", "root"),
    );
    assert!(
        records.iter().all(|r| r["verified"] == true),
        "every delivery verified"
    );

    // Redelivery: the same message, the same id, verified again; through the page's form too.
    let res = app.post_json(
        &format!("/api/v1/webhooks/deliveries/{granted_id}/redeliver"),
        &json!({}),
        &[("Authorization", &admin)],
    );
    assert_eq!(res.status, 202, "{}", res.body);
    let again = |n: usize| {
        let id = granted_id.clone();
        move |records: &[Value]| {
            records
                .iter()
                .filter(|r| r["headers"]["webhook-id"] == id.as_str() && r["answered"] == 204)
                .count()
                >= n
        }
    };
    receiver.wait_for("the redelivery", again(2));
    let page = app.get_with("/admin/webhooks", &[("Cookie", &cookie)]);
    assert_eq!(page.status, 200);
    for event in [
        "qualification.granted",
        "qualification.expiring",
        "help_request.answered",
        "Redeliver",
    ] {
        assert!(page.body.contains(event), "{event} on the page");
    }
    let res = app.post_form(
        &format!("/admin/webhooks/{granted_id}/redeliver"),
        &format!("csrf={csrf}"),
        &[("Cookie", &cookie)],
    );
    assert_eq!(res.status, 303, "{}", res.body);
    receiver.wait_for("the second redelivery", again(3));
    let listed = app
        .get_with("/api/v1/webhooks/deliveries", &[("Authorization", &admin)])
        .json();
    assert_eq!(listed["enabled"], true);
    let types: Vec<&str> = listed["deliveries"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|d| d["type"].as_str())
        .collect();
    for event in [
        "qualification.granted",
        "qualification.expiring",
        "qualification.expired",
        "help_request.created",
        "help_request.answered",
    ] {
        assert!(types.contains(&event), "{event} in {types:?}");
    }
}

#[test]
fn a_malformed_secret_stops_the_server_with_a_sentence_naming_the_variable() {
    let data = tempfile::tempdir().expect("temp dir");
    let mut command = Command::new(env!("CARGO_BIN_EXE_selfserve"));
    command
        .args(["serve", "--addr", "127.0.0.1:0", "--content"])
        .arg(crate::support::fixture("site-basic"))
        .arg("--data")
        .arg(data.path())
        .env_remove("SELFSERVE_CONFIG")
        .env("SELFSERVE_SEMANTIC", "off")
        .env(
            "SELFSERVE_WEBHOOK_URL",
            "https://hooks.example.com/selfserve",
        )
        .env("SELFSERVE_WEBHOOK_SECRET", "not-a-whsec-secret");
    let output = run_to_end(command, None);
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains("SELFSERVE_WEBHOOK_SECRET is not a usable webhook secret; write the secret in the Standard Webhooks form"),
        "{said}"
    );
    assert!(
        !said.contains("not-a-whsec-secret"),
        "the secret is not repeated: {said}"
    );
}
