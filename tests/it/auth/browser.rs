//! Test helpers for signed-in requests: accounts and tokens straight from the store, the
//! sign-in form driven like a browser (CSRF cookie, hidden field, session cookie).

use selfserve::store::UserName;

use crate::support::{Response, TestApp};

/// The fixture with modules, a no-quiz module and two paths.
pub fn app() -> TestApp {
    TestApp::start("training")
}

/// The training fixture with `auth` settings appended to its site.toml.
pub fn app_with_auth(auth: &str) -> TestApp {
    let auth = auth.to_owned();
    TestApp::start_with("training", move |content| {
        let path = content.join("site.toml");
        let mut text = std::fs::read_to_string(&path).expect("site.toml");
        text.push_str("\n[auth]\n");
        text.push_str(&auth);
        std::fs::write(&path, text).expect("write site.toml");
    })
}

/// Creates an account directly in the store.
pub fn add_user(app: &TestApp, name: &str, admin: bool, password: Option<&str>) {
    let name = UserName::parse(name).expect("valid name");
    app.state
        .store
        .create_user(&name, admin, password)
        .expect("create user");
}

/// A fresh API token for `name`.
pub fn token_for(app: &TestApp, name: &str) -> String {
    let name = UserName::parse(name).expect("valid name");
    app.state
        .store
        .create_token(&name, "test")
        .expect("create token")
        .1
}

/// The value of the cookie `name` a response sets, with its attributes.
pub fn set_cookie<'a>(res: &'a Response, name: &str) -> Option<&'a str> {
    res.headers
        .iter()
        .filter(|(n, _)| n == "set-cookie")
        .map(|(_, v)| v.as_str())
        .find(|v| v.starts_with(&format!("{name}=")))
}

/// Just the cookie's value.
pub fn cookie_value(res: &Response, name: &str) -> Option<String> {
    set_cookie(res, name).map(|c| {
        c.split(';')
            .next()
            .unwrap_or_default()
            .split_once('=')
            .map(|(_, v)| v.to_owned())
            .unwrap_or_default()
    })
}

/// The first `name="csrf"` hidden input's value on a page.
pub fn csrf_in(body: &str) -> Option<String> {
    let start = body.find(r#"name="csrf" value=""#)? + r#"name="csrf" value=""#.len();
    let len = body[start..].find('"')?;
    Some(body[start..start + len].to_owned())
}

/// A signed-in browser: its cookie header and its session's CSRF token.
#[derive(Debug, Clone)]
pub struct Browser {
    /// `selfserve_session=…`.
    pub cookie: String,
    /// The token its forms carry.
    pub csrf: String,
}

impl Browser {
    /// Headers that send the session cookie.
    pub fn headers(&self) -> [(&str, &str); 1] {
        [("Cookie", self.cookie.as_str())]
    }
}

/// The response to posting the sign-in form (after fetching it for its CSRF cookie).
pub fn post_sign_in(
    app: &TestApp,
    name: &str,
    password: &str,
    extra_cookie: Option<&str>,
) -> Response {
    post_sign_in_with(app, name, password, extra_cookie, &[])
}

/// Posts the sign-in form as the client `ip`, which a trusted proxy (`127.0.0.1` in
/// `trusted_proxies`) names in `X-Forwarded-For`.
pub fn post_sign_in_from(app: &TestApp, ip: &str, name: &str, password: &str) -> Response {
    post_sign_in_with(app, name, password, None, &[("X-Forwarded-For", ip)])
}

fn post_sign_in_with(
    app: &TestApp,
    name: &str,
    password: &str,
    extra_cookie: Option<&str>,
    extra_headers: &[(&str, &str)],
) -> Response {
    let page = match extra_cookie {
        Some(cookie) => app.get_with("/sign-in", &[("Cookie", cookie)]),
        None => app.get("/sign-in"),
    };
    let csrf = csrf_in(&page.body).expect("a CSRF field");
    let mut cookie = String::new();
    if let Some(anon) = cookie_value(&page, "selfserve_csrf") {
        assert_eq!(anon, csrf, "double-submit: the field echoes the cookie");
        cookie = format!("selfserve_csrf={anon}");
    }
    if let Some(extra) = extra_cookie {
        cookie.push_str("; ");
        cookie.push_str(extra);
    }
    let body = format!("name={name}&password={password}&csrf={csrf}&next=%2Fmy%2Ftraining");
    let mut headers = vec![("Cookie", cookie.as_str())];
    headers.extend_from_slice(extra_headers);
    app.post_form("/sign-in", &body, &headers)
}

/// Signs in through the form and returns the browser state.
pub fn sign_in(app: &TestApp, name: &str, password: &str) -> Browser {
    let res = post_sign_in(app, name, password, None);
    assert_eq!(res.status, 303, "{}", res.body);
    let token = cookie_value(&res, "selfserve_session").expect("a session cookie");
    let cookie = format!("selfserve_session={token}");
    let account = app.get_with("/account", &[("Cookie", &cookie)]);
    assert_eq!(account.status, 200, "{}", account.body);
    let csrf = csrf_in(&account.body).expect("the account page has forms");
    Browser { cookie, csrf }
}
