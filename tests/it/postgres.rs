//! Flows with the server's records on PostgreSQL (`TestApp::start_postgres_with`); each test
//! is skipped with a notice when `SELFSERVE_TEST_POSTGRES` is unset.

use serde_json::json;

use crate::auth::{add_user, sign_in, token_for};
use crate::support::TestApp;
use crate::training::submit_and_follow;

#[test]
fn a_learner_signs_in_passes_and_qualifies_with_the_records_on_postgres() {
    let Some(app) = TestApp::start_postgres_with("training", |content| {
        let dir = content.join("resources");
        std::fs::create_dir_all(&dir).expect("resources folder");
        std::fs::write(
            dir.join("notes.md"),
            "---\nid: notes\ntitle: Shared notes\nrequires: [intro]\n---\nA wiki space.\n",
        )
        .expect("write resource");
    }) else {
        return;
    };
    add_user(&app, "ada", false, Some("pw"));
    let me = sign_in(&app, "ada", "pw");
    // The form's post redirects to the results page, read back from PostgreSQL.
    let quiz = submit_and_follow(&app, &me, "basics", "q0=0&q1=2&q1=0");
    assert!(quiz.body.contains("Passed"), "{}", quiz.body);
    let read = submit_and_follow(&app, &me, "reading", "");
    assert!(read.body.contains("Marked as read"), "{}", read.body);

    let token = token_for(&app, "ada");
    let auth = format!("Bearer {token}");
    let api = app.post_json(
        "/api/v1/modules/basics/attempts",
        &json!({"answers": [[0], [0, 2]]}),
        &[("Authorization", &auth)],
    );
    assert_eq!(api.status, 200, "{}", api.body);
    assert_eq!(api.json()["passed"], true);
    let res = app.get_with(
        "/api/v1/qualified?learner=ada&resource=notes",
        &[("Authorization", &auth)],
    );
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["qualified"], true, "{}", res.body);
    assert_eq!(res.json()["status"], "qualified");

    assert!(app.state.store.is_postgres());
    assert!(
        !app.data.join("selfserve.db").exists(),
        "a server on PostgreSQL writes no SQLite file"
    );
    assert!(
        app.data.is_dir(),
        "the data folder still holds the search index"
    );
}
