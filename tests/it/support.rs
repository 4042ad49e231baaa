//! `TestApp`: the real server, in-process on a free port, over a copy of a fixture content
//! folder and a temporary data folder, plus a tiny HTTP/1.1 client that sends paths exactly as
//! written (no normalisation, so traversal attempts reach the server untouched).
#![allow(dead_code, reason = "shared by every area's tests; each uses a subset")]

use std::fs;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use selfserve::store::testing::{Scratch, postgres_url};
use selfserve::store::{DatabaseUrl, Store, User, UserName};
use selfserve::web::{self, AppState};

/// The path of a fixture content folder under `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Copies a folder recursively (fixtures are copied so tests may edit them).
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create folder");
    for entry in fs::read_dir(from).expect("read folder") {
        let entry = entry.expect("folder entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// A running server and the folders it uses; stopped when dropped.
pub struct TestApp {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The content folder (a copy of the fixture).
    pub content: PathBuf,
    /// The data folder.
    pub data: PathBuf,
    /// The state the server runs with (its snapshot can be swapped to simulate a reload).
    pub state: AppState,
    handle: actix_web::dev::ServerHandle,
    thread: Option<JoinHandle<()>>,
    /// The PostgreSQL schema holding the records, dropped after the server stops.
    scratch: Option<Scratch>,
    _dirs: tempfile::TempDir,
}

/// One HTTP response.
#[derive(Debug)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Headers, names lowercased, in order.
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy for binary bodies).
    pub body: String,
}

impl Response {
    /// The first header with this (lowercase) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|err| panic!("not JSON ({err}): {}", self.body))
    }

    /// The sentence of a JSON error answer (`{"error": …}`); panics on any other body.
    pub fn error(&self) -> String {
        match &self.json()["error"] {
            serde_json::Value::String(sentence) => sentence.clone(),
            _ => panic!("no error sentence: {}", self.body),
        }
    }
}

impl TestApp {
    /// Starts a server over a copy of `tests/fixtures/{name}`.
    pub fn start(name: &str) -> Self {
        Self::start_with(name, |_| {})
    }

    /// Starts a server over a copy of a fixture, after `prepare` may change the copy.
    pub fn start_with(name: &str, prepare: impl FnOnce(&Path)) -> Self {
        let dirs = tempfile::tempdir().expect("temp dir");
        let content = dirs.path().join("content");
        let data = dirs.path().join("data");
        copy_dir(&fixture(name), &content);
        prepare(&content);
        Self::boot(dirs, content, data)
    }

    /// [`Self::start_with`], with `watch = true` in `site.toml` and the watcher running.
    pub fn start_watching(name: &str, prepare: impl FnOnce(&Path)) -> Self {
        let app = Self::start_with(name, |content| {
            prepare(content);
            let toml = content.join("site.toml");
            let mut text = std::fs::read_to_string(&toml).expect("site.toml");
            text.push_str("watch = true\n");
            std::fs::write(toml, text).expect("write site.toml");
        });
        selfserve::web::live::spawn_watcher(&app.state).expect("watcher starts");
        app
    }

    /// Starts a server over a copy of a fixture whose search index is not built yet (what a
    /// server answers between binding and the end of the background index build).
    pub fn start_without_index(name: &str) -> Self {
        let dirs = tempfile::tempdir().expect("temp dir");
        let content = dirs.path().join("content");
        let data = dirs.path().join("data");
        copy_dir(&fixture(name), &content);
        Self::boot_with(dirs, content, data, false)
    }

    /// Starts a server over an existing content folder, used in place (the real corpora).
    pub fn start_at(content: &Path) -> Self {
        let dirs = tempfile::tempdir().expect("temp dir");
        let data = dirs.path().join("data");
        Self::boot(dirs, content.to_path_buf(), data)
    }

    /// Starts a server over a copy of a fixture whose data folder is `data_rel` inside the
    /// content folder, after `prepare` may change the copy (`prepare` gets the content folder
    /// and the data folder, which does not exist yet).
    pub fn start_with_data_inside(
        name: &str,
        data_rel: &str,
        prepare: impl FnOnce(&Path, &Path),
    ) -> Self {
        let dirs = tempfile::tempdir().expect("temp dir");
        let content = dirs.path().join("content");
        let data = content.join(data_rel);
        copy_dir(&fixture(name), &content);
        prepare(&content, &data);
        Self::boot(dirs, content, data)
    }

