//! Content is untrusted input (it arrives through merge requests): nothing outside the content
//! folder is read or served whatever a symlink says, the data folder is never content, assets
//! that could run script are sandboxed or downloaded, and tree labels reach the API as plain
//! text. Each test here failed before the fix it guards.
#![cfg(unix)]

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use selfserve::web::assets::ASSET_CSP;

use crate::support::{Response, TestApp, copy_dir, fixture};

const SECRET: &str = "root:x:0:0:the secret outside the content folder";

/// `<content>/../outside/`, with a secret file and a page, next to the content folder.
fn outside_of(content: &Path) -> PathBuf {
    let outside = content.parent().expect("a parent").join("outside");
    fs::create_dir_all(&outside).expect("outside folder");
    fs::write(outside.join("passwd.png"), SECRET).expect("secret");
    fs::write(
        outside.join("page.md"),
        format!("---\ntitle: Outside page\n---\n{SECRET}\n"),
    )
    .expect("outside page");
    outside
}

/// site-basic with a link to a file outside, a linked folder outside, a dangling link and a
/// link that stays inside.
fn linked_app() -> TestApp {
    TestApp::start_with("site-basic", |content| {
        let outside = outside_of(content);
        let guides = content.join("guides");
        symlink(outside.join("passwd.png"), guides.join("passwd.png")).expect("link out");
        symlink("../../outside", guides.join("evil")).expect("folder link out");
        symlink("img/nowhere.png", guides.join("dangling.png")).expect("dangling link");
        symlink("img/overview.svg", guides.join("logo.svg")).expect("link inside");
    })
}

fn assert_not_served(res: &Response) {
    assert_eq!(res.status, 404, "{}", res.body);
    assert!(!res.body.contains(SECRET), "{}", res.body);
}

#[test]
fn a_symlink_to_a_file_outside_is_not_served() {
    let app = linked_app();
    assert_not_served(&app.get("/assets/guides/passwd.png"));
}

#[test]
fn a_symlinked_folder_outside_is_not_walked_or_served() {
    let app = linked_app();
    assert_not_served(&app.get("/assets/guides/evil/passwd.png"));
    assert_not_served(&app.get("/docs/guides/evil/page"));
    let snapshot = app.state.snapshot.load();
    assert!(
        !snapshot
            .site
            .documents
            .values()
            .any(|d| d.source_path.starts_with("guides/evil")),
        "a document from outside the content folder was loaded"
    );
}

#[test]
fn a_symlink_inside_the_folder_is_followed() {
    let app = linked_app();
    let res = app.get("/assets/guides/logo.svg");
    assert_eq!(res.status, 200, "{}", res.body);
    let original = fs::read_to_string(app.content.join("guides/img/overview.svg")).expect("svg");
    assert_eq!(res.body, original);
}

#[test]
fn the_diagnostics_page_lists_every_link_that_is_left_out() {
    let app = linked_app();
    let res = app.get("/diagnostics");
    assert_eq!(res.status, 200);
    for (path, says) in [
        ("guides/passwd.png", "outside the content folder"),
        ("guides/evil", "outside the content folder"),
        ("guides/dangling.png", "does not exist"),
    ] {
        assert!(res.body.contains(path), "{path} missing in:\n{}", res.body);
        assert!(
            res.body.contains(says),
            "`{says}` missing in:\n{}",
            res.body
        );
    }
    assert!(!res.body.contains("guides/logo.svg"), "{}", res.body);
    assert!(!res.body.contains(SECRET));
}

#[test]
fn check_reports_each_link_out_at_its_path_and_exits_1() {
    let dir = tempfile::tempdir().expect("temp dir");
    let content = dir.path().join("content");
    fs::create_dir_all(content.join("guides/img")).expect("folders");
    fs::write(
        content.join("guides/a.md"),
        "---\ntitle: A\n---\nSome text.\n",
    )
    .expect("page");
    fs::write(content.join("guides/img/a.png"), "png").expect("image");
    symlink("img/a.png", content.join("guides/b.png")).expect("link inside");
    let check = || {
        Command::new(env!("CARGO_BIN_EXE_selfserve"))
            .arg("check")
            .arg(&content)
            .output()
            .expect("selfserve check runs")
    };
    let clean = check();
    assert_eq!(clean.status.code(), Some(0), "{clean:?}");

    let outside = outside_of(&content);
    symlink(
        outside.join("passwd.png"),
        content.join("guides/passwd.png"),
    )
    .expect("link out");
    symlink("../../outside", content.join("guides/evil")).expect("folder link out");
    symlink("missing.png", content.join("guides/gone.png")).expect("dangling");
    let out = check();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    for line in [
        "guides/passwd.png:1:1: error: this is a symlink to `",
        "guides/evil:1:1: error: this is a symlink to `../../outside`, outside the content folder",
        "guides/gone.png:1:1: error: this is a symlink to `missing.png`, which does not exist",
    ] {
        assert!(stdout.contains(line), "missing `{line}` in:\n{stdout}");
    }
    assert!(
        stdout.contains("put the file itself in the folder, or remove the link"),
        "{stdout}"
    );
    assert_eq!(stdout.lines().count(), 3, "{stdout}");
    assert!(!stdout.contains(SECRET));
}

