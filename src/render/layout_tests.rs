//! Tests of the page shell: the sidebar's scope and markup, the phone menu, breadcrumbs.

use std::sync::Arc;

use super::*;
use crate::model::{Document, Kind, build_nav};

fn doc(path: &str) -> Arc<Document> {
    let id = path.strip_suffix(".md").expect("a markdown path");
    Arc::new(Document {
        source_path: path.into(),
        title: path.into(),
        ..Document::sample(id, Kind::Guide)
    })
}

#[test]
fn the_current_branch_is_open_and_the_page_marked() {
    let docs = [
        doc("guides/k/deploy.md"),
        doc("guides/other/x.md"),
        doc("guides/other/y.md"),
    ];
    let nav = build_nav(docs.iter());
    let html = sidebar(&nav, "/docs/guides/k/deploy").into_string();
    assert!(html.contains(r#"aria-current="page""#), "{html}");
    // "guides" is open as a top-level folder and "k" as the current branch; "other" is closed.
    assert_eq!(html.matches("<details open>").count(), 2, "{html}");
    assert_eq!(html.matches("<details>").count(), 1, "{html}");
}

#[test]
fn a_large_site_shows_only_the_branch_its_siblings_and_the_top_level() {
    // 12 top-level folders × 12 folders × 3 documents: 612 entries, over FULL_NAV_MAX.
    let mut docs = Vec::new();
    for a in 0..12 {
        for b in 0..12 {
            for c in 0..3 {
                docs.push(doc(&format!("t{a:02}/f{b:02}/d{c}.md")));
            }
        }
    }
    let nav = build_nav(docs.iter());
    assert!(crate::model::nav_entries(&nav) > FULL_NAV_MAX);
    let html = sidebar(&nav, "/docs/t03/f07/d1").into_string();
    assert!(html.contains(r#"aria-current="page""#), "{html}");
    // Siblings of the page and of its folder are listed…
    assert!(html.contains(r#"href="/docs/t03/f07/d2""#), "{html}");
    assert!(html.contains(r#"href="/docs/t03/f08/""#), "{html}");
    // …other folders are links to their listing, without their entries.
    assert!(html.contains(r#"href="/docs/t04/""#), "{html}");
    assert!(!html.contains(r#"href="/docs/t03/f08/d0""#), "{html}");
    assert!(!html.contains(r#"href="/docs/t04/f00/""#), "{html}");
    // 12 top-level + 12 folders + 3 documents, not 612.
    assert_eq!(
        html.matches("<li>").count() + html.matches(r#"<li class="closed">"#).count(),
        12 + 12 + 3,
        "{html}"
    );
    assert_eq!(html.matches("<details").count(), 2, "{html}");
}

#[test]
fn breadcrumbs_link_all_but_the_last() {
    let html = breadcrumbs(&[Crumb::link("Home", "/"), Crumb::text("Here")]).into_string();
    assert!(html.contains(r#"<a href="/">Home</a>"#));
    assert!(html.contains(r#"<span aria-current="page">Here</span>"#));
}

fn ctx_for<'a>(nav: &'a [NavNode], viewer: Option<Viewer>) -> PageContext<'a> {
    PageContext {
        site_title: "KB",
        nav,
        current_url: "/docs/guides/k/deploy".into(),
        viewer,
        csrf_token: Some("t".into()),
        today: time::macros::date!(2026 - 01 - 01),
        query: String::new(),
        live_generation: None,
    }
}

#[test]
fn no_link_sits_inside_a_summary() {
    let docs = [
        doc("guides/README.md"),
        doc("guides/k/deploy.md"),
        doc("guides/other/x.md"),
    ];
    let nav = build_nav(docs.iter());
    let html = sidebar(&nav, "/docs/guides/k/deploy").into_string();
    assert!(html.contains("<summary"), "{html}");
    for summary in html.split("<summary").skip(1) {
        let inside = summary.split("</summary>").next().unwrap_or_default();
        assert!(!inside.contains("<a "), "a link inside a summary: {html}");
    }
    // A folder with a page: its link, then a toggle named after it.
    assert!(
        html.contains(
            r#"<details open><summary aria-label="Pages in guides/README.md"></summary>"#
        ),
        "{html}"
    );
}

#[test]
fn the_phone_menu_holds_the_header_and_account_links() {
    let nav = build_nav([doc("guides/k/deploy.md")].iter());
    let admin = Viewer {
        name: "grace".into(),
        is_admin: true,
        sees_insights: true,
    };
    let html = render(&ctx_for(&nav, Some(admin)), Page::default()).into_string();
    let menu = html
        .split(r#"<nav id="site-nav""#)
        .nth(1)
        .and_then(|rest| rest.split("</nav>").next())
        .unwrap_or_default();
    for link in [
        r#"href="/tags""#,
        r#"href="/training""#,
        r#"href="/my/training""#,
        r#"href="/requests""#,
        r#"action="/sign-out""#,
        r#"class="menu-close""#,
    ] {
        assert!(menu.contains(link), "{link} missing in the menu: {menu}");
    }
    assert!(
        html.contains(r##"<a class="menu-link" href="#site-nav" aria-controls="site-nav">"##),
        "{html}"
    );
    assert!(
        html.contains(r#"<script src="/static/menu.js" defer>"#),
        "{html}"
    );

    let anonymous = render(&ctx_for(&nav, None), Page::default()).into_string();
    assert!(anonymous.contains(">Sign in</a></li>"), "{anonymous}");
}

#[test]
fn a_nav_section_without_a_page_keeps_its_entries_in_a_large_sidebar() {
    // 300 pages in sections named only in site.toml: no page lists a section's entries, so
    // off the current branch they stay in a closed `<details>` instead of a bare label.
    let mut toml = String::new();
    let mut documents = std::collections::BTreeMap::new();
    let mut by_path = std::collections::BTreeMap::new();
    for s in 0..10 {
        for p in 0..30 {
            let path = format!("p{s}x{p}.md");
            toml.push_str(&format!(
                "[[nav]]\nsection = [\"S{s}\"]\npage = \"{path}\"\n"
            ));
            let d = doc(&path);
            by_path.insert(path, d.id.clone());
            documents.insert(d.id.clone(), d);
        }
    }
    let config = crate::config::SiteConfig::parse(&toml).expect("valid");
    let (nav, problems) = crate::model::configured_sidebar(&config.nav, &documents, &by_path);
    assert!(problems.is_empty());
    let nav = nav.expect("configured");
    assert!(crate::model::nav_entries(&nav) > FULL_NAV_MAX);
    let html = sidebar(&nav, "/docs/p3x4").into_string();
    assert!(html.contains("<summary>S7</summary>"), "{html}");
    assert!(html.contains(r#"href="/docs/p7x29""#), "{html}");
    assert_eq!(html.matches("<details open>").count(), 1, "{html}");
}
