//! Page serving at scale: the sidebar stays bounded on a site with many folders, folders
//! without an index page get a listing, and anonymous pages come from the snapshot's cache
//! (same bytes and headers, never someone's signed-in page, emptied by a reload).

use std::fs;
use std::path::Path;

use selfserve::page_cache::CachedPage;
use selfserve::snapshot::Snapshot;
use selfserve::web::headers::HTML_CSP;

use crate::auth::{add_user, app_with_auth, token_for};
use crate::support::TestApp;

/// 10 sections × 11 folders × 3 guides: 450 sidebar entries, well over what a page shows whole,
/// and 110 folders under the sections, too many to open them all.
fn many_folders(content: &Path) {
    for a in 0..10 {
        for b in 0..11 {
            let dir = content.join(format!("s{a}/f{b}"));
            fs::create_dir_all(&dir).expect("create folder");
            for c in 0..3 {
                let text = format!("---\ntitle: Guide {a}-{b}-{c}\n---\nBody of {a}-{b}-{c}.\n");
                fs::write(dir.join(format!("g{c}.md")), text).expect("write guide");
            }
        }
    }
    fs::write(content.join("site.toml"), "title = \"Many folders\"\n").expect("site.toml");
}

#[test]
fn a_page_on_a_site_with_many_folders_stays_small_and_everything_stays_reachable() {
    let dirs = tempfile::tempdir().expect("temp dir");
    many_folders(dirs.path());
    let app = TestApp::start_at(dirs.path());

    let page = app.get("/docs/s3/f7/g1");
    assert_eq!(page.status, 200);
    let body = &page.body;
    // The whole tree would list 330 guides; the page lists itself and its 2 siblings, its
    // folder and its 10 siblings, and the 10 sections, each folder off the branch as one link.
    assert_eq!(
        body.matches(r#"href="/docs/s"#).count(),
        3 + 11 + 10,
        "{body}"
    );
    assert!(body.contains(r#"href="/docs/s3/f7/g2""#), "{body}");
    assert!(body.contains(r#"href="/docs/s3/f8/""#), "{body}");
    assert!(body.contains(r#"href="/docs/s4/""#), "{body}");
    assert!(body.len() < 16 * 1024, "{} bytes", body.len());

    // Collapsed folders link to listings, which lead on to every page without JavaScript.
    let section = app.get("/docs/s4/");
    assert_eq!(section.status, 200);
    assert!(section.body.contains("<h1>S4</h1>"), "{}", section.body);
    assert!(
        section.body.contains(r#"href="/docs/s4/f2/""#),
        "{}",
        section.body
    );
    let folder = app.get("/docs/s4/f2/");
    assert!(
        folder.body.contains(r#"href="/docs/s4/f2/g2""#),
        "{}",
        folder.body
    );
    // The listing's breadcrumbs lead back up.
    assert!(
        folder.body.contains(r#"<a href="/docs/s4/">S4</a>"#),
        "{}",
        folder.body
    );
}

#[test]
fn a_folder_without_an_index_page_has_a_listing_and_its_bare_address_redirects() {
    let app = TestApp::start("site-basic");
    let res = app.get("/docs/guides/kubernetes/");
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-security-policy"), Some(HTML_CSP));
    assert!(
        res.body
            .contains(r#"href="/docs/guides/kubernetes/deploy""#),
        "{}",
        res.body
    );
    let bare = app.get("/docs/guides/kubernetes");
    assert_eq!(bare.status, 302);
    assert_eq!(bare.header("location"), Some("/docs/guides/kubernetes/"));
    // A folder with a README still lands on it; an unknown folder is a 404.
    let readme = app.get("/docs/guides/getting-started/");
    assert_eq!(
        readme.header("location"),
        Some("/docs/guides/getting-started/README")
    );
    assert_eq!(app.get("/docs/guides/nowhere/").status, 404);
}

#[test]
fn anonymous_pages_are_cached_per_snapshot_with_their_headers() {
    let app = TestApp::start("site-basic");
    let cache_len = || app.state.snapshot.load().pages.len();
    assert_eq!(cache_len(), 0);
    let page = "/docs/guides/kubernetes/deploy";
    let first = app.get(page);
    let second = app.get(&format!("{page}?utm=x"));
    assert_eq!(first.status, 200);
    assert_eq!(first.body, second.body);
    // Keyed by the canonical URL: the query did not add a copy.
    assert_eq!(cache_len(), 1);
    for res in [&first, &second] {
        assert_eq!(res.header("content-type"), Some("text/html; charset=utf-8"));
        assert_eq!(res.header("content-security-policy"), Some(HTML_CSP));
        assert_eq!(res.header("x-frame-options"), Some("DENY"));
    }
    assert!(
        second.body.contains("Needs review"),
        "the day's notice is kept"
    );
    for path in ["/", "/tags", "/tags/kubernetes", "/docs/guides/kubernetes/"] {
        assert_eq!(app.get(path).status, 200, "{path}");
    }
    assert_eq!(cache_len(), 5);

    // A signed-in reader gets a page rendered for them, and it is not kept for others.
    add_user(&app, "ada", false, None);
    let token = format!("Bearer {}", token_for(&app, "ada"));
    let mine = app.get_with(page, &[("Authorization", &token)]);
    assert!(mine.body.contains("ada"), "{}", mine.body);
    assert_eq!(mine.header("cache-control"), Some("private, no-store"));
    assert_eq!(cache_len(), 5);
    assert!(!app.get(page).body.contains(r#"href="/account""#));

    // A new snapshot (what a reload swaps in) starts empty, so edits show at once.
    let site = (*app.state.snapshot.load().site).clone();
    app.state
        .snapshot
        .update(|previous| Snapshot::next(previous, site));
    assert_eq!(cache_len(), 0);
    assert_eq!(app.get(page).body, first.body);
}

/// Puts a marker page in the current snapshot's cache, as if `url` had been rendered today.
fn plant(app: &TestApp, url: &str) {
    let page = CachedPage::new("PLANTED".into(), "text/html; charset=utf-8");
    let today = time::OffsetDateTime::now_utc().date();
    app.state
        .snapshot
        .load()
        .pages
        .insert(today, url.into(), page);
}

#[test]
fn only_requests_without_credentials_are_answered_before_authentication() {
    let app = TestApp::start("site-basic");
    let page = "/docs/guides/kubernetes/deploy";
    plant(&app, page);
    let hit = app.get(page);
    assert_eq!(hit.body, "PLANTED");
    assert_eq!(hit.header("content-security-policy"), Some(HTML_CSP));
    assert_eq!(hit.header("x-content-type-options"), Some("nosniff"));

    // Any credential goes through authentication: a stale session is forgotten (its reader
    // is then anonymous, so the handler may serve the cached page), a token signs in.
    let stale = app.get_with(page, &[("Cookie", "selfserve_session=expired")]);
    assert!(
        stale
            .headers
            .iter()
            .any(|(n, v)| n == "set-cookie" && v.starts_with("selfserve_session=")),
        "the stale session cookie is removed: {:?}",
        stale.headers
    );
    add_user(&app, "ada", false, None);
    let token = format!("Bearer {}", token_for(&app, "ada"));
    let mine = app.get_with(page, &[("Authorization", &token)]);
    assert!(
        mine.body.contains("Deploying to Kubernetes"),
        "{}",
        mine.body
    );
    let bad = app.get_with(page, &[("Authorization", "Bearer nope")]);
    assert_eq!(bad.status, 401);
}

#[test]
fn a_site_requiring_sign_in_never_answers_from_the_cache() {
    let app = app_with_auth("require_sign_in = true\n");
    plant(&app, "/");
    let home = app.get("/");
    assert_eq!(home.status, 303);
    assert_eq!(home.header("location"), Some("/sign-in"));
}
