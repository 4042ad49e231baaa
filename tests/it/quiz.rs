//! Qualifications earned, not guessed: review policies (what a failed attempt shows), the
//! retry wait after repeated failures, and drawn/shuffled question pools graded against what
//! the server handed out.

use std::fs;
use std::path::Path;

use selfserve::store::NewAttempt;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

use crate::auth::{Browser, add_user, sign_in, token_for};
use crate::support::{Response, TestApp, user_named};
use crate::training::{attempts_api, submit, submit_and_follow};

/// Two questions on two sections; `extra` adds front matter (a review policy).
fn module(id: &str, extra: &str) -> String {
    format!(
        "---\nid: {id}\ntitle: Module {id}\npass: 100\n{extra}---\nLesson.\n\n## Alpha\n\nA.\n\n## Beta\n\nB.\n\n```quiz\n\
- question: First?\n  choices: [right-one, wrong-one]\n  answer: 0\n  section: alpha\n  explain: EXPLAIN-first\n\
- question: Second?\n  choices: [wrong-two, right-two]\n  answer: 1\n  section: \"#beta\"\n  explain: EXPLAIN-second\n```\n"
    )
}

/// Four questions, two drawn per attempt, choices shuffled. Each right choice's text is
/// `right-N`, so a test can answer whatever order it is shown.
fn pool_module() -> String {
    let mut text = String::from(
        "---\nid: pool\ntitle: Pool\npass: 100\ndraw: 2\nshuffle: true\n---\n## Alpha\n\nA.\n\n```quiz\n",
    );
    for n in 0..4 {
        text.push_str(&format!(
            "- question: Pool question {n}?\n  choices: [wrong-{n}a, right-{n}, wrong-{n}b, wrong-{n}c]\n  answer: 1\n  explain: EXPLAIN-pool-{n}\n"
        ));
    }
    text.push_str("```\n");
    text
}

fn app() -> TestApp {
    TestApp::start_with("training", |content: &Path| {
        let dir = content.join("training/modules");
        let files = [
            ("score.md", module("score", "")),
            ("marks.md", module("marks", "review: questions\n")),
            ("keys.md", module("keys", "review: answers\n")),
            ("pool.md", pool_module()),
        ];
        for (name, text) in files {
            fs::write(dir.join(name), text).expect("write module");
        }
    })
}

fn api_get(app: &TestApp, token: &str, module: &str) -> Response {
    app.get_with(
        &format!("/api/v1/modules/{module}"),
        &[("Authorization", &format!("Bearer {token}"))],
    )
}

fn learner(app: &TestApp, name: &str) -> (Browser, String) {
    add_user(app, name, false, Some("pw"));
    (sign_in(app, name, "pw"), token_for(app, name))
}

