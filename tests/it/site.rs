//! The site shell over `tests/fixtures/site-basic`: pages, headers, the docs API, asset
//! serving, traversal attempts, diagnostics and error pages.

use selfserve::render::document::review_notice;
use selfserve::render::layout::{Crumb, breadcrumbs};
use selfserve::web::headers::HTML_CSP;
use time::macros::date;

use crate::support::TestApp;

fn app() -> TestApp {
    TestApp::start("site-basic")
}

#[test]
fn healthz_answers_ok_as_plain_text() {
    let res = app().get("/healthz");
    assert_eq!(res.status, 200);
    assert_eq!(res.body, "ok");
    assert!(
        res.header("content-type")
            .is_some_and(|ct| ct.starts_with("text/plain"))
    );
    assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
}

#[test]
fn home_introduces_the_site_and_lists_sections() {
    let res = app().get("/");
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-type"), Some("text/html; charset=utf-8"));
    let body = &res.body;
    assert!(body.contains("Fixture Knowledge Base"), "{body}");
    assert!(body.contains("A small site for the web layer"), "{body}");
    for section in [
        "Getting started",
        "Kubernetes",
        "Troubleshooting",
        "Fix something",
        "Learn",
        "Get access",
    ] {
        assert!(body.contains(section), "missing {section}: {body}");
    }
    assert!(body.contains("1 troubleshooting tree"), "{body}");
    assert!(
        body.contains(r#"href="/trees/troubleshooting/pod-crash""#),
        "{body}"
    );
    assert!(body.contains(r#"role="search""#));
    assert!(body.contains(r##"class="skip-link" href="#main""##));
}

#[test]
fn a_guide_renders_with_title_toc_meta_and_security_headers() {
    let res = app().get("/docs/guides/kubernetes/deploy");
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-security-policy"), Some(HTML_CSP));
    assert_eq!(res.header("referrer-policy"), Some("same-origin"));
    let body = &res.body;
    assert!(
        body.contains("<title>Deploying to Kubernetes · Fixture Knowledge Base</title>"),
        "{body}"
    );
    // The TOC aside links to the headings' anchors.
    assert!(body.contains(r#"class="toc""#), "{body}");
    assert!(body.contains(r##"href="#before-you-deploy""##), "{body}");
    // Breadcrumbs, owner, review notice (reviewed 2020), edit link, tags.
    assert!(body.contains(r#"aria-label="Breadcrumb""#));
    assert!(body.contains("team-platform"));
    assert!(body.contains("Needs review"), "{body}");
    assert!(
        body.contains("https://git.example.com/kb/-/edit/main/content/guides/kubernetes/deploy.md")
    );
    assert!(body.contains(r#"href="/tags/kubernetes""#));
    // The sidebar marks this page.
    assert!(
        body.contains(r#"<a href="/docs/guides/kubernetes/deploy" aria-current="page">"#),
        "{body}"
    );
    // No inline scripts or styles anywhere (the CSP would block them).
    assert!(
        !body.contains("<script>") && !body.contains("style="),
        "{body}"
    );
}

#[test]
fn a_recently_reviewed_guide_has_no_review_notice_and_folders_link_their_readme() {
    let body = app().get("/docs/guides/getting-started/welcome").body;
    assert!(!body.contains("Needs review"));
    assert!(
        body.contains(r#"<a href="/docs/guides/getting-started/README">Getting started</a>"#),
        "{body}"
    );
    assert!(
        body.contains(r#"src="/assets/guides/img/overview.svg""#),
        "{body}"
    );
}

#[test]
fn unknown_ids_get_a_404_page_that_offers_search() {
    let res = app().get("/docs/guides/kubernetes/deploy-to-mars");
    assert_eq!(res.status, 404);
    assert_eq!(res.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(res.header("content-security-policy"), Some(HTML_CSP));
    assert!(res.body.contains("Page not found"));
    assert!(
        res.body.contains(r#"value="kubernetes deploy to mars""#),
        "{}",
        res.body
    );
    let res = app().get("/no/such/route");
    assert_eq!(res.status, 404);
    assert!(res.body.contains(r#"role="search""#));
}

#[test]
fn the_docs_api_answers_the_documented_shape() {
    let app = app();
    let res = app.get("/api/v1/docs/guides/kubernetes/deploy");
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-type"), Some("application/json"));
    let json = res.json();
    assert_eq!(json["id"], "guides/kubernetes/deploy");
    assert_eq!(json["title"], "Deploying to Kubernetes");
    assert_eq!(json["kind"], "guide");
    assert_eq!(json["url"], "/docs/guides/kubernetes/deploy");
    assert_eq!(json["tags"], serde_json::json!(["kubernetes", "deploy"]));
    assert_eq!(json["owner"], "team-platform");
    assert_eq!(json["reviewed"], "2020-01-15");
    assert!(
        json["html"]
            .as_str()
            .is_some_and(|h| h.contains("Before you deploy"))
    );
    let module = app.get("/api/v1/docs/k8s-basics").json();
    assert_eq!(module["kind"], "module");
    assert_eq!(module["reviewed"], serde_json::Value::Null);
    assert!(!module.to_string().contains("SECRET-EXPLANATION"));

    let missing = app.get("/api/v1/docs/nope");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.header("content-type"), Some("application/json"));
    assert!(missing.error().contains("nope"), "{}", missing.body);
    let unknown_route = app.get("/api/v1/nothing-here");
    assert_eq!(unknown_route.status, 404);
    assert!(unknown_route.json()["error"].is_string());
}

#[test]
fn traversal_attempts_never_return_file_contents() {
    let app = app();
    let attempts = [
        "/static/../Cargo.toml",
        "/static/%2e%2e/Cargo.toml",
        "/static/..%2FCargo.toml",
        "/static/%2e%2e%2fCargo.toml",
        "/static/..%5CCargo.toml",
        "/static/.gitignore",
        "/assets/../Cargo.toml",
        "/assets/..%2Fsite.toml",
        "/assets/site.toml",
        "/assets/%2e%2e/%2e%2e/Cargo.toml",
        "/assets/%2Fetc%2Fpasswd",
        "/assets//etc/passwd",
        "/assets/guides/../../../../etc/passwd",
        "/assets/guides%2F..%2F..%2Fsite.toml",
        "/assets/guides\\..\\site.toml",
        "/assets/guides/getting-started/welcome.md",
        "/docs/../../etc/passwd",
        "/docs/%2e%2e/%2e%2e/etc/passwd",
        "/api/v1/docs/..%2F..%2Fsite.toml",
    ];
    for path in attempts {
        let res = app.get(path);
        assert!(
            matches!(res.status, 400 | 404),
            "{path} answered {}",
            res.status
        );
        for secret in ["[package]", "root:x:0", "edit_url", "title: Welcome aboard"] {
            assert!(!res.body.contains(secret), "{path} leaked {secret}");
        }
    }
}

#[test]
fn assets_and_static_files_are_served_with_types_and_cache_headers() {
    let app = app();
    let svg = app.get("/assets/guides/img/overview.svg");
    assert_eq!(svg.status, 200);
    assert_eq!(
        svg.header("content-type"),
        Some("image/svg+xml; charset=utf-8")
    );
    assert_eq!(
        svg.header("content-security-policy"),
        Some(selfserve::web::assets::ASSET_CSP)
    );
    assert!(svg.body.starts_with("<svg"));
    let txt = app.get("/assets/guides/img/notes.txt");
    assert_eq!(
        txt.header("content-type"),
        Some("text/plain; charset=utf-8")
    );

    let css = app.get("/static/style.css");
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert_eq!(css.header("cache-control"), Some("public, max-age=3600"));
    let etag = css.header("etag").expect("an ETag").to_owned();
    let again = app.get_with("/static/style.css", &[("If-None-Match", &etag)]);
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(app.get("/static/nope.css").status, 404);
}

#[test]
fn the_diagnostics_page_lists_the_broken_file() {
    let res = app().get("/diagnostics");
    assert_eq!(res.status, 200);
    assert!(res.body.contains("guides/broken.md"), "{}", res.body);
    assert!(res.body.contains("is not a date"), "{}", res.body);
    assert!(res.body.contains("missing-page.md"), "{}", res.body);
}

#[test]
fn a_page_with_errors_still_renders_with_its_banner() {
    let res = app().get("/docs/guides/broken");
    assert_eq!(res.status, 200);
    assert!(res.body.contains("This page has problems"), "{}", res.body);
    assert!(res.body.contains("Some text that still renders."));
    assert!(
        !app()
            .get("/docs/guides/kubernetes/deploy")
            .body
            .contains("This page has problems")
    );
}

#[test]
fn code_blocks_are_highlighted_when_shown() {
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let app = TestApp::start_at(&sample);
    let page = app.get("/docs/guides/ci-cd/pipeline-basics");
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains(r#"<code class="language-yaml"><span class="hl-"#),
        "{}",
        page.body
    );
    // The cached copy is the same page.
    assert_eq!(
        app.get("/docs/guides/ci-cd/pipeline-basics").body,
        page.body
    );
}

#[test]
fn every_kind_has_a_page() {
    let app = app();
    let tree = app.get("/trees/troubleshooting/pod-crash");
    assert_eq!(tree.status, 200);
    assert!(tree.body.contains("Pod stuck in CrashLoopBackOff"));
    assert!(tree.body.contains(r##"href="#oom""##), "{}", tree.body);

    let module = app.get("/modules/k8s-basics");
    assert_eq!(module.status, 200);
    assert!(
        module
            .body
            .contains("Which object keeps a set of pods running?"),
        "{}",
        module.body
    );
    assert!(module.body.contains("A ConfigMap"));
    assert!(
        !module.body.contains("SECRET-EXPLANATION"),
        "the answer key leaked"
    );
    assert!(
        module
            .body
            .contains(r#"href="/paths/kubernetes-onboarding""#)
    );

    let path = app.get("/paths/kubernetes-onboarding");
    assert_eq!(path.status, 200);
    assert!(path.body.contains(r#"href="/modules/k8s-basics""#));
    assert!(path.body.contains(r#"href="/resources/k8s-namespace""#));

    let resource = app.get("/resources/k8s-namespace");
    assert_eq!(resource.status, 200);
    assert!(resource.body.contains("365 days"));
    // Anonymous readers are asked to sign in; the portal button waits for a decision.
    assert!(
        !resource
            .body
            .contains("https://portal.example.com/namespaces/new")
    );
    assert!(resource.body.contains("q-sign-in"));
    assert!(
        resource
            .body
            .contains(r#"href="/docs/guides/kubernetes/deploy""#)
    );

    // A document asked for under another kind's prefix redirects to its own page.
    let moved = app.get("/docs/k8s-basics");
    assert_eq!(moved.status, 302);
    assert_eq!(moved.header("location"), Some("/modules/k8s-basics"));
    // A folder address lands on its README.
    let folder = app.get("/docs/guides/getting-started/");
    assert_eq!(
        folder.header("location"),
        Some("/docs/guides/getting-started/README")
    );
}

#[test]
fn tags_list_documents_and_unknown_tags_are_404() {
    let app = app();
    let index = app.get("/tags");
    assert_eq!(index.status, 200);
    assert!(index.body.contains(r#"href="/tags/onboarding""#));
    let tag = app.get("/tags/kubernetes");
    assert_eq!(tag.status, 200);
    assert!(tag.body.contains("Deploying to Kubernetes"));
    assert!(tag.body.contains("Pod stuck in CrashLoopBackOff"));
    assert_eq!(app.get("/tags/unheard-of").status, 404);
}

#[test]
fn the_search_page_keeps_its_query_and_method_errors_are_pages() {
    let app = app();
    let res = app.get("/search?q=deploy");
    assert_eq!(res.status, 200);
    assert!(res.body.contains(r#"value="deploy""#));
    let post = app.request("POST", "/docs/guides/kubernetes/deploy", &[], b"");
    assert!(matches!(post.status, 404 | 405), "{}", post.status);
    assert_eq!(
        post.header("content-type"),
        Some("text/html; charset=utf-8")
    );
}

#[test]
fn breadcrumbs_fragment() {
    let html = breadcrumbs(&[
        Crumb::link("Home", "/"),
        Crumb::text("Kubernetes"),
        Crumb::text("Deploying <safely>"),
    ])
    .into_string();
    insta::assert_snapshot!(html);
}

#[test]
fn needs_review_notice_fragment() {
    let notice = review_notice(Some(date!(2025 - 01 - 15)), 180, date!(2026 - 01 - 01))
        .map(|m| m.into_string());
    insta::assert_snapshot!(notice.unwrap_or_default());
}