#[test]
fn an_asset_replaced_by_a_link_after_loading_is_refused() {
    let app = TestApp::start("site-basic");
    let notes = app.content.join("guides/img/notes.txt");
    assert_eq!(app.get("/assets/guides/img/notes.txt").status, 200);

    // The server's own database: reading it through a link must not even open it.
    fs::remove_file(&notes).expect("remove");
    symlink(app.data.join("selfserve.db"), &notes).expect("link to the database");
    let res = app.get("/assets/guides/img/notes.txt");
    assert_eq!(res.status, 404, "{}", res.body);
    assert!(!res.body.contains("SQLite format"));

    let outside = outside_of(&app.content);
    fs::remove_file(&notes).expect("remove");
    symlink(outside.join("passwd.png"), &notes).expect("link out");
    assert_not_served(&app.get("/assets/guides/img/notes.txt"));

    // A folder on the way replaced by a link out.
    let img = app.content.join("guides/img");
    fs::rename(&img, app.content.join("guides/img-old")).expect("move folder");
    fs::create_dir_all(outside.join("img")).expect("outside img");
    fs::write(outside.join("img/overview.svg"), SECRET).expect("outside svg");
    symlink(outside.join("img"), &img).expect("folder link out");
    assert_not_served(&app.get("/assets/guides/img/overview.svg"));
}

/// A hard link cannot be told from its file by the path: the same file may also be named
/// outside the folder (the database, `/etc/passwd`), so a file with more than one name is
/// never read, whether it was there at loading or swapped in later.
#[test]
fn a_hard_link_to_the_database_or_outside_is_not_read() {
    let app = TestApp::start_with("site-basic", |content| {
        let outside = outside_of(content);
        fs::hard_link(
            outside.join("passwd.png"),
            content.join("guides/passwd.png"),
        )
        .expect("hard link out");
    });
    assert_not_served(&app.get("/assets/guides/passwd.png"));
    let diagnostics = app.get("/diagnostics");
    assert!(
        diagnostics.body.contains("guides/passwd.png") && diagnostics.body.contains("hard link"),
        "{}",
        diagnostics.body
    );

    let notes = app.content.join("guides/img/notes.txt");
    assert_eq!(app.get("/assets/guides/img/notes.txt").status, 200);
    fs::remove_file(&notes).expect("remove");
    fs::hard_link(app.data.join("selfserve.db"), &notes).expect("hard link to the database");
    let res = app.get("/assets/guides/img/notes.txt");
    assert_eq!(res.status, 404, "{}", res.body);
    assert!(!res.body.contains("SQLite format"));
}

#[test]
fn check_reports_a_hard_link_at_its_path_and_exits_1() {
    let dir = tempfile::tempdir().expect("temp dir");
    let content = dir.path().join("content");
    fs::create_dir_all(content.join("guides")).expect("folders");
    fs::write(
        content.join("guides/a.md"),
        "---\ntitle: A\n---\nSome text.\n",
    )
    .expect("page");
    let outside = outside_of(&content);
    fs::hard_link(
        outside.join("passwd.png"),
        content.join("guides/passwd.png"),
    )
    .expect("hard link out");
    let out = Command::new(env!("CARGO_BIN_EXE_selfserve"))
        .arg("check")
        .arg(&content)
        .output()
        .expect("selfserve check runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("guides/passwd.png:1:1: error: it is a hard link"),
        "{stdout}"
    );
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
}

#[test]
fn a_data_folder_inside_the_content_folder_is_never_walked_or_served() {
    let app = TestApp::start_with_data_inside("site-basic", "data", |_, data| {
        // A server ran here before: the database exists when the content is walked.
        selfserve::store::Store::open(data).expect("a database from an earlier run");
        fs::write(data.join("notes.md"), format!("# Notes\n\n{SECRET}\n")).expect("page");
    });
    let res = app.get("/assets/data/selfserve.db");
    assert_eq!(res.status, 404);
    assert!(!res.body.contains("SQLite format"));
    let snapshot = app.state.snapshot.load();
    assert!(
        !snapshot.site.assets.iter().any(|a| a.starts_with("data/")),
        "{:?}",
        snapshot.site.assets
    );
    assert!(
        !snapshot
            .site
            .documents
            .values()
            .any(|d| d.source_path.starts_with("data/"))
    );
    // Still a working server: the database in use is the one inside.
    assert_eq!(app.get("/healthz").status, 200);
}

