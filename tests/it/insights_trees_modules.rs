//! Troubleshooting deflection and quiz item analysis (issue 16, items 4 and 5) over HTTP:
//! known walks and attempts recorded through the API give exactly the hand-computed figures
//! in the JSON; the pages and CSV show them; who may see what (401, 403, 404).

use selfserve::store::NewAttempt;
use serde_json::{Value, json};

use crate::auth::{add_user, token_for};
use crate::support::{TestApp, user_named};
use crate::training::attempts_api;

const TREE: &str = "troubleshooting/pod-crash";

/// Three one-answer questions, choice 0 right on each; owned by `team-platform`, which
/// `olive` answers for.
const MODULE: &str = "---\nid: item-check\ntitle: Item check\nowner: team-platform\npass: 50\n---\n\
Text.\n\n## Part\n\nMore.\n\n```quiz\n\
- question: First?\n  choices: [right, wrong one, wrong two]\n  answer: 0\n\
- question: Second?\n  choices: [right, wrong one, wrong two]\n  answer: 0\n\
- question: Third?\n  choices: [right, wrong one, wrong two]\n  answer: 0\n```\n";

fn app() -> TestApp {
    let app = TestApp::start_with("site-basic", |content| {
        let toml = content.join("site.toml");
        let text = std::fs::read_to_string(&toml).expect("site.toml");
        std::fs::write(toml, text + "\n[owners]\nteam-platform = [\"olive\"]\n").expect("toml");
        std::fs::write(content.join("training/modules/item-check.md"), MODULE).expect("module");
    });
    for (name, admin) in [("root", true), ("olive", false), ("ada", false)] {
        add_user(&app, name, admin, None);
    }
    app
}