#[test]
fn a_failed_attempt_under_the_default_policy_shows_the_score_and_sections_not_marks() {
    let app = app();
    let (me, token) = learner(&app, "ada");
    // The first question right, the second wrong.
    let res = attempts_api(&app, &token, "score", &json!({"answers": [[0], [0]]}));
    assert_eq!(res.status, 200, "{}", res.body);
    let json = res.json();
    assert_eq!(json["score"], 50);
    assert_eq!(json["passed"], false);
    assert!(
        json.get("correct").is_none(),
        "no per-question marks: {json}"
    );
    // Each section is tested by one question, so naming only Beta would say which question
    // was wrong: the whole lesson is listed instead.
    assert_eq!(
        json["sections"],
        json!([{"anchor": "alpha", "title": "Alpha"}, {"anchor": "beta", "title": "Beta"}]),
    );
    let page = submit_and_follow(&app, &me, "score", "q0=0&q1=0");
    let body = &page.body;
    assert!(body.contains("Not passed yet"), "{body}");
    assert!(body.contains(" with 50%"), "{body}");
    assert!(body.contains(r##"href="/modules/score#beta""##), "{body}");
    assert!(body.contains(r##"href="/modules/score#alpha""##), "{body}");
    for leak in [
        "result-wrong",
        "result-right",
        "EXPLAIN-",
        "Right answer",
        "wrong-one",
    ] {
        assert!(!body.contains(leak), "`{leak}` on a failed attempt: {body}");
    }
}

#[test]
fn the_questions_policy_marks_wrong_questions_and_the_answers_policy_shows_keys() {
    let app = app();
    let (me, token) = learner(&app, "ada");
    let res = attempts_api(&app, &token, "marks", &json!({"answers": [[0], [0]]}));
    assert_eq!(res.json()["correct"], json!([true, false]), "{}", res.body);
    let page = submit_and_follow(&app, &me, "marks", "q0=0&q1=0");
    assert!(page.body.contains("result-wrong"), "{}", page.body);
    assert!(!page.body.contains("EXPLAIN-"), "{}", page.body);
    assert!(!page.body.contains("Right answer"), "{}", page.body);

    let res = attempts_api(&app, &token, "keys", &json!({"answers": [[0], [0]]}));
    assert_eq!(res.json()["correct"], json!([true, false]), "{}", res.body);
    let page = submit_and_follow(&app, &me, "keys", "q0=0&q1=0");
    assert!(page.body.contains("result-wrong"), "{}", page.body);
    assert!(page.body.contains("EXPLAIN-second"), "{}", page.body);
    assert!(
        page.body.contains("Right answer: right-two"),
        "{}",
        page.body
    );
}

#[test]
fn a_pass_shows_everything() {
    let app = app();
    let (me, token) = learner(&app, "ada");
    let res = attempts_api(&app, &token, "score", &json!({"answers": [[0], [1]]}));
    assert_eq!(
        res.json(),
        json!({"score": 100, "passed": true, "correct": [true, true]})
    );
    let page = submit_and_follow(&app, &me, "score", "q0=0&q1=1");
    assert!(page.body.contains("Passed"), "{}", page.body);
    assert!(page.body.contains("result-right"), "{}", page.body);
    assert!(page.body.contains("EXPLAIN-first"), "{}", page.body);
    assert!(!page.body.contains("What to review"), "{}", page.body);
}

#[test]
fn the_fourth_failure_in_a_row_waits_ten_minutes_on_the_api_and_the_page() {
    let app = app();
    let (me, token) = learner(&app, "ada");
    let wrong = json!({"answers": [[1], [0]]});
    for n in 1..=3 {
        let res = attempts_api(&app, &token, "score", &wrong);
        assert_eq!(res.status, 200, "free attempt {n}: {}", res.body);
    }
    let res = attempts_api(&app, &token, "score", &wrong);
    assert_eq!(res.status, 429, "{}", res.body);
    let retry: u64 = res
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in seconds");
    assert!((590..=600).contains(&retry), "{retry}");
    let error = res.json()["error"].as_str().unwrap_or_default().to_owned();
    assert!(error.contains("10 minutes"), "{error}");
    assert!(error.ends_with('.'), "a sentence: {error}");
    // The right answers do not get through either: the wait comes before grading counts.
    let right = attempts_api(&app, &token, "score", &json!({"answers": [[0], [1]]}));
    assert_eq!(right.status, 429);

    let page = submit(&app, &me, "score", "q0=0&q1=1");
    assert_eq!(page.status, 429);
    assert!(page.header("retry-after").is_some());
    assert!(page.body.contains("10 minutes"), "{}", page.body);
    assert!(page.body.contains("<html"), "an HTML page: {}", page.body);
    let module = app.get_with("/modules/score", &me.headers());
    assert!(
        module
            .body
            .contains("your next attempt opens in 10 minutes"),
        "{}",
        module.body
    );
    assert!(
        !module.body.contains("<form class=\"quiz-form\""),
        "no form while waiting"
    );
    assert_eq!(
        app.state.store.attempt_count().expect("count"),
        3,
        "refused attempts are not stored"
    );
}

#[test]
fn the_wait_doubles_from_the_stored_attempts_and_a_pass_resets_it() {
    let app = app();
    let (_me, token) = learner(&app, "ada");
    let ada = user_named(&app.state.store, "ada").id;
    // Three failures eleven minutes ago: the first wait (10 minutes) is over.
    let then = OffsetDateTime::now_utc() - Duration::minutes(11);
    for _ in 0..3 {
        app.state
            .store
            .record_attempt_at(
                &NewAttempt {
                    user_id: ada,
                    module_id: "score",
                    module_version: 1,
                    answers_json: "[[1],[0]]",
                    score: 0,
                    passed: false,
                },
                then,
            )
            .expect("record");
    }
    let wrong = json!({"answers": [[1], [0]]});
    assert_eq!(attempts_api(&app, &token, "score", &wrong).status, 200);
    let res = attempts_api(&app, &token, "score", &wrong);
    assert_eq!(res.status, 429);
    let retry: u64 = res
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!(
        (1190..=1200).contains(&retry),
        "20 minutes after the 4th: {retry}"
    );

    // Another learner: fail twice, pass, fail three times: the pass reset the count, so
    // only the next attempt waits.
    let (_bob, bob) = learner(&app, "bob");
    let right = json!({"answers": [[0], [1]]});
    for body in [&wrong, &wrong, &right, &wrong, &wrong, &wrong] {
        let res = attempts_api(&app, &bob, "score", body);
        assert_eq!(res.status, 200, "{}", res.body);
    }
    assert_eq!(attempts_api(&app, &bob, "score", &right).status, 429);
}

#[test]
fn admins_see_attempt_counts_and_waits_per_learner() {
    let app = app();
    let (_me, token) = learner(&app, "ada");
    for _ in 0..3 {
        attempts_api(&app, &token, "score", &json!({"answers": [[1], [0]]}));
    }
    add_user(&app, "root", true, Some("pw"));
    let admin = sign_in(&app, "root", "pw");
    let page = app.get_with("/learners/ada/training", &admin.headers());
    assert_eq!(page.status, 200);
    let body = &page.body;
    assert!(body.contains("Attempts by module"), "{body}");
    assert!(
        body.contains("<td>3</td><td>3</td><td>") && body.contains(" UTC</td>"),
        "attempts, failures in a row, waiting until: {body}"
    );
}

/// The drawn questions' answer keys, by the text of their choices (`right-N`).
fn right_answers(questions: &Value) -> Vec<Vec<usize>> {
    questions
        .as_array()
        .expect("questions")
        .iter()
        .map(|q| {
            let choices = q["choices"].as_array().expect("choices");
            vec![
                choices
                    .iter()
                    .position(|c| c.as_str().is_some_and(|c| c.starts_with("right-")))
                    .expect("a right choice"),
            ]
        })
        .collect()
}

#[test]
fn a_pool_hands_out_drawn_questions_and_grades_only_those() {
    let app = app();
    let (_me, token) = learner(&app, "ada");
    let (_bob, bob) = learner(&app, "bob");

    let anonymous = app.get("/api/v1/modules/pool").json();
    assert!(anonymous.get("attempt").is_none(), "{anonymous}");
    assert_eq!(anonymous["questions"].as_array().map(Vec::len), Some(4));

    let got = api_get(&app, &token, "pool");
    assert_eq!(got.status, 200);
    let module = got.json();
    let attempt = module["attempt"]
        .as_str()
        .expect("an attempt id")
        .to_owned();
    assert_eq!(module["draw"], 2);
    assert_eq!(module["shuffle"], true);
    assert_eq!(module["questions"].as_array().map(Vec::len), Some(2));
    assert!(!got.body.contains("\"answer") && !got.body.contains("EXPLAIN"));
    assert_eq!(
        api_get(&app, &token, "pool").json(),
        module,
        "a reload shows the same attempt"
    );
    let key = right_answers(&module["questions"]);

    // Without the id, with made-up ids or with every question's indexes: refused.
    let refused = [
        (json!({"answers": key}), 400, "attempt"),
        (
            json!({"attempt": "0123456789abcdef", "answers": key}),
            404,
            "no attempt",
        ),
        (
            json!({"attempt": attempt, "answers": [[1], [1], [1], [1]]}),
            400,
            "2 questions but 4",
        ),
    ];
    for (body, status, needle) in refused {
        let res = attempts_api(&app, &token, "pool", &body);
        assert_eq!(res.status, status, "{body}: {}", res.body);
        let error = res.json()["error"].as_str().unwrap_or_default().to_owned();
        assert!(error.contains(needle), "{body}: {error}");
    }
    let stolen = attempts_api(
        &app,
        &bob,
        "pool",
        &json!({"attempt": attempt, "answers": key}),
    );
    assert_eq!(
        stolen.status, 404,
        "another learner's attempt: {}",
        stolen.body
    );

    let res = attempts_api(
        &app,
        &token,
        "pool",
        &json!({"attempt": attempt, "answers": key}),
    );
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(
        res.json(),
        json!({"score": 100, "passed": true, "correct": [true, true]})
    );
    let replay = attempts_api(
        &app,
        &token,
        "pool",
        &json!({"attempt": attempt, "answers": key}),
    );
    assert_eq!(replay.status, 409, "{}", replay.body);
    assert!(replay.error().contains("already graded"), "{}", replay.body);

    let next = api_get(&app, &token, "pool").json();
    assert_ne!(
        next["attempt"], module["attempt"],
        "a new attempt after grading"
    );
    assert_eq!(app.state.store.attempt_count().expect("count"), 1);
}

#[test]
fn the_pool_page_carries_the_attempt_in_a_hidden_field_and_grades_it() {
    let app = app();
    let (me, _token) = learner(&app, "ada");
    let page = app.get_with("/modules/pool", &me.headers());
    let body = &page.body;
    assert!(
        body.contains("2 of 4 questions, drawn for each attempt"),
        "{body}"
    );
    let attempt = body
        .split(r#"name="attempt" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a hidden attempt field")
        .to_owned();
    assert_eq!(attempt.len(), 32);
    assert!(!body.contains("EXPLAIN") && !body.contains("data-answer"));
    // Find the right choice of each shown question by its label.
    let mut answers = vec![format!("attempt={attempt}")];
    for q in 0..2 {
        let position = (0..4)
            .find(|c| {
                let id = format!(r#"for="q{q}-{c}">right-"#);
                body.contains(&id)
            })
            .expect("right choice shown");
        answers.push(format!("q{q}={position}"));
    }
    assert!(!body.contains(r#"id="q2-0""#), "only the drawn questions");
    let res = submit_and_follow(&app, &me, "pool", &answers.join("&"));
    assert!(res.body.contains(" with 100%"), "{}", res.body);
    let again = submit(&app, &me, "pool", &answers.join("&"));
    assert_eq!(again.status, 409, "{}", again.body);
}

#[test]
fn an_attempt_handed_out_before_the_module_changed_is_refused_as_stale() {
    let app = TestApp::start_watching("training", |content: &Path| {
        fs::write(content.join("training/modules/pool.md"), pool_module()).expect("write");
    });
    let (_me, token) = learner(&app, "ada");
    let module = api_get(&app, &token, "pool").json();
    let attempt = module["attempt"].as_str().expect("attempt").to_owned();
    let key = right_answers(&module["questions"]);
    let file = app.content.join("training/modules/pool.md");
    let text = pool_module().replace("Pool question 0?", "Pool question zero?");
    fs::write(&file, text).expect("edit module");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !app
        .get("/modules/pool")
        .body
        .contains("Pool question zero?")
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let res = attempts_api(
        &app,
        &token,
        "pool",
        &json!({"attempt": attempt, "answers": key}),
    );
    assert_eq!(res.status, 409, "{}", res.body);
    assert!(res.error().contains("changed since"), "{}", res.body);
    let fresh = api_get(&app, &token, "pool").json();
    assert_ne!(
        fresh["attempt"], module["attempt"],
        "a new attempt for the new file"
    );
}
