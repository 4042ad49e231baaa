//! `selfserve import mkdocs`: the real binary on fixture MkDocs sites, then `check` and a
//! server over the result; bad inputs are refused with a sentence and nothing written.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::{TestApp, fixture};

fn selfserve(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_selfserve"))
        .args(args)
        .output()
        .expect("selfserve runs")
}

fn import(from: &Path, out: &Path) -> Output {
    selfserve(&[
        "import".as_ref(),
        "mkdocs".as_ref(),
        from.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ])
}

/// Every file under `dir` with its bytes, to show a source was left as it was.
fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).expect("read folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files.extend(tree(&path));
        } else {
            let bytes = fs::read(&path).expect("read file");
            files.push((path, bytes));
        }
    }
    files.sort();
    files
}

fn leftovers(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .expect("read folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".selfserve-import"))
        .collect()
}

#[test]
fn a_mkdocs_site_imports_checks_clean_and_is_served_with_its_own_nav() {
    let source = fixture("mkdocs/site");
    let before = tree(&source);
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("content");
    let result = import(&source, &out);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "{stderr}");
    assert_eq!(tree(&source), before, "the MkDocs folder is only read");
    assert!(
        stderr.contains("imported 7 pages and 1 other file from"),
        "{stderr}"
    );
    assert!(
        stderr.contains("(6 given a title: front matter)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("nav: 6 pages, 1 link, 3 sections")
            && stderr.contains("; 1 page not in the nav"),
        "{stderr}"
    );
    assert!(
        stderr.contains("mkdocs.yml:34: nav entry `ops/retired.md` left out: no such file"),
        "{stderr}"
    );
    // `search` is built in; `macros` is not.
    assert!(stderr.contains("plugins: macros\n"), "{stderr}");
    assert!(
        stderr.contains("pymdownx.details, pymdownx.emoji"),
        "{stderr}"
    );
    assert!(stderr.contains("other settings: extra_css"), "{stderr}");

    let site_toml = fs::read_to_string(out.join("site.toml")).expect("site.toml written");
    assert!(
        site_toml.contains("title = \"Demo platform docs\""),
        "{site_toml}"
    );
    assert!(
        site_toml
            .contains("edit_url = \"https://github.com/example/demo/edit/main/source/{path}\""),
        "{site_toml}"
    );
    let install = fs::read_to_string(out.join("guide/install.md")).expect("page copied");
    assert!(
        install.starts_with("---\ntitle: \"Installing the demo\"\n---\n# Installing"),
        "{install}"
    );
    let upgrade = fs::read_to_string(out.join("guide/upgrade.md")).expect("page copied");
    assert!(
        upgrade.starts_with("---\ntitle: Upgrade notes\n"),
        "kept as written: {upgrade}"
    );
    assert!(leftovers(dir.path()).is_empty());

    let check = selfserve(&["check".as_ref(), out.as_os_str()]);
    let summary = String::from_utf8_lossy(&check.stderr);
    assert!(
        check.status.success(),
        "{summary}{}",
        String::from_utf8_lossy(&check.stdout)
    );
    assert!(summary.contains("0 errors, 0 warnings"), "{summary}");

    let app = TestApp::start_at(&out);
    let page = app.get("/docs/guide/install");
    assert_eq!(page.status, 200);
    let start = page.body.find("id=\"site-nav\"").expect("a sidebar");
    let end = page.body.find("<main").expect("main");
    let body = &page.body[start..end];
    let at = |text: &str| {
        body.find(text)
            .unwrap_or_else(|| panic!("{text} not in the sidebar: {body}"))
    };
    // MkDocs' order and titles, an outside link, and no entry for the page the nav leaves out.
    assert!(at(">Welcome<") < at(">Guide<"));
    assert!(at(">Guide<") < at(">Upgrading between versions<"));
    assert!(at(">Upgrading between versions<") < at(">Operations<"));
    // A section whose first entry is an index page links to it (its other entry, a missing
    // page, was left out).
    assert!(at(">Backups and restores<") < at("<a href=\"/docs/scans/index\">Security</a>"));
    assert!(at("href=\"https://github.com/example/demo/issues\"") > at(">Security<"));
    assert!(
        body.contains("aria-current=\"page\">Installing the demo<"),
        "{body}"
    );
    assert!(!body.contains("href=\"/docs/unlisted\""), "{body}");
    // The page left out of the nav is still served.
    assert_eq!(app.get("/docs/unlisted").status, 200);
}

#[test]
fn a_nav_entry_naming_no_page_is_an_error_at_its_line_in_site_toml() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("content");
    assert!(import(&fixture("mkdocs/site"), &out).status.success());
    let toml = out.join("site.toml");
    let mut text = fs::read_to_string(&toml).expect("site.toml");
    let line = text.lines().count() + 3;
    text.push_str("\n[[nav]]\npage = \"gone.md\"\n");
    fs::write(&toml, text).expect("write site.toml");
    let check = selfserve(&["check".as_ref(), out.as_os_str()]);
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert_eq!(check.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "site.toml:{line}:8: error: the [[nav]] entry names `gone.md`"
        )),
        "{stdout}"
    );
}

#[test]
fn bad_inputs_are_refused_with_a_sentence_and_nothing_is_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("content");
    let cases: [(PathBuf, &str); 3] = [
        (dir.path().join("nowhere"), "does not exist"),
        (fixture("mkdocs/no-config"), "holds no mkdocs.yml"),
        (fixture("mkdocs/malformed"), "mkdocs.yml:4:"),
    ];
    for (from, wanted) in cases {
        let result = import(&from, &out);
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert_eq!(
            result.status.code(),
            Some(1),
            "{}: {stderr}",
            from.display()
        );
        assert!(stderr.contains(wanted), "{}: {stderr}", from.display());
        assert!(!out.exists(), "nothing written for {}", from.display());
    }
    let malformed = import(&fixture("mkdocs/malformed"), &out);
    assert!(
        String::from_utf8_lossy(&malformed.stderr).contains("is not valid YAML"),
        "{}",
        String::from_utf8_lossy(&malformed.stderr)
    );

    fs::create_dir(&out).expect("out");
    fs::write(out.join("keep.md"), "# Mine\n").expect("a file of the user's");
    let result = import(&fixture("mkdocs/site"), &out);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("is not empty"), "{stderr}");
    assert_eq!(tree(&out).len(), 1, "the folder is left as it was");
    assert!(leftovers(dir.path()).is_empty());
}
