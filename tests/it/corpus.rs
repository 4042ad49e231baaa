//! The real documentation corpora (GitLab runbooks, Argo CD docs): every file loads, every
//! page renders through the real server, and their quirks render as intended. The corpus
//! location comes from `SELFSERVE_CORPUS` (set by `.ci/run`); without it these tests skip.

#[path = "../common/copy_tree.rs"]
mod copy_tree;
use copy_tree::copy_tree;

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::TestApp;

const FOLDERS: [&str; 2] = ["gitlab-runbooks", "argocd-docs"];

fn corpus() -> Option<PathBuf> {
    match std::env::var_os("SELFSERVE_CORPUS") {
        Some(path) => Some(PathBuf::from(path)),
        None => {
            eprintln!("notice: SELFSERVE_CORPUS is not set; skipping the real-corpus test");
            None
        }
    }
}

/// A folder holding copies of both corpora side by side (about 10 MB; not symlinks: the
/// loader never follows a link out of the content folder).
fn both(corpus: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for folder in FOLDERS {
        copy_tree(&corpus.join(folder), &dir.path().join(folder)).expect("copy corpus folder");
    }
    dir
}

/// Markdown files a walk must load: everything but hidden folders and ATTRIBUTION.md.
fn expected_files(root: &Path) -> usize {
    fn walk(dir: &Path, count: &mut usize) {
        for entry in std::fs::read_dir(dir)
            .expect("read corpus folder")
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || name.starts_with('_') {
                continue;
            }
            let path = entry.path();
            if path.is_dir() {
                walk(&path, count);
            } else if name.ends_with(".md") && name != "ATTRIBUTION.md" {
                *count += 1;
            }
        }
    }
    let mut count = 0;
    walk(root, &mut count);
    count
}

#[test]
fn check_reports_corpus_problems_without_failing_to_read() {
    let Some(corpus) = corpus() else { return };
    for folder in FOLDERS {
        let out = Command::new(env!("CARGO_BIN_EXE_selfserve"))
            .arg("check")
            .arg(corpus.join(folder))
            .output()
            .expect("check runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{folder}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        // Upstream already has broken links; they are reported at the link, not fatal.
        assert!(
            stdout.contains(": error: the link points to"),
            "{folder}: broken links reported"
        );
        for line in stdout.lines() {
            assert!(
                line.contains(": error: ") || line.contains(": warning: "),
                "{line}"
            );
        }
    }
}

#[test]
fn every_corpus_file_loads_and_every_page_renders() {
    let Some(corpus) = corpus() else { return };
    let dir = both(&corpus);
    let expected: usize = FOLDERS
        .iter()
        .map(|f| expected_files(&corpus.join(f)))
        .sum();
    let app = TestApp::start_at(dir.path());
    let snapshot = app.state.snapshot.load_full();
    let site = &snapshot.site;
    assert_eq!(
        site.documents.len(),
        expected,
        "every Markdown file is a document"
    );

    let urls: Vec<(String, String)> = site
        .documents
        .values()
        .map(|d| (d.url(), d.title.clone()))
        .collect();
    let chunks: Vec<Vec<(String, String)>> = urls
        .chunks(urls.len().div_ceil(4))
        .map(<[_]>::to_vec)
        .collect();
    std::thread::scope(|scope| {
        for chunk in &chunks {
            let app = &app;
            scope.spawn(move || {
                for (url, title) in chunk {
                    let page = app.get(url);
                    assert_eq!(page.status, 200, "{url}");
                    let escaped = title
                        .replace('&', "&amp;")
                        .replace('<', "&lt;")
                        .replace('>', "&gt;");
                    assert!(
                        page.body.contains(&escaped),
                        "{url} shows its title {title}"
                    );
                }
            });
        }
    });

    // GitLab's [[_TOC_]] marker becomes the table of contents; GitHub alerts become callouts.
    let with_toc = site.documents.values().find(|d| {
        d.source_path.starts_with("gitlab-runbooks/") && d.body.html().contains("toc-inline")
    });
    assert!(
        with_toc.is_some(),
        "a runbook with [[_TOC_]] renders an inline table of contents"
    );
    assert!(
        site.documents
            .values()
            .any(|d| d.body.html().contains("callout callout-note")),
        "GitHub alerts render as callouts"
    );
    // Outside code blocks (a runbook shows the marker inside a template example) no marker is
    // left as text.
    for doc in site.documents.values() {
        let outside_code = strip_pre(&doc.body.html());
        assert!(
            !outside_code.contains("[[_TOC_]]"),
            "{} keeps a [[_TOC_]] marker",
            doc.id
        );
    }
}

fn strip_pre(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(start) = rest.find("<pre") {
        out.push_str(&rest[..start]);
        match rest[start..].find("</pre>") {
            Some(end) => rest = &rest[start + end + 6..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}
