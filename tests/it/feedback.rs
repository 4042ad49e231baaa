//! "Was this helpful?" (issue 16, item 3): votes through the API and through the HTML form
//! with JavaScript off, their limits, and the exact figures the insights show to whom.

use selfserve::store::UserName;
use serde_json::json;
use time::OffsetDateTime;

use crate::support::{TestApp, user_named};

const DEPLOY: &str = "guides/kubernetes/deploy";
const WELCOME: &str = "guides/getting-started/welcome";

/// site-basic with the welcome page owned by another team, `ada` answering for
/// `team-platform` (the deploy guide and the tree), `bob` for nothing, `root` an admin.
fn app() -> TestApp {
    let app = TestApp::start_with("site-basic", |content| {
        let welcome = content.join("guides/getting-started/welcome.md");
        let text = std::fs::read_to_string(&welcome).expect("welcome");
        std::fs::write(
            &welcome,
            text.replace("owner: team-platform", "owner: team-data"),
        )
        .expect("write welcome");
        let toml = content.join("site.toml");
        let mut text = std::fs::read_to_string(&toml).expect("site.toml");
        text.push_str("\n[owners]\nteam-platform = [\"ada\"]\n");
        std::fs::write(toml, text).expect("write site.toml");
    });
    for (name, admin) in [("ada", false), ("bob", false), ("root", true)] {
        app.state
            .store
            .create_user(&UserName::parse(name).expect("name"), admin, None)
            .expect("user");
    }
    app
}

fn cookie_of(app: &TestApp, name: &str) -> String {
    let user = user_named(&app.state.store, name);
    let (token, _) = app
        .state
        .store
        .create_session(user.id, OffsetDateTime::now_utc())
        .expect("session");
    format!("selfserve_session={token}")
}

fn vote(app: &TestApp, id: &str, helpful: bool, comment: Option<&str>) -> crate::support::Response {
    let mut body = json!({ "helpful": helpful });
    if let Some(comment) = comment {
        body["comment"] = json!(comment);
    }
    app.post_json(&format!("/api/v1/docs/{id}/feedback"), &body, &[])
}

