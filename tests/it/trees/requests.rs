//! Escalations and the help-request queue: API and form escalations, the learner on a signed-in
//! walk, the admin page's filters and status changes, and who may see or change it.

use serde_json::json;

use super::{OUTCOMES, TREE, anonymous_form, app, browser, href_of, post_outcome};

#[test]
fn posting_outcomes_records_walks_and_escalations_open_requests() {
    let app = app();
    let res = post_outcome(
        &app,
        &json!({"path": ["start", "oom"], "outcome": "resolved"}),
    );
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(res.json()["outcome_id"].is_i64());
    assert!(res.json().get("request_id").is_none());

    let res = post_outcome(
        &app,
        &json!({"path": ["start", "app-error", "ask"], "outcome": "escalate", "note": "pods in payments keep restarting"}),
    );
    assert_eq!(res.status, 200, "{}", res.body);
    let request_id = res.json()["request_id"].as_i64().expect("request_id");

    let admin = browser(&app, "root", true);
    let list = app.get_with("/requests", &admin.headers());
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(
        list.body.contains(&format!("#{request_id}")),
        "{}",
        list.body
    );
    assert!(list.body.contains("pods in payments keep restarting"));
    assert!(
        list.body
            .contains("Do the logs show a configuration error?"),
        "trail titles"
    );
    assert!(list.body.contains("anonymously"));

    let learner = browser(&app, "ada", false);
    assert_eq!(app.get_with("/requests", &learner.headers()).status, 403);
    let anonymous = app.get("/requests");
    assert_eq!(anonymous.status, 303);
    assert!(
        anonymous
            .header("location")
            .is_some_and(|l| l.starts_with("/sign-in"))
    );
}

#[test]
fn a_signed_in_walk_is_recorded_with_its_learner() {
    let app = app();
    let ada = browser(&app, "ada", false);
    let res = app.post_json(
        OUTCOMES,
        &json!({"path": ["start", "ask"], "outcome": "escalate", "contact": "ada@example.com"}),
        &ada.headers(),
    );
    assert_eq!(res.status, 200, "{}", res.body);
    let admin = browser(&app, "root", true);
    let list = app.get_with("/requests?status=open", &admin.headers()).body;
    assert!(list.contains("by <strong>ada</strong>"), "{list}");
    assert!(list.contains("ada@example.com"));
}

#[test]
fn the_help_form_escalates_and_admins_move_the_request_along() {
    let app = app();
    let ask = format!("{TREE}?at=ask&trail=start");
    let (page, cookie, csrf) = anonymous_form(&app, &ask);
    assert!(
        page.body
            .contains("Send a help request to the platform team")
    );
    assert!(page.body.contains("Your answers (sent with the request)"));
    assert!(
        page.body.contains(
            "Does kubectl describe pod show OOMKilled? → <strong>Something else</strong>"
        )
    );
    let form = format!(
        "csrf={csrf}&path=start%2Cask&outcome=escalate&note=exit+code+137&contact=ops%40example.com"
    );
    let res = app.post_form(TREE, &form, &[("Cookie", &cookie)]);
    assert_eq!(res.status, 303, "{}", res.body);
    let location = res.header("location").expect("location").to_owned();
    assert!(location.starts_with("/requests/private/"), "{location}");
    let sent = app.get(&location).body;
    let id: i64 = sent
        .split_once(" sent</h1>")
        .and_then(|(before, _)| before.rsplit_once('#'))
        .and_then(|(_, n)| n.parse().ok())
        .expect("the request's number on its page");

    let admin = browser(&app, "root", true);
    let list = app.get_with("/requests?status=open", &admin.headers()).body;
    assert!(
        list.contains("exit code 137") && list.contains("ops@example.com"),
        "{list}"
    );
    let moved = app.post_form(
        &format!("/requests/{id}/status"),
        &format!(
            "csrf={}&status=answered&return=%2Frequests%3Fstatus%3Dopen",
            admin.csrf
        ),
        &admin.headers(),
    );
    assert_eq!(moved.status, 303, "{}", moved.body);
    assert_eq!(
        moved.header("location"),
        Some(format!("/requests?status=open#request-{id}").as_str())
    );
    assert!(
        app.get_with("/requests?status=open", &admin.headers())
            .body
            .contains("No help requests match.")
    );
    let answered = app.get_with(
        "/requests?status=answered&tree=troubleshooting%2Fpod-crash",
        &admin.headers(),
    );
    assert!(answered.body.contains("exit code 137"));
    assert_eq!(
        app.get_with("/requests?status=pending", &admin.headers())
            .status,
        400
    );

    // Without the form token, or as a learner, nothing moves.
    let no_token = app.post_form(
        &format!("/requests/{id}/status"),
        "status=closed",
        &admin.headers(),
    );
    assert_eq!(no_token.status, 403);
    let learner = browser(&app, "ada", false);
    let forbidden = app.post_form(
        &format!("/requests/{id}/status"),
        &format!("csrf={}&status=closed", learner.csrf),
        &learner.headers(),
    );
    assert_eq!(forbidden.status, 403);
}

#[test]
fn no_on_a_resolved_step_offers_a_help_request() {
    let app = app();
    let leaf = format!("{TREE}?at=oom&trail=start");
    let page = app.get(&leaf);
    let no = href_of(&page.body, "No, I still need help");
    assert_eq!(no, format!("{leaf}&help=1"));
    let (help, cookie, csrf) = anonymous_form(&app, &no);
    assert!(help.body.contains("Sorry it did not help"));
    let form =
        format!("csrf={csrf}&path=start%2Coom&outcome=escalate&not_fixed=1&note=still+OOMKilled");
    let res = app.post_form(TREE, &form, &[("Cookie", &cookie)]);
    assert_eq!(res.status, 303, "{}", res.body);
    let stats = app
        .state
        .store
        .tree_stats("troubleshooting/pod-crash")
        .expect("stats");
    assert_eq!((stats.escalated, stats.nodes["oom"].stopped_at), (1, 1));
    // A form without its token is refused, and so is one from another site.
    let bare = app.post_form(
        TREE,
        "path=start%2Coom&outcome=resolved",
        &[("Cookie", &cookie)],
    );
    assert_eq!(bare.status, 403);
    let cross = app.post_form(
        TREE,
        &format!("csrf={csrf}&path=start%2Coom&outcome=resolved"),
        &[("Cookie", &cookie), ("Origin", "https://evil.example")],
    );
    assert_eq!(cross.status, 403);
}
