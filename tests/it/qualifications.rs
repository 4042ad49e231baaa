//! Qualifications end to end: passes recorded through the attempts API and the store, the
//! two API routes and their access rules, the profile and resource pages, the admin matrix
//! and its downloads, and `selfserve export qualifications` as a script runs it.

use std::process::{Command, Output, Stdio};

use selfserve::store::NewAttempt;
use serde_json::json;
use time::{Duration, OffsetDateTime};

use crate::auth::{add_user, sign_in, token_for};
use crate::support::{TestApp, user_named};

/// The training fixture plus two resources: `sandbox` needs path `next-steps` (which requires
/// `intro` first: modules basics, reading, advanced v2), `notes` needs `intro` only.
fn app() -> TestApp {
    TestApp::start_with("training", |content| {
        let dir = content.join("resources");
        std::fs::create_dir_all(&dir).expect("resources folder");
        std::fs::write(
            dir.join("sandbox.md"),
            "---\nid: sandbox\ntitle: Sandbox cluster\nrequires: [next-steps]\nvalid_for: 365d\n\
             self_serve: https://portal.example.com/sandbox\n---\nA cluster to try things.\n",
        )
        .expect("write resource");
        std::fs::write(
            dir.join("notes.md"),
            "---\nid: notes\ntitle: Shared notes\nrequires: [intro]\n---\nA wiki space.\n",
        )
        .expect("write resource");
    })
}

fn bearer(token: &str) -> [(&'static str, String); 1] {
    [("Authorization", format!("Bearer {token}"))]
}

fn get_as(app: &TestApp, path: &str, token: &str) -> crate::support::Response {
    let [(name, value)] = bearer(token);
    app.get_with(path, &[(name, &value)])
}

/// Records a pass of `module` at `version` for `name`, `days_ago` days ago.
fn pass(app: &TestApp, name: &str, module: &str, version: u32, days_ago: i64) {
    let user = user_named(&app.state.store, name);
    let attempt = NewAttempt {
        user_id: user.id,
        module_id: module,
        module_version: version,
        answers_json: "[]",
        score: 100,
        passed: true,
    };
    app.state
        .store
        .record_attempt_at(
            &attempt,
            OffsetDateTime::now_utc() - Duration::days(days_ago),
        )
        .expect("record");
}

/// Ada passes `intro` in the store 10 days ago and `advanced` through the attempts API now.
fn ada_qualifies(app: &TestApp) -> String {
    add_user(app, "ada", false, Some("pw"));
    let token = token_for(app, "ada");
    pass(app, "ada", "basics", 1, 10);
    pass(app, "ada", "reading", 1, 10);
    let [(name, value)] = bearer(&token);
    let res = app.post_json(
        "/api/v1/modules/advanced/attempts",
        &json!({"answers": [[0]]}),
        &[(name, &value)],
    );
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["passed"], true);
    token
}

/// The tokens of qualified Ada (see [`ada_qualifies`]), learner `eve` and admin `root`.
fn ada_eve_and_admin(app: &TestApp) -> (String, String, String) {
    let ada = ada_qualifies(app);
    add_user(app, "eve", false, None);
    let eve = token_for(app, "eve");
    add_user(app, "root", true, None);
    (ada, eve, token_for(app, "root"))
}

#[test]
fn a_learner_who_passed_every_module_is_qualified_until_a_year_after_the_oldest_pass() {
    let app = app();
    let token = ada_qualifies(&app);
    let res = get_as(
        &app,
        "/api/v1/qualified?learner=ada&resource=sandbox",
        &token,
    );
    assert_eq!(res.status, 200, "{}", res.body);
    let body = res.json();
    assert_eq!(body["qualified"], true);
    assert_eq!(body["status"], "qualified");
    assert_eq!(body["missing"], json!([]));
    let expires = body["expires"].as_str().expect("an expiry");
    let expires = OffsetDateTime::parse(expires, &time::format_description::well_known::Rfc3339)
        .expect("RFC 3339");
    let expected = OffsetDateTime::now_utc() - Duration::days(10) + Duration::days(365);
    assert!(
        (expires - expected).abs() < Duration::minutes(5),
        "{expires}"
    );
    assert_eq!(res.header("cache-control"), Some("private, no-store"));

    let all = get_as(&app, "/api/v1/learners/ada/qualifications", &token).json();
    let list = all.as_array().expect("an array");
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["resource"], "notes");
    assert_eq!(list[0]["expires"], json!(null), "notes never lapses");
    assert_eq!(list[1]["resource"], "sandbox");
    assert_eq!(list[1]["status"], "qualified");
}

