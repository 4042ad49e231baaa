//! `site.toml` errors in the author's terms: the TOML library's message names Rust types
//! (`expected u32`); the sentence names the key and what it takes instead.

/// The key written on the line holding byte `offset` of `text`, with the table it is in
/// (`search_log.retention_days`); `None` when that line is not `key = value`.
fn key_at(text: &str, offset: usize) -> Option<String> {
    // A byte offset from the library; stepped back to a character boundary to be safe.
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or("");
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches('"');
    if key.is_empty() || key.starts_with('[') || key.starts_with('#') {
        return None;
    }
    let table = text[..line_start].lines().rev().find_map(|l| {
        let l = l.trim();
        let name = l.strip_prefix('[')?.strip_suffix(']')?;
        Some(name.trim_matches(['[', ']']).trim().to_owned())
    });
    Some(match table {
        Some(table) if !table.is_empty() => format!("{table}.{key}"),
        _ => key.to_owned(),
    })
}

/// What a value of the type the library expected looks like.
fn wanted(message: &str) -> Option<&'static str> {
    let expected = message.rsplit("expected ").next()?;
    let words = if ["u8", "u16", "u32", "u64", "usize", "i32", "i64"]
        .iter()
        .any(|t| expected.starts_with(t))
    {
        "a whole number, such as 30"
    } else if expected.starts_with("f32") || expected.starts_with("f64") {
        "a number, such as 1.5"
    } else if expected.starts_with("a boolean") {
        "`true` or `false`"
    } else if expected.starts_with("a string") {
        "text in quotes, such as \"Platform docs\""
    } else if expected.starts_with("a sequence") {
        "a list, such as [\"a\", \"b\"]"
    } else if expected.starts_with("struct") || expected.starts_with("a map") {
        "a table: a `[name]` heading with `key = value` lines under it"
    } else {
        return None;
    };
    Some(words)
}

/// The sentence for a `site.toml` the library refused with `message` at byte `offset`.
pub fn explain(text: &str, offset: usize, message: &str) -> String {
    let message = message.trim().trim_end_matches('.');
    let key = key_at(text, offset);
    if message.starts_with("invalid type")
        && let (Some(key), Some(wanted)) = (&key, wanted(message))
    {
        return format!("`{key}` in site.toml must be {wanted}");
    }
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let name = rest.split('`').next().unwrap_or(rest);
        let place = match key.as_deref().and_then(|k| k.rsplit_once('.')) {
            Some((table, _)) => format!("the `[{table}]` table of site.toml"),
            None => "site.toml".to_owned(),
        };
        let known = rest.split_once("expected ").map(|(_, k)| k).unwrap_or("");
        return format!(
            "{place} has no key `{name}`; check its spelling ({})",
            if known.is_empty() {
                "see the Authoring guide".to_owned()
            } else {
                format!("the keys are {}", known.trim_start_matches("one of "))
            }
        );
    }
    // `[[nav]]` entries refuse themselves with a whole sentence (see `config_nav`).
    if message.contains("[[nav]]") {
        return message.to_owned();
    }
    format!("site.toml is not valid TOML: {message}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrong_type_names_the_key_and_what_it_takes() {
        let text = "title = \"x\"\nreview_days = \"ninety\"\n";
        let at = text.find("\"ninety").expect("value");
        assert_eq!(
            explain(text, at, "invalid type: string \"ninety\", expected u32"),
            "`review_days` in site.toml must be a whole number, such as 30"
        );
        let text = "[search_log]\nretention_days = true\n";
        let at = text.find("true").expect("value");
        assert_eq!(
            explain(text, at, "invalid type: boolean `true`, expected u32"),
            "`search_log.retention_days` in site.toml must be a whole number, such as 30"
        );
        let text = "watch = \"yes\"\n";
        assert_eq!(
            explain(text, 8, "invalid type: string \"yes\", expected a boolean"),
            "`watch` in site.toml must be `true` or `false`"
        );
    }

    #[test]
    fn an_unknown_key_says_where_and_lists_the_keys() {
        let text = "[search_log]\nretention = 3\n";
        let at = text.find("retention").expect("key");
        let said = explain(
            text,
            at,
            "unknown field `retention`, expected `retention_days` or `max_rows`",
        );
        assert_eq!(
            said,
            "the `[search_log]` table of site.toml has no key `retention`; check its spelling (the keys are `retention_days` or `max_rows`)"
        );
    }

    #[test]
    fn any_offset_is_safe() {
        let text = "title = \"Déjà vu\"\nwatch = 1\n";
        for offset in 0..text.len() + 3 {
            let _ = explain(
                text,
                offset,
                "invalid type: integer `1`, expected a boolean",
            );
        }
    }

    #[test]
    fn syntax_errors_keep_the_librarys_words_without_rust_types() {
        let said = explain("title = \"x\n", 10, "invalid basic string, expected `\"`");
        assert_eq!(
            said,
            "site.toml is not valid TOML: invalid basic string, expected `\"`"
        );
    }
}
