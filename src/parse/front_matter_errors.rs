//! Front matter errors in the author's terms: the YAML or TOML library's message (which names
//! Rust types such as `i64` or `Option<String>`) becomes a sentence naming the key and what it
//! expects, placed at the key.

use crate::model::diagnostic::Position;

/// What the library's message says went wrong, as far as an author is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Problem {
    /// A value of the wrong type (a word where a number belongs, a list where text belongs).
    WrongType,
    /// `key: a: b` — YAML reads the second `: ` as a nested key.
    UnquotedColon,
    /// A plain value starting with a character YAML reserves (`@`, a backtick).
    ReservedStart(String),
    /// A quoted value that never ends.
    UnclosedQuote,
    /// The same key twice.
    Duplicate(String),
    /// A key `attempts:` does not know.
    UnknownNested(String),
    /// Anything else: the library's own sentence is kept.
    Other,
}

fn classify(message: &str) -> Problem {
    if message.contains("mapping values are not allowed") {
        return Problem::UnquotedColon;
    }
    if let Some(rest) = message.strip_prefix("unexpected character: `") {
        let c = rest.trim_end_matches('\'').to_owned();
        return Problem::ReservedStart(c);
    }
    if message.contains("unclosed quote") || message.contains("found unexpected end of stream") {
        return Problem::UnclosedQuote;
    }
    if let Some(rest) = message.strip_prefix("duplicate mapping key: ") {
        return Problem::Duplicate(rest.split(',').next().unwrap_or(rest).trim().to_owned());
    }
    if let Some(rest) = message.strip_prefix("unknown field `") {
        return Problem::UnknownNested(rest.split('`').next().unwrap_or(rest).to_owned());
    }
    let type_words = [
        "invalid i64",
        "invalid u32",
        "invalid boolean",
        "invalid type",
        "expected string scalar",
        "expected mapping start",
        "expected sequence start",
        "untagged enum",
        "use Option<",
        "invalid value",
    ];
    if type_words.iter().any(|w| message.contains(w)) {
        Problem::WrongType
    } else {
        Problem::Other
    }
}

/// What a key expects, in words an author can act on; `None` for keys the format does not know.
fn expectation(key: &str) -> Option<String> {
    let text = match key {
        "order" => "`order` must be a whole number such as 3".to_owned(),
        "pass" => "`pass` is a percentage as a whole number, such as 80 (without %)".to_owned(),
        "version" => "`version` must be a whole number such as 2".to_owned(),
        "minutes" => "`minutes` must be a whole number of minutes, such as 15".to_owned(),
        "draw" => "`draw` must be a whole number of questions, such as 5".to_owned(),
        "free" => "`free` must be a whole number of attempts, such as 3".to_owned(),
        "shuffle" => "`shuffle` must be `true` or `false`".to_owned(),
        "delay" | "max_delay" => format!("`{key}` must be a duration such as `10m`, `2h` or `1d`"),
        "attempts" => {
            "`attempts` must be a mapping such as `{free: 3, delay: 10m, max_delay: 1d}`".to_owned()
        }
        "tags" | "aliases" | "symptoms" | "resources" | "modules" | "requires" => format!(
            "`{key}` must be a word or a list of words such as `[a, b]` (tags, aliases, \
             symptoms, resources, modules and requires take a list)"
        ),
        "id" | "title" | "summary" | "description" | "kind" | "owner" | "reviewed"
        | "valid_for" | "self_serve" | "review" => format!("`{key}` must be text"),
        _ => return None,
    };
    Some(text)
}

/// Rewrites one front matter error. `block` is the front matter text, `block_start` where it
/// starts in the file, `line` (1-based, in the block) and `column` (1-based, in characters)
/// where the library placed the error, `message` its sentence without location.
pub(super) fn explain(
    block: &str,
    block_start: Position,
    line: usize,
    column: usize,
    message: &str,
    separator: char,
) -> (Position, String) {
    let lines: Vec<&str> = block.lines().collect();
    let error_line = lines.get(line.saturating_sub(1)).copied().unwrap_or("");
    let file_line = |block_line: usize| {
        block_start.line + u32::try_from(block_line.saturating_sub(1)).unwrap_or(0)
    };
    let error_pos = Position::new(file_line(line), u32::try_from(column.max(1)).unwrap_or(1));
    let key = key_of(&lines, line, column, separator);
    let at_key = key
        .as_ref()
        .map_or(error_pos, |k| Position::new(file_line(k.line), k.column));
    let value = value_at(error_line, column);
    let fallback = || {
        let syntax = if separator == '=' { "TOML" } else { "YAML" };
        format!("front matter is not valid {syntax}: {message}")
    };
    let sentence = match (classify(message), key) {
        (Problem::Duplicate(name), _) => {
            return (
                error_pos,
                format!("`{name}` is written twice in the front matter; keep one"),
            );
        }
        (Problem::UnknownNested(name), _) => {
            format!("`attempts` has no key `{name}`; its keys are `free`, `delay` and `max_delay`")
        }
        (Problem::UnquotedColon, Some(k)) if k.line == line => {
            let written = key_value(error_line, &k.name, separator);
            format!(
                "the value of `{}` contains `: `, which YAML reads as another key; quote it: `{}: \"{}\"`",
                k.name,
                k.name,
                written.replace('"', "\\\"")
            )
        }
        (Problem::UnquotedColon, Some(k)) => {
            return (
                error_pos,
                format!(
                    "`{}` is indented under `{}` but reads as a key of its own; start a new key \
                     at the beginning of its line, or quote the value of `{}` if it contains `: `",
                    error_line.trim(),
                    k.name,
                    k.name
                ),
            );
        }
        (Problem::ReservedStart(c), Some(k)) => {
            let written = key_value(error_line, &k.name, separator);
            let c = if c == "`" {
                "a backtick".to_owned()
            } else {
                format!("`{c}`")
            };
            format!(
                "the value of `{}` starts with {c}, which YAML reserves; quote it: `{}: \"{}\"`",
                k.name,
                k.name,
                written.replace('"', "\\\"")
            )
        }
        (Problem::UnclosedQuote, Some(k)) => format!(
            "the value of `{}` opens a quote that is never closed; end it with the same quote mark on the same line",
            k.name
        ),
        (Problem::WrongType, Some(k)) => match expectation(&k.name) {
            // A value spread over the lines below its key is not repeated.
            Some(expected) => match value.filter(|v| !v.is_empty() && k.line == line) {
                Some(v) if expected.ends_with("must be text") && separator == '=' => format!(
                    "{expected}; write it in quotes: `{} = \"{}\"`",
                    k.name,
                    v.replace('"', "\\\"")
                ),
                Some(v) if expected.ends_with("must be text") => format!(
                    "{expected}; `{v}` reads as a list or a mapping, so quote it: `{}: \"{}\"`",
                    k.name,
                    v.replace('"', "\\\"")
                ),
                Some(v) => format!("{expected}; `{v}` is not"),
                None => expected,
            },
            None => fallback(),
        },
        (Problem::WrongType, None) if separator == ':' && message.contains("mapping start") => {
            "front matter must be `key: value` lines, such as `title: Restart a pod`".to_owned()
        }
        (Problem::WrongType, _) => fallback(),
        _ => match unclosed_bracket(&lines, line) {
            Some((open_line, text)) => {
                return (
                    Position::new(file_line(open_line), 1),
                    format!(
                        "the list or mapping opened in `{}` is never closed; end it on the same line with `]` or `}}`",
                        text.trim()
                    ),
                );
            }
            None => fallback(),
        },
    };
    (at_key, sentence)
}