#[test]
fn missing_modules_are_listed_in_path_order_and_as_of_looks_back() {
    let app = app();
    add_user(&app, "bob", false, None);
    let token = token_for(&app, "bob");
    pass(&app, "bob", "reading", 1, 3);
    pass(&app, "bob", "advanced", 1, 3); // an old version: does not count
    let body = get_as(
        &app,
        "/api/v1/qualified?learner=bob&resource=sandbox",
        &token,
    )
    .json();
    assert_eq!(body["qualified"], false);
    assert_eq!(body["status"], "missing");
    assert_eq!(body["expires"], json!(null));
    assert_eq!(body["missing"], json!(["basics", "advanced"]));

    pass(&app, "bob", "basics", 1, 1);
    let now = get_as(&app, "/api/v1/qualified?learner=bob&resource=notes", &token).json();
    assert_eq!(now["status"], "qualified");
    let before = OffsetDateTime::now_utc() - Duration::days(2);
    let path = format!(
        "/api/v1/qualified?learner=bob&resource=notes&as_of={}",
        before.date()
    );
    let then = get_as(&app, &path, &token).json();
    assert_eq!(then["status"], "missing", "basics was passed later");
    let bad = get_as(
        &app,
        "/api/v1/learners/bob/qualifications?as_of=March",
        &token,
    );
    assert_eq!(bad.status, 400);
    assert!(bad.error().contains("YYYY-MM-DD"), "{}", bad.body);
}

#[test]
fn access_rules_401_403_404() {
    let app = app();
    let (ada, eve, admin) = ada_eve_and_admin(&app);

    for path in [
        "/api/v1/qualified?learner=ada&resource=sandbox",
        "/api/v1/learners/ada/qualifications",
    ] {
        let anonymous = app.get(path);
        assert_eq!(anonymous.status, 401, "{path}");
        assert!(anonymous.json()["error"].is_string());
        let other = get_as(&app, path, &eve);
        assert_eq!(other.status, 403, "{path}: {}", other.body);
        assert!(other.json()["error"].is_string());
        assert_eq!(get_as(&app, path, &admin).status, 200, "{path}");
    }
    // A learner cannot probe which names exist: unknown names are "someone else" too.
    let probe = get_as(&app, "/api/v1/learners/nobody/qualifications", &eve);
    assert_eq!(probe.status, 403);
    let unknown = get_as(&app, "/api/v1/learners/nobody/qualifications", &admin);
    assert_eq!(unknown.status, 404);
    assert!(unknown.error().contains("nobody"), "{}", unknown.body);
    let unknown = get_as(
        &app,
        "/api/v1/qualified?learner=nobody&resource=sandbox",
        &admin,
    );
    assert_eq!(unknown.status, 404);
    let no_resource = get_as(&app, "/api/v1/qualified?learner=ada&resource=nope", &ada);
    assert_eq!(no_resource.status, 404);
    let a_path = get_as(&app, "/api/v1/qualified?learner=ada&resource=intro", &ada);
    assert_eq!(a_path.status, 404, "a path is not a resource");
    let incomplete = get_as(&app, "/api/v1/qualified?learner=ada", &ada);
    assert_eq!(incomplete.status, 400);
}

#[test]
fn a_session_cookie_works_for_the_learners_own_answers() {
    let app = app();
    ada_qualifies(&app);
    let browser = sign_in(&app, "ada", "pw");
    let res = app.get_with(
        "/api/v1/qualified?learner=ada&resource=sandbox",
        &browser.headers(),
    );
    assert_eq!(res.status, 200, "{}", res.body);
    let page = app.get_with("/my/qualifications", &browser.headers());
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Your qualifications"));
    assert!(page.body.contains("https://portal.example.com/sandbox"));
}

