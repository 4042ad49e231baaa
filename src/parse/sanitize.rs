//! The one HTML sanitiser every rendered body goes through (escaping text the renderer
//! writes itself is [`crate::escape`]).

use std::sync::LazyLock;

use ammonia::{Builder, UrlRelative};

/// Built once: authors may write raw HTML, but scripts, styles, event handlers, frames and
/// `javascript:`/`data:` URLs never reach a page.
static SANITIZER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut b = Builder::default();
    b.add_tags(["input", "section", "nav", "details", "summary"])
        .add_clean_content_tags(["iframe", "noscript", "template"])
        // Classes carry no behaviour; callouts, code languages and mermaid need them.
        .add_generic_attributes(["class"])
        .add_tag_attributes("a", ["id", "name", "aria-hidden", "aria-label"])
        // Scroll boxes (code blocks, wide tables) must be reachable by keyboard.
        .add_tag_attributes("pre", ["tabindex"])
        .add_tag_attributes("div", ["id", "role", "tabindex", "aria-label"])
        .add_tag_attributes("span", ["id"])
        .add_tag_attributes("section", ["id"])
        .add_tag_attributes("sup", ["id"])
        .add_tag_attributes("li", ["id"])
        .add_tag_attributes("details", ["open"])
        // Task-list checkboxes; the filter below keeps any other input a checkbox.
        .add_tag_attributes("input", ["type", "checked", "disabled", "aria-label"])
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("input", "type") => Some("checkbox".into()),
            // In the page's order or not at all: a positive tabindex would reorder the page.
            (_, "tabindex") => (value == "0").then(|| value.into()),
            // A scroll box is a region; other roles could misname the page's landmarks.
            ("div", "role") => (value == "region").then(|| value.into()),
            _ => Some(value.into()),
        })
        // pulldown-cmark writes column alignment as `style="text-align: …"`.
        .add_tag_attributes("th", ["style"])
        .add_tag_attributes("td", ["style"])
        .filter_style_properties(["text-align"].into_iter().collect())
        .url_relative(UrlRelative::PassThrough)
        .link_rel(Some("noopener noreferrer"))
        .strip_comments(true);
    for h in ["h1", "h2", "h3", "h4", "h5", "h6"] {
        b.add_tag_attributes(h, ["id"]);
    }
    b
});

/// Sanitises rendered HTML.
pub(super) fn clean(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_bad_urls_are_removed() {
        let out = clean(
            "<script>alert(1)</script><p onclick=\"x()\" style=\"color:red\">hi</p>\
             <a href=\"javascript:alert(1)\">j</a><img src=\"data:image/png;base64,AA\">\
             <iframe src=\"https://evil\">f</iframe><!-- note -->",
        );
        assert!(
            !out.contains("script") && !out.contains("onclick") && !out.contains("style"),
            "{out}"
        );
        assert!(
            !out.contains("javascript") && !out.contains("data:") && !out.contains("iframe"),
            "{out}"
        );
        assert!(!out.contains("note"), "{out}");
    }

    #[test]
    fn content_markup_survives() {
        let html = "<h2 id=\"a\">A</h2><details open><summary>S</summary><kbd>K</kbd></details>\
                    <a href=\"../x/\">rel</a><td style=\"text-align: center\">c</td>\
                    <input type=\"checkbox\" checked disabled><pre class=\"mermaid\">graph</pre>";
        let out = clean(html);
        for needle in [
            "id=\"a\"",
            "<details open",
            "<kbd>",
            "href=\"../x/\"",
            "checked",
            "class=\"mermaid\"",
        ] {
            assert!(out.contains(needle), "{needle} missing in {out}");
        }
    }

    #[test]
    fn inputs_stay_checkboxes_with_stable_attribute_order() {
        let out = clean("<input disabled=\"\" type=\"text\" checked=\"\" name=\"x\">");
        assert_eq!(out, "<input disabled=\"\" type=\"checkbox\" checked=\"\">");
    }
}