    /// Starts a server over a copy of a fixture with the semantic leg on (the server's
    /// way: a background thread embeds; wait with `app.state.semantic.wait_idle`). `data`
    /// is the data folder to use (a restart passes the previous one), or a fresh one.
    pub fn start_semantic(name: &str, data: Option<&Path>) -> Self {
        let dirs = tempfile::tempdir().expect("temp dir");
        let content = dirs.path().join("content");
        let data = data.map_or_else(|| dirs.path().join("data"), Path::to_path_buf);
        copy_dir(&fixture(name), &content);
        Self::boot_full(dirs, content, data, true, true)
    }

    /// [`Self::start_semantic`] after `prepare` may change the content copy.
    pub fn start_semantic_with(name: &str, prepare: impl FnOnce(&Path)) -> Self {
        let dirs = tempfile::tempdir().expect("temp dir");
        let content = dirs.path().join("content");
        let data = dirs.path().join("data");
        copy_dir(&fixture(name), &content);
        prepare(&content);
        Self::boot_full(dirs, content, data, true, true)
    }

    /// Starts a server over a copy of a fixture with its records in a fresh schema on the
    /// PostgreSQL test server (`SELFSERVE_TEST_POSTGRES`), after `prepare` may change the
    /// copy. `None`, after a notice, when no test server is configured.
    pub fn start_postgres_with(name: &str, prepare: impl FnOnce(&Path)) -> Option<Self> {
        let Some(server) = postgres_url() else {
            eprintln!("notice: SELFSERVE_TEST_POSTGRES is unset; skipping a PostgreSQL test");
            return None;
        };
        let scratch = Scratch::postgres(&server).expect("a schema on the test PostgreSQL server");
        let dirs = tempfile::tempdir().expect("temp dir");
        let content = dirs.path().join("content");
        let data = dirs.path().join("data");
        copy_dir(&fixture(name), &content);
        prepare(&content);
        let mut app = Self::boot_on(dirs, content, data, Some(&scratch.url), true, false);
        app.scratch = Some(scratch);
        Some(app)
    }

    /// Starts a server over a copy of a fixture with its records in `database`, such as
    /// another app's ([`Self::database`]): two servers on one database are two replicas.
    pub fn start_on(name: &str, database: &DatabaseUrl) -> Self {
        let dirs = tempfile::tempdir().expect("temp dir");
        let content = dirs.path().join("content");
        let data = dirs.path().join("data");
        copy_dir(&fixture(name), &content);
        Self::boot_on(dirs, content, data, Some(database), true, false)
    }

    /// Where this server keeps its records.
    pub fn database(&self) -> DatabaseUrl {
        self.scratch.as_ref().map_or_else(
            || DatabaseUrl::in_data_dir(&self.data),
            |scratch| scratch.url.clone(),
        )
    }

    fn boot(dirs: tempfile::TempDir, content: PathBuf, data: PathBuf) -> Self {
        Self::boot_with(dirs, content, data, true)
    }

    fn boot_with(dirs: tempfile::TempDir, content: PathBuf, data: PathBuf, index: bool) -> Self {
        Self::boot_full(dirs, content, data, index, false)
    }

    fn boot_full(
        dirs: tempfile::TempDir,
        content: PathBuf,
        data: PathBuf,
        index: bool,
        semantic: bool,
    ) -> Self {
        Self::boot_on(dirs, content, data, None, index, semantic)
    }

