//! Live reload through the real server: an edit on disk reaches pages, a broken save keeps
//! the last good version with a banner, and fixing it clears the problem.

use std::fs;
use std::time::{Duration, Instant};

use crate::auth::{add_user, token_for};
use crate::support::TestApp;

fn watched_app() -> TestApp {
    watched("site-basic")
}

fn watched(fixture: &str) -> TestApp {
    TestApp::start_watching(fixture, |_| {})
}

/// Polls until `check` holds or five seconds pass.
fn eventually(app: &TestApp, path: &str, check: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let body = app.get(path).body;
        if check(&body) || Instant::now() > deadline {
            return body;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn an_edit_reaches_the_page_and_the_poll_endpoint_says_reload() {
    let app = watched_app();
    let page = "/docs/guides/kubernetes/deploy";
    let before = app.get(page);
    assert_eq!(before.status, 200);
    assert!(
        before
            .body
            .contains(r#"name="selfserve-generation" content="0""#),
        "live meta tag"
    );
    assert!(before.body.contains("/static/live.js"));
    let poll = app.get(&format!("/api/v1/live?since=0&page={page}")).json();
    assert_eq!(poll["reload"], false);

    let file = app.content.join("guides/kubernetes/deploy.md");
    let text = fs::read_to_string(&file).expect("read guide");
    fs::write(
        &file,
        format!("{text}\n\nA freshly added paragraph about canary releases.\n"),
    )
    .expect("edit guide");
    let body = eventually(&app, page, |b| b.contains("freshly added paragraph"));
    assert!(
        body.contains("freshly added paragraph"),
        "edit not served:\n{body}"
    );
    let poll = app.get(&format!("/api/v1/live?since=0&page={page}")).json();
    assert_eq!(poll["reload"], true);
    let unrelated = app
        .get("/api/v1/live?since=0&page=/docs/guides/getting-started/welcome")
        .json();
    assert_eq!(
        unrelated["reload"], false,
        "an edit to one page does not reload others"
    );
}

#[test]
fn a_broken_save_keeps_the_last_good_version_and_fixing_it_clears_the_banner() {
    let app = watched_app();
    let page = "/docs/guides/kubernetes/deploy";
    let file = app.content.join("guides/kubernetes/deploy.md");
    let good = fs::read_to_string(&file).expect("read guide");
    fs::write(&file, "---\ntitle: [unclosed\n---\nBroken body text.\n").expect("break guide");
    let diagnostics = eventually(&app, "/diagnostics", |b| b.contains("last good version"));
    assert!(
        diagnostics.contains("guides/kubernetes/deploy.md"),
        "{diagnostics}"
    );
    let body = app.get(page).body;
    assert!(
        !body.contains("Broken body text"),
        "the broken save must not be served"
    );
    assert!(
        body.contains("This page has problems"),
        "banner on the affected page"
    );

    fs::write(&file, good.replace("\n\n", "\n\nFixed again.\n\n")).expect("fix guide");
    let body = eventually(&app, page, |b| b.contains("Fixed again."));
    assert!(body.contains("Fixed again."));
    assert!(!body.contains("This page has problems"));
}

#[test]
fn deleting_and_creating_files_updates_navigation() {
    let app = watched_app();
    let file = app.content.join("guides/kubernetes/scaling.md");
    fs::write(&file, "---\ntitle: Scaling workloads\n---\nUse the HPA.\n").expect("create guide");
    let home = eventually(&app, "/docs/guides/kubernetes/scaling", |b| {
        b.contains("Use the HPA")
    });
    assert!(home.contains("Scaling workloads"));
    let welcome = app.get("/docs/guides/getting-started/welcome").body;
    assert!(
        welcome.contains("Scaling workloads"),
        "sidebar lists the new page"
    );
    fs::remove_file(&file).expect("delete guide");
    let deadline = Instant::now() + Duration::from_secs(5);
    while app.get("/docs/guides/kubernetes/scaling").status != 404 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(app.get("/docs/guides/kubernetes/scaling").status, 404);
}

#[test]
fn a_file_renamed_and_then_deleted_is_no_longer_served() {
    let app = watched_app();
    let page = "/docs/guides/getting-started/welcome";
    assert_eq!(app.get(page).status, 200);
    let from = app.content.join("guides/getting-started/welcome.md");
    let to = app.content.join("guides/getting-started/hello.md");
    fs::rename(&from, &to).expect("rename");
    fs::remove_file(&to).expect("delete");
    let deadline = Instant::now() + Duration::from_secs(5);
    while app.get(page).status != 404 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(app.get(page).status, 404);
    assert_eq!(app.get("/docs/guides/getting-started/hello").status, 404);
}

#[test]
fn an_edit_is_searchable_without_rebuilding_the_index() {
    let app = watched_app();
    let before = app.get("/api/v1/search?q=zebracorn").json();
    assert_eq!(before["total"], 0);
    let file = app.content.join("guides/kubernetes/deploy.md");
    let text = fs::read_to_string(&file).expect("read guide");
    fs::write(
        &file,
        format!("{text}\n\nThe zebracorn rollout strategy.\n"),
    )
    .expect("edit guide");
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut found = serde_json::Value::Null;
    while Instant::now() < deadline {
        found = app.get("/api/v1/search?q=zebracorn").json();
        if found["total"] != 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        found["hits"][0]["id"], "guides/kubernetes/deploy",
        "{found}"
    );
    fs::remove_file(&file).expect("delete guide");
    let deadline = Instant::now() + Duration::from_secs(5);
    while app.get("/api/v1/search?q=zebracorn").json()["total"] != 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(app.get("/api/v1/search?q=zebracorn").json()["total"], 0);
}

#[test]
fn moving_a_module_file_and_editing_it_without_a_new_version_keeps_passes() {
    let app = watched("training");
    add_user(&app, "ada", false, None);
    let token = format!("Bearer {}", token_for(&app, "ada"));
    let auth = [("Authorization", token.as_str())];
    let passed = app.post_json(
        "/api/v1/modules/basics/attempts",
        &serde_json::json!({"answers": [[0], [2, 0]]}),
        &auth,
    );
    assert_eq!(passed.json()["passed"], true, "{}", passed.body);
    let page = |app: &TestApp| app.get_with("/modules/basics", &auth).body;
    assert!(page(&app).contains("You passed this module on"));

    // The file moves to a subfolder under another name (its front matter keeps
    // `id: basics`) and its text changes, `version` untouched.
    let from = app.content.join("training/modules/basics.md");
    let to_dir = app.content.join("training/modules/core");
    fs::create_dir_all(&to_dir).expect("create folder");
    let text = fs::read_to_string(&from).expect("read module");
    fs::write(
        to_dir.join("platform-basics.md"),
        text.replace(
            "A deployment reconciles pods.",
            "A deployment reconciles its pods.",
        ),
    )
    .expect("write moved module");
    fs::remove_file(&from).expect("remove old file");

    let deadline = Instant::now() + Duration::from_secs(5);
    let mut body = page(&app);
    while !body.contains("reconciles its pods") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
        body = page(&app);
    }
    assert!(
        body.contains("reconciles its pods"),
        "the edit is live: {body}"
    );
    assert!(
        body.contains("You passed this module on"),
        "the pass still counts: {body}"
    );
}
