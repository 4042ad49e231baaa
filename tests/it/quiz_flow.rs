//! The quiz form's post/redirect/get: a graded post answers 303 to the attempt's results page,
//! which only its learner and admins read and which a refresh never grades again; a post with
//! an unanswered question comes back as the form (422) with its answers kept, stores nothing
//! and costs no retry wait. Also the form's markup: numbers in the legends.

use std::fs;
use std::path::Path;

use crate::auth::{Browser, add_user, app, sign_in};
use crate::support::TestApp;
use crate::training::{submit, submit_and_follow};

fn learner(app: &TestApp, name: &str) -> Browser {
    add_user(app, name, false, Some("pw"));
    sign_in(app, name, "pw")
}

fn count(app: &TestApp) -> u64 {
    app.state.store.attempt_count().expect("count")
}

#[test]
fn a_graded_post_redirects_to_a_results_page_that_only_its_learner_and_admins_read() {
    let app = app();
    let ada = learner(&app, "ada");
    let posted = submit(&app, &ada, "basics", "q0=1&q1=0");
    assert_eq!(posted.status, 303, "{}", posted.body);
    let location = posted.header("location").expect("Location").to_owned();
    assert!(
        location.starts_with("/modules/basics/attempts/"),
        "{location}"
    );
    assert_eq!(count(&app), 1);

    let page = app.get_with(&location, &ada.headers());
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("quiz-verdict-failed"), "{}", page.body);
    assert!(
        page.body.contains("Not passed yet with 0%"),
        "{}",
        page.body
    );
    assert!(page.body.contains("What to review"), "{}", page.body);
    // A refresh reads the same attempt again and grades nothing.
    let again = app.get_with(&location, &ada.headers());
    assert_eq!(again.status, 200);
    assert!(again.body.contains("Not passed yet with 0%"));
    assert_eq!(count(&app), 1, "reading results stores no attempt");
    // The module page and "My training" link back to it.
    for from in ["/modules/basics", "/my/training"] {
        let page = app.get_with(from, &ada.headers());
        assert!(
            page.body.contains(&format!(r#"href="{location}""#)),
            "{from}: {}",
            page.body
        );
    }

    let bob = learner(&app, "bob");
    let theirs = app.get_with(&location, &bob.headers());
    assert_eq!(theirs.status, 404, "another learner: {}", theirs.body);
    assert!(!theirs.body.contains("Not passed yet"));
    let anonymous = app.get(&location);
    assert_eq!(anonymous.status, 303);
    assert!(
        anonymous
            .header("location")
            .is_some_and(|l| l.starts_with("/sign-in")),
        "{:?}",
        anonymous.header("location")
    );
    add_user(&app, "root", true, Some("pw"));
    let admin = sign_in(&app, "root", "pw");
    let admins = app.get_with(&location, &admin.headers());
    assert_eq!(admins.status, 200, "{}", admins.body);
    assert!(admins.body.contains("By ada, submitted"), "{}", admins.body);

    let number = location.rsplit('/').next().expect("number");
    for elsewhere in [
        format!("/modules/reading/attempts/{number}"),
        "/modules/basics/attempts/999999".to_owned(),
        "/modules/basics/attempts/99999999999999999999".to_owned(),
        "/modules/basics/attempts/latest".to_owned(),
    ] {
        let res = app.get_with(&elsewhere, &ada.headers());
        assert_eq!(res.status, 404, "{elsewhere}: {}", res.body);
    }

    // A pass: a new attempt at a new address.
    let passed = submit_and_follow(&app, &ada, "basics", "q0=0&q1=0&q1=2");
    assert!(
        passed.body.contains("quiz-verdict-passed"),
        "{}",
        passed.body
    );
    assert!(passed.body.contains("Passed with 100%"), "{}", passed.body);
    assert_eq!(count(&app), 2);
    let first = app.get_with(&location, &ada.headers());
    assert!(
        first.body.contains("Not passed yet with 0%"),
        "an earlier attempt keeps its own result"
    );
}

#[test]
fn a_blank_multiple_choice_question_returns_the_form_with_the_answers_kept() {
    let app = app();
    let ada = learner(&app, "ada");
    // Four blank posts: more than the free failures, none of them counted.
    for _ in 0..4 {
        let res = submit(&app, &ada, "basics", "q0=1");
        assert_eq!(res.status, 422, "{}", res.body);
    }
    let res = submit(&app, &ada, "basics", "q0=1");
    let body = &res.body;
    assert!(
        body.contains(r##"<a href="#question-2">Answer question 2 before submitting</a>"##),
        "{body}"
    );
    assert!(!body.contains("Answer question 1"), "{body}");
    assert!(
        body.contains(
            r#"id="question-2"><fieldset aria-describedby="question-2-error question-2-hint">"#
        ),
        "{body}"
    );
    assert!(
        body.contains(r#"<p class="quiz-error" id="question-2-error">"#),
        "{body}"
    );
    assert!(
        body.contains(r#"id="q0-1" name="q0" value="1" required checked>"#),
        "the answer given is kept: {body}"
    );
    assert!(!body.contains(r#"value="0" required checked"#), "{body}");
    assert!(body.contains(&format!(r#"name="csrf" value="{}""#, ada.csrf)));
    assert_eq!(count(&app), 0, "a refused post stores nothing");

    // Both questions blank: both are named, in order.
    let none = submit(&app, &ada, "basics", "");
    assert_eq!(none.status, 422);
    let first = none.body.find("Answer question 1").expect("question 1");
    let second = none.body.find("Answer question 2").expect("question 2");
    assert!(first < second);

    // The retry wait was not charged: a complete post is graded.
    let graded = submit_and_follow(&app, &ada, "basics", "q0=0&q1=0&q1=2");
    assert!(graded.body.contains("Passed with 100%"), "{}", graded.body);
    assert_eq!(count(&app), 1);
}

#[test]
fn the_form_numbers_each_question_in_its_legend() {
    let app = app();
    let ada = learner(&app, "ada");
    let page = app.get_with("/modules/basics", &ada.headers());
    let body = &page.body;
    assert!(
        body.contains(r#"<li class="quiz-question" id="question-1"><fieldset><legend class="quiz-prompt"><span class="quiz-number">1.</span> Which object"#),
        "{body}"
    );
    assert!(
        body.contains(
            r#"<legend class="quiz-prompt"><span class="quiz-number">2.</span> Which of these"#
        ),
        "{body}"
    );
    assert!(
        body.contains(r#"<fieldset aria-describedby="question-2-hint">"#),
        "{body}"
    );
    assert!(
        !body.contains("quiz-error"),
        "no errors before a post: {body}"
    );
}

#[test]
fn the_results_page_tells_a_learner_who_must_wait_when_they_may_try_again() {
    let app = app();
    let ada = learner(&app, "ada");
    let mut last = String::new();
    for _ in 0..3 {
        let res = submit(&app, &ada, "basics", "q0=1&q1=1");
        assert_eq!(res.status, 303, "{}", res.body);
        last = res.header("location").expect("Location").to_owned();
    }
    let page = app.get_with(&last, &ada.headers());
    assert!(
        page.body.contains("your next attempt opens in 10 minutes"),
        "{}",
        page.body
    );
    // While waiting, even a blank post gets the wait, not the form.
    assert_eq!(submit(&app, &ada, "basics", "q0=1").status, 429);
    assert_eq!(count(&app), 3);
}

/// Two of three questions drawn per attempt (one multiple choice), choices in order.
fn pooled(content: &Path) {
    let text = "---\nid: drawn\ntitle: Drawn\npass: 100\ndraw: 2\n---\nLesson.\n\n```quiz\n\
- question: Pick A?\n  choices: [A, B]\n  answer: 0\n\
- question: Pick C?\n  choices: [C, D]\n  answer: 0\n\
- question: Pick both?\n  choices: [E, F]\n  answer: [0, 1]\n```\n";
    fs::write(content.join("training/modules/drawn.md"), text).expect("write module");
}

#[test]
fn a_pooled_form_returned_for_a_blank_keeps_its_hand_out_and_questions() {
    let app = TestApp::start_with("training", pooled);
    let ada = learner(&app, "ada");
    let page = app.get_with("/modules/drawn", &ada.headers());
    let handout = page
        .body
        .split(r#"name="attempt" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a hidden attempt field")
        .to_owned();
    let prompts = |body: &str| -> Vec<String> {
        body.split(r#"<span class="quiz-number">"#)
            .skip(1)
            .filter_map(|rest| rest.split("</legend>").next().map(str::to_owned))
            .collect()
    };
    let shown = prompts(&page.body);
    assert_eq!(shown.len(), 2, "{}", page.body);
    let blank = submit(&app, &ada, "drawn", &format!("attempt={handout}&q0=0"));
    assert_eq!(blank.status, 422, "{}", blank.body);
    assert!(
        blank
            .body
            .contains(&format!(r#"name="attempt" value="{handout}""#)),
        "{}",
        blank.body
    );
    assert_eq!(prompts(&blank.body), shown, "the same questions, in order");
    assert_eq!(count(&app), 0);
    let mut answers = format!("attempt={handout}");
    for (i, prompt) in shown.iter().enumerate() {
        let both = prompt.contains("Pick both");
        answers.push_str(&if both {
            format!("&q{i}=0&q{i}=1")
        } else {
            format!("&q{i}=0")
        });
    }
    let res = submit(&app, &ada, "drawn", &answers);
    assert_eq!(res.status, 303, "the hand-out is still open: {}", res.body);
}