fn bearer(token: &str) -> [(&'static str, String); 1] {
    [("Authorization", format!("Bearer {token}"))]
}

fn get_json(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    let [(name, value)] = bearer(token);
    let res = app.get_with(path, &[(name, &value)]);
    let json = serde_json::from_str(&res.body).unwrap_or(Value::Null);
    (res.status, json)
}

/// Floats compared to 1e-9, everything else exactly.
fn assert_close(got: &Value, want: &Value, at: &str) {
    match (got, want) {
        (Value::Number(g), Value::Number(w)) if w.is_f64() || g.is_f64() => {
            let (g, w) = (
                g.as_f64().unwrap_or(f64::NAN),
                w.as_f64().unwrap_or(f64::NAN),
            );
            assert!((g - w).abs() < 1e-9, "{at}: {g} ≠ {w}");
        }
        (Value::Object(g), Value::Object(w)) => {
            for (key, w) in w {
                let g = g
                    .get(key)
                    .unwrap_or_else(|| panic!("{at}.{key} missing in {got}"));
                assert_close(g, w, &format!("{at}.{key}"));
            }
        }
        (Value::Array(g), Value::Array(w)) => {
            assert_eq!(g.len(), w.len(), "{at}: {got} vs {want}");
            for (i, (g, w)) in g.iter().zip(w).enumerate() {
                assert_close(g, w, &format!("{at}[{i}]"));
            }
        }
        _ => assert_eq!(got, want, "{at}"),
    }
}

#[test]
fn known_walks_give_the_deflection_figures() {
    let app = app();
    let outcomes = format!("/api/v1/trees/{TREE}/outcomes");
    for (path, outcome) in [
        (["start", "oom"], "resolved"),
        (["start", "oom"], "resolved"),
        (["start", "oom"], "resolved"),
        (["start", "ask"], "escalate"),
        (["start", "ask"], "escalate"),
    ] {
        let res = app.post_json(&outcomes, &json!({"path": path, "outcome": outcome}), &[]);
        assert!(res.status == 200 || res.status == 201, "{}", res.body);
    }
    let olive = token_for(&app, "olive");
    // 5 walks, 3 resolved: deflection 3 / 5 = 0.6.
    let (status, detail) = get_json(
        &app,
        &format!("/api/v1/insights/trees/{TREE}?days=7"),
        &olive,
    );
    assert_eq!(status, 200, "{detail}");
    assert_close(
        &detail,
        &json!({
            "id": TREE, "days": 7, "bucket": "day",
            "walks": 5, "resolved": 3, "escalated": 2, "deflection": 0.6,
            "nodes": [
                {"id": "start", "reached": 5, "stopped": 0, "escalated": 0, "resolved": 0},
                {"id": "oom", "title": "Raise the memory limit", "reached": 3, "stopped": 3, "escalated": 0, "resolved": 3},
                {"id": "ask", "title": "Ask the platform team", "reached": 2, "stopped": 2, "escalated": 2, "resolved": 0},
            ],
        }),
        "detail",
    );
    let trend = detail["trend"].as_array().expect("trend");
    assert_eq!(trend.len(), 7);
    let walks: u64 = trend.iter().filter_map(|p| p["walks"].as_u64()).sum();
    assert_eq!(walks, 5);

    let (status, overview) = get_json(&app, "/api/v1/insights/trees?days=28", &olive);
    assert_eq!(status, 200, "{overview}");
    assert_close(
        &overview,
        &json!({
            "days": 28, "walks": 5, "resolved": 3, "escalated": 2, "deflection": 0.6,
            "trees": [{"id": TREE, "walks": 5, "resolved": 3, "escalated": 2, "deflection": 0.6}],
        }),
        "overview",
    );
    assert_eq!(overview["trend"].as_array().map(Vec::len), Some(28));
    let (_, long) = get_json(&app, "/api/v1/insights/trees?days=90", &olive);
    assert_eq!(long["bucket"], "week");

    // The pages and the CSV, for the owner signed in with a session.
    let cookie = session_cookie(&app, "olive");
    let page = app.get_with("/insights/trees?days=7", &[("Cookie", &cookie)]);
    assert_eq!(page.status, 200);
    assert_eq!(page.header("cache-control"), Some("private, no-store"));
    assert!(
        page.body
            .contains(&format!("href=\"/insights/trees/{TREE}\"")),
        "{}",
        page.body
    );
    assert!(page.body.contains(">60%<"), "{}", page.body);
    let page = app.get_with(&format!("/insights/trees/{TREE}"), &[("Cookie", &cookie)]);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("?view=diagram"), "a link to the diagram");
    let csv = app.get_with(
        &format!("/insights/trees/{TREE}?format=csv"),
        &[("Cookie", &cookie)],
    );
    assert_eq!(csv.status, 200);
    assert!(
        csv.body
            .starts_with("node,title,reached,stopped,escalated,resolved\n"),
        "{}",
        csv.body
    );
    assert!(
        csv.body.contains("ask,Ask the platform team,2,2,2,0\n"),
        "{}",
        csv.body
    );
    let csv = app.get_with("/insights/trees?format=csv&days=7", &[("Cookie", &cookie)]);
    assert!(
        csv.body.contains(&format!(
            "{TREE},Pod stuck in CrashLoopBackOff,5,3,2,0.6000\n"
        )),
        "{}",
        csv.body
    );

    // Access.
    assert_eq!(app.get("/api/v1/insights/trees").status, 401);
    let ada = token_for(&app, "ada");
    assert_eq!(get_json(&app, "/api/v1/insights/trees", &ada).0, 403);
    let (status, err) = get_json(&app, "/api/v1/insights/trees/no-such-tree", &olive);
    assert_eq!(status, 404, "{err}");
    assert_eq!(
        get_json(&app, "/api/v1/insights/trees?days=0", &olive).0,
        400
    );
}

fn session_cookie(app: &TestApp, name: &str) -> String {
    let user = user_named(&app.state.store, name);
    let (token, _) = app
        .state
        .store
        .create_session(user.id, time::OffsetDateTime::now_utc())
        .expect("session");
    format!("selfserve_session={token}")
}

