//! Sign-in through a real OpenID provider: panva's `oidc-provider` (npm, pinned in
//! `tests/oidc-provider/package-lock.json`, run with Node) on a free port, and the real server
//! configured for it, driven over HTTP like a browser (a cookie jar per host, redirects
//! followed by hand, the provider's login and consent forms submitted).
//!
//! They need `node` and `npm ci` in `tests/oidc-provider`, which `.ci/run` does. Without them
//! each test prints a notice and passes (a fresh clone's `cargo test`), unless
//! `SELFSERVE_OIDC_TESTS=required`.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use selfserve::oidc::{Oidc, OidcSettings};
use selfserve::store::{UserName, UserSource};
use selfserve::web::auth::start_oidc;

use crate::auth::{add_user, csrf_in};
use crate::support::{Response, TestApp, request_to, user_named};

const CLIENT_ID: &str = "selfserve-test";
const CLIENT_SECRET: &str = "a secret shared with the test provider";
const ADMIN_GROUP: &str = "kb-admins";

fn required() -> bool {
    std::env::var("SELFSERVE_OIDC_TESTS").is_ok_and(|v| v == "required")
}

fn provider_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oidc-provider")
}

/// A running `oidc-provider`; stopped when dropped.
struct Provider {
    issuer: String,
    child: Child,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Provider {
    /// Starts the provider, or `None` after a notice when Node or its packages are missing
    /// (a panic when the tests are required).
    fn start() -> Option<Self> {
        let dir = provider_dir();
        let installed = dir
            .join("node_modules/oidc-provider/package.json")
            .is_file();
        let node = Command::new("node")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !(installed && node) {
            let missing = if node {
                "tests/oidc-provider/node_modules (run `npm ci` there)"
            } else {
                "node"
            };
            assert!(
                !required(),
                "SELFSERVE_OIDC_TESTS=required but {missing} is missing; .ci/run installs it"
            );
            eprintln!("notice: skipping an OpenID Connect test; missing {missing}");
            return None;
        }
        let tmp = tempfile::tempdir().expect("temp dir");
        let log = tmp.path().join("provider.log");
        let groups = serde_json::json!({ "grace": ["staff", ADMIN_GROUP], "ada": ["staff"] });
        let mut child = Command::new("node")
            .arg("provider.js")
            .current_dir(&dir)
            .env("CLIENT_ID", CLIENT_ID)
            .env("CLIENT_SECRET", CLIENT_SECRET)
            .env("ACCOUNT_GROUPS", groups.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).expect("provider log"))
            .spawn()
            .expect("node starts");
        let mut first = String::new();
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut reader = BufReader::new(stdout);
        reader
            .read_line(&mut first)
            .expect("read the provider's issuer");
        // Whatever else it prints is read and dropped: a closed pipe would end it (EPIPE).
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        let issuer = first.trim().to_owned();
        assert!(
            issuer.starts_with("http://127.0.0.1:"),
            "the provider did not start: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        Some(Self {
            issuer,
            child,
            log,
            _dir: tmp,
        })
    }

    fn addr(&self) -> SocketAddr {
        host_and_path(&self.issuer).0
    }

    /// How the token endpoint hands out later ID tokens (see provider.js).
    fn set_mode(&self, query: &str) {
        let res = request_to(
            self.addr(),
            "POST",
            &format!("/test/mode?{query}"),
            &[],
            b"",
        );
        assert_eq!(res.status, 204, "{}", res.body);
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!(
                "provider log:\n{}",
                std::fs::read_to_string(&self.log).unwrap_or_default()
            );
        }
    }
}

/// The settings selfserve runs with for `provider`, its callback on `addr`.
fn settings(issuer: &str, addr: SocketAddr) -> OidcSettings {
    OidcSettings {
        issuer: issuer.to_owned(),
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        redirect_url: format!("http://{addr}/sign-in/oidc/callback"),
        admin_group: Some(ADMIN_GROUP.into()),
        groups_claim: "groups".into(),
        provider_name: "Test ID".into(),
    }
}

/// The training fixture served with sign-in through `issuer`. Its callback names its own
/// port, so the port is chosen first (again, should another process take it meanwhile).
fn app_for(issuer: &str) -> TestApp {
    for _ in 0..5 {
        let addr = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port");
        let settings = settings(issuer, addr);
        if let Some(app) = TestApp::start_adjusted_at("training", addr, |state| {
            state.oidc = Some(start_oidc(settings));
        }) {
            return app;
        }
    }
    panic!("no free port for the server");
}

/// `host:port` and path of an `http://` URL.
fn host_and_path(url: &str) -> (SocketAddr, String) {
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    (host.parse().expect("host:port"), path.to_owned())
}