#[test]
fn votes_add_up_for_the_owners_and_admins_only() {
    let app = app();
    for (helpful, comment) in [
        (true, Some("alpha: clear enough")),
        (true, None),
        (false, Some("second: the rollback is missing")),
        (true, None),
    ] {
        let res = vote(&app, DEPLOY, helpful, comment);
        assert_eq!(res.status, 201, "{}", res.body);
        assert!(res.json()["id"].is_i64(), "{}", res.body);
    }
    assert_eq!(vote(&app, WELCOME, false, None).status, 201);

    let root = cookie_of(&app, "root");
    let res = app.get_with("/api/v1/insights/pages?days=28", &[("Cookie", &root)]);
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.header("cache-control"), Some("private, no-store"));
    let body = res.json();
    assert_eq!(body["days"], 28);
    let deploy = &body["pages"][0];
    assert_eq!(deploy["id"], DEPLOY);
    assert_eq!(deploy["votes"], 4);
    assert_eq!(deploy["helpful"], 3);
    assert_eq!(deploy["helpful_rate"], 0.75);
    assert_eq!(deploy["comments"], 2);
    assert_eq!(deploy["owner"], "team-platform");
    assert_eq!(body["pages"].as_array().map(Vec::len), Some(2));
    let trend = body["trend"].as_array().expect("trend");
    assert_eq!(trend.len(), 28);
    assert_eq!(trend[27]["votes"], 5);
    assert_eq!(trend[27]["helpful"], 3);
    let platform = body["by_owner"]
        .as_array()
        .expect("owners")
        .iter()
        .find(|o| o["owner"] == "team-platform")
        .expect("team-platform");
    assert_eq!(platform["worst"], json!([DEPLOY]));
    let overdue = platform["overdue_reviews"].as_array().expect("overdue");
    assert!(
        overdue
            .iter()
            .any(|o| o["id"] == DEPLOY && o["due"] == "2020-07-13"),
        "reviewed 2020-01-15 + 180 days: {overdue:?}"
    );
    assert!(
        !res.body.contains("root") && !res.body.contains("127.0.0.1"),
        "never who voted"
    );

    // The owner sees their pages only; a learner who owns nothing is refused; anonymous is
    // asked to sign in.
    let ada = cookie_of(&app, "ada");
    let mine = app
        .get_with("/api/v1/insights/pages", &[("Cookie", &ada)])
        .json();
    let ids: Vec<&str> = mine["pages"]
        .as_array()
        .expect("pages")
        .iter()
        .filter_map(|p| p["id"].as_str())
        .collect();
    assert_eq!(ids, [DEPLOY]);
    let bob = cookie_of(&app, "bob");
    assert_eq!(
        app.get_with("/api/v1/insights/pages", &[("Cookie", &bob)])
            .status,
        403
    );
    assert_eq!(
        app.get_with("/insights/pages", &[("Cookie", &bob)]).status,
        403
    );
    assert_eq!(app.get("/api/v1/insights/pages").status, 401);
    assert_eq!(app.get("/insights/pages").status, 303);
    assert_eq!(
        app.get_with(&format!("/insights/pages/{WELCOME}"), &[("Cookie", &ada)])
            .status,
        404,
        "not ada's page"
    );

    let typo = app.get_with("/insights/pages/guides/nope", &[("Cookie", &root)]);
    assert_eq!(typo.status, 404, "neither a page nor votes");
    assert!(typo.body.contains("guides/nope"), "{}", typo.body);

    // The page: comments newest first, the period's table, and the CSV.
    let page = app.get_with(&format!("/insights/pages/{DEPLOY}"), &[("Cookie", &ada)]);
    assert_eq!(page.status, 200, "{}", page.body);
    let (second, first) = (
        page.body
            .find("second: the rollback")
            .expect("second comment"),
        page.body
            .find("alpha: clear enough")
            .expect("first comment"),
    );
    assert!(second < first, "newest first");
    assert!(page.body.contains("75%"), "the rate");
    let overview = app.get_with("/insights/pages", &[("Cookie", &ada)]);
    assert_eq!(overview.status, 200);
    assert!(overview.body.contains("Deploying to Kubernetes"));
    assert!(
        !overview
            .body
            .contains(&format!("/insights/pages/{WELCOME}")),
        "another team's page"
    );
    let csv = app.get_with("/insights/pages?format=csv", &[("Cookie", &root)]);
    assert_eq!(csv.status, 200);
    assert!(
        csv.header("content-type")
            .is_some_and(|c| c.starts_with("text/csv"))
    );
    assert!(
        csv.body.contains(
            "guides/kubernetes/deploy,Deploying to Kubernetes,team-platform,4,3,0.7500,2,"
        ),
        "{}",
        csv.body
    );
}

