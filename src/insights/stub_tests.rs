//! Tests of stub making: titles, file names, validation, and front matter that reads back
//! exactly, however nasty the title.

use super::*;
use crate::loader::build_site;
use crate::source::{ContentFiles, SourceFile};

const TODAY: time::Date = time::macros::date!(2026 - 12 - 02);

fn request(queries: &[&str], title: Option<&str>, owner: &str) -> StubRequest {
    StubRequest {
        queries: queries.iter().map(|q| (*q).to_owned()).collect(),
        title: title.map(str::to_owned),
        owner: owner.to_owned(),
    }
}

/// Loads the stub as the site would, on `today`.
fn load(stub: &Stub) -> crate::model::Site {
    let files = ContentFiles {
        markdown: vec![SourceFile {
            rel_path: stub.rel_path.clone(),
            bytes: stub.markdown.clone().into_bytes(),
        }],
        ..ContentFiles::default()
    };
    build_site(files).0
}

#[test]
fn the_title_comes_from_the_most_searched_query_sentence_cased() {
    let queries = vec!["  rotate   OOMKilled pods ".to_owned(), "other".to_owned()];
    assert_eq!(suggested_title(&queries), "Rotate OOMKilled pods");
    assert_eq!(suggested_title(&["élan".to_owned()]), "Élan");
    assert_eq!(suggested_title(&[]), "");
    let long = "x".repeat(300);
    assert_eq!(suggested_title(&[long]).chars().count(), MAX_TITLE_CHARS);
}

#[test]
fn file_names_are_lower_case_words_joined_by_dashes() {
    assert_eq!(slug("Pod: OOMKilled?"), "pod-oomkilled");
    assert_eq!(slug("  --Deploy to prod--  "), "deploy-to-prod");
    assert_eq!(slug("Ünïcödé only"), "n-c-d-only");
    assert_eq!(slug("日本語"), "");
    assert!(slug(&"ab ".repeat(50)).len() <= 60);
    assert!(!slug(&"ab ".repeat(50)).ends_with('-'));
}

#[test]
fn a_stub_is_a_guide_under_the_folder_with_its_url() {
    let stub = make_stub(
        &request(
            &["vpn timeout", "VPN  timeout", "vpn time out"],
            None,
            "team-platform",
        ),
        DEFAULT_FOLDER,
        TODAY,
    )
    .expect("valid");
    assert_eq!(stub.title, "Vpn timeout");
    assert_eq!(stub.rel_path, "guides/vpn-timeout.md");
    assert_eq!(stub.id.as_str(), "guides/vpn-timeout");
    assert_eq!(stub.url, doc_url(Kind::Guide, &stub.id));
    // Repeats after cleaning are kept once.
    assert_eq!(stub.queries, ["vpn timeout", "VPN timeout", "vpn time out"]);
}

#[test]
fn bad_requests_are_refused_with_a_reason() {
    let cases: Vec<(StubRequest, StubInputError)> = vec![
        (request(&[], None, "ada"), StubInputError::QueryCount(0)),
        (
            request(&["q"; 21], None, "ada"),
            StubInputError::QueryCount(21),
        ),
        (
            request(&["ok", "  "], None, "ada"),
            StubInputError::BlankQuery(2),
        ),
        (
            request(&[&"q".repeat(201)], None, "ada"),
            StubInputError::LongQuery(1),
        ),
        (
            request(&["ok"], Some(&"t".repeat(121)), "ada"),
            StubInputError::Title,
        ),
        (request(&["日本語"], None, "ada"), StubInputError::Slug),
        (request(&["ok"], None, ""), StubInputError::Owner),
        (
            request(&["ok"], None, "team\nplatform"),
            StubInputError::Owner,
        ),
        (request(&["ok"], None, "a: b"), StubInputError::Owner),
        (
            request(&["ok"], None, &"o".repeat(65)),
            StubInputError::Owner,
        ),
    ];
    for (req, expected) in cases {
        assert_eq!(
            make_stub(&req, DEFAULT_FOLDER, TODAY),
            Err(expected.clone())
        );
        assert!(!expected.to_string().is_empty());
    }
    // 200 characters is still fine, and so is a blank title (the query's is taken).
    let ok = request(&[&"q".repeat(200)], Some("   "), "Ada Lovelace");
    assert!(make_stub(&ok, DEFAULT_FOLDER, TODAY).is_ok());
}

#[test]
fn nasty_titles_and_queries_read_back_exactly() {
    let nasty = [
        "Error: connection refused",
        "\"quoted\" and 'single'",
        "- looks like a list",
        "# looks like a comment",
        "yes",
        "null",
        "123",
        "key: value # comment",
        "[flow] {map} & *alias !tag | > %",
        "back\\slash and `code` <b>html</b>",
    ];
    for title in nasty {
        let queries = [
            title,
            "<script>alert(1)</script>",
            "[x](javascript:alert(1))",
        ];
        let stub = make_stub(
            &request(&queries, Some(title), "team-platform"),
            "guides",
            TODAY,
        )
        .unwrap_or_else(|e| panic!("{title}: {e}"));
        let site = load(&stub);
        let doc = site.documents.get(&stub.id).expect("the stub loads");
        assert_eq!(doc.title, title, "{}", stub.markdown);
        assert_eq!(doc.owner.as_deref(), Some("team-platform"));
        assert_eq!(
            doc.stub,
            Some(crate::model::StubMark {
                created: Some(TODAY)
            })
        );
        assert_eq!(doc.aliases, queries, "{}", stub.markdown);
        let html = doc.body.html();
        assert!(html.contains("This page needs writing"), "{html}");
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("href=\"javascript"), "{html}");
        // Fresh: no diagnostic at all (status and created are known keys).
        assert!(
            site.diagnostics.is_empty(),
            "{title}: {:?}",
            site.diagnostics
        );
    }
}

#[test]
fn check_warns_about_a_stub_older_than_the_limit() {
    let stub = make_stub(&request(&["vpn"], None, "ada"), "guides", TODAY).expect("valid");
    let files = || ContentFiles {
        markdown: vec![SourceFile {
            rel_path: stub.rel_path.clone(),
            bytes: stub.markdown.clone().into_bytes(),
        }],
        ..ContentFiles::default()
    };
    let (site, built) = build_site(files());
    let assemble_on = |today: time::Date| {
        crate::loader::assemble_on(
            site.config.clone(),
            built.iter(),
            Default::default(),
            Vec::new(),
            today,
        )
    };
    // Default limit 14 days: day 14 is quiet, day 15 warns at the `status:` line.
    assert!(
        assemble_on(time::macros::date!(2026 - 12 - 16))
            .diagnostics
            .is_empty()
    );
    let late = assemble_on(time::macros::date!(2026 - 12 - 17));
    assert_eq!(late.diagnostics.len(), 1, "{:?}", late.diagnostics);
    let warning = &late.diagnostics[0];
    let status_line = stub
        .markdown
        .lines()
        .position(|l| l.starts_with("status:"))
        .expect("a status line");
    assert_eq!(warning.line as usize, status_line + 1);
    assert!(warning.message.contains("15 days"), "{}", warning.message);
}