/// A browser: cookies kept per host and port (paths ignored: sending a cookie to more
/// pages of its own host changes nothing here), redirects followed by the caller.
#[derive(Default)]
struct Browser {
    jar: HashMap<SocketAddr, BTreeMap<String, String>>,
}

impl Browser {
    fn request(&mut self, method: &str, url: &str, body: Option<&str>) -> Response {
        let (addr, path) = host_and_path(url);
        let cookies = self
            .jar
            .get(&addr)
            .map(|c| {
                c.iter()
                    .map(|(n, v)| format!("{n}={v}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default();
        let origin = format!("http://{addr}");
        let mut headers = vec![("Accept", "text/html")];
        if !cookies.is_empty() {
            headers.push(("Cookie", cookies.as_str()));
        }
        if body.is_some() {
            headers.push(("Content-Type", "application/x-www-form-urlencoded"));
            headers.push(("Origin", origin.as_str()));
        }
        let res = request_to(addr, method, &path, &headers, body.unwrap_or("").as_bytes());
        let jar = self.jar.entry(addr).or_default();
        for (_, set) in res.headers.iter().filter(|(n, _)| n == "set-cookie") {
            let pair = set.split(';').next().unwrap_or_default();
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            let lower = set.to_ascii_lowercase();
            let gone = value.is_empty()
                || lower.contains("max-age=0")
                || lower.contains("expires=thu, 01 jan 1970");
            if gone {
                jar.remove(name.trim());
            } else {
                jar.insert(name.trim().to_owned(), value.trim().to_owned());
            }
        }
        res
    }

    fn get(&mut self, url: &str) -> Response {
        self.request("GET", url, None)
    }

    fn post(&mut self, url: &str, body: &str) -> Response {
        self.request("POST", url, Some(body))
    }

    fn has_cookie(&self, addr: SocketAddr, name: &str) -> bool {
        self.jar.get(&addr).is_some_and(|c| c.contains_key(name))
    }
}

/// The absolute URL of a redirect from `from`.
fn location(from: &str, res: &Response) -> String {
    let to = res
        .header("location")
        .unwrap_or_else(|| panic!("no Location in a {} from {from}: {}", res.status, res.body));
    if to.starts_with("http://") || to.starts_with("https://") {
        return to.to_owned();
    }
    let (addr, _) = host_and_path(from);
    format!("http://{addr}{to}")
}

/// The `action` of the form holding `marker` in `body`, made absolute.
fn form_action(from: &str, body: &str, marker: &str) -> String {
    let mark = body.find(marker).expect("the marker");
    let at = body[..mark].rfind("<form").unwrap_or(mark);
    let start = body[at..].find("action=\"").expect("a form action") + at + "action=\"".len();
    let end = body[start..].find('"').expect("end of the action") + start;
    let action = body[start..end].replace("&amp;", "&");
    if action.starts_with("http") {
        return action;
    }
    let (addr, _) = host_and_path(from);
    format!("http://{addr}{action}")
}

fn hidden(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body.find(&marker).expect("the hidden field") + marker.len();
    let end = body[start..].find('"').expect("end of the value") + start;
    body[start..end].to_owned()
}

fn url(app: &TestApp, path: &str) -> String {
    format!("http://{}{path}", app.addr)
}

/// Follows the browser from `start` through the provider's screens as `login` (any password
/// works there) until the provider sends it back to selfserve's callback, whose URL this
/// returns unopened. Screens the provider skips (a session it already has) are skipped.
fn through_provider(browser: &mut Browser, app: &TestApp, start: &str, login: &str) -> String {
    let callback = url(app, "/sign-in/oidc/callback");
    let mut at = start.to_owned();
    for _ in 0..20 {
        if at.starts_with(&callback) {
            return at;
        }
        let res = browser.get(&at);
        at = match res.status {
            302 | 303 => location(&at, &res),
            200 if res.body.contains(r#"name="login""#) => {
                let action = form_action(&at, &res.body, r#"value="login""#);
                let posted = browser.post(
                    &action,
                    &format!("prompt=login&login={login}&password=anything"),
                );
                location(&action, &posted)
            }
            200 if res.body.contains(r#"value="consent""#) => {
                let action = form_action(&at, &res.body, r#"value="consent""#);
                let posted = browser.post(&action, "prompt=consent");
                location(&action, &posted)
            }
            _ => panic!("unexpected {} at {at}: {}", res.status, res.body),
        };
    }
    panic!("the provider never sent the browser back");
}

/// Opens `/sign-in/oidc?next=…` and goes through the provider: the callback URL.
fn to_callback(browser: &mut Browser, app: &TestApp, login: &str, next: &str) -> String {
    let start = url(app, &format!("/sign-in/oidc?next={next}"));
    let res = browser.get(&start);
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(browser.has_cookie(app.addr, "selfserve_oidc_login"));
    let to_provider = location(&start, &res);
    through_provider(browser, app, &to_provider, login)
}

/// Signs `login` in all the way: the callback's answer.
fn sign_in(browser: &mut Browser, app: &TestApp, login: &str, next: &str) -> Response {
    let callback = to_callback(browser, app, login, next);
    browser.get(&callback)
}

fn signed_out(browser: &mut Browser, app: &TestApp) -> bool {
    let res = browser.get(&url(app, "/account"));
    res.status == 303
        && res
            .header("location")
            .is_some_and(|l| l.starts_with("/sign-in"))
}

#[test]
fn signing_in_through_the_provider_makes_a_session_and_admin_follows_the_group() {
    let Some(provider) = Provider::start() else {
        return;
    };
    let app = app_for(&provider.issuer);

    let mut browser = Browser::default();
    let page = browser.get(&url(&app, "/sign-in?next=/account"));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Sign in with Test ID"), "{}", page.body);
    assert!(
        page.body
            .contains(r#"href="/sign-in/oidc?next=%2Faccount""#),
        "{}",
        page.body
    );

    // ada was made an admin by hand; the provider's groups say she is not, and they win.
    add_user(&app, "ada", true, None);
    let res = sign_in(&mut browser, &app, "ada", "/account");
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.header("location"), Some("/account"));
    assert!(browser.has_cookie(app.addr, "selfserve_session"));
    assert!(
        !browser.has_cookie(app.addr, "selfserve_oidc_login"),
        "the pending sign-in is used up"
    );
    let account = browser.get(&url(&app, "/account"));
    assert_eq!(account.status, 200);
    assert!(account.body.contains("ada"), "{}", account.body);
    assert_eq!(browser.get(&url(&app, "/admin/qualifications")).status, 403);
    assert!(!user_named(&app.state.store, "ada").is_admin);

    // grace is in the admin group: an account made on first sight, an admin.
    let mut other = Browser::default();
    let res = sign_in(&mut other, &app, "grace", "/admin/qualifications");
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.header("location"), Some("/admin/qualifications"));
    assert_eq!(other.get(&url(&app, "/admin/qualifications")).status, 200);
    let grace = user_named(&app.state.store, "grace");
    assert!(grace.is_admin);
    assert_eq!(grace.source, UserSource::Proxy);
    assert!(!grace.has_password);
    assert_eq!(grace.email.as_deref(), Some("grace@example.test"));

    // A `next` off the site is not followed.
    let mut third = Browser::default();
    let res = sign_in(&mut third, &app, "ada", "https%3A%2F%2Fevil.example%2F");
    assert_eq!(res.header("location"), Some("/"));
}

#[test]
fn signing_out_ends_the_session_here_and_at_the_provider() {
    let Some(provider) = Provider::start() else {
        return;
    };
    let app = app_for(&provider.issuer);
    let mut browser = Browser::default();
    assert_eq!(sign_in(&mut browser, &app, "ada", "/account").status, 303);
    let account = browser.get(&url(&app, "/account"));
    let csrf = csrf_in(&account.body).expect("the sign-out form's token");

    let res = browser.post(&url(&app, "/sign-out"), &format!("csrf={csrf}"));
    assert_eq!(res.status, 303, "{}", res.body);
    let end_session = location(&url(&app, "/sign-out"), &res);
    assert!(
        end_session.starts_with(&format!("{}/session/end?", provider.issuer)),
        "{end_session}"
    );
    assert!(end_session.contains("id_token_hint="), "{end_session}");
    assert!(
        end_session.contains("post_logout_redirect_uri="),
        "{end_session}"
    );
    assert!(
        signed_out(&mut browser, &app),
        "the local session has ended"
    );

    // The provider asks to confirm, then sends the browser back to the site.
    let confirm = browser.get(&end_session);
    assert_eq!(confirm.status, 200, "{}", confirm.body);
    let action = form_action(&end_session, &confirm.body, "op.logoutForm");
    let xsrf = hidden(&confirm.body, "xsrf");
    let done = browser.post(&action, &format!("xsrf={xsrf}&logout=yes"));
    assert_eq!(done.status, 303, "{}", done.body);
    let back = location(&action, &done);
    assert!(back.starts_with(&url(&app, "/")), "{back}");

    // The provider's session is over too: signing in again asks for the login.
    let start = url(&app, "/sign-in/oidc");
    let mut at = location(&start, &browser.get(&start));
    let login_page = loop {
        let res = browser.get(&at);
        if res.status == 200 {
            break res;
        }
        at = location(&at, &res);
    };
    assert!(
        login_page.body.contains(r#"name="login""#),
        "{}",
        login_page.body
    );
}

#[test]
fn a_changed_state_or_code_is_refused() {
    let Some(provider) = Provider::start() else {
        return;
    };
    let app = app_for(&provider.issuer);
    let mut browser = Browser::default();
    let callback = to_callback(&mut browser, &app, "ada", "/account");

    let changed_state = callback.replacen("state=", "state=x", 1);
    let res = browser.get(&changed_state);
    assert_eq!(res.status, 400, "{}", res.body);
    assert!(res.body.contains("its state differs"), "{}", res.body);
    assert!(signed_out(&mut browser, &app));

    let changed_code = callback.replacen("code=", "code=x", 1);
    let res = browser.get(&changed_code);
    assert_eq!(res.status, 400, "{}", res.body);
    assert!(
        res.body.contains("refused to complete this sign-in"),
        "{}",
        res.body
    );
    assert!(signed_out(&mut browser, &app));

    // Without the browser's pending sign-in (another browser), the same answer is refused.
    let mut stranger = Browser::default();
    let res = stranger.get(&callback);
    assert_eq!(res.status, 400, "{}", res.body);
    assert!(res.body.contains("no sign-in under way"), "{}", res.body);

    // The answer as the provider sent it still works: the refusals were for the changes.
    let res = browser.get(&callback);
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(!signed_out(&mut browser, &app));

    // A provider's refusal is a page saying so.
    let res = browser.get(&url(
        &app,
        "/sign-in/oidc/callback?error=access_denied&error_description=not+allowed",
    ));
    assert_eq!(res.status, 403, "{}", res.body);
    assert!(res.body.contains("access_denied"), "{}", res.body);
}

#[test]
fn a_tampered_or_expired_id_token_is_refused() {
    let Some(provider) = Provider::start() else {
        return;
    };
    let app = app_for(&provider.issuer);

    // One byte of the signature changed on its way from the token endpoint.
    provider.set_mode("tamper=1");
    let mut browser = Browser::default();
    let res = sign_in(&mut browser, &app, "ada", "/account");
    assert_eq!(res.status, 403, "{}", res.body);
    assert!(
        res.body
            .contains("ID token from the OpenID provider was refused"),
        "{}",
        res.body
    );
    assert!(signed_out(&mut browser, &app));
    assert!(
        app.state
            .store
            .find_user(&UserName::parse("ada").expect("name"))
            .expect("read")
            .is_none(),
        "no account is made from a refused token"
    );

    // Issued for one second and delivered after two.
    provider.set_mode("ttl=1&delay=2000");
    let mut browser = Browser::default();
    let res = sign_in(&mut browser, &app, "ada", "/account");
    assert_eq!(res.status, 403, "{}", res.body);
    assert!(res.body.to_lowercase().contains("expired"), "{}", res.body);
    assert!(signed_out(&mut browser, &app));

    // The same provider, tokens untouched: signed in.
    provider.set_mode("");
    let mut browser = Browser::default();
    assert_eq!(sign_in(&mut browser, &app, "ada", "/account").status, 303);
    assert!(!signed_out(&mut browser, &app));
}

#[test]
fn a_local_account_with_a_password_is_not_taken_over() {
    let Some(provider) = Provider::start() else {
        return;
    };
    let app = app_for(&provider.issuer);
    add_user(&app, "ada", false, Some("correct horse battery"));
    let mut browser = Browser::default();
    let res = sign_in(&mut browser, &app, "ada", "/account");
    assert_eq!(res.status, 403, "{}", res.body);
    assert!(
        res.body.contains("local account with a password"),
        "{}",
        res.body
    );
    assert!(signed_out(&mut browser, &app));
}

#[test]
fn a_provider_that_cannot_be_reached_is_a_sentence() {
    // Nothing listens here (the port was free a moment ago).
    let addr = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port");
    let issuer = format!("http://{addr}");
    let oidc = Oidc::new(settings(&issuer, addr));
    let said = oidc
        .discover()
        .expect_err("nothing to discover")
        .to_string();
    assert!(
        said.contains(&issuer) && said.contains("check oidc_issuer"),
        "{said}"
    );

    // A server that is not an OpenID provider (this very site): a sentence too.
    let app = TestApp::start("training");
    let not_a_provider = format!("http://{}", app.addr);
    let said = Oidc::new(settings(&not_a_provider, addr))
        .discover()
        .expect_err("no discovery document")
        .to_string();
    assert!(said.contains("cannot be used"), "{said}");

    // The server starts all the same; a sign-in says what is wrong and what to do.
    let app = app_for(&issuer);
    let res = app.get("/sign-in/oidc");
    assert_eq!(res.status, 503, "{}", res.body);
    assert!(
        res.body.contains("Try again in a few minutes"),
        "{}",
        res.body
    );
}
