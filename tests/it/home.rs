//! Issue 15 end to end: the home page's sections (anonymous and signed in), the list of every
//! training path, what a completed path opens, "My training" holding only chosen paths, the
//! anonymous resource page, qualification badges on resources only, and changing one's own
//! password.

use crate::auth::{Browser, add_user, app_with_auth, cookie_value, csrf_in, sign_in};
use crate::support::{Response, TestApp};
use crate::training::submit;

/// The training fixture (paths `intro`: basics, reading; `next-steps`: advanced, after
/// `intro`) plus resources `notes` (needs `intro`) and `sandbox` (needs `next-steps`), and a
/// guide about the sandbox.
fn app() -> TestApp {
    TestApp::start_with("training", |content| {
        let dir = content.join("resources");
        std::fs::create_dir_all(&dir).expect("resources folder");
        std::fs::write(
            dir.join("sandbox.md"),
            "---\nid: sandbox\ntitle: Sandbox cluster\nrequires: [next-steps]\n\
             self_serve: https://portal.example.com/sandbox\n---\nA cluster to try things.\n",
        )
        .expect("write resource");
        std::fs::write(
            dir.join("notes.md"),
            "---\nid: notes\ntitle: Shared notes\nrequires: [intro]\n---\nA wiki space.\n",
        )
        .expect("write resource");
        std::fs::write(
            content.join("guides/sandbox-howto.md"),
            "---\nid: sandbox-howto\ntitle: Using the sandbox cluster\nresources: [sandbox]\n---\n\
             How to use the sandbox cluster once you have it.\n",
        )
        .expect("write guide");
    })
}

/// A learner `name` (password `password`) signed in through the form.
fn learner(app: &TestApp, name: &str, password: &str) -> Browser {
    add_user(app, name, false, Some(password));
    sign_in(app, name, password)
}

/// Passes both modules of `intro` (basics answered right, reading marked read).
fn complete_intro(app: &TestApp, me: &Browser) {
    assert_eq!(submit(app, me, "basics", "q0=0&q1=0&q1=2").status, 303);
    assert_eq!(submit(app, me, "reading", "").status, 303);
}

