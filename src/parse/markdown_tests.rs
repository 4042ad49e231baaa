//! Tests of the Markdown pipeline (beside `markdown.rs` to keep that file short).

use super::*;
use crate::model::Section;
use crate::model::diagnostic::{Position, Severity};
use proptest::prelude::*;

struct Site;

impl LinkTargets for Site {
    fn doc_url(&self, rel_path: &str) -> Option<String> {
        let known = [
            "guides/b.md",
            "ops/README.md",
            "guides/k8s/index.md",
            "guides/plain.md",
        ];
        known
            .contains(&rel_path)
            .then(|| format!("/{}", rel_path.trim_end_matches(".md")))
    }
}

fn input(text: &str) -> RenderInput<'_> {
    RenderInput {
        source_path: "guides/a.md",
        file_text: text,
        body_offset: 0,
        extract_quizzes: false,
    }
}

fn r(text: &str) -> Rendered {
    render(input(text), &Site)
}

#[test]
fn headings_get_ids_self_links_toc_and_title() {
    let out = r(
        "# The *Title*\n\n## Setup\n\n### Setup\n\n#### Deep {#deep .x}\n\n##### Too deep\n\n## Setup\n",
    );
    assert_eq!(out.first_h1.as_deref(), Some("The Title"));
    assert!(
        out.html.contains(
            "<h2 id=\"setup\">Setup<a class=\"anchor\" href=\"#setup\" aria-label=\"Link to this section: Setup\" rel=\"noopener noreferrer\">#</a></h2>"
        ),
        "{}",
        out.html
    );
    assert!(
        out.html.contains("<h4 id=\"deep\" class=\"x\">"),
        "{}",
        out.html
    );
    let toc: Vec<_> = out
        .toc
        .iter()
        .map(|e| (e.level, e.anchor.as_str()))
        .collect();
    assert_eq!(
        toc,
        [(2, "setup"), (3, "setup-1"), (4, "deep"), (2, "setup-2")]
    );
    for id in [
        "the-title",
        "setup",
        "setup-1",
        "setup-2",
        "deep",
        "too-deep",
    ] {
        assert!(out.anchors.contains(id), "{id} in {:?}", out.anchors);
    }
}

#[test]
fn explicit_ids_win_over_slugs() {
    let out = r("## Intro {#setup}\n\n## Setup\n");
    let toc: Vec<_> = out.toc.iter().map(|e| e.anchor.as_str()).collect();
    assert_eq!(toc, ["setup", "setup-1"]);
}

#[test]
fn sections_hold_plain_text_and_code() {
    let out = r(
        "Before *any* heading.\n\n# Title\n\nSome **bold**\ntext.\n\n| a | b |\n|---|---|\n| `x` | y |\n\n```sh\nkubectl   get pods\n```\n\n###### Small\n\nunder small\n\n## Next\n\n- one\n- two\n",
    );
    assert_eq!(
        out.sections,
        vec![
            Section {
                level: 0,
                anchor: None,
                heading: String::new(),
                text: "Before any heading.".to_owned()
            },
            Section {
                level: 1,
                anchor: Some("title".to_owned()),
                heading: "Title".to_owned(),
                text: "Some bold text. a b x y kubectl get pods Small under small".to_owned()
            },
            Section {
                level: 2,
                anchor: Some("next".to_owned()),
                heading: "Next".to_owned(),
                text: "one two".to_owned()
            },
        ]
    );
}

#[test]
fn github_alerts_become_callouts() {
    let out = r("> [!CAUTION]\n> Do not `rm -rf`.\n");
    assert_eq!(
        out.html,
        "<div class=\"callout callout-caution\"><p class=\"callout-title\">Caution</p>\n<p>Do not <code>rm -rf</code>.</p>\n</div>\n"
    );
}

