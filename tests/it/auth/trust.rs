//! Issue 13's account holes, each closed: API tokens cannot manage the account, sign-in
//! guessing is limited per client (never a lockout of the owner), every spelling of a name is
//! one account, the SSO header authenticates per request and stays apart from local accounts
//! with passwords, and the security headers (`WWW-Authenticate`, HSTS, Permissions-Policy).

use selfserve::store::{UserName, UserSource};

use super::browser::*;
use crate::support::TestApp;

/// The training fixture behind a trusted proxy on loopback: `X-Forwarded-For` names the
/// client, `X-Forwarded-Proto` says whether the browser used HTTPS.
fn behind_proxy(extra: &str) -> TestApp {
    app_with_auth(&format!("trusted_proxies = [\"127.0.0.1\"]\n{extra}"))
}

fn behind_sso(extra: &str) -> TestApp {
    behind_proxy(&format!("proxy_header = \"X-Forwarded-Email\"\n{extra}"))
}

fn uname(s: &str) -> UserName {
    UserName::parse(s).expect("name")
}

#[test]
fn api_tokens_are_refused_on_every_account_route() {
    let app = app();
    add_user(&app, "ada", false, Some("pw"));
    let token = token_for(&app, "ada");
    let auth = format!("Bearer {token}");
    let id = app.state.store.list_tokens(&uname("ada")).expect("tokens")[0]
        .id
        .to_string();
    let patterns: Vec<String> = crate::routes::registered_patterns()
        .into_iter()
        .filter(|p| p == "/account" || p.starts_with("/account/"))
        .collect();
    for known in ["/account", "/account/tokens", "/account/tokens/{id}/revoke"] {
        assert!(patterns.iter().any(|p| p == known), "{known}: {patterns:?}");
    }
    // Every account route, by both methods (and one not yet written), with a valid token.
    let mut paths: Vec<String> = patterns.iter().map(|p| p.replace("{id}", &id)).collect();
    paths.push("/account/password".to_owned());
    for path in &paths {
        for method in ["GET", "POST"] {
            let body = b"label=minted";
            let res = app.request(
                method,
                path,
                &[
                    ("Authorization", &auth),
                    ("Content-Type", "application/x-www-form-urlencoded"),
                ],
                body,
            );
            assert_eq!(res.status, 403, "{method} {path}: {}", res.body);
            assert!(
                res.body.contains("An API token cannot manage the account"),
                "{method} {path}: {}",
                res.body
            );
        }
    }
    // Nothing was minted, nothing revoked: the one token still works.
    let tokens = app.state.store.list_tokens(&uname("ada")).expect("tokens");
    assert_eq!(tokens.len(), 1);
    assert!(tokens[0].revoked_at.is_none());
    assert_eq!(
        app.get_with("/my/training", &[("Authorization", &auth)])
            .status,
        200
    );
    // The browser session still manages tokens.
    let me = sign_in(&app, "ada", "pw");
    let created = app.post_form(
        "/account/tokens",
        &format!("csrf={}&label=laptop", me.csrf),
        &me.headers(),
    );
    assert_eq!(created.status, 200, "{}", created.body);
    assert_eq!(
        app.state.store.list_tokens(&uname("ada")).expect("t").len(),
        2
    );
}

#[test]
fn failures_from_one_client_do_not_stop_the_owner_at_another() {
    let app = behind_proxy("");
    add_user(&app, "ada", true, Some("right"));
    for _ in 0..6 {
        let res = post_sign_in_from(&app, "203.0.113.1", "ada", "wrong");
        assert!(matches!(res.status, 401 | 429), "{}", res.status);
    }
    // The guessing client is refused, even with the right password, for a while.
    let limited = post_sign_in_from(&app, "203.0.113.1", "ada", "right");
    assert_eq!(limited.status, 429, "{}", limited.body);
    let wait: i64 = limited
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in seconds");
    assert!((1..=900).contains(&wait), "{wait}");
    assert!(
        limited
            .body
            .contains("Too many failed sign-ins from this address"),
        "{}",
        limited.body
    );
    assert!(set_cookie(&limited, "selfserve_session").is_none());
    // The owner, elsewhere, signs in.
    let owner = post_sign_in_from(&app, "198.51.100.7", "ada", "right");
    assert_eq!(owner.status, 303, "{}", owner.body);
    assert!(set_cookie(&owner, "selfserve_session").is_some());
}

