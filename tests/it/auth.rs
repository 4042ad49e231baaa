//! Accounts over HTTP: sign-in and its rate limit, session cookies, sign-out, CSRF and
//! cross-site refusals, API tokens, the trusted SSO proxy header, `require_sign_in`.
//! The helpers in `browser` are shared with the training tests.

mod browser;
mod trust;

pub use browser::*;
use selfserve::store::{UserName, UserSource};

use crate::support::user_named;

#[test]
fn the_right_password_signs_in_with_a_safe_session_cookie() {
    let app = app();
    add_user(&app, "ada", false, Some("correct horse"));
    let res = post_sign_in(&app, "ada", "correct+horse", None);
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.header("location"), Some("/my/training"));
    let cookie = set_cookie(&res, "selfserve_session").expect("session cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP from an untrusted peer: {cookie}"
    );
    let value = cookie_value(&res, "selfserve_session").expect("value");
    let page = app.get_with(
        "/my/training",
        &[("Cookie", &format!("selfserve_session={value}"))],
    );
    assert_eq!(page.status, 200);
    assert!(page.body.contains("My training"));
    assert!(
        page.body
            .contains(r#"class="viewer-name" href="/account">ada</a>"#),
        "{}",
        page.body
    );
}

#[test]
fn a_wrong_password_is_refused_without_a_session() {
    let app = app();
    add_user(&app, "ada", false, Some("right"));
    for (name, password) in [("ada", "wrong"), ("nobody", "right"), ("bad name", "x")] {
        let res = post_sign_in(&app, name, password, None);
        assert_eq!(res.status, 401, "{name}");
        assert!(set_cookie(&res, "selfserve_session").is_none());
        assert!(
            res.body.contains("The name or the password is wrong."),
            "{}",
            res.body
        );
    }
}

#[test]
fn repeated_failures_are_rate_limited_per_account_and_client_even_with_the_right_password() {
    let app = app();
    add_user(&app, "ada", false, Some("right"));
    for _ in 0..5 {
        assert_eq!(post_sign_in(&app, "ada", "wrong", None).status, 401);
    }
    let limited = post_sign_in(&app, "ada", "right", None);
    assert_eq!(limited.status, 429);
    let wait: i64 = limited
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("seconds");
    assert!((880..=900).contains(&wait), "{wait}");
    assert!(
        limited
            .body
            .contains("Too many failed sign-ins from this address; wait 15 minutes"),
        "{}",
        limited.body
    );
    assert!(set_cookie(&limited, "selfserve_session").is_none());
}

#[test]
fn repeated_failures_are_rate_limited_per_client() {
    let app = app();
    add_user(&app, "bob", false, Some("right"));
    for i in 0..20 {
        assert_eq!(
            post_sign_in(&app, &format!("guess{i}"), "x", None).status,
            401
        );
    }
    // A fresh account name, from the same address: still refused.
    assert_eq!(post_sign_in(&app, "bob", "right", None).status, 429);
}

#[test]
fn signing_in_rotates_the_session() {
    let app = app();
    add_user(&app, "ada", false, Some("pw"));
    let first = sign_in(&app, "ada", "pw");
    let res = post_sign_in(&app, "ada", "pw", Some(&first.cookie));
    assert_eq!(res.status, 303);
    let second = cookie_value(&res, "selfserve_session").expect("new cookie");
    assert_ne!(format!("selfserve_session={second}"), first.cookie);
    // The session the browser had before is over.
    let old = app.get_with("/account", &first.headers());
    assert_eq!(old.status, 303, "{}", old.body);
    assert!(set_cookie(&old, "selfserve_session").is_some_and(|c| c.contains("Max-Age=0")));
}

#[test]
fn sign_out_ends_the_session() {
    let app = app();
    add_user(&app, "ada", false, Some("pw"));
    let me = sign_in(&app, "ada", "pw");
    let res = app.post_form("/sign-out", &format!("csrf={}", me.csrf), &me.headers());
    assert_eq!(res.status, 303);
    assert_eq!(res.header("location"), Some("/"));
    assert!(set_cookie(&res, "selfserve_session").is_some_and(|c| c.contains("Max-Age=0")));
    let after = app.get_with("/my/training", &me.headers());
    assert_eq!(after.status, 303);
    assert_eq!(
        after.header("location"),
        Some("/sign-in?next=%2Fmy%2Ftraining")
    );
}

#[test]
fn forms_without_the_right_csrf_token_are_refused() {
    let app = app();
    add_user(&app, "ada", false, Some("pw"));
    let me = sign_in(&app, "ada", "pw");
    for body in [String::new(), "csrf=wrong".to_owned(), "csrf=".to_owned()] {
        let res = app.post_form("/sign-out", &body, &me.headers());
        assert_eq!(res.status, 403, "{body}");
        assert!(res.body.contains("This form has expired"), "{}", res.body);
        let res = app.post_form("/account/tokens", &format!("{body}&label=x"), &me.headers());
        assert_eq!(res.status, 403);
        let res = app.post_form(
            "/modules/basics/attempt",
            &format!("{body}&q0=0&q1=0&q1=2"),
            &me.headers(),
        );
        assert_eq!(res.status, 403);
    }
    // The sign-in form needs the anonymous token too (no login CSRF).
    let res = app.post_form("/sign-in", "name=ada&password=pw", &[]);
    assert_eq!(res.status, 403);
    assert!(app.state.store.attempt_count().expect("count") == 0);
}

