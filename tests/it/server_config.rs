//! The server's settings from outside, through the real binary: `--log-format json` makes
//! every line an object (start-up, listening URL, access log), a config file's unknown key
//! stops it with FILE:LINE:COL, and `SELFSERVE_ADDR` beats the config file and loses to
//! `--addr`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

/// Which stream a line came from.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Stream {
    Out,
    Err,
}

/// A running server whose stdout and stderr lines arrive on one channel; killed on drop.
struct Server {
    child: Child,
    lines: Receiver<(Stream, String)>,
    seen: Vec<(Stream, String)>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(args: &[&str], env: &[(&str, &str)], data: &Path) -> Server {
        let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/site-basic");
        let mut command = Command::new(env!("CARGO_BIN_EXE_selfserve"));
        command
            .arg("serve")
            .args(args)
            .arg("--content")
            .arg(&content);
        command.arg("--data").arg(data);
        for key in [
            "SELFSERVE_ADDR",
            "SELFSERVE_CONFIG",
            "SELFSERVE_DATABASE",
            "SELFSERVE_LOG_FORMAT",
            "SELFSERVE_WATCH",
            "RUST_LOG",
        ] {
            command.env_remove(key);
        }
        command
            .env("SELFSERVE_SEMANTIC", "off")
            .envs(env.iter().copied());
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server starts");
        let (tx, lines) = channel();
        let out = child.stdout.take().expect("stdout");
        let err = child.stderr.take().expect("stderr");
        let tx_err = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = tx.send((Stream::Out, line));
            }
        });
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let _ = tx_err.send((Stream::Err, line));
            }
        });
        Server {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits up to 60 s for a line that `wanted` accepts.
    fn wait_for(&mut self, wanted: impl Fn(Stream, &str) -> bool) -> Option<String> {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok((stream, line)) = self.lines.recv_timeout(Duration::from_millis(100)) {
                let found = wanted(stream, &line);
                self.seen.push((stream, line.clone()));
                if found {
                    return Some(line);
                }
            }
        }
        None
    }
}

fn get(addr: &str, target: &str) -> String {
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    let request = format!("GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    std::io::Write::write_all(&mut stream, request.as_bytes()).expect("send");
    let mut answer = String::new();
    std::io::Read::read_to_string(&mut stream, &mut answer).expect("answer");
    answer
}

#[test]
fn json_logs_are_one_object_per_line_with_the_url_and_an_access_log() {
    let data = tempfile::tempdir().expect("dir");
    let mut server = Server::start(
        &["--log-format", "json", "--addr", "127.0.0.1:0"],
        &[],
        data.path(),
    );
    let listening = server
        .wait_for(|stream, line| stream == Stream::Out && line.contains("listening on"))
        .unwrap_or_else(|| panic!("no listening line: {:?}", server.seen));
    let listening: serde_json::Value = serde_json::from_str(&listening).expect("JSON");
    let url = listening["url"].as_str().expect("a url field").to_owned();
    let addr = url.trim_start_matches("http://").to_owned();
    let answer = get(&addr, "/healthz?q=secret+term");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let access = server
        .wait_for(|_, line| line.contains("selfserve::access"))
        .unwrap_or_else(|| panic!("no access log: {:?}", server.seen));
    let access: serde_json::Value = serde_json::from_str(&access).expect("JSON");
    assert_eq!(access["method"], "GET", "{access}");
    assert_eq!(access["path"], "/healthz", "{access}");
    assert_eq!(access["status"], 200, "{access}");
    assert!(access["ms"].as_f64().is_some(), "{access}");
    assert!(access["bytes"].as_u64().is_some(), "{access}");
    assert!(
        !access.to_string().contains("secret"),
        "no query string in the access log: {access}"
    );
    let _ = server.child.kill();
    let _ = server.child.wait();
    while let Ok(line) = server.lines.recv_timeout(Duration::from_millis(500)) {
        server.seen.push(line);
    }
    for (stream, line) in &server.seen {
        let object: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|err| panic!("{stream:?} line is not JSON ({err}): {line}"));
        assert!(object.is_object(), "{line}");
    }
    assert!(
        server
            .seen
            .iter()
            .any(|(_, l)| l.contains("loaded ") && l.contains("documents")),
        "the start-up lines are objects too: {:?}",
        server.seen
    );
}

