//! A MkDocs page as selfserve reads it: MkDocs takes a page's title from its first `#`
//! heading, selfserve from `title:` in front matter (and warns when it has to fall back), so
//! the import writes that heading into a new front matter block. A page that already has
//! front matter (MkDocs' `meta` extension) is copied as written.

/// The page's text with a `title:` front matter block in front, or `None` when it already
/// starts with front matter. `fallback` names a page without a `#` heading.
pub fn with_front_matter(text: &str, fallback: &str) -> Option<String> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    if body.starts_with("---\n") || body.starts_with("---\r\n") || body.starts_with("+++") {
        return None;
    }
    let title = first_heading(body).unwrap_or_else(|| fallback.to_owned());
    // A JSON string is a YAML double-quoted scalar: every character survives.
    let quoted = serde_json::to_string(&title).unwrap_or_else(|_| "\"Untitled\"".to_owned());
    Some(format!("---\ntitle: {quoted}\n---\n{body}"))
}

/// The text of the first ATX `#` heading outside fenced code, without closing `#`s, a
/// trailing `{#id …}` attribute list or inline-code backticks.
pub fn first_heading(text: &str) -> Option<String> {
    let mut fence: Option<(char, usize)> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if let Some((ch, len)) = fence {
            let run = trimmed.chars().take_while(|c| *c == ch).count();
            if run >= len && trimmed[run..].trim().is_empty() {
                fence = None;
            }
            continue;
        }
        if indent < 4 {
            for ch in ['`', '~'] {
                let run = trimmed.chars().take_while(|c| *c == ch).count();
                if run >= 3 {
                    fence = Some((ch, run));
                }
            }
            if fence.is_some() {
                continue;
            }
        }
        if indent >= 4 {
            continue;
        }
        let Some(rest) = trimmed
            .strip_prefix("# ")
            .or_else(|| (trimmed == "#").then_some(""))
        else {
            continue;
        };
        let mut heading = rest.trim();
        if heading.ends_with('}')
            && let Some(open) = heading.rfind('{')
        {
            heading = heading[..open].trim_end();
        }
        let heading = heading.trim_end_matches('#').trim_end();
        let heading: String = heading.chars().filter(|c| *c != '`').collect();
        if !heading.is_empty() {
            return Some(heading);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_heading_outside_code_becomes_the_title() {
        let text =
            "intro\n\n```bash\n# not a heading\n```\n\n# The `argocd` CLI {#cli}\n\n# Later\n";
        assert_eq!(first_heading(text).as_deref(), Some("The argocd CLI"));
        assert_eq!(
            first_heading("~~~~\n# x\n~~~~\n# Closed ##\n").as_deref(),
            Some("Closed")
        );
        assert_eq!(
            first_heading("    # indented code\n## Second level\n"),
            None
        );
    }

    #[test]
    fn front_matter_is_added_only_when_missing_and_quotes_survive() {
        let out = with_front_matter("# Say \"hi\": now\n\nBody\n", "x").expect("added");
        assert_eq!(
            out,
            "---\ntitle: \"Say \\\"hi\\\": now\"\n---\n# Say \"hi\": now\n\nBody\n"
        );
        let block = out.split("---\n").nth(1).expect("a block");
        let parsed: std::collections::BTreeMap<String, String> =
            serde_saphyr::from_str(block).expect("YAML");
        assert_eq!(parsed["title"], "Say \"hi\": now");
        assert_eq!(with_front_matter("---\ntitle: Kept\n---\n# H\n", "x"), None);
        assert_eq!(
            with_front_matter("No heading here\n", "Faq").as_deref(),
            Some("---\ntitle: \"Faq\"\n---\nNo heading here\n")
        );
    }
}