#[test]
fn the_home_page_leads_with_fix_learn_and_get_access() {
    let app = app();
    let home = app.get("/");
    assert_eq!(home.status, 200);
    let body = &home.body;
    let at = |needle: &str| {
        body.find(needle)
            .unwrap_or_else(|| panic!("{needle} missing: {body}"))
    };
    // The three tasks first, guides below them.
    assert!(at(r#"<h2 id="home-fix">Fix something</h2>"#) < at(r#"id="home-learn""#));
    assert!(at(r#"<h2 id="home-learn">Learn</h2>"#) < at(r#"id="home-access""#));
    assert!(at(r#"<h2 id="home-access">Get access</h2>"#) < at(r#"id="home-guides""#));
    assert!(body.contains(r#"id="home-search""#));
    assert!(body.contains(r#"<a href="/paths/intro">Introduction path</a>"#));
    assert!(body.contains(r#"href="/training">All training paths</a>"#));
    // Each resource names the paths that qualify for it, prerequisites included.
    let sandbox = &body[at(r#"<a class="home-resource-title" href="/resources/sandbox""#)..];
    let sandbox = &sandbox[..sandbox.find("</li>").expect("end of entry")];
    assert!(sandbox.contains("Needs: "), "{sandbox}");
    assert!(sandbox.contains(r#"<a href="/paths/intro">"#), "{sandbox}");
    assert!(
        sandbox.contains(r#"<a href="/paths/next-steps">"#),
        "{sandbox}"
    );
    assert!(
        !body.contains("path-progress"),
        "no progress for anonymous readers"
    );

    let me = learner(&app, "ada", "a long password");
    complete_intro(&app, &me);
    let mine = app.get_with("/", &me.headers());
    assert_eq!(mine.status, 200);
    assert!(mine.body.contains(r#"id="home-fix""#));
    assert!(
        mine.body.contains("Complete: all 2 modules passed."),
        "{}",
        mine.body
    );
    assert!(mine.body.contains("q-badge"), "statuses beside resources");
    assert!(mine.body.contains(r#"href="/my/training">My training</a>"#));
    // The anonymous page (cached) never shows someone's progress.
    assert!(!app.get("/").body.contains("path-progress"));
}

#[test]
fn every_path_is_listed_at_training_and_paths_lands_there() {
    let app = app();
    let page = app.get("/training");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<h1>Training paths</h1>"));
    assert!(
        page.body
            .contains(r#"<a href="/paths/intro">Introduction path</a>"#)
    );
    assert!(
        page.body
            .contains(r#"<a href="/paths/next-steps">Next steps path</a>"#)
    );
    let folder = app.get("/paths/");
    assert_eq!(folder.status, 302);
    assert_eq!(folder.header("location"), Some("/training"));
}

#[test]
fn a_completed_path_names_the_resources_it_opens() {
    let app = app();
    let me = learner(&app, "ada", "a long password");
    let before = app.get_with("/paths/intro", &me.headers());
    assert!(!before.body.contains("Now open to you"));
    complete_intro(&app, &me);
    let notes = r#"You can now request <a href="/resources/notes">Shared notes</a>."#;
    let sandbox = r#"<a href="/resources/sandbox">Sandbox cluster</a> also needs <a href="/paths/next-steps">Next steps path</a>."#;
    for page in ["/paths/intro", "/my/training"] {
        let body = app.get_with(page, &me.headers()).body;
        assert!(body.contains("Now open to you"), "{page}: {body}");
        assert!(body.contains(notes), "{page}: {body}");
        assert!(body.contains(sandbox), "{page}: {body}");
    }
}

#[test]
fn my_training_holds_only_paths_the_learner_took_up() {
    let app = app();
    let me = learner(&app, "ada", "a long password");
    let empty = app.get_with("/my/training", &me.headers()).body;
    assert!(!empty.contains(r#"<h3><a href="/paths/"#), "{empty}");
    assert!(!empty.contains(r#"class="notice next-step""#), "{empty}");
    assert!(empty.contains("You have not started a training path yet."));
    assert!(empty.contains(r#"<a href="/training">Browse training paths</a>"#));
    assert_eq!(submit(&app, &me, "basics", "q0=1&q1=0").status, 303);
    let started = app.get_with("/my/training", &me.headers()).body;
    assert!(
        started.contains(r#"<h3><a href="/paths/intro">"#),
        "{started}"
    );
    assert!(
        !started.contains(r#"<h3><a href="/paths/next-steps">"#),
        "{started}"
    );
    assert!(started.contains("Try again: "), "{started}");
}

#[test]
fn the_anonymous_resource_page_offers_sign_in_and_no_request_button() {
    let app = app();
    let page = app.get("/resources/sandbox");
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(
            r#"<a class="q-sign-in" href="/sign-in?next=%2Fresources%2Fsandbox">Sign in to see whether you may request Sandbox cluster</a>"#
        ),
        "{}",
        page.body
    );
    assert!(!page.body.contains("portal.example.com"), "{}", page.body);
}

/// The search hit titled `title`, as HTML.
fn hit<'a>(page: &'a Response, title: &str) -> &'a str {
    page.body
        .split(r#"<li class="search-hit""#)
        .skip(1)
        .find(|h| h.contains(&format!(">{title}</a>")))
        .unwrap_or_else(|| panic!("no hit titled {title}: {}", page.body))
}

#[test]
fn only_resources_carry_a_qualification_badge_in_search() {
    let app = app();
    let me = learner(&app, "bob", "a long password");
    let page = app.get_with("/search?q=sandbox+cluster", &me.headers());
    assert_eq!(page.status, 200);
    assert!(hit(&page, "Sandbox cluster").contains("Not qualified yet"));
    let guide = hit(&page, "Using the sandbox cluster");
    assert!(!guide.contains("q-badge"), "{guide}");
}

/// Posts the change-password form as `me`.
fn change(app: &TestApp, me: &Browser, current: &str, new: &str, confirm: &str) -> Response {
    let enc = |s: &str| s.replace(' ', "+");
    let body = format!(
        "csrf={}&current={}&new={}&confirm={}",
        me.csrf,
        enc(current),
        enc(new),
        enc(confirm)
    );
    app.post_form("/account/password", &body, &me.headers())
}

#[test]
fn a_person_changes_their_own_password() {
    let app = app();
    let me = learner(&app, "ada", "old password");
    let elsewhere = sign_in(&app, "ada", "old password");
    let account = app.get_with("/account", &me.headers());
    assert!(
        account
            .body
            .contains(r#"<h2 id="password-title">Change password</h2>"#)
    );
    assert!(account.body.contains(r#"action="/account/password""#));

    let wrong = change(&app, &me, "not it", "new password", "new password");
    assert_eq!(wrong.status, 403, "{}", wrong.body);
    assert!(wrong.body.contains("The current password is wrong"));
    let short = change(&app, &me, "old password", "short", "short");
    assert_eq!(short.status, 400);
    assert!(short.body.contains("The new password is too short"));
    let differ = change(&app, &me, "old password", "new password", "new passwort");
    assert_eq!(differ.status, 400);
    assert!(differ.body.contains("The two new passwords differ"));

    let done = change(&app, &me, "old password", "new password", "new password");
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.header("location"), Some("/account?password=changed"));
    let shown = app.get_with("/account?password=changed", &me.headers());
    assert_eq!(shown.status, 200, "this session stays signed in");
    assert!(shown.body.contains("Your password is changed."));
    let other = app.get_with("/account", &elsewhere.headers());
    assert_eq!(other.status, 303, "the other session is signed out");
    let old = crate::auth::post_sign_in(&app, "ada", "old+password", None);
    assert_eq!(old.status, 401);
    let new = crate::auth::post_sign_in(&app, "ada", "new+password", None);
    assert_eq!(new.status, 303);
    assert!(cookie_value(&new, "selfserve_session").is_some());
}

#[test]
fn wrong_current_passwords_are_limited_like_sign_ins() {
    let app = app();
    let me = learner(&app, "ada", "old password");
    let mut last = None;
    for _ in 0..8 {
        last = Some(change(&app, &me, "guess", "new password", "new password").status);
    }
    assert_eq!(last, Some(429));
}

#[test]
fn single_sign_on_accounts_see_no_password_form() {
    let app =
        app_with_auth("trusted_proxies = [\"127.0.0.1\"]\nproxy_header = \"X-Forwarded-Email\"\n");
    let sso = [("X-Forwarded-Email", "sso@example.com")];
    let page = app.get_with("/account", &sso);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Change password"));
    assert!(!page.body.contains(r#"action="/account/password""#));
    let csrf = csrf_in(&page.body).expect("a form token");
    let cookie = format!(
        "selfserve_csrf={}",
        cookie_value(&page, "selfserve_csrf").expect("a CSRF cookie")
    );
    let refused = app.post_form(
        "/account/password",
        &format!("csrf={csrf}&current=x&new=long+enough&confirm=long+enough"),
        &[sso[0], ("Cookie", &cookie)],
    );
    assert_eq!(refused.status, 409, "{}", refused.body);
}
