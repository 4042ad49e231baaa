//! HTML escaping for the places that write HTML as text rather than through maud: the
//! Markdown writer's own tags, quiz text and search snippets. One definition, so every
//! writer escapes the same five characters.

/// Appends `text` HTML-escaped: safe in element content and in attribute values quoted with
/// `"` or `'`.
pub fn push_escaped_html(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// `text` HTML-escaped (see [`push_escaped_html`]).
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped_html(&mut out, text);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_characters_and_keeps_the_rest() {
        assert_eq!(
            escape_html("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(
            escape_html("kubectl get pods — ok"),
            "kubectl get pods — ok"
        );
        let mut out = String::from("<mark>");
        push_escaped_html(&mut out, "a<b");
        assert_eq!(out, "<mark>a&lt;b");
    }
}
