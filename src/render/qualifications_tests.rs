//! Tests of the qualification views: what each viewer is offered, and the matrix's size.

use super::*;
use crate::model::DocId;
use crate::qualify::matrix::{Catalog, Row, matrix};
use crate::qualify::test_support::{sample_site, t0};
use crate::records::UserId;
use crate::render::layout::Viewer;
use crate::render::resource::{ResourceView, Roster, page, page_for};
use time::Duration;

fn ctx(site: &Site, viewer: Option<Viewer>) -> PageContext<'_> {
    PageContext {
        site_title: &site.config.title,
        nav: &site.nav,
        current_url: "/".into(),
        viewer,
        csrf_token: None,
        today: t0().date(),
        query: String::new(),
        live_generation: None,
    }
}

fn viewer(admin: bool) -> Option<Viewer> {
    Some(Viewer {
        name: "ada".into(),
        is_admin: admin,
        sees_insights: admin,
    })
}

fn id(s: &str) -> DocId {
    DocId::parse(s).expect("id")
}

fn decision(resource: &str, status: Status, missing: &[&str]) -> Decision {
    Decision {
        resource: id(resource),
        status,
        expires: (status != Status::Missing).then(|| t0() + Duration::days(100)),
        missing: missing.iter().map(|m| id(m)).collect(),
    }
}

#[test]
fn qualified_viewers_get_the_self_serve_link_as_the_main_action() {
    let site = sample_site();
    let doc = site.get(&id("db")).expect("db");
    let view = ResourceView {
        decision: Some(decision("db", Status::Qualified, &[])),
        roster: None,
    };
    let html = page_for(&ctx(&site, viewer(false)), &site, doc, &view).into_string();
    assert!(
        html.contains(r#"class="button" href="https://portal.example.com/db""#),
        "{html}"
    );
    assert!(html.contains("valid until 2026-04-11"));
    assert!(!html.contains("What to complete first"));
}

#[test]
fn others_see_what_to_complete_first_with_links() {
    let site = sample_site();
    let doc = site.get(&id("db")).expect("db");
    let view = ResourceView {
        decision: Some(decision("db", Status::Missing, &["b", "c"])),
        roster: None,
    };
    let html = page_for(&ctx(&site, viewer(false)), &site, doc, &view).into_string();
    assert!(html.contains("What to complete first"));
    assert!(
        html.contains(r#"<a href="/modules/b">Module b</a>"#),
        "{html}"
    );
    assert!(html.contains("button button-secondary"));
    assert!(html.contains("(prerequisites first)"), "paths include base");
    assert!(!html.contains("Who may self-serve it"), "admins only");
    let anonymous = page(&ctx(&site, None), &site, doc).into_string();
    assert!(
        anonymous.contains(
            r#"<a class="q-sign-in" href="/sign-in?next=%2Fresources%2Fdb">Sign in to see whether you may request"#
        ),
        "{anonymous}"
    );
    assert!(!anonymous.contains("button-secondary"), "no portal button");
}

#[test]
fn admins_see_who_is_qualified_and_who_is_expiring() {
    let site = sample_site();
    let doc = site.get(&id("db")).expect("db");
    let q = decision("db", Status::Qualified, &[]);
    let e = decision("db", Status::Expiring, &[]);
    let x = decision("db", Status::Expired, &["a"]);
    let roster = Roster::from_decisions([("bob", &q), ("eve", &e), ("zed", &x)]);
    assert_eq!(roster.expired, 1);
    let view = ResourceView {
        decision: None,
        roster: Some(roster),
    };
    let html = page_for(&ctx(&site, viewer(true)), &site, doc, &view).into_string();
    assert!(html.contains("2 learners are qualified, 1 of them lapsing soon"));
    assert!(html.contains(r#"<a href="/learners/eve">eve</a>"#));
}

#[test]
fn the_profile_names_the_next_step_for_each_resource() {
    let site = sample_site();
    let decisions = [
        decision("db", Status::Missing, &["b", "c"]),
        decision("ns", Status::Qualified, &[]),
    ];
    let html = profile(&ctx(&site, viewer(false)), &site, "ada", true, &decisions).into_string();
    assert!(html.contains("Your qualifications"));
    assert!(html.contains(r#"Take <a href="/modules/b">Module b</a> and 1 more module"#));
    assert!(html.contains("Request it"));
    assert!(html.contains("until 2026-04-11"));
}

#[test]
fn the_search_badge_says_whether_one_may_self_serve() {
    assert!(
        search_badge(Status::Expiring)
            .into_string()
            .contains("You may self-serve this")
    );
}

/// 500 learners × 30 resources: every cell present, and the page small enough to load
/// quickly on a laptop (about 50 bytes a cell).
#[test]
fn the_matrix_stays_compact_at_500_by_30() {
    let site = sample_site();
    let resources: Vec<DocId> = (0..30).map(|i| id(&format!("r{i}"))).collect();
    let rows: Vec<Row> = (0..500)
        .map(|n| Row {
            user: UserId(n),
            name: format!("learner{n:03}"),
            disabled: false,
            decisions: resources
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let status = [
                        Status::Qualified,
                        Status::Expiring,
                        Status::Expired,
                        Status::Missing,
                    ][(i + n as usize) % 4];
                    let mut d = decision(
                        r.as_str(),
                        status,
                        if status == Status::Missing {
                            &["a", "b"]
                        } else {
                            &[]
                        },
                    );
                    d.resource = r.clone();
                    d
                })
                .collect(),
        })
        .collect();
    let m = Matrix {
        at: t0(),
        resources,
        rows,
    };
    let html =
        matrix_page(&ctx(&site, viewer(true)), &site, &m, &View::default(), None).into_string();
    assert_eq!(html.matches("<td class=\"q").count(), 15_000);
    assert!(html.len() < 900_000, "{} bytes", html.len());
    assert!(html.contains(r#"<td class="qe" title="until 2026-04-11">!</td>"#));
    assert!(html.contains(r#"<td class="qm" title="missing 2">·</td>"#));
}

#[test]
fn the_matrix_form_keeps_the_chosen_filters_and_downloads_keep_the_date() {
    let site = sample_site();
    let catalog = Catalog::of(&site);
    let m = matrix(&catalog, &[], &[], t0(), 30);
    let view = View {
        resource: Some(id("ns")),
        status: Some(Status::Expired),
        sort: SortKey::Qualified,
        descending: true,
    };
    let html = matrix_page(
        &ctx(&site, viewer(true)),
        &site,
        &m,
        &view,
        Some("2026-03-01"),
    )
    .into_string();
    assert!(html.contains(r#"<option value="ns" selected>"#), "{html}");
    assert!(html.contains(r#"<option value="expired" selected>"#));
    assert!(html.contains(r#"href="/admin/qualifications.csv?as_of=2026%2D03%2D01""#));
    assert!(html.contains("No learner matches these filters."));
}
