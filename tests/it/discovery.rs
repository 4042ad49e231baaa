//! `/sitemap.xml`, `/robots.txt` and `/opensearch.xml` on a real server: their content types,
//! absolute URLs from `base_url` or the request's host, public pages only, and a site that
//! requires sign-in keeping crawlers out.

use std::path::Path;

use crate::support::TestApp;

fn append_to_site_toml(content: &Path, text: &str) {
    let path = content.join("site.toml");
    let mut toml = std::fs::read_to_string(&path).expect("site.toml");
    toml.push_str(text);
    std::fs::write(path, toml).expect("write site.toml");
}

#[test]
fn the_sitemap_lists_public_pages_with_the_requests_host() {
    let app = TestApp::start("site-basic");
    let res = app.get("/sitemap.xml");
    let host = app.addr.to_string();
    assert_eq!(res.status, 200);
    assert_eq!(
        res.header("content-type"),
        Some("application/xml; charset=utf-8")
    );
    assert!(res.body.starts_with("<?xml"), "{}", res.body);
    let snapshot = app.state.snapshot.load_full();
    let guide = snapshot
        .site
        .documents
        .values()
        .find(|d| d.kind == selfserve::model::Kind::Guide)
        .expect("a guide");
    assert!(
        res.body
            .contains(&format!("<loc>http://{host}{}</loc>", guide.url())),
        "{}",
        res.body
    );
    assert!(
        res.body.contains(&format!("<loc>http://{host}/</loc>")),
        "{}",
        res.body
    );
    for private in [
        "/admin",
        "/insights",
        "/account",
        "/diagnostics",
        "/my",
        "/requests",
    ] {
        assert!(
            !res.body.contains(&format!("{host}{private}")),
            "{private} listed:\n{}",
            res.body
        );
    }
}

#[test]
fn urls_use_the_base_url_when_set() {
    let app = TestApp::start_with("site-basic", |content| {
        append_to_site_toml(content, "base_url = \"https://kb.example.com/\"\n");
    });
    let sitemap = app.get("/sitemap.xml");
    assert!(
        sitemap.body.contains("<loc>https://kb.example.com/</loc>"),
        "{}",
        sitemap.body
    );
    let robots = app.get("/robots.txt");
    assert_eq!(robots.status, 200);
    assert_eq!(
        robots.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(
        robots.body,
        "User-agent: *\nAllow: /\n\nSitemap: https://kb.example.com/sitemap.xml\n"
    );
    let search = app.get("/opensearch.xml");
    assert_eq!(search.status, 200);
    assert_eq!(
        search.header("content-type"),
        Some("application/opensearchdescription+xml; charset=utf-8")
    );
    assert!(
        search
            .body
            .contains(r#"template="https://kb.example.com/search?q={searchTerms}""#),
        "{}",
        search.body
    );
}

#[test]
fn every_page_links_the_search_description() {
    let app = TestApp::start("site-basic");
    let home = app.get("/");
    assert!(
        home.body
            .contains(r#"rel="search" type="application/opensearchdescription+xml" title="#)
            && home.body.contains(r#"href="/opensearch.xml""#),
        "{}",
        home.body
    );
}

#[test]
fn a_site_requiring_sign_in_asks_crawlers_to_keep_out() {
    let app = TestApp::start_with("site-basic", |content| {
        append_to_site_toml(content, "\n[auth]\nrequire_sign_in = true\n");
    });
    let robots = app.get("/robots.txt");
    assert_eq!(
        robots.status, 200,
        "robots.txt is readable without signing in"
    );
    assert_eq!(robots.body, "User-agent: *\nDisallow: /\n");
    let sitemap = app.get("/sitemap.xml");
    assert_eq!(
        sitemap.status, 303,
        "the page list is for signed-in readers"
    );
}