#[test]
fn every_spelling_of_a_name_is_one_account_and_one_counter() {
    let app = behind_proxy("");
    add_user(&app, "alice", false, Some("right"));
    // Five failures spelled five ways: one counter for this client.
    for spelling in ["Alice", "%20ALICE%20", "alice+", "aLiCe", "ALICE"] {
        let res = post_sign_in_from(&app, "203.0.113.1", spelling, "wrong");
        assert_eq!(res.status, 401, "{spelling}: {}", res.body);
    }
    let limited = post_sign_in_from(&app, "203.0.113.1", "alice", "right");
    assert_eq!(limited.status, 429, "{}", limited.body);
    // From another client, " ALICE " is alice.
    let res = post_sign_in_from(&app, "198.51.100.7", "%20ALICE%20", "right");
    assert_eq!(res.status, 303, "{}", res.body);
    let session = cookie_value(&res, "selfserve_session").expect("session");
    let page = app.get_with(
        "/account",
        &[("Cookie", &format!("selfserve_session={session}"))],
    );
    assert!(
        page.body
            .contains(r#"class="viewer-name" href="/account">alice</a>"#),
        "{}",
        page.body
    );
    // One account, whatever the spelling: adding another is refused.
    let err = app
        .state
        .store
        .create_user(&uname(" Alice "), false, None)
        .expect_err("duplicate");
    assert!(
        err.to_string()
            .contains("a user named alice already exists")
    );
    assert_eq!(app.state.store.list_users().expect("users").len(), 1);
}

#[test]
fn the_sso_header_authenticates_per_request_without_storing_sessions() {
    let app = behind_sso("");
    for _ in 0..200 {
        let res = app.get_with("/my/training", &[("X-Forwarded-Email", "sso@example.com")]);
        assert_eq!(res.status, 200, "{}", res.body);
        assert!(set_cookie(&res, "selfserve_session").is_none());
    }
    assert_eq!(app.state.store.session_count().expect("count"), 0);
    let users = app.state.store.list_users().expect("users");
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].source, UserSource::Proxy);
    // Forms still work: the page's token is the double-submit CSRF cookie it hands out.
    let page = app.get_with("/account", &[("X-Forwarded-Email", "sso@example.com")]);
    assert_eq!(page.status, 200, "{}", page.body);
    let csrf = csrf_in(&page.body).expect("a form token");
    let cookie = format!(
        "selfserve_csrf={}",
        cookie_value(&page, "selfserve_csrf").expect("CSRF cookie")
    );
    let headers = [
        ("X-Forwarded-Email", "sso@example.com"),
        ("Cookie", cookie.as_str()),
    ];
    let created = app.post_form(
        "/account/tokens",
        &format!("csrf={csrf}&label=laptop"),
        &headers,
    );
    assert_eq!(created.status, 200, "{}", created.body);
    let forged = app.post_form("/account/tokens", "csrf=guess&label=x", &headers);
    assert_eq!(forged.status, 403);
    assert_eq!(
        app.state
            .store
            .list_tokens(&uname("sso@example.com"))
            .expect("t")
            .len(),
        1
    );
    assert_eq!(app.state.store.session_count().expect("count"), 0);
}

#[test]
fn the_sso_header_sent_twice_is_refused() {
    let app = behind_sso("");
    let res = app.get_with(
        "/my/training",
        &[
            ("X-Forwarded-Email", "alice@example.com"),
            ("X-Forwarded-Email", "mallory@example.com"),
        ],
    );
    assert_eq!(res.status, 400, "{}", res.body);
    assert!(res.body.contains("more than once"), "{}", res.body);
    let api = app.get_with(
        "/api/v1/modules/basics",
        &[
            ("X-Forwarded-Email", "a@x.org"),
            ("X-Forwarded-Email", "a@x.org"),
        ],
    );
    assert_eq!(api.status, 400);
    assert!(api.error().contains("more than once"), "{}", api.body);
    assert!(app.state.store.list_users().expect("users").is_empty());
}