#[test]
fn mkdocs_admonitions_become_callouts() {
    let out = r("!!! attention \"Mind the gap\"\n    Body *text*.\n\n    More.\n\nAfter.\n");
    assert_eq!(
        out.html,
        "<div class=\"callout callout-warning\"><p class=\"callout-title\">Mind the gap</p>\n<p>Body <em>text</em>.</p>\n<p>More.</p>\n</div>\n<p>After.</p>\n"
    );
    let out = r("??? example\n    Hidden.\n");
    assert!(
        out.html.starts_with("<details class=\"callout callout-example\"><summary class=\"callout-title\">Example</summary>"),
        "{}",
        out.html
    );
    assert!(!out.html.contains(" open"), "{}", out.html);
    let out = r("???+ failure\n    Shown.\n");
    assert!(
        out.html
            .starts_with("<details class=\"callout callout-danger\" open=\"\">"),
        "{}",
        out.html
    );
}

#[test]
fn docusaurus_admonitions_become_callouts() {
    let out = r(":::tip[Quick *win*]\nDo it.\n:::\n\n:::danger\nStop.\n:::\n");
    assert_eq!(
        out.html,
        "<div class=\"callout callout-tip\"><p class=\"callout-title\">Quick *win*</p>\n<p>Do it.</p>\n</div>\n\
         <div class=\"callout callout-danger\"><p class=\"callout-title\">Danger</p>\n<p>Stop.</p>\n</div>\n"
    );
    assert!(out.diagnostics.is_empty());
}

#[test]
fn an_unclosed_container_warns_at_its_opener() {
    let out = r("Text.\n\n:::note Remember\nbody\n");
    assert!(out.html.contains("<p>body</p>\n</div>"), "{}", out.html);
    assert_eq!(out.diagnostics.len(), 1);
    let d = &out.diagnostics[0];
    assert_eq!((d.line, d.column, d.severity), (3, 1, Severity::Warning));
    assert!(d.message.contains("never closed"), "{}", d.message);
}

#[test]
fn positions_inside_admonitions_point_at_the_original_file() {
    let text = "---\ntitle: T\n---\n!!! note\n    See [missing](gone.md) and ![pic](img/p.png).\n\n:::tip\n  [deep](../../../x.md)\n:::\n";
    let body_offset = text.find("!!!").expect("body");
    let out = render(
        RenderInput {
            body_offset,
            ..input(text)
        },
        &Site,
    );
    assert_eq!(out.links.len(), 1);
    assert_eq!(out.links[0].target_path, "guides/gone.md");
    assert_eq!(out.links[0].position, Position::new(5, 9));
    assert_eq!(out.images[0].position, Position::new(5, 32));
    assert_eq!(out.images[0].target_path, "guides/img/p.png");
    let d = &out.diagnostics[0];
    assert_eq!((d.line, d.column, d.severity), (8, 3, Severity::Error));
    assert!(
        d.message.contains("above the content root"),
        "{}",
        d.message
    );
}

#[test]
fn links_are_rewritten_and_recorded() {
    let out = r(
        "[b](b.md#Part) [k8s](k8s/) [ops](../ops) [up](../ops/README.md?x=1) [self](#local) \
         [mail](mailto:a@b.c) [ext](https://example.org/x.md) [root](/guides/b) [file](files/run.sh) \
         [plain](plain) [missing](nope.md)\n",
    );
    let hrefs: Vec<&str> = out
        .html
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect();
    assert_eq!(
        hrefs,
        [
            "/guides/b#Part",
            "/guides/k8s/index",
            "/ops/README",
            "/ops/README",
            "#local",
            "mailto:a@b.c",
            "https://example.org/x.md",
            "/guides/b",
            "/assets/guides/files/run.sh",
            "/guides/plain",
            "nope.md",
        ]
    );
    let refs: Vec<(&str, Option<&str>)> = out
        .links
        .iter()
        .map(|l| (l.target_path.as_str(), l.anchor.as_deref()))
        .collect();
    assert_eq!(
        refs,
        [
            ("guides/b.md", Some("Part")),
            ("guides/k8s/index.md", None),
            ("ops/README.md", None),
            ("ops/README.md", None),
            ("guides/a.md", Some("local")),
            ("guides/plain.md", None),
            ("guides/nope.md", None),
        ]
    );
    assert!(out.links.iter().all(|l| l.position.line == 1));
    assert_eq!(out.links[1].position.column, 16);
}