#[test]
fn cross_site_posts_are_refused_even_with_a_valid_token() {
    let app = app();
    add_user(&app, "ada", false, Some("pw"));
    let me = sign_in(&app, "ada", "pw");
    let body = format!("csrf={}", me.csrf);
    let cookie = me.cookie.as_str();
    for header in [
        ("Origin", "https://evil.example"),
        ("Sec-Fetch-Site", "cross-site"),
        ("Origin", "null"),
    ] {
        let res = app.post_form("/sign-out", &body, &[("Cookie", cookie), header]);
        assert_eq!(res.status, 403, "{header:?}");
        assert!(res.body.contains("came from another site"), "{}", res.body);
    }
    let json = app.post_json(
        "/api/v1/modules/basics/attempts",
        &serde_json::json!({"answers": [[0], [0, 2]]}),
        &[("Cookie", cookie), ("Origin", "https://evil.example")],
    );
    assert_eq!(json.status, 403);
    assert!(json.json()["error"].is_string());
    // Same origin passes.
    let origin = format!("http://{}", app.addr);
    let ok = app.post_form(
        "/sign-out",
        &body,
        &[
            ("Cookie", cookie),
            ("Origin", &origin),
            ("Sec-Fetch-Site", "same-origin"),
        ],
    );
    assert_eq!(ok.status, 303);
}

#[test]
fn bearer_tokens_work_on_pages_and_the_api_until_revoked() {
    let app = app();
    add_user(&app, "bot", false, None);
    let token = token_for(&app, "bot");
    let auth = format!("Bearer {token}");
    let page = app.get_with("/my/training", &[("Authorization", &auth)]);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("bot"));
    let api = app.post_json(
        "/api/v1/modules/basics/attempts",
        &serde_json::json!({"answers": [[0], [0, 2]]}),
        &[
            ("Authorization", &auth),
            ("Origin", "https://elsewhere.example"),
        ],
    );
    assert_eq!(
        api.status, 200,
        "a token needs no CSRF or origin check: {}",
        api.body
    );
    let name = UserName::parse("bot").expect("name");
    let id = app.state.store.list_tokens(&name).expect("tokens")[0].id;
    app.state.store.revoke_token(id).expect("revoke");
    let page = app.get_with("/my/training", &[("Authorization", &auth)]);
    assert_eq!(page.status, 401);
    let api = app.get_with("/api/v1/modules/basics", &[("Authorization", &auth)]);
    assert_eq!(api.status, 401);
    assert!(api.error().contains("revoked"), "{}", api.body);
    assert!(
        api.header("www-authenticate")
            .is_some_and(|h| h.contains("invalid_token"))
    );
    let garbage = app.get_with("/", &[("Authorization", "Bearer nonsense")]);
    assert_eq!(garbage.status, 401);
}

#[test]
fn the_account_page_creates_shows_once_and_revokes_tokens() {
    let app = app();
    add_user(&app, "ada", false, Some("pw"));
    let me = sign_in(&app, "ada", "pw");
    let created = app.post_form(
        "/account/tokens",
        &format!("csrf={}&label=laptop", me.csrf),
        &me.headers(),
    );
    assert_eq!(created.status, 200);
    let start = created.body.find("ss_").expect("the new token is shown");
    let token: String = created.body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    assert_eq!(token.len(), 67, "{token}");
    let again = app.get_with("/account", &me.headers());
    assert!(!again.body.contains(&token), "shown only once");
    assert!(again.body.contains("laptop"));
    let auth = format!("Bearer {token}");
    assert_eq!(
        app.get_with("/my/training", &[("Authorization", &auth)])
            .status,
        200
    );

    let id = app
        .state
        .store
        .list_tokens(&UserName::parse("ada").expect("n"))
        .expect("t")[0]
        .id;
    // Someone else cannot revoke it.
    add_user(&app, "eve", false, Some("pw"));
    let eve = sign_in(&app, "eve", "pw");
    let res = app.post_form(
        &format!("/account/tokens/{id}/revoke"),
        &format!("csrf={}", eve.csrf),
        &eve.headers(),
    );
    assert_eq!(res.status, 404);
    assert_eq!(
        app.get_with("/my/training", &[("Authorization", &auth)])
            .status,
        200
    );
    let res = app.post_form(
        &format!("/account/tokens/{id}/revoke"),
        &format!("csrf={}", me.csrf),
        &me.headers(),
    );
    assert_eq!(res.status, 303);
    assert_eq!(
        app.get_with("/my/training", &[("Authorization", &auth)])
            .status,
        401
    );
}