#[test]
fn sso_names_stay_apart_from_local_accounts_with_passwords_unless_linked() {
    let app = behind_sso("");
    add_user(&app, "alice", true, Some("admin password"));
    let res = app.get_with("/my/training", &[("X-Forwarded-Email", "alice")]);
    assert_eq!(res.status, 403, "{}", res.body);
    assert!(res.body.contains("link_local_accounts"), "{}", res.body);
    assert!(!res.body.contains(r#"href="/account">alice</a>"#));
    let api = app.get_with(
        "/api/v1/learners/alice/qualifications",
        &[("X-Forwarded-Email", " ALICE ")],
    );
    assert_eq!(api.status, 403, "{}", api.body);
    // An account an admin made for SSO (no password) is the proxy's user of that name.
    add_user(&app, "bob", false, None);
    let bob = app.get_with("/my/training", &[("X-Forwarded-Email", "bob")]);
    assert_eq!(bob.status, 200, "{}", bob.body);
    assert_eq!(app.state.store.list_users().expect("users").len(), 2);

    // The admin links them in site.toml.
    let linked = behind_sso("link_local_accounts = true\n");
    add_user(&linked, "alice", true, Some("admin password"));
    let res = linked.get_with("/my/training", &[("X-Forwarded-Email", "alice")]);
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(
        res.body.contains(r#"href="/account">alice</a>"#),
        "{}",
        res.body
    );
}

#[test]
fn every_401_carries_a_challenge() {
    let app = app_with_auth("");
    add_user(&app, "ada", false, Some("pw"));
    let anonymous_api = app.post_json(
        "/api/v1/modules/basics/attempts",
        &serde_json::json!({"answers": [[0], [0]]}),
        &[],
    );
    let wrong_password = post_sign_in(&app, "ada", "wrong", None);
    let bad_token_page = app.get_with("/docs/guides/hello", &[("Authorization", "Bearer ss_nope")]);
    let bad_token_api = app.get_with("/api/v1/modules/basics", &[("Authorization", "Bearer x")]);
    let closed = app_with_auth("require_sign_in = true\n");
    let closed_api = closed.get("/api/v1/modules/basics");
    for (what, res) in [
        ("anonymous API write", &anonymous_api),
        ("wrong password", &wrong_password),
        ("bad token, page", &bad_token_page),
        ("bad token, API", &bad_token_api),
        ("require_sign_in, API", &closed_api),
    ] {
        assert_eq!(res.status, 401, "{what}: {}", res.body);
        let challenge = res.header("www-authenticate").unwrap_or_default();
        assert!(challenge.starts_with("Bearer"), "{what}: {challenge:?}");
    }
    assert!(
        bad_token_api
            .header("www-authenticate")
            .is_some_and(|h| h.contains("invalid_token"))
    );
}

#[test]
fn hsts_over_https_and_a_permissions_policy_everywhere() {
    let app = behind_proxy("");
    let https = [("X-Forwarded-Proto", "https")];
    for path in ["/", "/docs/guides/hello", "/sign-in", "/no/such/page"] {
        let res = app.get_with(path, &https);
        assert_eq!(
            res.header("strict-transport-security"),
            Some("max-age=31536000"),
            "{path}"
        );
        let plain = app.get(path);
        assert_eq!(plain.header("strict-transport-security"), None, "{path}");
    }
    // From an untrusted peer, X-Forwarded-Proto proves nothing.
    let untrusted = app_with_auth("");
    assert_eq!(
        untrusted
            .get_with("/", &https)
            .header("strict-transport-security"),
        None
    );
    for path in [
        "/",
        "/docs/guides/hello",
        "/static/style.css",
        "/api/v1/modules/basics",
        "/healthz",
        "/no/such/page",
    ] {
        let policy = app.get(path);
        let policy = policy.header("permissions-policy").unwrap_or_default();
        for feature in ["camera=()", "microphone=()", "geolocation=()"] {
            assert!(policy.contains(feature), "{path}: {policy:?}");
        }
    }
}