#[test]
fn the_data_folder_cannot_be_the_content_folder() {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&fixture("site-basic"), dir.path());
    let err = selfserve::web::AppState::load(dir.path().into(), dir.path().into(), false)
        .expect_err("refused");
    assert!(
        err.to_string()
            .contains("pass a separate folder with --data"),
        "{err}"
    );
}

#[test]
fn a_link_out_saved_while_watching_is_reported_not_served() {
    let app = TestApp::start_watching("site-basic", |_| {});
    let outside = outside_of(&app.content);
    symlink(
        outside.join("passwd.png"),
        app.content.join("guides/new.png"),
    )
    .expect("link out");
    let deadline = Instant::now() + Duration::from_secs(5);
    let diagnostics = loop {
        let body = app.get("/diagnostics").body;
        if body.contains("guides/new.png") || Instant::now() > deadline {
            break body;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(diagnostics.contains("guides/new.png"), "{diagnostics}");
    assert!(
        diagnostics.contains("outside the content folder"),
        "{diagnostics}"
    );
    assert_not_served(&app.get("/assets/guides/new.png"));
}

#[test]
fn assets_that_could_run_script_are_sandboxed_or_downloaded() {
    let app = TestApp::start_with("site-basic", |content| {
        let img = content.join("guides/img");
        let script = "<script>alert(document.cookie)</script>";
        fs::write(img.join("page.html"), script).expect("html");
        fs::write(img.join("page.xhtml"), script).expect("xhtml");
        fs::write(img.join("feed.xml"), script).expect("xml");
        fs::write(img.join("tool.exe"), "MZ").expect("exe");
        fs::write(img.join("photo.png"), "png").expect("png");
        fs::write(img.join("run.js"), "alert(1)").expect("js");
    });
    let svg = app.get("/assets/guides/img/overview.svg");
    assert_eq!(svg.status, 200);
    assert_eq!(svg.header("content-security-policy"), Some(ASSET_CSP));
    assert!(ASSET_CSP.starts_with("sandbox;"));
    assert_eq!(svg.header("content-disposition"), None);
    for name in ["page.html", "page.xhtml", "feed.xml", "tool.exe"] {
        let res = app.get(&format!("/assets/guides/img/{name}"));
        assert_eq!(res.status, 200, "{name}");
        assert_eq!(
            res.header("content-type"),
            Some("application/octet-stream"),
            "{name}"
        );
        assert_eq!(
            res.header("content-disposition"),
            Some("attachment"),
            "{name}"
        );
        assert_eq!(
            res.header("content-security-policy"),
            Some(ASSET_CSP),
            "{name}"
        );
        assert_eq!(
            res.header("x-content-type-options"),
            Some("nosniff"),
            "{name}"
        );
    }
    let png = app.get("/assets/guides/img/photo.png");
    assert_eq!(png.header("content-type"), Some("image/png"));
    assert_eq!(png.header("content-security-policy"), Some(ASSET_CSP));
    assert_eq!(png.header("x-content-type-options"), Some("nosniff"));
    let js = app.get("/assets/guides/img/run.js");
    assert_eq!(js.header("content-type"), Some("text/plain; charset=utf-8"));
}

#[test]
fn tree_labels_and_titles_reach_the_api_as_plain_text() {
    let app = TestApp::start_with("trees-basic", |content| {
        fs::write(
            content.join("troubleshooting/evil.md"),
            "---\ntitle: Evil <img src=x onerror=alert(1)> tree\n---\nIntro.\n\n\
             ## Is it <b>ok</b>? {#start}\n\n\
             - [Yes `<img src=x onerror=alert(1)>`](#yes)\n\
             - [No &lt;img src=x onerror=alert(1)&gt; &amp; more](#no)\n\n\
             ## Fine {#yes .resolved}\n\nGood.\n\n\
             ## Not fine {#no .escalate}\n\nBad.\n",
        )
        .expect("tree");
    });
    let res = app.get("/api/v1/trees/troubleshooting/evil");
    assert_eq!(res.status, 200, "{}", res.body);
    let tree = res.json();
    assert_eq!(tree["title"], "Evil tree");
    let start = &tree["nodes"][0];
    assert_eq!(start["title"], "Is it ok?");
    assert_eq!(start["choices"][0]["label"], "Yes");
    assert_eq!(start["choices"][1]["label"], "No & more");
    assert!(!res.body.contains('<'), "{}", res.body);

    for page in [
        "/trees/troubleshooting/evil",
        "/trees/troubleshooting/evil?at=no&trail=start",
    ] {
        let html = app.get(page);
        assert_eq!(html.status, 200, "{page}");
        assert!(!html.body.contains("<img src=x"), "{page}: {}", html.body);
        assert!(!html.body.contains("onerror=alert(1)>"), "{page}");
    }
}