#[test]
fn profiles_are_for_the_learner_and_admins() {
    let app = app();
    let (ada, eve, admin) = ada_eve_and_admin(&app);
    assert_eq!(get_as(&app, "/learners/ada", &ada).status, 200);
    assert_eq!(get_as(&app, "/learners/ada", &eve).status, 403);
    let seen = get_as(&app, "/learners/ada", &admin);
    assert_eq!(seen.status, 200);
    assert!(seen.body.contains("Qualifications of ada"));
    let eves = get_as(&app, "/learners/eve", &eve);
    assert!(
        eves.body.contains(r#"<a href="/modules/basics">"#),
        "next step: {}",
        eves.body
    );
    let anonymous = app.get("/my/qualifications");
    assert_eq!(anonymous.status, 303, "to sign-in");
}

#[test]
fn the_resource_page_leads_with_what_the_viewer_can_do() {
    let app = app();
    let (ada, eve, admin) = ada_eve_and_admin(&app);

    let qualified = get_as(&app, "/resources/sandbox", &ada);
    assert_eq!(qualified.status, 200);
    assert!(
        qualified
            .body
            .contains(r#"class="button" href="https://portal.example.com/sandbox""#)
    );
    let other = get_as(&app, "/resources/sandbox", &eve);
    assert!(other.body.contains("What to complete first"));
    assert!(other.body.contains(r#"<a href="/modules/advanced">"#));
    let roster = get_as(&app, "/resources/sandbox", &admin);
    assert!(roster.body.contains("Who may self-serve it"));
    assert!(roster.body.contains(r#"<a href="/learners/ada">ada</a>"#));
    let anonymous = app.get("/resources/sandbox");
    assert_eq!(anonymous.status, 200);
    // Anonymous readers get no portal button, and a real link to sign in and come back.
    assert!(
        anonymous.body.contains(
            r#"<a class="q-sign-in" href="/sign-in?next=%2Fresources%2Fsandbox">Sign in to see whether you may request"#
        ),
        "{}",
        anonymous.body
    );
    assert!(
        !anonymous.body.contains("portal.example.com"),
        "{}",
        anonymous.body
    );
    // Other ids under /resources/ still go to the generic pages: redirects and 404s.
    assert_eq!(app.get("/resources/intro").status, 302);
    assert_eq!(app.get("/resources/nope").status, 404);
}

#[test]
fn the_matrix_is_for_admins_and_downloads_match_it() {
    let app = app();
    let ada = ada_qualifies(&app);
    add_user(&app, "root", true, None);
    let admin = token_for(&app, "root");
    assert_eq!(get_as(&app, "/admin/qualifications", &ada).status, 403);
    assert_eq!(get_as(&app, "/admin/qualifications.csv", &ada).status, 403);
    assert_eq!(app.get("/admin/qualifications").status, 303);

    let page = get_as(
        &app,
        "/admin/qualifications?sort=qualified&order=desc",
        &admin,
    );
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains(r#"<td class="qy" title="until "#),
        "{}",
        page.body
    );
    assert!(page.body.contains(r#"href="/admin/qualifications.csv""#));
    let filtered = get_as(
        &app,
        "/admin/qualifications?resource=sandbox&status=missing",
        &admin,
    );
    assert!(filtered.body.contains("/learners/root"));
    assert!(!filtered.body.contains("/learners/ada\""));
    let bad = get_as(&app, "/admin/qualifications?status=great", &admin);
    assert_eq!(bad.status, 400);

    let csv = get_as(&app, "/admin/qualifications.csv", &admin);
    assert_eq!(csv.status, 200);
    assert!(
        csv.header("content-type")
            .expect("type")
            .starts_with("text/csv")
    );
    assert!(
        csv.header("content-disposition")
            .expect("attachment")
            .contains("attachment")
    );
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines[0], "learner,resource,status,expires,missing,disabled");
    assert_eq!(lines.len(), 1 + 2 * 2, "two learners × two resources");
    let json = get_as(&app, "/admin/qualifications.json?as_of=2020-01-01", &admin).json();
    assert!(
        json.as_array()
            .expect("array")
            .iter()
            .all(|r| r["status"] == "missing")
    );
}

fn export(app: &TestApp, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_selfserve"))
        .args(["export", "qualifications", "--data"])
        .arg(&app.data)
        .arg("--content")
        .arg(&app.content)
        .args(extra)
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

#[test]
fn the_export_command_prints_the_matrix_and_looks_back_with_as_of() {
    let app = app();
    ada_qualifies(&app);
    let out = export(&app, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "learner,resource,status,expires,missing,disabled");
    assert!(lines[1].starts_with("ada,notes,qualified,,"), "{text}");
    assert!(lines[1].ends_with(",false"), "not disabled: {text}");
    assert!(lines[2].starts_with("ada,sandbox,qualified,20"), "{text}");

    let past = export(&app, &["--as-of", "2020-01-01", "--format", "json"]);
    assert!(past.status.success());
    let rows: serde_json::Value = serde_json::from_slice(&past.stdout).expect("json");
    assert_eq!(rows[1]["status"], "missing");
    assert_eq!(rows[1]["missing"], json!(["basics", "reading", "advanced"]));

    let bad = export(&app, &["--as-of", "yesterday"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(bad.stdout.is_empty());
    let err = String::from_utf8_lossy(&bad.stderr);
    let last = err.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("error: ") && last.contains("YYYY-MM-DD"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
}

#[test]
fn search_results_tell_a_signed_in_learner_whether_they_may_self_serve() {
    let app = app();
    let token = ada_qualifies(&app);
    add_user(&app, "bob", false, Some("pw"));
    let bob = token_for(&app, "bob");
    let qualified = get_as(&app, "/search?q=sandbox+cluster", &token);
    assert_eq!(qualified.status, 200);
    assert!(
        qualified.body.contains("You may self-serve this"),
        "{}",
        qualified.body
    );
    let missing = get_as(&app, "/search?q=sandbox+cluster", &bob);
    assert!(
        missing.body.contains("Not qualified yet"),
        "{}",
        missing.body
    );
    let anonymous = app.get("/search?q=sandbox+cluster");
    assert!(
        !anonymous.body.contains("self-serve this") && !anonymous.body.contains("Not qualified")
    );
}