    /// Boots with the records in `database` (`None`: SQLite in the data folder).
    fn boot_on(
        dirs: tempfile::TempDir,
        content: PathBuf,
        data: PathBuf,
        database: Option<&DatabaseUrl>,
        index: bool,
        semantic: bool,
    ) -> Self {
        let database = database
            .cloned()
            .unwrap_or_else(|| DatabaseUrl::in_data_dir(&data));
        let mut state =
            AppState::load_with_database(content.clone(), data.clone(), &database, false)
                .expect("load fixture content");
        if index {
            state.build_search_index();
        }
        if semantic {
            state.start_semantic().expect("semantic leg starts");
        }
        let (tx, rx) = mpsc::channel();
        let server_state = state.clone();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let addr = SocketAddr::from(([127, 0, 0, 1], 0));
                match web::start(server_state, addr).await {
                    Ok((server, bound)) => {
                        let _ = tx.send(Ok((bound, server.handle())));
                        let _ = server.await;
                    }
                    Err(err) => {
                        let _ = tx.send(Err(err.to_string()));
                    }
                }
            });
        });
        let (addr, handle) = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("server thread answered")
            .expect("server started");
        Self {
            addr,
            content,
            data,
            state,
            handle,
            thread: Some(thread),
            scratch: None,
            _dirs: dirs,
        }
    }

    /// Starts a server over a copy of `tests/fixtures/{name}` listening on `addr` (a port the
    /// caller chose, for settings that name the server's own address), after `adjust` may
    /// change its state. `None` when the address cannot be bound (taken meanwhile).
    pub fn start_adjusted_at(
        name: &str,
        addr: SocketAddr,
        adjust: impl FnOnce(&mut AppState),
    ) -> Option<Self> {
        let dirs = tempfile::tempdir().expect("temp dir");
        let content = dirs.path().join("content");
        let data = dirs.path().join("data");
        copy_dir(&fixture(name), &content);
        let database = DatabaseUrl::in_data_dir(&data);
        let mut state =
            AppState::load_with_database(content.clone(), data.clone(), &database, false)
                .expect("load fixture content");
        state.build_search_index();
        adjust(&mut state);
        let (tx, rx) = mpsc::channel();
        let server_state = state.clone();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                match web::start(server_state, addr).await {
                    Ok((server, bound)) => {
                        let _ = tx.send(Ok((bound, server.handle())));
                        let _ = server.await;
                    }
                    Err(err) => {
                        let _ = tx.send(Err(err.to_string()));
                    }
                }
            });
        });
        let started = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("server thread answered");
        let Ok((addr, handle)) = started else {
            let _ = thread.join();
            return None;
        };
        Some(Self {
            addr,
            content,
            data,
            state,
            handle,
            thread: Some(thread),
            scratch: None,
            _dirs: dirs,
        })
    }

    /// `GET path`.
    pub fn get(&self, path: &str) -> Response {
        self.request("GET", path, &[], b"")
    }

    /// `GET path` with extra headers.
    pub fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Response {
        self.request("GET", path, headers, b"")
    }

    /// `POST path` with a JSON body.
    pub fn post_json(
        &self,
        path: &str,
        body: &serde_json::Value,
        headers: &[(&str, &str)],
    ) -> Response {
        let mut all = vec![("Content-Type", "application/json")];
        all.extend_from_slice(headers);
        self.request("POST", path, &all, body.to_string().as_bytes())
    }

    /// `POST path` with a form body (`a=1&b=2`).
    pub fn post_form(&self, path: &str, body: &str, headers: &[(&str, &str)]) -> Response {
        let mut all = vec![("Content-Type", "application/x-www-form-urlencoded")];
        all.extend_from_slice(headers);
        self.request("POST", path, &all, body.as_bytes())
    }

    /// Any request. The path is sent byte for byte as given.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Response {
        request_to(self.addr, method, path, headers, body)
    }
}

/// The account called `name`, which the test made.
pub fn user_named(store: &Store, name: &str) -> User {
    store
        .find_user(&UserName::parse(name).expect("name"))
        .expect("find the account")
        .unwrap_or_else(|| panic!("no account {name}"))
}

/// Runs `command` (a configured `selfserve` command line) to its end with stdout and stderr
/// captured, feeding `stdin` when given (closed before waiting, so a prompt sees its end).
pub fn run_to_end(mut command: Command, stdin: Option<&str>) -> Output {
    command
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("the binary starts");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        pipe.write_all(input.as_bytes()).expect("write stdin");
    }
    child.wait_with_output().expect("the binary finishes")
}

/// One request to any server (a replica, a proxy), on a new connection.
pub fn request_to(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Response {
    let mut stream = TcpStream::connect(addr).expect("connect to the test server");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("set timeout");
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream
        .write_all(head.as_bytes())
        .expect("send request head");
    stream.write_all(body).expect("send request body");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read response");
    parse_response(&raw)
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        actix_web::rt::System::new().block_on(handle.stop(false));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn parse_response(raw: &[u8]) -> Response {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("response has a header block");
    let head = String::from_utf8_lossy(&raw[..split]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().expect("status line");
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status code");
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    Response {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&data[..eol]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("0").trim(), 16)
            .unwrap_or(0);
        data = &data[eol + 2..];
        if size == 0 || data.len() < size {
            break;
        }
        out.extend_from_slice(&data[..size]);
        data = data.get(size + 2..).unwrap_or(&[]);
    }
    out
}