/// The first line up to `line` (1-based) that opens more `[` or `{` than it closes, outside
/// quotes: a flow list left open makes YAML fail on a later line.
fn unclosed_bracket<'a>(lines: &[&'a str], line: usize) -> Option<(usize, &'a str)> {
    lines.iter().take(line).enumerate().find_map(|(i, text)| {
        let mut depth = 0i32;
        let mut quote = None;
        for c in text.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '[' | '{') => depth += 1,
                (None, ']' | '}') => depth -= 1,
                (None, '#') => break,
                _ => {}
            }
        }
        (depth > 0).then_some((i + 1, *text))
    })
}

/// A key and where it is written (block line, column).
struct KeyAt {
    name: String,
    line: usize,
    column: u32,
}

/// The key an error at (`line`, `column`) belongs to: the last `key:` before the column on
/// its line (`attempts: {free: x}` → `free`), else the nearest less indented key above
/// (a list item under `tags:`).
fn key_of(lines: &[&str], line: usize, column: usize, separator: char) -> Option<KeyAt> {
    let text = lines.get(line.checked_sub(1)?)?;
    let prefix: String = text.chars().take(column.saturating_sub(1)).collect();
    if let Some((name, at)) = last_key(&prefix, separator) {
        let column = u32::try_from(prefix[..at].chars().count() + 1).unwrap_or(1);
        return Some(KeyAt { name, line, column });
    }
    let indent = indentation(text);
    for above in (1..line).rev() {
        let candidate = lines.get(above - 1)?;
        if candidate.trim().is_empty() || indentation(candidate) >= indent {
            continue;
        }
        let (name, at) = last_key(candidate, separator)?;
        let column = u32::try_from(candidate[..at].chars().count() + 1).unwrap_or(1);
        return Some(KeyAt {
            name,
            line: above,
            column,
        });
    }
    None
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The last `word:` (or `word =`) in `text` and its byte offset.
fn last_key(text: &str, separator: char) -> Option<(String, usize)> {
    let mut found = None;
    for (i, c) in text.char_indices() {
        if c != separator {
            continue;
        }
        let before = text[..i].trim_end();
        let start = before
            .rfind(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_' || ch == '-'))
            .map_or(0, |j| j + 1);
        let word = &before[start..];
        if !word.is_empty()
            && word
                .chars()
                .next()
                .is_some_and(|ch| ch.is_ascii_alphabetic())
        {
            found = Some((word.to_owned(), start));
        }
    }
    found
}

/// Everything after `key:` on a line, as written.
fn key_value<'a>(line: &'a str, key: &str, separator: char) -> &'a str {
    line.find(key)
        .and_then(|i| line[i + key.len()..].split_once(separator))
        .map_or(line, |(_, rest)| rest)
        .trim()
}

/// The value starting at `column` (1-based): up to a comment, or the end of its item inside
/// `{…}`; quotes removed.
fn value_at(line: &str, column: usize) -> Option<String> {
    let start = line
        .char_indices()
        .nth(column.saturating_sub(1))
        .map(|(i, _)| i)?;
    let in_flow_mapping = line[..start].contains('{');
    let rest = &line[start..];
    let end = rest
        .char_indices()
        .find(|&(i, c)| {
            (c == '#' && rest[..i].ends_with(' ')) || (in_flow_mapping && matches!(c, ',' | '}'))
        })
        .map_or(rest.len(), |(i, _)| i);
    let value = rest[..end].trim().trim_matches(|c| c == '"' || c == '\'');
    Some(value.to_owned())
}

#[cfg(test)]
#[path = "front_matter_errors_tests.rs"]
mod tests;
