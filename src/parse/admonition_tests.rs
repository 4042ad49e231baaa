//! Tests of the pre-pass: what each construct becomes and that the map stays exact.

use super::*;

fn check_map(body: &str, p: &Prepared) {
    // Every original byte maps back to the same byte of the body.
    for (i, b) in p.text.bytes().enumerate() {
        if !p.map.is_synthetic(i) {
            assert_eq!(
                body.as_bytes().get(p.map.to_body(i)),
                Some(&b),
                "offset {i} in {:?}",
                p.text
            );
        }
    }
}

#[test]
fn mkdocs_body_is_dedented_and_mapped() {
    let body = "intro\n\n!!! warning \"Careful now\"\n    first **line**\n\n    second\n\nafter\n";
    let p = prepare(body);
    check_map(body, &p);
    assert!(
        p.text.contains("\nfirst **line**\n\nsecond\n"),
        "{}",
        p.text
    );
    let opens: Vec<_> = p
        .markers
        .values()
        .filter(|m| matches!(m, Marker::Open(_)))
        .collect();
    assert_eq!(opens.len(), 1);
    let Marker::Open(c) = opens[0] else {
        unreachable!()
    };
    assert_eq!(
        (c.kind, c.title.as_deref()),
        ("warning", Some("Careful now"))
    );
    let first = p.text.find("first").expect("kept");
    assert_eq!(p.map.to_body(first), body.find("first").expect("in body"));
}

#[test]
fn collapsible_and_nested_mkdocs() {
    let body = "???+ hint\n    outer\n\n    !!! bug\n        inner\n";
    let p = prepare(body);
    check_map(body, &p);
    let mut kinds: Vec<_> = p
        .markers
        .values()
        .filter_map(|m| match m {
            Marker::Open(c) => Some((c.kind, c.collapsible)),
            _ => None,
        })
        .collect();
    kinds.sort();
    assert_eq!(kinds, vec![("bug", None), ("tip", Some(true))]);
    assert!(p.text.contains("\ninner\n"), "{}", p.text);
}

#[test]
fn docusaurus_titles_and_unclosed() {
    let p = prepare(":::note[Read me]\ntext\n:::\n\n:::tip Quick win\nmore\n");
    let titles: Vec<_> = p
        .markers
        .values()
        .filter_map(|m| match m {
            Marker::Open(c) => c.title.clone(),
            _ => None,
        })
        .collect();
    assert_eq!(titles.len(), 2);
    assert!(titles.contains(&"Read me".to_owned()) && titles.contains(&"Quick win".to_owned()));
    assert_eq!(p.unclosed, vec![p.unclosed[0]]);
    assert_eq!(p.unclosed[0], ":::note[Read me]\ntext\n:::\n\n".len());
}

#[test]
fn nothing_changes_inside_fences() {
    let body = "```md\n!!! note\n    x\n:::tip\n[[_TOC_]]\n```\n";
    let p = prepare(body);
    assert_eq!(p.text, body);
    assert!(p.markers.is_empty());
}

#[test]
fn inline_triple_backticks_are_not_fences() {
    let body = "```inline``` code\n:::tip\nx\n:::\n";
    let p = prepare(body);
    assert_eq!(p.markers.len(), 2);
}

#[test]
fn unclosed_fence_in_body_is_closed_before_the_marker() {
    let body = "!!! note\n    ```sh\n    echo\nafter\n";
    let p = prepare(body);
    check_map(body, &p);
    assert!(p.text.contains("echo\n```\n"), "{}", p.text);
}

#[test]
fn indented_opener_keeps_list_indentation() {
    let body = "- item\n\n  !!! note\n      body text\n";
    let p = prepare(body);
    check_map(body, &p);
    assert!(p.text.contains("\n  body text\n"), "{}", p.text);
    assert!(p.text.contains(&format!("  {MARKER_LINE}")), "{}", p.text);
}

#[test]
fn four_space_openers_count_only_inside_lists() {
    let code = prepare("Text\n\n    !!! note\n        code\n");
    assert!(code.markers.is_empty());
    let body = "1. Step\n\n    !!! note \"T\"\n        in the item\n\n2. Next\n";
    let p = prepare(body);
    check_map(body, &p);
    assert_eq!(p.markers.len(), 2);
    assert!(p.text.contains("\n    in the item\n"), "{}", p.text);
}

#[test]
fn kinds_map_to_the_closed_set() {
    assert_eq!(callout_kind("attention"), "warning");
    assert_eq!(callout_kind("Error"), "danger");
    assert_eq!(callout_kind("done"), "success");
    assert_eq!(callout_kind("whatever"), "note");
    assert_eq!(default_title("hint"), "Hint");
}

#[test]
fn toc_lines_become_markers() {
    let p = prepare("[[_TOC_]]\n\n# A\n[TOC]\n");
    assert_eq!(p.markers.values().filter(|m| **m == Marker::Toc).count(), 2);
}

proptest::proptest! {
    #[test]
    fn every_original_byte_maps_back(body in "(!!! note|\\?\\?\\?\\+ tip \"T\"|:::tip|:::|::::|\\[\\[_TOC_\\]\\]|```|~~~|- |1\\. |    |\t|\n|[a-zé€ ]){0,60}") {
        let p = prepare(&body);
        for (i, b) in p.text.bytes().enumerate() {
            if !p.map.is_synthetic(i) {
                proptest::prop_assert_eq!(body.as_bytes().get(p.map.to_body(i)), Some(&b));
            }
        }
        for &at in p.markers.keys() {
            proptest::prop_assert!(p.text.is_char_boundary(at));
        }
    }
}