#[test]
fn a_trusted_proxy_header_signs_in_and_creates_the_account() {
    let app =
        app_with_auth("proxy_header = \"X-Forwarded-Email\"\ntrusted_proxies = [\"127.0.0.1\"]\n");
    let res = app.get_with(
        "/my/training",
        &[("X-Forwarded-Email", "sso.user@example.com")],
    );
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(res.body.contains("sso.user@example.com"));
    let user = user_named(&app.state.store, "sso.user@example.com");
    assert_eq!(user.source, UserSource::Proxy);
    assert_eq!(user.email.as_deref(), Some("sso.user@example.com"));
    // Each request is authenticated by the header alone: no session is started.
    assert!(set_cookie(&res, "selfserve_session").is_none());
    let again = app.get_with("/account", &[("X-Forwarded-Email", "sso.user@example.com")]);
    assert_eq!(again.status, 200);
    assert_eq!(app.state.store.list_users().expect("users").len(), 1);
    // Behind the trusted proxy, X-Forwarded-Proto: https makes cookies Secure.
    let https = app.get_with(
        "/account",
        &[
            ("X-Forwarded-Email", "other@example.com"),
            ("X-Forwarded-Proto", "https"),
        ],
    );
    assert!(set_cookie(&https, "selfserve_csrf").is_some_and(|c| c.contains("Secure")));
}

#[test]
fn the_proxy_header_from_an_untrusted_peer_is_ignored() {
    let app =
        app_with_auth("proxy_header = \"X-Forwarded-Email\"\ntrusted_proxies = [\"10.9.9.9\"]\n");
    let res = app.get_with(
        "/my/training",
        &[("X-Forwarded-Email", "mallory@example.com")],
    );
    assert_eq!(res.status, 303);
    assert_eq!(
        res.header("location"),
        Some("/sign-in?next=%2Fmy%2Ftraining")
    );
    assert!(
        app.state.store.list_users().expect("users").is_empty(),
        "no account created"
    );
    let page = app.get_with("/sign-in", &[("X-Forwarded-Proto", "https")]);
    assert!(
        set_cookie(&page, "selfserve_csrf").is_some_and(|c| !c.contains("Secure")),
        "untrusted proto ignored"
    );
}

#[test]
fn require_sign_in_closes_everything_but_sign_in_static_and_health() {
    let app = app_with_auth("require_sign_in = true\n");
    let home = app.get("/");
    assert_eq!(home.status, 303);
    assert_eq!(home.header("location"), Some("/sign-in"));
    let guide = app.get("/docs/guides/hello?x=1");
    assert_eq!(
        guide.header("location"),
        Some("/sign-in?next=%2Fdocs%2Fguides%2Fhello%3Fx%3D1")
    );
    let api = app.get("/api/v1/modules/basics");
    assert_eq!(api.status, 401);
    assert!(api.json()["error"].is_string());
    assert_eq!(app.get("/healthz").status, 200);
    assert_eq!(app.get("/sign-in").status, 200);
    assert_eq!(app.get("/static/style.css").status, 200);
    add_user(&app, "ada", false, Some("pw"));
    let token = token_for(&app, "ada");
    let ok = app.get_with(
        "/docs/guides/hello",
        &[("Authorization", &format!("Bearer {token}"))],
    );
    assert_eq!(ok.status, 200);
    let me = sign_in(&app, "ada", "pw");
    assert_eq!(app.get_with("/", &me.headers()).status, 200);
}

#[test]
fn sign_in_redirects_only_to_local_pages() {
    let app = app();
    add_user(&app, "ada", false, Some("pw"));
    let page = app.get("/sign-in?next=//evil.example/x");
    assert!(
        page.body.contains(r#"name="next" value="/""#),
        "{}",
        page.body
    );
    let anon = cookie_value(&page, "selfserve_csrf").expect("cookie");
    let res = app.post_form(
        "/sign-in",
        &format!("name=ada&password=pw&csrf={anon}&next=https%3A%2F%2Fevil.example"),
        &[("Cookie", &format!("selfserve_csrf={anon}"))],
    );
    assert_eq!(res.status, 303);
    assert_eq!(res.header("location"), Some("/"));
}

#[test]
fn anonymous_requests_for_signed_in_pages_are_sent_to_sign_in() {
    let app = app();
    let page = app.get("/account");
    assert_eq!(page.status, 303);
    assert_eq!(page.header("location"), Some("/sign-in?next=%2Faccount"));
    let api = app.post_json(
        "/api/v1/modules/basics/attempts",
        &serde_json::json!({"answers": [[0], [0]]}),
        &[],
    );
    assert_eq!(api.status, 401);
    assert_eq!(api.json()["error"], "sign in to do this");
    // The header offers sign-in, returning to the page.
    let guide = app.get("/docs/guides/hello");
    assert!(
        guide
            .body
            .contains(r#"href="/sign-in?next=%2Fdocs%2Fguides%2Fhello""#),
        "{}",
        guide.body
    );
}