#[test]
fn known_attempts_give_the_item_analysis() {
    let app = app();
    // Five learners' first attempts (choice 0 is right everywhere), as in
    // `insights::items`' hand-computed example:
    //   A 0,0,0 (3/3)  B 0,0,1 (2/3)  C 0,2,0 (2/3)  D 1,0,2 (1/3)  E 2,1,1 (0/3)
    let rows: [(&str, [usize; 3]); 5] = [
        ("la", [0, 0, 0]),
        ("lb", [0, 0, 1]),
        ("lc", [0, 2, 0]),
        ("ld", [1, 0, 2]),
        ("le", [2, 1, 1]),
    ];
    for (name, [a, b, c]) in rows {
        add_user(&app, name, false, None);
        let token = token_for(&app, name);
        let res = attempts_api(
            &app,
            &token,
            "item-check",
            &json!({"answers": [[a], [b], [c]]}),
        );
        assert_eq!(res.status, 200, "{name}: {}", res.body);
    }
    // E's retake (all right) and an attempt at an older version: both left out.
    let le = token_for(&app, "le");
    let res = attempts_api(
        &app,
        &le,
        "item-check",
        &json!({"answers": [[0], [0], [0]]}),
    );
    assert_eq!(res.status, 200, "{}", res.body);
    let la = user_named(&app.state.store, "la");
    app.state
        .store
        .record_attempt(&NewAttempt {
            user_id: la.id,
            module_id: "item-check",
            module_version: 0,
            answers_json: "[[1],[1],[1]]",
            score: 0,
            passed: false,
        })
        .expect("an old attempt");

    let olive = token_for(&app, "olive");
    let (status, got) = get_json(&app, "/api/v1/insights/modules/item-check", &olive);
    assert_eq!(status, 200, "{got}");
    let choices = |chosen: [u64; 3]| {
        chosen
            .iter()
            .enumerate()
            .map(|(index, n)| json!({"index": index, "correct": index == 0, "chosen": n}))
            .collect::<Vec<_>>()
    };
    // Facility: 3/5, 3/5, 2/5. Discrimination (rest score = share right on the other two):
    // Q0 0.5 / √(1.2 · 0.5); Q1 0 (the covariance sums to 0); Q2 0.3 / √(1.2 · 0.7).
    assert_close(
        &got,
        &json!({
            "attempts": 5, "passed": 3, "version": 1,
            "left_out": {"older_versions": 1, "retakes": 1, "unreadable": 0},
            "questions": [
                {"index": 0, "question": "First?", "answered": 5, "right": 3, "facility": 0.6,
                 "discrimination": 0.645_497_224_367_903, "flag": null, "choices": choices([3, 1, 1])},
                {"index": 1, "question": "Second?", "answered": 5, "right": 3, "facility": 0.6,
                 "discrimination": 0.0, "flag": null, "choices": choices([3, 1, 1])},
                {"index": 2, "question": "Third?", "answered": 5, "right": 2, "facility": 0.4,
                 "discrimination": 0.327_326_835_353_989, "flag": null, "choices": choices([2, 2, 1])},
            ],
        }),
        "analysis",
    );
    assert_eq!(got["questions"][0]["choices"][1]["text"], "wrong one");

    let cookie = session_cookie(&app, "olive");
    let page = app.get_with("/insights/modules", &[("Cookie", &cookie)]);
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("href=\"/insights/modules/item-check\""),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Q3: Third?"),
        "the hardest question: {}",
        page.body
    );
    assert!(
        !page.body.contains("/insights/modules/k8s-basics"),
        "another owner's module"
    );
    let csv = app.get_with("/insights/modules?format=csv", &[("Cookie", &cookie)]);
    assert!(
        csv.body
            .contains("item-check,Item check,5,0.6000,3,0.4000,0\n"),
        "{}",
        csv.body
    );
    let page = app.get_with("/insights/modules/item-check", &[("Cookie", &cookie)]);
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("first attempt at version 1"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("Left out: 1 retake, 1 attempt at older versions."),
        "{}",
        page.body
    );
    assert!(page.body.contains("✓ right answer"));
    let csv = app.get_with(
        "/insights/modules/item-check?format=csv",
        &[("Cookie", &cookie)],
    );
    assert!(
        csv.body.contains("3,Third?,5,0.4000,0.3273,1:2 2:2 3:1,\n"),
        "{}",
        csv.body
    );

    // Access: anonymous 401, an account owning nothing 403, another owner's module 403,
    // an unknown module 404; the admin sees every module.
    assert_eq!(app.get("/api/v1/insights/modules/item-check").status, 401);
    let ada = token_for(&app, "ada");
    assert_eq!(
        get_json(&app, "/api/v1/insights/modules/item-check", &ada).0,
        403
    );
    assert_eq!(
        get_json(&app, "/api/v1/insights/modules/k8s-basics", &olive).0,
        403
    );
    assert_eq!(
        get_json(&app, "/api/v1/insights/modules/nothing", &olive).0,
        404
    );
    let root = token_for(&app, "root");
    assert_eq!(
        get_json(&app, "/api/v1/insights/modules/k8s-basics", &root).0,
        200
    );
    assert_eq!(
        get_json(&app, "/api/v1/insights/modules/item-check", &root).1["attempts"],
        5
    );
}
