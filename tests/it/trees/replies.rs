//! Help requests that hear back: the note the form requires, the answers kept with a request,
//! the platform team's reply, and the requester reading it at `/my/requests` (signed in) or
//! behind the private link (anyone holding it).

use selfserve::store::HelpFilter;

use super::{TREE, anonymous_form, app, browser};
use crate::support::TestApp;

/// The dead end of the pod-crash tree, reached by answering "Something else".
const ASK: &str = "/trees/troubleshooting/pod-crash?at=ask&trail=start";
const ANSWER: &str = "Does kubectl describe pod show OOMKilled? → <strong>Something else</strong>";

/// Sends the help form with `note` as `cookie`'s visitor; the redirect's target.
fn send(app: &TestApp, cookie: &str, csrf: &str, note: &str) -> crate::support::Response {
    let form = format!(
        "csrf={csrf}&path=start%2Cask&outcome=escalate&note={note}&contact=ops%40example.com"
    );
    app.post_form(TREE, &form, &[("Cookie", cookie)])
}

/// The private link a sent form redirected to, without `?sent=1`.
fn private_link(res: &crate::support::Response) -> String {
    assert_eq!(res.status, 303, "{}", res.body);
    let location = res.header("location").expect("location");
    let link = location.strip_suffix("?sent=1").expect("?sent=1");
    assert!(link.starts_with("/requests/private/"), "{location}");
    let token = &link["/requests/private/".len()..];
    assert!(
        token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()),
        "256 random bits: {token}"
    );
    link.to_owned()
}

#[test]
fn an_empty_note_comes_back_beside_the_field_and_nothing_is_stored() {
    let app = app();
    let (page, cookie, csrf) = anonymous_form(&app, ASK);
    assert!(page.body.contains(r#"name="note""#) && page.body.contains("required"));
    for note in ["", "+++"] {
        let res = send(&app, &cookie, &csrf, note);
        assert_eq!(res.status, 400, "{}", res.body);
        assert!(
            res.body.contains(
                "Write what you tried and what you see: the platform team needs it to help you."
            ),
            "{}",
            res.body
        );
        assert!(res.body.contains(r#"aria-invalid="true""#));
        assert!(res.body.contains(ANSWER), "the answers stay");
        assert!(
            res.body.contains(r#"value="ops@example.com""#),
            "the contact stays"
        );
    }
    let stored = app
        .state
        .store
        .list_help_requests(HelpFilter::default())
        .expect("list");
    assert!(stored.is_empty());
    assert_eq!(super::stats(&app).walks, 0);
}

#[test]
fn a_signed_in_requester_reads_the_reply_at_my_requests() {
    let app = app();
    let ada = browser(&app, "ada", false);
    let bob = browser(&app, "bob", false);
    let root = browser(&app, "root", true);
    let page = app.get_with(ASK, &ada.headers());
    assert!(page.body.contains("The request is sent as"));
    let res = send(&app, &ada.cookie, &ada.csrf, "exit+code+137+after+deploy");
    let link = private_link(&res);
    let sent = app.get_with(&format!("{link}?sent=1"), &ada.headers());
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert!(sent.body.contains("Keep this link to see the answer: "));

    let stored = app
        .state
        .store
        .list_help_requests(HelpFilter::default())
        .expect("list");
    assert_eq!(stored.len(), 1);
    let id = stored[0].id.0;
    assert_eq!(stored[0].answers.len(), 1);
    assert_eq!(stored[0].answers[0].answer, "Something else");

    let mine = app.get_with("/my/requests", &ada.headers());
    assert_eq!(mine.status, 200);
    assert!(mine.body.contains("exit code 137 after deploy"));
    assert!(mine.body.contains(ANSWER), "{}", mine.body);
    assert!(mine.body.contains("request-status-open") && mine.body.contains("No reply yet."));

    // The platform team sees the answers and replies.
    let list = app.get_with("/requests", &root.headers());
    assert!(list.body.contains(ANSWER), "{}", list.body);
    assert!(
        list.body
            .contains(&format!(r#"action="/requests/{id}/reply""#))
    );
    let replied = app.post_form(
        &format!("/requests/{id}/reply"),
        &format!(
            "csrf={}&reply=Raise+the+memory+limit+to+512Mi.&return=%2Frequests",
            root.csrf
        ),
        &root.headers(),
    );
    assert_eq!(replied.status, 303, "{}", replied.body);
    assert_eq!(
        replied.header("location"),
        Some(format!("/requests#request-{id}").as_str())
    );
    let list = app
        .get_with("/requests?status=answered", &root.headers())
        .body;
    assert!(list.contains("Reply by <strong>root</strong>"), "{list}");
    let empty = app.post_form(
        &format!("/requests/{id}/reply"),
        &format!("csrf={}&reply=+", root.csrf),
        &root.headers(),
    );
    assert_eq!(empty.status, 400);
    let learner = app.post_form(
        &format!("/requests/{id}/reply"),
        &format!("csrf={}&reply=mine", ada.csrf),
        &ada.headers(),
    );
    assert_eq!(learner.status, 403);

    let mine = app.get_with("/my/requests", &ada.headers()).body;
    assert!(mine.contains("request-status-answered"), "{mine}");
    assert!(mine.contains("Raise the memory limit to 512Mi."));
    let others = app.get_with("/my/requests", &bob.headers()).body;
    assert!(others.contains("You have not sent any help requests."));
    assert!(!others.contains("exit code 137") && !others.contains("512Mi"));
    assert_eq!(app.get("/my/requests").status, 303, "sign in first");
}

#[test]
fn an_anonymous_requester_reads_the_reply_behind_the_private_link() {
    let app = app();
    let (_, cookie, csrf) = anonymous_form(&app, ASK);
    let link = private_link(&send(&app, &cookie, &csrf, "still+crashing"));
    let sent = app.get(&format!("{link}?sent=1"));
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert!(sent.body.contains(" sent</h1>"));
    assert!(
        sent.body
            .contains(r#"Keep this link to see the answer: <a href="http://"#),
        "{}",
        sent.body
    );
    assert!(sent.body.contains(&format!("{link}\"")));
    assert!(
        sent.header("x-robots-tag")
            .is_some_and(|v| v.contains("noindex"))
    );
    assert_eq!(sent.header("cache-control"), Some("no-store"));
    assert!(sent.body.contains("No reply yet.") && sent.body.contains(ANSWER));
    assert!(
        !sent.body.contains("ops@example.com"),
        "the contact is for the team"
    );

    let root = browser(&app, "root", true);
    let id = app
        .state
        .store
        .list_help_requests(HelpFilter::default())
        .expect("list")[0]
        .id
        .0;
    let replied = app.post_form(
        &format!("/requests/{id}/reply"),
        &format!("csrf={}&reply=Check+the+liveness+probe.", root.csrf),
        &root.headers(),
    );
    assert_eq!(replied.status, 303);
    // Anyone holding the link, with no cookie at all, reads the reply.
    let later = app.get(&link);
    assert_eq!(later.status, 200);
    assert!(later.body.contains("request-status-answered"));
    assert!(later.body.contains("Check the liveness probe."));
    assert!(!later.body.contains(" sent</h1>"));

    let mut wrong = link.clone();
    let last = wrong.pop().expect("a character");
    wrong.push(if last == '0' { '1' } else { '0' });
    assert_eq!(app.get(&wrong).status, 404);
    assert_eq!(app.get("/requests/private/not-a-token").status, 404);
}
