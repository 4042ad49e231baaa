//! Training over HTTP: module pages and their quiz form, the modules API and its errors,
//! server-side grading and results, "mark as read", path progress, "My training", admin
//! access to learners, and 200 concurrent attempts.

use selfserve::store::NewAttempt;
use serde_json::json;

use crate::auth::{Browser, add_user, app, sign_in, token_for};
use crate::support::{TestApp, user_named};

/// A learner `name` (password `pw`) signed in through the form.
fn learner(app: &TestApp, name: &str) -> Browser {
    add_user(app, name, false, Some("pw"));
    sign_in(app, name, "pw")
}

/// Posts the quiz form of `module` as `me` with `answers` (`q0=1&q1=0`).
pub(crate) fn submit(
    app: &TestApp,
    me: &Browser,
    module: &str,
    answers: &str,
) -> crate::support::Response {
    let body = format!("csrf={}&{answers}", me.csrf);
    app.post_form(&format!("/modules/{module}/attempt"), &body, &me.headers())
}

/// Posts the quiz form like [`submit`], checks it answers `303 See Other` to the attempt's
/// results page, and reads that page as `me`.
pub(crate) fn submit_and_follow(
    app: &TestApp,
    me: &Browser,
    module: &str,
    answers: &str,
) -> crate::support::Response {
    let posted = submit(app, me, module, answers);
    assert_eq!(posted.status, 303, "{}", posted.body);
    let location = posted.header("location").expect("a Location header");
    assert!(
        location.starts_with(&format!("/modules/{module}/attempts/")),
        "{location}"
    );
    let page = app.get_with(location, &me.headers());
    assert_eq!(page.status, 200, "{location}: {}", page.body);
    page
}

/// Posts `body` to the attempts API of `module` with `token`.
pub(crate) fn attempts_api(
    app: &TestApp,
    token: &str,
    module: &str,
    body: &serde_json::Value,
) -> crate::support::Response {
    app.post_json(
        &format!("/api/v1/modules/{module}/attempts"),
        body,
        &[("Authorization", &format!("Bearer {token}"))],
    )
}

