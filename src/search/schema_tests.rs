//! Tests for the search schema: entries, places, passages, breadcrumbs and summaries.

use super::*;
use crate::model::{Body, Kind, Section, Tree, TreeNode};

pub(crate) fn doc(id: &str, kind: Kind, sections: Vec<Section>) -> Document {
    Document {
        title: "T".into(),
        body: Body::new("", sections),
        ..Document::sample(id, kind)
    }
}

#[test]
fn sections_land_on_their_anchor_and_tree_nodes_on_the_node() {
    let s = |a: Option<&str>, h: &str, t: &str| Section {
        level: if a.is_some() { 2 } else { 0 },
        anchor: a.map(str::to_owned),
        heading: h.into(),
        text: t.into(),
    };
    let d = doc(
        "ops/db",
        Kind::Guide,
        vec![s(None, "", "intro"), s(Some("fix it"), "Fix", "x")],
    );
    let urls: Vec<String> = entries(&d, &d.body.texts())
        .into_iter()
        .map(|e| e.url)
        .collect();
    assert_eq!(urls, vec!["/docs/ops/db", "/docs/ops/db#fix%20it"]);

    let mut t = doc(
        "troubleshooting/pod",
        Kind::Troubleshooting,
        vec![s(None, "", "Start here")],
    );
    t.detail = Detail::Tree(Tree {
        intro_html: String::new(),
        nodes: vec![TreeNode {
            id: "oom".into(),
            title: "Out of memory?".into(),
            body_html: String::new(),
            text: "Check limits".into(),
            choices: vec![],
            outcome: None,
        }],
    });
    let body = t.body.texts();
    let e = entries(&t, &body);
    assert_eq!(e.len(), 2);
    assert_eq!(e[1].url, "/trees/troubleshooting/pod#oom");
    assert_eq!(e[1].heading, "Out of memory?");
}

#[test]
fn a_page_without_text_still_has_an_entry() {
    let d = doc("a/b", Kind::Guide, vec![]);
    assert_eq!(entries(&d, &d.body.texts()).len(), 1);
    assert_eq!(breadcrumb(&d), vec!["A"]);
    assert_eq!(path_words(&doc("x/y/README", Kind::Guide, vec![])), "x y");
}

#[test]
fn long_text_is_cut_into_passages_without_losing_any() {
    let text = (0..23)
        .map(|i| format!("w{i}"))
        .collect::<Vec<_>>()
        .join(" \n");
    let p = passages(&text, 10);
    assert_eq!(p.len(), 2, "{p:?}");
    assert_eq!(p.concat(), text);
    assert_eq!(passages("a b", 10), vec!["a b"]);
    assert_eq!(passages("", 10), vec![""]);
    let p = passages("a b c d e f", 3);
    assert_eq!(p.concat(), "a b c d e f");
    assert_eq!(p.len(), 2);
}

#[test]
fn summaries_skip_boilerplate_before_the_prose() {
    let s = |t: &str| Section {
        level: 0,
        anchor: None,
        heading: String::new(),
        text: t.into(),
    };
    let d = doc(
        "a/b",
        Kind::Guide,
        vec![
            s("Table of Contents"),
            s("This alert fires when the queue grows past its limit."),
        ],
    );
    assert_eq!(
        display_summary(&d, &d.body.texts()),
        "This alert fires when the queue grows past its limit."
    );
    let d = doc("a/b", Kind::Guide, vec![s("Short only")]);
    assert_eq!(display_summary(&d, &d.body.texts()), "Short only");
}

#[test]
fn landing_pages_name_their_folder() {
    let at = |path: &str| {
        let mut d = doc("x", Kind::Guide, vec![]);
        d.source_path = path.into();
        landing_folder(&d).map(str::to_owned)
    };
    assert_eq!(at("services/gitaly/README.md").as_deref(), Some("gitaly"));
    assert_eq!(at("services/gitaly/index.md").as_deref(), Some("gitaly"));
    assert_eq!(at("services/gitaly/_index.md").as_deref(), Some("gitaly"));
    assert_eq!(at("services/gitaly/config.md"), None);
    assert_eq!(at("README.md"), None);
}

#[test]
fn truncation_respects_words_and_chars() {
    assert_eq!(truncate_words("short", 10), "short");
    assert_eq!(truncate_words("one two three", 9), "one two…");
    assert_eq!(truncate_words("ééééé", 3), "é…");
}
