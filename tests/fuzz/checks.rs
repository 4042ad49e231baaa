//! What every input to the parsers that take untrusted text must satisfy: the entry points
//! the fuzz targets (`fuzz/`) drive, with their invariants, shared with the regression test
//! that replays the kept inputs under `tests/fuzz/<target>/` in `cargo test`.
//!
//! Each check panics on a broken invariant, so libFuzzer records the input as a crash and
//! the regression test fails. Beyond "no panic": every diagnostic points inside the file,
//! sanitised HTML holds no script, handler or script URL, snippets hold only `<mark>`, quiz
//! questions are gradable, and search answers stay within their limits.

#![allow(dead_code)]

use std::sync::OnceLock;

use selfserve::loader::{self, UrlMap};
use selfserve::model::diagnostic::Diagnostic;
use selfserve::model::{Detail, Document};
use selfserve::parse::front_matter;
use selfserve::parse::markdown::QuizBlock;
use selfserve::parse::quiz::parse_quiz;
use selfserve::search::{SearchIndex, SearchRequest};
use selfserve::source::SourceFile;
use selfserve::web::search::Params;

/// The fuzz targets, each the name of a folder of kept inputs under `tests/fuzz/`.
pub const TARGETS: [&str; 5] = ["front_matter", "markdown", "tree", "quiz", "search_query"];

/// Runs the check of `target` on one input.
pub fn check(target: &str, data: &[u8]) {
    match target {
        "front_matter" => front_matter(data),
        "markdown" => markdown(data),
        "tree" => tree(data),
        "quiz" => quiz(data),
        "search_query" => search_query(data),
        other => panic!("unknown fuzz target {other}"),
    }
}

/// Front matter split and parse on the raw text, then the loader's first stage.
pub fn front_matter(data: &[u8]) {
    if let Ok(raw) = std::str::from_utf8(data) {
        // The loader hands the parser text with LF line ends only (as `read_head` does).
        let text = &raw.replace("\r\n", "\n").replace('\r', "\n");
        let path = "guides/fuzz.md";
        match front_matter::split(text) {
            Ok(split) => {
                assert!(split.body_offset <= text.len(), "body offset past the end");
                assert_eq!(text.get(split.body_offset..), Some(split.body));
                if let Some((format, block, offset)) = split.front {
                    assert_eq!(text.get(offset..offset + block.len()), Some(block));
                    assert!(offset + block.len() <= split.body_offset);
                    let mut diagnostics = Vec::new();
                    front_matter::parse(path, text, format, block, offset, &mut diagnostics);
                    assert_inside(text, path, &diagnostics);
                }
            }
            Err(err) => assert!(!err.message.is_empty()),
        }
    }
    head(data, "guides/fuzz.md");
}

/// A guide: front matter, the admonition pre-pass, Markdown, links and sanitising.
pub fn markdown(data: &[u8]) {
    document(data, "guides/fuzz.md");
}

/// A troubleshooting tree, through the whole document path.
pub fn tree(data: &[u8]) {
    document(data, "troubleshooting/fuzz.md");
}

/// One quiz block's YAML, placed in a module file after its front matter.
pub fn quiz(data: &[u8]) {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    // Quiz blocks come out of text whose line ends the loader made LF.
    let yaml = &raw.replace("\r\n", "\n").replace('\r', "\n");
    let prefix = "---\ntitle: Fuzz\n---\n\n```quiz\n";
    let file_text = format!("{prefix}{yaml}\n```\n");
    let path = "training/modules/fuzz.md";
    let block = QuizBlock {
        yaml: yaml.to_owned(),
        offset: prefix.len(),
    };
    let (questions, diagnostics) = parse_quiz(path, &file_text, &block);
    assert_inside(&file_text, path, &diagnostics);
    for q in &questions {
        assert!(!q.prompt.trim().is_empty(), "question without text");
        assert!(q.choices.len() >= 2, "question with fewer than two choices");
        assert!(!q.answer.is_empty(), "question without an answer");
        assert!(
            q.answer.windows(2).all(|w| w[0] < w[1]),
            "answers not sorted and unique: {:?}",
            q.answer
        );
        assert!(
            q.answer.iter().all(|&a| a < q.choices.len()),
            "answer out of range"
        );
        assert!(q.multiple || q.answer.len() == 1, "one answer expected");
    }
    // The same text as a whole module file, the way the loader meets it.
    document(file_text.as_bytes(), path);
}

