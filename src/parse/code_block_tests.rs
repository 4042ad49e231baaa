//! Tests of code block HTML: highlighting classes, plain fallbacks, escaping and Mermaid.

use super::*;

/// The HTML a page gets: the writer's output through the one sanitiser, highlighted as pages
/// are shown.
fn sanitised(lang: Option<&str>, code: &str) -> String {
    let mut out = String::new();
    highlight_rendered(
        &crate::parse::sanitize::clean(&code_html(lang, code)),
        &mut out,
    );
    out
}

#[test]
fn a_rust_block_gets_prefixed_classes_that_survive_sanitising() {
    let out = sanitised(
        Some("rust"),
        "fn main() {\n    let x = \"hi\"; // note\n}\n",
    );
    assert!(
        out.starts_with("<pre tabindex=\"0\"><code class=\"language-rust\">"),
        "{out}"
    );
    for class in [
        "hl-keyword",
        "hl-string",
        "hl-comment",
        "hl-entity hl-name hl-function",
    ] {
        assert!(out.contains(class), "{class} missing in {out}");
    }
    assert!(!out.contains("style="), "{out}");
}

#[test]
fn names_are_found_by_extension_alias_and_case() {
    // The names the Authoring guide promises, highlighted and not.
    for lang in [
        "bash",
        "sh",
        "shell",
        "console",
        "YAML",
        "yml",
        "json",
        "python",
        "py",
        "go",
        "rust",
        "ruby",
        "sql",
        "diff",
        "javascript",
        "js",
        "java",
        "c",
        "cpp",
        "html",
        "xml",
        "css",
        "markdown",
        "makefile",
        "lua",
    ] {
        assert!(highlight(lang, "x\n").is_some(), "{lang} not highlighted");
    }
    for lang in [
        "toml",
        "dockerfile",
        "terraform",
        "hcl",
        "typescript",
        "promql",
        "logql",
        "ini",
    ] {
        assert!(highlight(lang, "x\n").is_none(), "{lang} highlighted");
    }
}

#[test]
fn unknown_languages_and_plain_text_stay_plain() {
    for lang in ["promql", "text", "plaintext", "no-such-language"] {
        let out = sanitised(Some(lang), "a < b\n");
        assert_eq!(
            out,
            format!(
                "<pre tabindex=\"0\"><code class=\"language-{lang}\">a &lt; b\n</code></pre>\n"
            )
        );
    }
    assert_eq!(
        sanitised(None, "a < b\n"),
        "<pre tabindex=\"0\"><code>a &lt; b\n</code></pre>\n"
    );
}

#[test]
fn markup_inside_code_stays_escaped() {
    for lang in [
        Some("html"),
        Some("rust"),
        Some("bash"),
        Some("unknown"),
        None,
    ] {
        let out = sanitised(lang, "<script>alert('x')</script>\n");
        assert!(!out.contains("<script"), "{lang:?}: {out}");
        assert!(out.contains("&lt;"), "{lang:?}: {out}");
    }
}

#[test]
fn oversized_blocks_and_long_lines_are_shown_plain() {
    let long_line = format!("let x = \"{}\";\n", "a".repeat(MAX_HIGHLIGHTED_LINE));
    assert_eq!(highlight("rust", &long_line), None);
    let many_lines = "let x = 1;\n".repeat(MAX_HIGHLIGHTED_BYTES / 10);
    assert_eq!(highlight("rust", &many_lines), None);
}

#[test]
fn mermaid_is_labelled_source() {
    let out = sanitised(Some("mermaid"), "graph TD; A-->B\n");
    assert!(
        out.contains(&format!("<figcaption>{MERMAID_LABEL}</figcaption>")),
        "{out}"
    );
    assert!(
        out.contains("class=\"language-mermaid\">graph TD; A--&gt;B\n<"),
        "{out}"
    );
    assert!(!out.contains("hl-"), "{out}");
}

#[test]
fn highlighted_block_snapshot() {
    insta::assert_snapshot!(sanitised(
        Some("bash"),
        "# restart the pods\nkubectl rollout restart deploy/api -n \"$NS\"\n"
    ));
}

/// Not a pass/fail check: prints how long highlighting takes, for the record
/// (`cargo test --release --lib code_block -- --nocapture`).
#[test]
fn highlighting_time_is_printed() {
    let block = "kubectl get pods -n \"$NS\" | grep -v Running # find the broken ones\n".repeat(20);
    let _ = highlight("bash", "warm up\n");
    let start = std::time::Instant::now();
    let runs = 50;
    for _ in 0..runs {
        assert!(highlight("bash", &block).is_some());
    }
    let per_block = start.elapsed() / runs;
    println!("20-line bash block highlighted in {per_block:?}");
}