#[test]
fn code_blocks_mermaid_and_quiz_fences() {
    let text = "```rust title=\"x\"\nfn main() {}\n```\n\n```mermaid\ngraph TD; A-->B\n```\n\n    indented <b>\n\n```quiz\n- question: Q\n```\n";
    let out = r(text);
    // Stored plain; highlighted when a page shows it.
    assert!(
        out.html
            .contains("<pre tabindex=\"0\"><code class=\"language-rust\">fn main() {}\n</code>"),
        "{}",
        out.html
    );
    let mut shown = String::new();
    crate::parse::highlight_rendered(&out.html, &mut shown);
    assert!(
        shown.contains(
            "<pre tabindex=\"0\"><code class=\"language-rust\"><span class=\"hl-storage hl-type hl-function hl-rust\">fn</span>"
        ),
        "{shown}"
    );
    assert!(
        out.html.contains(
            "<figcaption>Mermaid diagram (shown as source)</figcaption><pre tabindex=\"0\">\
             <code class=\"language-mermaid\">graph TD; A--&gt;B\n</code></pre>"
        ),
        "{}",
        out.html
    );
    assert!(
        out.html
            .contains("<pre tabindex=\"0\"><code>indented &lt;b&gt;\n</code></pre>"),
        "{}",
        out.html
    );
    assert!(
        out.html.contains("language-quiz"),
        "not extracted unless asked: {}",
        out.html
    );
    assert!(out.quizzes.is_empty());

    let out = render(
        RenderInput {
            extract_quizzes: true,
            ..input(text)
        },
        &Site,
    );
    assert!(
        !out.html.contains("quiz") && !out.html.contains("question"),
        "{}",
        out.html
    );
    assert_eq!(out.quizzes.len(), 1);
    let q = &out.quizzes[0];
    assert_eq!(q.yaml, "- question: Q\n");
    assert_eq!(text.get(q.offset..q.offset + 5), Some("- que"));
    assert!(
        !out.sections.iter().any(|s| s.text.contains("question")),
        "quizzes stay out of search"
    );
}

#[test]
fn quiz_offsets_survive_front_matter_and_admonitions() {
    let text = "---\ntitle: M\n---\n!!! tip\n    ```quiz\n    - question: Q\n      choices: [a, b]\n    ```\n\n```quiz\n```\n";
    let body_offset = text.find("!!!").expect("body");
    let out = render(
        RenderInput {
            body_offset,
            extract_quizzes: true,
            ..input(text)
        },
        &Site,
    );
    assert_eq!(out.quizzes.len(), 2, "{:?}", out.quizzes);
    assert_eq!(out.quizzes[0].yaml, "- question: Q\n  choices: [a, b]\n");
    let idx = LineIndex::new(text);
    assert_eq!(idx.position(out.quizzes[0].offset), Position::new(6, 5));
    assert_eq!(out.quizzes[1].yaml, "");
    assert_eq!(idx.position(out.quizzes[1].offset).line, 11);
}

#[test]
fn gitlab_toc_renders_in_place() {
    let out = r("[[_TOC_]]\n\n## A\n### B\n## C\n");
    assert!(
        out.html.starts_with(
            "<nav class=\"toc-inline\"><ul><li><a href=\"#a\" rel=\"noopener noreferrer\">A</a><ul><li><a href=\"#b\""
        ),
        "{}",
        out.html
    );
    assert!(!out.html.contains("TOC"), "{}", out.html);
}

#[test]
fn only_the_first_toc_marker_renders_and_the_others_warn() {
    // Each copy would repeat every heading: 1,500 markers and headings made gigabytes.
    let out = r("[[_TOC_]]\n\n## A\n\n[[_TOC_]]\n\n## B\n");
    assert_eq!(out.html.matches("toc-inline").count(), 1, "{}", out.html);
    let warnings: Vec<_> = out.diagnostics.iter().map(|d| (d.line, d.column)).collect();
    assert_eq!(warnings, vec![(5, 1)]);
    assert!(
        out.diagnostics[0]
            .message
            .contains("only the first `[[_TOC_]]`")
    );
}

#[test]
fn nesting_past_the_limit_is_flattened_with_a_warning() {
    // The sanitiser's parser is quadratic in depth: 20,000 `>` took many seconds.
    let out = r(&format!("{} deep\n", ">".repeat(20_000)));
    assert_eq!(out.html.matches("<blockquote>").count(), 64);
    assert!(out.html.contains("deep"));
    assert_eq!(out.diagnostics.len(), 1, "{:?}", out.diagnostics);
    assert!(out.diagnostics[0].message.contains("more than 64 levels"));
    let out = r(&"<div>".repeat(5_000));
    assert!(out.html.contains("&lt;div&gt;"), "{}", out.html);
    assert_eq!(out.diagnostics.len(), 1, "{:?}", out.diagnostics);
}