/// A search: the input as typed text, then as a whole query string (`q=…&kind=…&limit=…`).
pub fn search_query(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    search(&SearchRequest::new(text.as_ref()));
    if let Ok(request) = Params::parse(&text).to_request() {
        search(&request);
    }
}

fn search(request: &SearchRequest) {
    let index = sample_index();
    let results = match index.search(request) {
        Ok(results) => results,
        Err(err) => {
            assert!(err.is_bad_request(), "search failed: {err}");
            return;
        }
    };
    assert!(
        results.limit >= 1 && results.limit <= 50,
        "limit {}",
        results.limit
    );
    assert!(
        results.hits.len() <= results.limit,
        "more hits than the limit"
    );
    // A page past the end is empty; a page with hits lies within the total.
    assert!(
        results.hits.is_empty()
            || results.offset + results.hits.len() <= results.total
            || results.partial,
        "hits {}..{} of {}",
        results.offset,
        results.offset + results.hits.len(),
        results.total
    );
    for hit in &results.hits {
        let bare = hit.snippet.replace("<mark>", "").replace("</mark>", "");
        assert!(
            !bare.contains(['<', '>']),
            "snippet markup beyond <mark>: {}",
            hit.snippet
        );
        assert!(hit.score.is_finite(), "score {}", hit.score);
    }
}

/// The sample content's index, built once per process.
fn sample_index() -> &'static SearchIndex {
    static INDEX: OnceLock<SearchIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(
            if env!("CARGO_MANIFEST_DIR").ends_with("fuzz") {
                "../content"
            } else {
                "content"
            },
        );
        let (site, _) = loader::load_site(&root).expect("the sample content loads");
        assert!(!site.documents.is_empty(), "no sample documents");
        SearchIndex::build(&site)
    })
}

/// Stage 1 alone: decoding and front matter; its diagnostics point inside the text.
fn head(data: &[u8], path: &str) -> Option<loader::FileHead> {
    let file = SourceFile {
        rel_path: path.to_owned(),
        bytes: data.to_vec(),
    };
    match loader::read_head(&file) {
        Ok(head) => {
            assert_inside(&head.text, path, &head.diagnostics);
            Some(head)
        }
        Err(diagnostic) => {
            let valid = match std::str::from_utf8(data) {
                Ok(text) => text,
                Err(e) => std::str::from_utf8(&data[..e.valid_up_to()]).unwrap_or(""),
            };
            assert_inside(valid, path, std::slice::from_ref(&diagnostic));
            None
        }
    }
}

/// The loader's path for one file: head, URL map, document.
fn document(data: &[u8], path: &str) {
    let Some(head) = head(data, path) else {
        return;
    };
    let text = head.text.clone();
    let mut urls = UrlMap::default();
    urls.insert(&head);
    urls.insert_parts("guides/other.md", selfserve::model::Kind::Guide, &head.id);
    let built = loader::build_document(head, &urls);
    assert_inside(&text, path, &built.diagnostics);
    let doc: &Document = &built.document;
    assert_safe_html(&doc.body.html());
    for entry in doc.body.toc() {
        assert!(
            built.anchors.contains(&entry.anchor),
            "TOC anchor {} unknown",
            entry.anchor
        );
    }
    match &doc.detail {
        Detail::Tree(tree) => {
            assert_safe_html(&tree.intro_html);
            for node in &tree.nodes {
                assert_safe_html(&node.body_html);
                assert!(!node.id.is_empty(), "node without id");
                assert!(
                    node.outcome.is_none() || node.choices.is_empty(),
                    "leaf with choices"
                );
            }
        }
        Detail::Module(module) => {
            assert!(module.version >= 1 && module.pass_percent <= 100);
            for q in &module.questions {
                assert!(q.choices.len() >= 2 && q.answer.iter().all(|&a| a < q.choices.len()));
            }
        }
        _ => {}
    }
}

