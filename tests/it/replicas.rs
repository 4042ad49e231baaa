//! Two replicas on one PostgreSQL and one content folder, behind nginx as a round-robin
//! proxy (issue 17): the real binary twice, Debian's nginx, the test PostgreSQL server.
//!
//! Skipped with a printed notice when `SELFSERVE_TEST_POSTGRES` is unset (a clone without
//! `.ci/run`) or nginx is not installed. Each replica runs with `--watch`, which is how both
//! pick up a content edit; every request here is on loopback.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use selfserve::store::testing::{Scratch, postgres_url};
use selfserve::store::{Store, UserName};
use serde_json::json;

use crate::support::{Response, copy_dir, fixture, request_to, user_named};

const NGINX: &str = "/usr/sbin/nginx";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A server process; killed when dropped.
struct Process {
    child: Child,
    addr: SocketAddr,
}

impl Process {
    fn get(&self, path: &str, headers: &[(&str, &str)]) -> Response {
        request_to(self.addr, "GET", path, headers, b"")
    }

    fn post(&self, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Response {
        request_to(self.addr, "POST", path, headers, body)
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Waits until `addr` answers `/healthz` with 200.
fn wait_healthy(addr: SocketAddr, child: &mut Child, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(90);
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited at start-up with {status}");
        }
        if TcpStream::connect(addr).is_ok()
            && request_to(addr, "GET", "/healthz", &[], b"").status == 200
        {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{what} did not become healthy within 90 s");
}

fn replica(content: &Path, data: &Path, database: &str) -> Process {
    let port = free_port();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut child = Command::new(env!("CARGO_BIN_EXE_selfserve"))
        .arg("serve")
        .arg("--content")
        .arg(content)
        .arg("--data")
        .arg(data)
        .args([
            "--database",
            database,
            "--addr",
            &addr.to_string(),
            "--watch",
        ])
        .env("SELFSERVE_SEMANTIC", "off")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the replica starts");
    wait_healthy(addr, &mut child, "a replica");
    Process { child, addr }
}

/// nginx in the foreground, one process, round robin over `upstreams`; it names the replica
/// that answered in `X-Upstream`.
fn nginx(dir: &Path, upstreams: &[SocketAddr]) -> Process {
    let port = free_port();
    let servers: String = upstreams
        .iter()
        .map(|a| format!("        server {a} max_fails=1 fail_timeout=5s;\n"))
        .collect();
    let d = dir.display();
    let conf = format!(
        "daemon off;\nmaster_process off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
         events {{ worker_connections 512; }}\n\
         http {{\n    access_log off;\n    client_body_temp_path {d}/body;\n    proxy_temp_path {d}/proxy;\n\
         fastcgi_temp_path {d}/fastcgi;\n    uwsgi_temp_path {d}/uwsgi;\n    scgi_temp_path {d}/scgi;\n\
         upstream replicas {{\n{servers}        keepalive 32;\n    }}\n\
         server {{\n        listen 127.0.0.1:{port};\n        location / {{\n\
         proxy_pass http://replicas;\n            proxy_http_version 1.1;\n\
         proxy_set_header Connection \"\";\n            proxy_set_header Host $host;\n\
         proxy_next_upstream error timeout;\n            add_header X-Upstream $upstream_addr always;\n\
         }}\n    }}\n}}\n"
    );
    let path = dir.join("nginx.conf");
    std::fs::write(&path, conf).expect("write nginx.conf");
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut child = Command::new(NGINX)
        .arg("-c")
        .arg(&path)
        .arg("-p")
        .arg(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nginx starts");
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(addr).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = e.read_to_string(&mut err);
            }
            panic!("nginx exited with {status}: {err}");
        }
        assert!(Instant::now() < deadline, "nginx did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    Process { child, addr }
}

/// Runs `selfserve ARGS --database URL`, feeding `stdin`; its stdout.
fn cli(database: &str, args: &[&str], stdin: Option<&str>) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_selfserve"))
        .args(args)
        .args(["--database", database])
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        pipe.write_all(input.as_bytes()).expect("write stdin");
    }
    let out = child.wait_with_output().expect("the binary finishes");
    assert!(
        out.status.success(),
        "selfserve {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn cookie_of(res: &Response, name: &str) -> Option<String> {
    res.headers
        .iter()
        .filter(|(n, _)| n == "set-cookie")
        .find_map(|(_, v)| v.strip_prefix(&format!("{name}=")))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}

fn csrf_in(body: &str) -> Option<String> {
    let marker = r#"name="csrf" value=""#;
    let start = body.find(marker)? + marker.len();
    let len = body[start..].find('"')?;
    Some(body[start..start + len].to_owned())
}

/// The whole cluster: PostgreSQL schema, shared content, two replicas, nginx.
struct Cluster {
    database: String,
    content: PathBuf,
    replicas: Vec<Process>,
    proxy: Process,
    _scratch: Scratch,
    _dirs: tempfile::TempDir,
}

fn cluster() -> Option<Cluster> {
    let Some(server) = postgres_url() else {
        eprintln!(
            "notice: SELFSERVE_TEST_POSTGRES is not set; skipping the replica test (.ci/run sets it)"
        );
        return None;
    };
    if !Path::new(NGINX).exists() {
        eprintln!("notice: {NGINX} is missing; skipping the replica test (apt-get install nginx)");
        return None;
    }
    let scratch = Scratch::postgres(&server).expect("a scratch schema");
    let selfserve::store::DatabaseUrl::Postgres(database) = scratch.url.clone() else {
        unreachable!("a PostgreSQL scratch database has a postgres URL");
    };
    // Migrate once before the replicas start, as an operator's deploy step would.
    drop(scratch.open().expect("the schema migrates"));
    let dirs = tempfile::tempdir().expect("temp dir");
    let content = dirs.path().join("content");
    copy_dir(&fixture("training"), &content);
    std::fs::create_dir_all(content.join("resources")).expect("resources");
    std::fs::write(
        content.join("resources/notes.md"),
        "---\nid: notes\ntitle: Shared notes\nrequires: [intro]\n---\nA wiki space.\n",
    )
    .expect("write resource");
    let replicas: Vec<Process> = (0..2)
        .map(|i| replica(&content, &dirs.path().join(format!("data{i}")), &database))
        .collect();
    let nginx_dir = dirs.path().join("nginx");
    std::fs::create_dir_all(&nginx_dir).expect("nginx dir");
    let proxy = nginx(
        &nginx_dir,
        &replicas.iter().map(|r| r.addr).collect::<Vec<_>>(),
    );
    Some(Cluster {
        database,
        content,
        replicas,
        proxy,
        _scratch: scratch,
        _dirs: dirs,
    })
}

#[test]
fn two_replicas_behind_nginx_share_one_postgres() {
    let Some(mut c) = cluster() else {
        return;
    };
    for data in ["data0", "data1"] {
        let folder = c.content.parent().expect("temp dir").join(data);
        assert!(
            !folder.join("selfserve.db").exists(),
            "a replica on PostgreSQL writes no SQLite file"
        );
    }
    cli(
        &c.database,
        &["user", "add", "ada", "--password-stdin"],
        Some("correct horse\n"),
    );
    cli(&c.database, &["user", "add", "root", "--admin"], None);
    let admin_token = cli(&c.database, &["token", "create", "root"], None)
        .trim()
        .to_owned();
    let admin = format!("Bearer {admin_token}");

    // Sign in through the proxy; the session works on both replicas.
    let page = c.proxy.get("/sign-in", &[]);
    let anon = cookie_of(&page, "selfserve_csrf").expect("a CSRF cookie");
    let res = c.proxy.post(
        "/sign-in",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Cookie", &format!("selfserve_csrf={anon}")),
        ],
        format!("name=ada&password=correct+horse&csrf={anon}&next=%2F").as_bytes(),
    );
    assert_eq!(res.status, 303, "{}", res.body);
    let session = format!(
        "selfserve_session={}",
        cookie_of(&res, "selfserve_session").expect("a session cookie")
    );
    let mut csrf = None;
    for replica in &c.replicas {
        let account = replica.get("/account", &[("Cookie", &session)]);
        assert_eq!(account.status, 200, "the session is known to every replica");
        csrf = csrf_in(&account.body);
    }
    let csrf = csrf.expect("the account page has forms");

    // A token made on replica 0; quiz attempts through the proxy land on both replicas.
    let made = c.replicas[0].post(
        "/account/tokens",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Cookie", &session),
        ],
        format!("csrf={csrf}&label=replicas").as_bytes(),
    );
    assert_eq!(made.status, 200, "{}", made.body);
    let token = made
        .body
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .find(|w| w.starts_with("ss_") && w.len() == 67)
        .expect("the new token is shown once")
        .to_owned();
    let bearer = format!("Bearer {token}");
    let mut upstreams = std::collections::BTreeSet::new();
    for round in 0..4 {
        let res = c.proxy.post(
            "/api/v1/modules/basics/attempts",
            &[
                ("Content-Type", "application/json"),
                ("Authorization", &bearer),
            ],
            json!({"answers": [[0], [0, 2]]}).to_string().as_bytes(),
        );
        assert_eq!(res.status, 200, "attempt {round}: {}", res.body);
        upstreams.insert(res.header("x-upstream").unwrap_or_default().to_owned());
    }
    assert_eq!(
        upstreams.len(),
        2,
        "round robin reached both replicas: {upstreams:?}"
    );

    // The same qualification answer from each replica.
    let answers: Vec<String> = c
        .replicas
        .iter()
        .map(|r| {
            let res = r.get(
                "/api/v1/qualified?learner=ada&resource=notes",
                &[("Authorization", &admin)],
            );
            assert_eq!(res.status, 200, "{}", res.body);
            res.body
        })
        .collect();
    assert_eq!(answers[0], answers[1], "both replicas answer alike");

    // Revoked on replica 0, refused on replica 1 at once.
    let mine = "/api/v1/learners/ada/qualifications";
    let before = c.replicas[1]
        .get(mine, &[("Authorization", &bearer)])
        .status;
    assert_eq!(before, 200, "the token works before it is revoked");
    let store = Store::connect(&selfserve::store::DatabaseUrl::Postgres(c.database.clone()))
        .expect("the shared store");
    let ada = UserName::parse("ada").expect("name");
    let id = store
        .list_tokens(&ada)
        .expect("tokens")
        .into_iter()
        .find(|t| t.label == "replicas")
        .expect("the token")
        .id;
    let revoked = c.replicas[0].post(
        &format!("/account/tokens/{}/revoke", id.0),
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Cookie", &session),
        ],
        format!("csrf={csrf}").as_bytes(),
    );
    assert_eq!(revoked.status, 303, "{}", revoked.body);
    let after = c.replicas[1].post(
        "/api/v1/modules/basics/attempts",
        &[
            ("Content-Type", "application/json"),
            ("Authorization", &bearer),
        ],
        json!({"answers": [[0], [0, 2]]}).to_string().as_bytes(),
    );
    assert_eq!(after.status, 401, "refused at once on the other replica");

    // A content edit reaches both replicas (each watches the shared folder).
    std::fs::write(
        c.content.join("guides/replica-edit.md"),
        "---\ntitle: Written while two replicas ran\n---\nREPLICA-EDIT-MARKER\n",
    )
    .expect("write guide");
    for replica in &c.replicas {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let page = replica.get("/docs/guides/replica-edit", &[]);
            if page.status == 200 && page.body.contains("REPLICA-EDIT-MARKER") {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "a replica did not reload within 30 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    // Kill replica 1 mid-load: every attempt acknowledged with a 2xx is stored.
    let learner = format!(
        "Bearer {}",
        cli(
            &c.database,
            &["token", "create", "ada", "--label", "load"],
            None
        )
        .trim()
    );
    let stored_before = attempts_of(&store, "ada");
    let acknowledged = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let proxy = c.proxy.addr;
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let (ack, failed, stop, learner) = (
                acknowledged.clone(),
                failed.clone(),
                stop.clone(),
                learner.clone(),
            );
            std::thread::spawn(move || {
                let body = json!({"answers": [[0], [0, 2]]}).to_string();
                while !stop.load(Ordering::Relaxed) {
                    let res = request_to(
                        proxy,
                        "POST",
                        "/api/v1/modules/basics/attempts",
                        &[
                            ("Content-Type", "application/json"),
                            ("Authorization", &learner),
                        ],
                        body.as_bytes(),
                    );
                    if (200..300).contains(&res.status) {
                        ack.fetch_add(1, Ordering::Relaxed);
                    } else {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));
    c.replicas[1].kill();
    std::thread::sleep(Duration::from_millis(1500));
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().expect("a load thread");
    }
    let acked = acknowledged.load(Ordering::Relaxed);
    let stored = attempts_of(&store, "ada") - stored_before;
    eprintln!(
        "replicas: {acked} attempts acknowledged, {stored} stored, {} refused or cut while replica 1 was killed",
        failed.load(Ordering::Relaxed)
    );
    assert!(acked > 50, "the load ran ({acked} acknowledged)");
    assert!(
        stored >= acked,
        "no acknowledged attempt is lost: {stored} stored < {acked} acknowledged"
    );
    // The surviving replica keeps serving through the proxy.
    let res = c.proxy.get(mine, &[("Authorization", &learner)]);
    assert_eq!(res.status, 200, "{}", res.body);
}

fn attempts_of(store: &Store, name: &str) -> u64 {
    let user = user_named(store, name);
    store.attempts_for_user(user.id).expect("attempts").len() as u64
}