#[test]
fn gfm_extras_render() {
    let out = r(
        "| l | c |\n|:--|:-:|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n\n~~gone~~ a[^1]\n\n[^1]: The *note*.\n",
    );
    assert!(
        out.html.contains("<th style=\"text-align:left\">l</th>"),
        "{}",
        out.html
    );
    assert!(
        out.html.contains(
            "<input type=\"checkbox\" disabled=\"\" checked=\"\" aria-label=\"Done\"> done"
        ),
        "{}",
        out.html
    );
    assert!(
        out.html.contains("aria-label=\"Not done\"> todo"),
        "{}",
        out.html
    );
    // Wide tables scroll in their own box, which keyboards can reach.
    assert!(
        out.html.contains(
            "<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" aria-label=\"Table 1\">\n<table>"
        ),
        "{}",
        out.html
    );
    assert!(out.html.contains("</table>\n</div>"), "{}", out.html);
    assert!(out.html.contains("<del>gone</del>"), "{}", out.html);
    assert!(out.html.contains("<a href=\"#fn-1\""), "{}", out.html);
    assert!(
        out.html
            .contains("<div class=\"footnote-definition\" id=\"fn-1\">"),
        "{}",
        out.html
    );
    assert!(out.anchors.contains("fn-1"));
}

#[test]
fn smart_punctuation_is_off() {
    let out = r("Run \"it\" -- now...\n");
    assert_eq!(out.html, "<p>Run \"it\" -- now...</p>\n");
}

#[test]
fn raw_html_is_sanitised_but_kept() {
    let out = r(
        "<div id=\"raw\" onclick=\"x()\"><kbd>Ctrl</kbd></div>\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) <a name=\"old-anchor\"></a>\n\n<details><summary>More</summary>\n\nhidden\n\n</details>\n<!-- comment -->\n<iframe src=\"https://x\"></iframe>\n",
    );
    assert!(
        out.html.contains("<div id=\"raw\"><kbd>Ctrl</kbd></div>"),
        "{}",
        out.html
    );
    assert!(
        out.html.contains("<details><summary>More</summary>"),
        "{}",
        out.html
    );
    for bad in ["script", "onclick", "javascript", "comment", "iframe"] {
        assert!(!out.html.contains(bad), "{bad} in {}", out.html);
    }
    assert!(
        out.anchors.contains("raw") && out.anchors.contains("old-anchor"),
        "{:?}",
        out.anchors
    );
}

#[test]
fn callout_rich_guide_snapshot() {
    let text = "# Rotating credentials\n\n[[_TOC_]]\n\n## Before you start\n\n> [!IMPORTANT]\n> You need the `vault-admin` role.\n\n!!! warning \"Production\"\n    Announce the rotation in #ops first.\n\n    - [x] announced\n    - [ ] rotated\n\n## Rotate\n\n:::tip[Dry run]\nAdd `--dry-run` to see what changes.\n:::\n\n```mermaid\nsequenceDiagram\n  A->>B: rotate\n```\n\n???+ question \"Stuck?\"\n    Ask in [the channel](../ops/) or read [B](b.md#rollback).\n";
    insta::assert_snapshot!("callout_rich_guide", r(text).html);
}

