//! Inline Markdown for quiz text (prompts, choices, explanations), rendered once when a module
//! is loaded: emphasis, strong, strikethrough and code spans become tags; everything else (raw
//! HTML, links, images, blocks) is reduced to its escaped text, so an author's typo cannot
//! inject markup into a quiz form. Pages show the result through `render::TrustedHtml`.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use super::markdown;
use crate::escape::push_escaped_html;

/// The HTML of `source` read as inline Markdown.
pub fn inline_html(source: &str) -> String {
    let mut out = String::with_capacity(source.len() + 16);
    let mut first_block = true;
    for event in Parser::new_ext(source, markdown::options()) {
        match event {
            Event::Text(text) | Event::Html(text) | Event::InlineHtml(text) => {
                push_escaped_html(&mut out, &text);
            }
            Event::Code(code) => {
                out.push_str("<code>");
                push_escaped_html(&mut out, &code);
                out.push_str("</code>");
            }
            // Kept as written: quiz text has no footnotes or task lists.
            Event::FootnoteReference(label) => {
                push_escaped_html(&mut out, &format!("[^{label}]"));
            }
            Event::TaskListMarker(checked) => out.push_str(if checked { "[x] " } else { "[ ] " }),
            Event::Start(Tag::Emphasis) => out.push_str("<em>"),
            Event::End(TagEnd::Emphasis) => out.push_str("</em>"),
            Event::Start(Tag::Strong) => out.push_str("<strong>"),
            Event::End(TagEnd::Strong) => out.push_str("</strong>"),
            Event::Start(Tag::Strikethrough) => out.push_str("<del>"),
            Event::End(TagEnd::Strikethrough) => out.push_str("</del>"),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::Start(Tag::Paragraph | Tag::Item | Tag::Heading { .. }) => {
                if !first_block {
                    out.push(' ');
                }
                first_block = false;
            }
            _ => {}
        }
    }
    // Every piece of text above was escaped; only the fixed tags are literal.
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_markdown_keeps_emphasis_and_code_and_escapes_the_rest() {
        assert_eq!(
            inline_html("Run `kubectl get <pods>` *now*"),
            "Run <code>kubectl get &lt;pods&gt;</code> <em>now</em>"
        );
        assert_eq!(
            inline_html("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(
            inline_html("[a link](javascript:x) **b**"),
            "a link <strong>b</strong>"
        );
        assert_eq!(inline_html("a & b"), "a &amp; b");
        assert_eq!(inline_html("one\ntwo"), "one two");
        assert_eq!(inline_html("~~old~~ new"), "<del>old</del> new");
        assert_eq!(inline_html("- [ ] x [^1]"), "[ ] x [^1]");
    }
}