#[test]
fn a_config_file_with_an_unknown_key_stops_the_server_naming_line_and_column() {
    let dir = tempfile::tempdir().expect("dir");
    let config = dir.path().join("server.toml");
    std::fs::write(&config, "addr = \"127.0.0.1:0\"\nadress = \"x\"\n").expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_selfserve"))
        .arg("serve")
        .arg("--config")
        .arg(&config)
        .env_remove("SELFSERVE_CONFIG")
        .current_dir(dir.path())
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let expected = format!("error: {}:2:1: unknown field `adress`", config.display());
    assert!(stderr.starts_with(&expected), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one sentence: {stderr}");
    assert!(!dir.path().join("data").exists(), "nothing created");
}

#[test]
fn selfserve_addr_beats_the_config_file_and_loses_to_the_flag() {
    let dir = tempfile::tempdir().expect("dir");
    let config = dir.path().join("server.toml");
    // Port 1 would need privileges: the server only starts when the variable wins.
    std::fs::write(&config, "addr = \"127.0.0.1:1\"\n").expect("write");
    let config = config.to_str().expect("utf-8");
    let listening = |args: &[&str], env: &[(&str, &str)]| {
        let data = tempfile::tempdir().expect("dir");
        let mut server = Server::start(args, env, data.path());
        let line = server
            .wait_for(|stream, line| stream == Stream::Out && line.contains("listening on"))
            .unwrap_or_else(|| panic!("no listening line: {:?}", server.seen));
        let addr = line
            .trim()
            .strip_prefix("selfserve listening on http://")
            .unwrap_or_else(|| panic!("the text form, unprefixed: {line}"))
            .to_owned();
        // Asked while the server runs (it stops when `server` is dropped).
        let answer = get(&addr, "/healthz");
        assert_eq!(answer.lines().next(), Some("HTTP/1.1 200 OK"), "{answer}");
        addr
    };
    let addr = listening(&["--config", config], &[("SELFSERVE_ADDR", "127.0.0.1:0")]);
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");
    assert_ne!(addr, "127.0.0.1:1", "the variable beats the file");
    let addr = listening(
        &["--addr", "127.0.0.1:0"],
        &[
            ("SELFSERVE_ADDR", "not an address"),
            ("SELFSERVE_CONFIG", config),
        ],
    );
    assert_ne!(addr, "127.0.0.1:1", "the flag beats the variable: {addr}");
}

#[test]
fn a_bad_variable_is_one_sentence_naming_it() {
    let out = Command::new(env!("CARGO_BIN_EXE_selfserve"))
        .arg("serve")
        .env("SELFSERVE_LOG_FORMAT", "yaml")
        .env_remove("SELFSERVE_CONFIG")
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        "error: SELFSERVE_LOG_FORMAT is `yaml`; write `text` or `json`"
    );
}

#[test]
fn with_json_logs_a_refused_argument_is_one_json_error_line() {
    for (args, env) in [
        (vec!["serve", "--log-format", "json", "--adress", "x"], None),
        (vec!["serve", "--adress", "x"], Some("json")),
    ] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_selfserve"));
        command.args(&args).env_remove("SELFSERVE_CONFIG");
        match env {
            Some(format) => command.env("SELFSERVE_LOG_FORMAT", format),
            None => command.env_remove("SELFSERVE_LOG_FORMAT"),
        };
        let out = command.output().expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        let line: serde_json::Value = serde_json::from_str(stderr.trim()).expect("a JSON object");
        assert_eq!(line["level"], "ERROR", "{line}");
        let message = line["message"].as_str().unwrap_or_default();
        assert!(message.contains("--adress"), "{message}");
    }
    // Text logs keep clap's own words.
    let out = Command::new(env!("CARGO_BIN_EXE_selfserve"))
        .args(["serve", "--adress", "x"])
        .env_remove("SELFSERVE_LOG_FORMAT")
        .env_remove("SELFSERVE_CONFIG")
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with("error: unexpected argument '--adress'"),
        "{stderr}"
    );
}