/// Markdown-ish noise: the constructs the pipeline treats specially, mixed with text.
fn noise() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("!!! note \"T\"\n".to_owned()),
            Just("??? tip\n".to_owned()),
            Just("    ".to_owned()),
            Just("\t".to_owned()),
            Just(":::tip[x]\n".to_owned()),
            Just(":::\n".to_owned()),
            Just("::::note\n".to_owned()),
            Just("[[_TOC_]]\n".to_owned()),
            Just("```\n".to_owned()),
            Just("```quiz\n".to_owned()),
            Just("~~~mermaid\n".to_owned()),
            Just("> [!NOTE]\n".to_owned()),
            Just("> ".to_owned()),
            Just("- ".to_owned()),
            Just("1. ".to_owned()),
            Just("## x {#id .resolved}\n".to_owned()),
            Just("#### d\n".to_owned()),
            Just("##### e\n".to_owned()),
            Just("# t\n".to_owned()),
            Just("[a](../b.md#c)".to_owned()),
            Just("[a](../../../../x)".to_owned()),
            Just("![i](%zz/é.png)".to_owned()),
            Just("[^n]".to_owned()),
            Just("[^n]: note\n".to_owned()),
            Just("<div id=\"x\">".to_owned()),
            Just("| a |\n|---|\n".to_owned()),
            "[a-zé€ *_`#\\[\\]()\n]{0,8}",
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

/// Checks what every rendering must satisfy, whatever the input.
fn check_invariants(text: &str, out: &Rendered) -> Result<(), TestCaseError> {
    let lines = u32::try_from(text.lines().count() + 1).unwrap_or(u32::MAX);
    for p in out
        .links
        .iter()
        .map(|l| l.position)
        .chain(out.images.iter().map(|i| i.position))
    {
        prop_assert!(p.line >= 1 && p.line <= lines, "{p:?} past {lines} lines");
    }
    for q in &out.quizzes {
        prop_assert!(q.offset <= text.len() && text.is_char_boundary(q.offset));
    }
    prop_assert!(!out.html.contains("<script"));
    prop_assert_eq!(&toc_from_sections(out), &out.toc);
    Ok(())
}

/// The table of contents as a `Document` derives it from its sections (`Body::toc`), which
/// must equal the one the parser builds from the headings.
fn toc_from_sections(out: &Rendered) -> Vec<crate::model::TocEntry> {
    crate::model::Body::new("", out.sections.clone()).toc()
}

proptest! {
    #[test]
    fn render_never_panics_on_markdown_noise(text in noise()) {
        let input = RenderInput { extract_quizzes: true, ..input(&text) };
        let out = render(input, &Site);
        check_invariants(&text, &out)?;
        let _ = crate::parse::tree::parse_tree(input, &Site);
    }

    #[test]
    fn render_never_panics_on_any_text(text in any::<String>(), cut in 0usize..64) {
        // Any body offset, even one inside a character, must be safe.
        let body_offset = cut.min(text.len());
        let out = render(RenderInput { body_offset, ..input(&text) }, &Site);
        check_invariants(&text, &out)?;
    }
}

/// Renders every `.md` file under `$SELFSERVE_CORPUS` (the GitLab runbooks and Argo CD
/// docs): real-world Markdown with unclosed fences, raw HTML, includes and PlantUML.
#[test]
fn renders_the_corpus_without_panicking() {
    let Some(root) = std::env::var_os("SELFSERVE_CORPUS") else {
        println!("SELFSERVE_CORPUS is not set; skipping the corpus test");
        return;
    };
    let mut stack = vec![std::path::PathBuf::from(root)];
    let mut files = 0;
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                let bytes = std::fs::read(&path).expect("readable corpus file");
                let text = String::from_utf8_lossy(&bytes).replace("\r\n", "\n");
                let body_offset =
                    crate::parse::front_matter::split(&text).map_or(0, |s| s.body_offset);
                let name = path.to_string_lossy();
                let input = RenderInput {
                    source_path: &name,
                    file_text: &text,
                    body_offset,
                    extract_quizzes: true,
                };
                let out = render(input, &Site);
                assert!(!out.html.contains("<script"), "{name}");
                assert_eq!(toc_from_sections(&out), out.toc, "{name}");
                let _ = crate::parse::tree::parse_tree(input, &Site);
                files += 1;
            }
        }
    }
    println!("rendered {files} corpus files");
    assert!(files > 0, "SELFSERVE_CORPUS has no .md files");
}

#[test]
fn autolinks_are_left_alone() {
    let out = r("Mail <ops@example.org> or see <https://example.org/a.md>.\n");
    assert!(
        out.html.contains("href=\"mailto:ops@example.org\""),
        "{}",
        out.html
    );
    assert!(
        out.html.contains("href=\"https://example.org/a.md\""),
        "{}",
        out.html
    );
    assert!(out.links.is_empty(), "{:?}", out.links);
}
