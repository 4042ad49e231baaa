//! Finding the browser tools and running them: chromedriver on a free port in its own process
//! group (so the Chromium it starts goes with it), and one WebDriver session of headless
//! Chromium with a fresh profile. Missing tools skip the tests with a notice, or fail them
//! when `SELFSERVE_BROWSER_TESTS=required` (what `.ci/run` sets).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

/// Where `.ci/run` installs axe-core (`npm ci` in tests/browser-deps).
const AXE: &str = "tests/browser-deps/node_modules/axe-core/axe.min.js";

/// Chromium's switches: headless in a container without a sandbox or GPU, quiet on a
/// machine without internet (background networking floods refused connections), and
/// scrollbars overlaid as on a phone (so a 390 px viewport lays out 390 px).
const CHROMIUM_ARGS: [&str; 9] = [
    "--hide-scrollbars",
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
];

/// The programs and the script the browser tests need.
#[derive(Debug, Clone)]
pub struct Tools {
    chromedriver: PathBuf,
    chromium: PathBuf,
    /// axe-core's source, injected into each page audited.
    pub axe: String,
}

impl Tools {
    /// The tools, or `None` after a notice when one is missing (a panic when they are
    /// required).
    pub fn find() -> Option<Tools> {
        let chromedriver = program("chromedriver", &["/usr/bin/chromedriver"]);
        let chromium = program(
            "chromium",
            &["/usr/bin/chromium", "/usr/bin/chromium-browser"],
        );
        let axe_path = Path::new(env!("CARGO_MANIFEST_DIR")).join(AXE);
        let axe = std::fs::read_to_string(&axe_path).ok();
        let mut missing = Vec::new();
        if chromedriver.is_none() {
            missing.push("chromedriver (Debian package chromium-driver)".to_owned());
        }
        if chromium.is_none() {
            missing.push("chromium (Debian package chromium)".to_owned());
        }
        if axe.is_none() {
            missing.push(format!(
                "{} (npm ci in tests/browser-deps)",
                axe_path.display()
            ));
        }
        match (chromedriver, chromium, axe) {
            (Some(chromedriver), Some(chromium), Some(axe)) => Some(Tools {
                chromedriver,
                chromium,
                axe,
            }),
            _ if required() => panic!(
                "SELFSERVE_BROWSER_TESTS=required but these are missing: {}; .ci/run installs them",
                missing.join(", ")
            ),
            _ => {
                eprintln!(
                    "notice: skipping a browser test; missing {} (.ci/run installs them)",
                    missing.join(", ")
                );
                None
            }
        }
    }
}

fn required() -> bool {
    std::env::var("SELFSERVE_BROWSER_TESTS").is_ok_and(|v| v == "required")
}

/// `name` on the PATH, else the first of `usual` that exists.
fn program(name: &str, usual: &[&str]) -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    });
    on_path.or_else(|| usual.iter().map(PathBuf::from).find(|p| p.is_file()))
}

/// A running chromedriver; it and every browser it started are ended when dropped.
pub struct Driver {
    child: Child,
    addr: SocketAddr,
    /// Chromium's profile folder, fresh for each driver.
    profile: tempfile::TempDir,
    chromium: PathBuf,
}

impl Driver {
    /// Starts chromedriver on a free port and waits until it answers.
    pub fn start(tools: &Tools) -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let child = Command::new(&tools.chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group: dropping the driver ends Chromium too, even after a
            // panic left a session open.
            .process_group(0)
            .spawn()
            .expect("chromedriver starts");
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(addr).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        Driver {
            child,
            addr,
            profile: tempfile::tempdir().expect("a profile folder"),
            chromium: tools.chromium.clone(),
        }
    }

    /// A new headless Chromium session with its browser log on, in a profile of its own.
    pub async fn session(&self, name: &str) -> Session {
        let profile = self.profile.path().join(name);
        let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|a| (*a).to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        args.push("--window-size=1366,900".to_owned());
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": self.chromium, "args": args },
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!("an object literal")
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://{}", self.addr))
            .await
            .expect("a Chromium session");
        let id = client
            .session_id()
            .await
            .expect("session id")
            .expect("a session");
        Session {
            client,
            driver: self.addr,
            id,
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Only the group this driver started: chromedriver and its Chromium processes.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.child.wait();
    }
}

/// One browser session (a tab of headless Chromium).
pub struct Session {
    /// The WebDriver client.
    pub client: Client,
    driver: SocketAddr,
    id: String,
}

impl Session {
    /// A chromedriver command outside the W3C set (`goog/cdp/execute`, `se/log`), sent on
    /// its own connection.
    pub fn vendor_command(&self, command: &str, body: &Value) -> Value {
        let path = format!("/session/{}/{command}", self.id);
        let (status, answer) = post_json(self.driver, &path, body);
        assert_eq!(status, 200, "{command}: {answer}");
        answer["value"].clone()
    }

    /// A Chrome DevTools Protocol command on this tab.
    pub fn cdp(&self, method: &str, params: Value) -> Value {
        self.vendor_command(
            "goog/cdp/execute",
            &json!({ "cmd": method, "params": params }),
        )
    }

    /// Emulates `prefers-color-scheme: dark` (or light) for every page from now on.
    pub fn set_dark(&self, dark: bool) {
        let scheme = if dark { "dark" } else { "light" };
        self.cdp(
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
        );
    }

    /// Makes the viewport `width` × `height` CSS pixels (any width, unlike a window).
    pub fn set_viewport(&self, width: u32, height: u32) {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": false }),
        );
    }

    /// The browser log entries since the last call (console errors, failed loads).
    pub fn browser_log(&self) -> Vec<Value> {
        match self.vendor_command("se/log", &json!({ "type": "browser" })) {
            Value::Array(entries) => entries,
            _ => Vec::new(),
        }
    }

    /// Ends the session (and its Chromium).
    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}

/// One JSON POST to chromedriver: its status and JSON answer. Chromedriver keeps connections
/// open whatever the request says, so the body is read by its `Content-Length`.
fn post_json(driver: SocketAddr, path: &str, body: &Value) -> (u16, Value) {
    let body = body.to_string();
    let mut stream = TcpStream::connect(driver).expect("connect to chromedriver");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("set a timeout");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {driver}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream
        .write_all(format!("{head}{body}").as_bytes())
        .expect("send to chromedriver");
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).expect("a status line");
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let mut length = 0;
    loop {
        line.clear();
        reader.read_line(&mut line).expect("a header line");
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut answer = vec![0; length];
    reader.read_exact(&mut answer).expect("the answer");
    let answer = serde_json::from_slice(&answer).unwrap_or(Value::Null);
    (status, answer)
}