#[test]
fn the_module_page_never_carries_the_answer_key() {
    let app = app();
    let anon = app.get("/modules/basics");
    assert_eq!(anon.status, 200);
    assert!(anon.body.contains("Deployments keep pods running"));
    assert!(
        anon.body.contains("Sign in to take the quiz"),
        "{}",
        anon.body
    );
    assert!(
        anon.body
            .contains("Which object keeps a set of <em>pods</em> running?"),
        "{}",
        anon.body
    );
    assert!(
        !anon.body.contains("<form class=\"quiz-form\""),
        "no form for anonymous readers"
    );
    let me = learner(&app, "ada");
    let page = app.get_with("/modules/basics", &me.headers());
    let body = &page.body;
    assert!(
        body.contains(r#"<form class="quiz-form" method="post" action="/modules/basics/attempt">"#),
        "{body}"
    );
    assert!(body.contains(&format!(r#"name="csrf" value="{}""#, me.csrf)));
    assert!(
        body.contains(r#"type="radio" id="q0-0" name="q0" value="0" required"#),
        "{body}"
    );
    assert!(
        body.contains(r#"type="checkbox" id="q1-2" name="q1" value="2""#),
        "{body}"
    );
    assert!(body.contains("A <code>Deployment</code>"), "{body}");
    for page in [&anon.body, body] {
        assert!(!page.contains("EXPLAIN-MARKER"), "an explanation leaked");
        assert!(
            !page.contains("answer:") && !page.contains("data-answer") && !page.contains("checked")
        );
    }
}

#[test]
fn the_module_api_lists_questions_without_answers() {
    let app = app();
    let res = app.get("/api/v1/modules/basics");
    assert_eq!(res.status, 200);
    let json = res.json();
    assert_eq!(
        json,
        json!({
            "id": "basics", "title": "Platform basics", "version": 1, "pass": 50, "minutes": 10,
            "questions": [
                {"question": "Which object keeps a set of *pods* running?", "choices": ["A `Deployment`", "A ConfigMap"], "multiple": false},
                {"question": "Which of these are namespaced?", "choices": ["Pods", "Nodes", "Services"], "multiple": true}
            ]
        })
    );
    assert!(!res.body.contains("EXPLAIN-MARKER") && !res.body.contains("\"answer"));
    let missing = app.get("/api/v1/modules/nope");
    assert_eq!(missing.status, 404);
    assert!(missing.error().contains("nope"), "{}", missing.body);
    assert_eq!(
        app.get("/api/v1/modules/hello").status,
        404,
        "a guide is not a module"
    );
}

#[test]
fn the_attempts_api_grades_records_and_refuses_bad_input_with_sentences() {
    let app = app();
    add_user(&app, "bot", false, None);
    let token = token_for(&app, "bot");
    let res = attempts_api(&app, &token, "basics", &json!({"answers": [[0], [2, 0]]}));
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(
        res.json(),
        json!({"score": 100, "passed": true, "correct": [true, true]})
    );
    // A failure under the default review policy (`score`) shows no per-question marks,
    // only the sections to re-read (the whole lesson: its questions name no section).
    let res = attempts_api(&app, &token, "basics", &json!({"answers": [[1], [0]]}));
    assert_eq!(
        res.json(),
        json!({"score": 0, "passed": false, "sections": [
            {"anchor": "deployments", "title": "Deployments"},
            {"anchor": "namespaces", "title": "Namespaces"}
        ]})
    );
    let res = attempts_api(&app, &token, "basics", &json!({"answers": [[0], []]}));
    assert_eq!(
        res.json(),
        json!({"score": 50, "passed": true, "correct": [true, false]})
    );

    let bad = [
        (json!({"answers": [[0]]}), "2 questions but 1 answers"),
        (json!({"answers": [[0], [3]]}), "out of range"),
        (json!({"answers": [[-1], [0]]}), "out of range"),
        (json!({"answers": [[0, 1], [0]]}), "takes one answer"),
        (json!({"answers": "all of them"}), "not valid"),
        (json!({"responses": [[0], [0]]}), "not valid"),
    ];
    for (body, needle) in bad {
        let res = attempts_api(&app, &token, "basics", &body);
        assert_eq!(res.status, 400, "{body}");
        let error = res.json()["error"].as_str().unwrap_or_default().to_owned();
        assert!(error.contains(needle), "{body}: {error}");
        assert!(error.ends_with('.'), "a sentence: {error}");
    }
    let auth = format!("Bearer {token}");
    let headers = [
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/json"),
    ];
    let malformed = app.request(
        "POST",
        "/api/v1/modules/basics/attempts",
        &headers,
        b"{\"answers\": [[0]",
    );
    assert_eq!(malformed.status, 400);
    assert!(
        malformed.error().starts_with("The body is not valid"),
        "{}",
        malformed.body
    );
    let huge = format!("{{\"answers\": [[{}0]]}}", "0,".repeat(40_000));
    let too_large = app.request(
        "POST",
        "/api/v1/modules/basics/attempts",
        &headers,
        huge.as_bytes(),
    );
    assert_eq!(too_large.status, 413);
    assert!(too_large.json()["error"].is_string());
    let unknown = attempts_api(&app, &token, "nope", &json!({"answers": []}));
    assert_eq!(unknown.status, 404);
    assert!(unknown.json()["error"].is_string());
    let anonymous = app.post_json(
        "/api/v1/modules/basics/attempts",
        &json!({"answers": [[0], [0]]}),
        &[],
    );
    assert_eq!(anonymous.status, 401);
    assert_eq!(
        app.state.store.attempt_count().expect("count"),
        3,
        "only graded attempts are stored"
    );
}

#[test]
fn a_cookie_session_may_post_json_attempts_but_not_other_encodings() {
    let app = app();
    let me = learner(&app, "ada");
    let ok = app.post_json(
        "/api/v1/modules/basics/attempts",
        &json!({"answers": [[0], [0, 2]]}),
        &me.headers(),
    );
    assert_eq!(ok.status, 200, "{}", ok.body);
    let form = app.post_form(
        "/api/v1/modules/basics/attempts",
        "{\"answers\": [[0], [0, 2]]}",
        &me.headers(),
    );
    assert_eq!(form.status, 400);
    assert!(
        form.error().contains("Content-Type: application/json"),
        "{}",
        form.body
    );
}

#[test]
fn the_quiz_form_is_graded_on_the_server_with_explanations_and_what_to_review() {
    let app = app();
    let me = learner(&app, "ada");
    let wrong = submit_and_follow(&app, &me, "basics", "q0=1&q1=0");
    let body = &wrong.body;
    assert!(body.contains("Not passed yet"), "{body}");
    assert!(body.contains(" with 0%"), "{body}");
    assert!(
        !body.contains("EXPLAIN-MARKER-deployments-reconcile"),
        "no explanations after a failure under the default review policy"
    );
    assert!(body.contains("What to review"), "{body}");
    assert!(
        body.contains(r##"href="/modules/basics#deployments""##),
        "{body}"
    );
    let right = submit_and_follow(&app, &me, "basics", "q0=0&q1=2&q1=0");
    assert!(right.body.contains("Passed"), "{}", right.body);
    assert!(
        right.body.contains("EXPLAIN-MARKER-deployments-reconcile"),
        "explanations after a pass"
    );
    assert!(right.body.contains(" with 100%"));
    assert!(!right.body.contains("What to review"));

    let ada = user_named(&app.state.store, "ada");
    let attempts = app.state.store.attempts_for_user(ada.id).expect("attempts");
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[0].answers_json, "[[0],[0,2]]");
    assert_eq!(
        (
            attempts[0].score,
            attempts[0].passed,
            attempts[0].module_version
        ),
        (100, true, 1)
    );
    assert_eq!(attempts[1].answers_json, "[[1],[0]]");
    assert!(!attempts[1].passed);

    let page = app.get_with("/modules/basics", &me.headers());
    assert!(
        page.body.contains("You passed this module on"),
        "{}",
        page.body
    );
    let bad = submit(&app, &me, "basics", "q0=7&q1=0");
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("out of range"), "{}", bad.body);
    assert_eq!(submit(&app, &me, "nope", "q0=0").status, 404);
}

#[test]
fn anonymous_quiz_submissions_go_to_sign_in() {
    let app = app();
    let res = app.post_form(
        "/modules/basics/attempt",
        "q0=0",
        &[("Referer", &format!("http://{}/modules/basics", app.addr))],
    );
    assert_eq!(res.status, 303);
    assert_eq!(
        res.header("location"),
        Some("/sign-in?next=%2Fmodules%2Fbasics")
    );
    assert_eq!(app.state.store.attempt_count().expect("count"), 0);
}

#[test]
fn a_module_without_questions_is_passed_by_marking_it_read() {
    let app = app();
    let anon = app.get("/modules/reading");
    assert!(
        anon.body.contains("to record that you read it"),
        "{}",
        anon.body
    );
    let me = learner(&app, "ada");
    let page = app.get_with("/modules/reading", &me.headers());
    assert!(page.body.contains("Mark as read"), "{}", page.body);
    let res = submit_and_follow(&app, &me, "reading", "");
    assert!(res.body.contains("Marked as read"), "{}", res.body);
    let page = app.get_with("/modules/reading", &me.headers());
    assert!(
        page.body.contains("You marked this module as read."),
        "{}",
        page.body
    );
    let ada = user_named(&app.state.store, "ada");
    let attempt = app
        .state
        .store
        .latest_attempt(ada.id, "reading")
        .expect("q")
        .expect("stored");
    assert_eq!(
        (attempt.score, attempt.passed, attempt.answers_json.as_str()),
        (100, true, "[]")
    );
}

#[test]
fn path_pages_show_each_modules_state_progress_and_prerequisites() {
    let app = app();
    let anon = app.get("/paths/intro");
    assert_eq!(anon.status, 200);
    assert!(
        !anon.body.contains("<progress"),
        "no progress for anonymous readers"
    );
    let me = learner(&app, "ada");
    let fresh = app.get_with("/paths/intro", &me.headers());
    assert!(
        fresh
            .body
            .contains(r#"<progress id="progress-intro" max="2" value="0">"#),
        "{}",
        fresh.body
    );
    assert!(fresh.body.contains("not started"));
    submit(&app, &me, "basics", "q0=1&q1=0");
    let failed = app.get_with("/paths/intro", &me.headers());
    assert!(
        failed.body.contains("state-badge state-failed"),
        "{}",
        failed.body
    );
    submit(&app, &me, "basics", "q0=0&q1=0&q1=2");
    let half = app.get_with("/paths/intro", &me.headers());
    assert!(half.body.contains("1 of 2 modules passed"), "{}", half.body);
    assert!(half.body.contains("state-badge state-passed"));
    assert!(
        !half.body.contains("style="),
        "no inline styles: the CSP forbids them"
    );

    let locked = app.get_with("/paths/next-steps", &me.headers());
    assert!(
        locked.body.contains("Prerequisites not met"),
        "{}",
        locked.body
    );
    assert!(locked.body.contains(r#"href="/paths/intro""#));
    submit(&app, &me, "reading", "");
    let open = app.get_with("/paths/next-steps", &me.headers());
    assert!(
        !open.body.contains("Prerequisites not met"),
        "{}",
        open.body
    );
    let done = app.get_with("/paths/intro", &me.headers());
    assert!(
        done.body.contains("Complete: all 2 modules passed."),
        "{}",
        done.body
    );

    // A pass at version 1 of a module now at version 2 no longer counts.
    let ada = user_named(&app.state.store, "ada");
    app.state
        .store
        .record_attempt(&NewAttempt {
            user_id: ada.id,
            module_id: "advanced",
            module_version: 1,
            answers_json: "[[0]]",
            score: 100,
            passed: true,
        })
        .expect("old pass");
    let older = app.get_with("/paths/next-steps", &me.headers());
    assert!(
        older.body.contains("passed an older version"),
        "{}",
        older.body
    );
    assert!(older.body.contains("0 of 1 modules passed"));
}

#[test]
fn my_training_shows_paths_recent_attempts_and_the_next_step() {
    let app = app();
    let me = learner(&app, "ada");
    let empty = app.get_with("/my/training", &me.headers());
    assert_eq!(empty.status, 200);
    assert!(empty.body.contains("No attempts yet."));
    // Nothing chosen yet: no path is pushed, the list of every path is a link away.
    assert!(
        !empty.body.contains(r#"class="notice next-step""#),
        "{}",
        empty.body
    );
    assert!(empty.body.contains("Browse training paths"));
    submit(&app, &me, "basics", "q0=1&q1=0");
    let page = app.get_with("/my/training", &me.headers()).body;
    assert!(page.contains("Try again: "), "{page}");
    assert!(
        page.contains(r#"<a href="/modules/basics">Platform basics</a>"#),
        "{page}"
    );
    assert!(page.contains(r#"<h3><a href="/paths/intro">Introduction path</a></h3>"#));
    assert!(
        !page.contains(r#"<h3><a href="/paths/next-steps">"#),
        "never chosen"
    );
    assert!(page.contains("<td>0%</td>"), "{page}");
    submit(&app, &me, "basics", "q0=0&q1=0&q1=2");
    let page = app.get_with("/my/training", &me.headers()).body;
    assert!(
        page.contains(r#"Take <a href="/modules/reading">House rules</a>"#),
        "{page}"
    );
}

#[test]
fn admins_see_any_learners_training_and_learners_only_their_own() {
    let app = app();
    let ada = learner(&app, "ada");
    let bob = learner(&app, "bob");
    add_user(&app, "root", true, Some("pw"));
    let admin = sign_in(&app, "root", "pw");
    submit(&app, &ada, "basics", "q0=0&q1=0&q1=2");
    let seen = app.get_with("/learners/ada/training", &admin.headers());
    assert_eq!(seen.status, 200);
    assert!(seen.body.contains("Training of ada"));
    assert!(seen.body.contains("<td>100%</td>"), "{}", seen.body);
    assert_eq!(
        app.get_with("/learners/ada/training", &ada.headers())
            .status,
        200
    );
    assert_eq!(
        app.get_with("/learners/ada/training", &bob.headers())
            .status,
        403
    );
    assert_eq!(
        app.get_with("/learners/ghost/training", &bob.headers())
            .status,
        403
    );
    assert_eq!(
        app.get_with("/learners/ghost/training", &admin.headers())
            .status,
        404
    );
    assert_eq!(app.get("/learners/ada/training").status, 303);
}

#[test]
fn two_hundred_concurrent_attempts_from_twenty_learners_all_land() {
    let app = app();
    let tokens: Vec<String> = (0..20)
        .map(|i| {
            let name = format!("learner{i}");
            add_user(&app, &name, false, None);
            token_for(&app, &name)
        })
        .collect();
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let handles: Vec<_> = tokens
            .iter()
            .map(|token| {
                let app = &app;
                scope.spawn(move || {
                    (0..10)
                        .map(|n| {
                            let answers = if n % 2 == 0 {
                                json!({"answers": [[0], [0, 2]]})
                            } else {
                                json!({"answers": [[1], [1]]})
                            };
                            attempts_api(app, token, "basics", &answers).status
                        })
                        .collect::<Vec<u16>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("client thread"))
            .collect()
    });
    assert_eq!(statuses.len(), 200);
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(app.state.store.attempt_count().expect("count"), 200);
    let passes = app.state.store.all_passes().expect("passes");
    assert_eq!(passes.len(), 100);
}