#[test]
fn the_form_works_without_javascript_and_comes_back_to_the_page() {
    let app = app();
    let guide = app.get(&format!("/docs/{DEPLOY}"));
    assert_eq!(guide.status, 200);
    assert!(guide.body.contains("Was this helpful?"));
    let action = format!(r#"action="/docs/{DEPLOY}/feedback""#);
    assert!(guide.body.contains(&action), "{}", guide.body);
    // The cached copy is the same for everyone: no token in it.
    assert!(!guide.body.contains(r#"name="csrf""#));

    let res = app.post_form(
        &format!("/docs/{DEPLOY}/feedback"),
        "helpful=no&comment=Needs+an+example&back=%2Fdocs%2Fguides%2Fkubernetes%2Fdeploy",
        &[],
    );
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(
        res.header("location"),
        Some("/docs/guides/kubernetes/deploy#feedback-thanks")
    );

    // A tree's leaf asks too, and comes back to the step.
    let tree = "troubleshooting/pod-crash";
    let step = format!("/trees/{tree}?at=oom&trail=start");
    let leaf = app.get(&step);
    assert_eq!(leaf.status, 200);
    assert!(
        leaf.body
            .contains(&format!(r#"action="/docs/{tree}/feedback""#)),
        "{}",
        leaf.body
    );
    let escalate = app.get(&format!("/trees/{tree}?at=ask&trail=start"));
    assert_eq!(escalate.status, 200);
    assert!(
        escalate.body.contains("Was this helpful?"),
        "an escalate leaf asks too"
    );
    let start = app.get(&format!("/trees/{tree}?at=start"));
    assert!(
        !start.body.contains("Was this helpful?"),
        "not on a question"
    );
    let res = app.post_form(
        &format!("/docs/{tree}/feedback"),
        "helpful=yes&back=%2Ftrees%2Ftroubleshooting%2Fpod-crash%3Fat%3Doom%26trail%3Dstart",
        &[],
    );
    assert_eq!(res.status, 303);
    assert_eq!(
        res.header("location"),
        Some(&*format!("{step}#feedback-thanks"))
    );
    // Anywhere else goes back to the page itself.
    let res = app.post_form(
        &format!("/docs/{DEPLOY}/feedback"),
        "helpful=yes&back=https%3A%2F%2Fevil.example%2F",
        &[],
    );
    assert_eq!(
        res.header("location"),
        Some("/docs/guides/kubernetes/deploy#feedback-thanks")
    );
    assert_eq!(app.state.store.page_feedback_rows().expect("rows"), 3);

    // Modules, paths and resources take no votes.
    let module = app.get("/modules/k8s-basics");
    assert!(!module.body.contains("Was this helpful?"));
    assert_eq!(
        app.post_form("/docs/k8s-basics/feedback", "helpful=yes", &[])
            .status,
        404
    );
}

#[test]
fn bad_votes_get_a_sentence_and_floods_a_429() {
    let app = app();
    let res = vote(&app, "guides/nope", true, None);
    assert_eq!(res.status, 404);
    assert!(res.error().contains("guides/nope"), "{}", res.body);
    let long = "x".repeat(2001);
    let res = vote(&app, DEPLOY, true, Some(&long));
    assert_eq!(res.status, 400);
    assert!(res.error().contains("at most 2000"), "{}", res.body);
    let res = app.request(
        "POST",
        &format!("/api/v1/docs/{DEPLOY}/feedback"),
        &[("Content-Type", "application/json")],
        b"{\"helpful\": ",
    );
    assert_eq!(res.status, 400);
    assert!(res.error().contains("not valid JSON"), "{}", res.body);
    let res = app.post_json(
        &format!("/api/v1/docs/{DEPLOY}/feedback"),
        &json!({ "helpful": "very" }),
        &[],
    );
    assert_eq!(res.status, 400);
    let res = app.post_form(&format!("/docs/{DEPLOY}/feedback"), "comment=hm", &[]);
    assert_eq!(res.status, 400, "neither yes nor no");
    let huge = format!("helpful=yes&comment={}", "x".repeat(40 * 1024));
    assert_eq!(
        app.post_form(&format!("/docs/{DEPLOY}/feedback"), &huge, &[])
            .status,
        413
    );
    let huge = format!(
        "{{\"helpful\": true, \"comment\": \"{}\"}}",
        "x".repeat(40 * 1024)
    );
    let res = app.request(
        "POST",
        &format!("/api/v1/docs/{DEPLOY}/feedback"),
        &[("Content-Type", "application/json")],
        huge.as_bytes(),
    );
    assert_eq!(res.status, 413);
    assert!(res.error().contains("send a smaller one"), "{}", res.body);
    assert_eq!(app.state.store.page_feedback_rows().expect("rows"), 0);

    // Ten votes per address in ten minutes, the form and the API together.
    for i in 0..10 {
        let res = if i % 2 == 0 {
            vote(&app, DEPLOY, true, None)
        } else {
            app.post_form(&format!("/docs/{DEPLOY}/feedback"), "helpful=yes", &[])
        };
        assert!(matches!(res.status, 201 | 303), "vote {i}: {}", res.status);
    }
    let res = vote(&app, DEPLOY, true, None);
    assert_eq!(res.status, 429);
    assert!(res.header("retry-after").is_some());
    assert!(res.error().contains("wait"), "{}", res.body);
    let res = app.post_form(&format!("/docs/{DEPLOY}/feedback"), "helpful=no", &[]);
    assert_eq!(res.status, 429);
    assert!(
        res.body.contains("answers in the last 10 minutes"),
        "{}",
        res.body
    );
    assert_eq!(app.state.store.page_feedback_rows().expect("rows"), 10);
}