/// Every diagnostic names the file and points at a line and column that exist in `text`
/// (a column may sit one past a line's last character, at its end).
pub fn assert_inside(text: &str, path: &str, diagnostics: &[Diagnostic]) {
    let lines: Vec<&str> = text.split('\n').collect();
    for d in diagnostics {
        assert_eq!(d.path, path, "diagnostic for another file: {d}");
        assert!(!d.message.trim().is_empty(), "diagnostic without a message");
        let line = usize::try_from(d.line).unwrap_or(usize::MAX);
        assert!(
            line >= 1 && line <= lines.len(),
            "diagnostic on line {line} of a {}-line file: {d}",
            lines.len()
        );
        let width = lines[line - 1].chars().count() + 1;
        let column = usize::try_from(d.column).unwrap_or(usize::MAX);
        assert!(
            column >= 1 && column <= width,
            "diagnostic at column {column} of a line of {} characters: {d}",
            width - 1
        );
    }
}

/// Tags the sanitiser must never let through.
const FORBIDDEN_TAGS: &[&str] = &[
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "base",
    "meta",
    "link",
    "form",
    "button",
    "textarea",
    "select",
    "option",
    "svg",
    "math",
    "noscript",
    "template",
    "html",
    "head",
    "body",
    "title",
    "xmp",
    "plaintext",
    "portal",
];

/// Attributes holding a URL.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "cite",
    "action",
    "formaction",
    "xlink:href",
    "poster",
    "background",
    "srcset",
];

/// Sanitised HTML: no forbidden tag, no event handler, no inline style beyond
/// `text-align`, no script or data URL, only checkbox inputs. Reads the HTML as the
/// sanitiser's serializer writes it: text `<` is escaped, attribute values are quoted.
pub fn assert_safe_html(html: &str) {
    let lower = html.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' {
            i += 1;
            continue;
        }
        i += 1;
        if lower[i..].starts_with("!--") {
            panic!("comment kept in sanitised HTML: {html}");
        }
        if bytes.get(i) == Some(&b'/') {
            i += 1;
        }
        let name_end = lower[i..]
            .find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
            .map_or(lower.len(), |n| i + n);
        let name = &lower[i..name_end];
        assert!(
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric()),
            "raw `<` that is no tag in sanitised HTML: {html}"
        );
        assert!(
            !FORBIDDEN_TAGS.contains(&name),
            "<{name}> in sanitised HTML: {html}"
        );
        i = name_end;
        // Attributes up to the tag's `>`.
        loop {
            while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
                i += 1;
            }
            if i >= bytes.len() {
                panic!("unterminated tag in sanitised HTML: {html}");
            }
            if bytes[i] == b'>' {
                i += 1;
                break;
            }
            let attr_end = lower[i..]
                .find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '=')
                .map_or(lower.len(), |n| i + n);
            let attr = &lower[i..attr_end];
            i = attr_end;
            let mut value = "";
            if bytes.get(i) == Some(&b'=') {
                i += 1;
                let quote = bytes.get(i).copied();
                assert!(
                    matches!(quote, Some(b'"' | b'\'')),
                    "unquoted attribute value in sanitised HTML: {html}"
                );
                let close = lower[i + 1..]
                    .find(char::from(quote.unwrap_or(b'"')))
                    .map(|n| i + 1 + n)
                    .unwrap_or_else(|| panic!("unterminated attribute value: {html}"));
                value = &lower[i + 1..close];
                i = close + 1;
            }
            assert!(
                !attr.starts_with("on"),
                "event handler `{attr}` in sanitised HTML: {html}"
            );
            assert!(attr != "srcdoc", "srcdoc in sanitised HTML: {html}");
            if attr == "style" {
                assert!(
                    matches!(name, "th" | "td") && value.trim_start().starts_with("text-align"),
                    "style `{value}` on <{name}> in sanitised HTML: {html}"
                );
            }
            if name == "input" && attr == "type" {
                assert_eq!(value, "checkbox", "input of type {value}: {html}");
            }
            if URL_ATTRIBUTES.contains(&attr) {
                let decoded = value.replace("&amp;", "&");
                let url: String = decoded
                    .chars()
                    .filter(|c| !c.is_whitespace() && !c.is_control())
                    .collect();
                for scheme in ["javascript:", "vbscript:", "data:"] {
                    assert!(
                        !url.starts_with(scheme),
                        "`{attr}=\"{value}\"` in sanitised HTML: {html}"
                    );
                }
            }
        }
    }
}
