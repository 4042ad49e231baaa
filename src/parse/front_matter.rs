//! Splits front matter (YAML `---` or TOML `+++`, only at the very start of a file) from the
//! Markdown body and parses it into typed values, with diagnostics pointing into the file.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::front_matter_errors::explain;
use crate::model::diagnostic::{Diagnostic, LineIndex, Position};

/// Which syntax the front matter block uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Between `---` lines.
    Yaml,
    /// Between `+++` lines.
    Toml,
}

/// A file cut into its front matter and body. Offsets are bytes into the text given to [`split`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    /// The front matter block's syntax, text (without fences) and the offset of that text.
    pub front: Option<(Format, &'a str, usize)>,
    /// The Markdown after the closing fence.
    pub body: &'a str,
    /// Where the body starts.
    pub body_offset: usize,
}

/// Why a file could not be split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitError {
    /// A sentence with a hint.
    pub message: String,
}

/// Splits a file's text. Front matter is recognised only on the first line, so a `---`
/// thematic break later in a document stays Markdown.
pub fn split(text: &str) -> Result<Split<'_>, SplitError> {
    let (format, fence) = if starts_with_fence(text, "---") {
        (Format::Yaml, "---")
    } else if starts_with_fence(text, "+++") {
        (Format::Toml, "+++")
    } else {
        return Ok(Split {
            front: None,
            body: text,
            body_offset: 0,
        });
    };
    let first_line_end = text.find('\n').map_or(text.len(), |i| i + 1);
    let mut line_start = first_line_end;
    while line_start < text.len() {
        let line_end = text[line_start..]
            .find('\n')
            .map_or(text.len(), |i| line_start + i + 1);
        let line = text[line_start..line_end].trim_end();
        let closes = line == fence || (format == Format::Yaml && line == "...");
        if closes {
            return Ok(Split {
                front: Some((format, &text[first_line_end..line_start], first_line_end)),
                body: &text[line_end..],
                body_offset: line_end,
            });
        }
        line_start = line_end;
    }
    Err(SplitError {
        message: format!(
            "the front matter opened with `{fence}` on line 1 is never closed; add a line with \
             only `{fence}` after the last key (or remove the opening `{fence}` if it was meant \
             as a horizontal rule)"
        ),
    })
}

fn starts_with_fence(text: &str, fence: &str) -> bool {
    text.strip_prefix(fence)
        .map(|rest| rest.split('\n').next().unwrap_or("").trim().is_empty())
        .unwrap_or(false)
}

/// Front matter keys the content format knows; anything else is a warning.
pub const KNOWN_KEYS: &[&str] = &[
    "id",
    "title",
    "summary",
    "description",
    "kind",
    "tags",
    "aliases",
    "symptoms",
    "owner",
    "reviewed",
    "resources",
    "order",
    "version",
    "pass",
    "minutes",
    "modules",
    "requires",
    "valid_for",
    "self_serve",
    "review",
    "draw",
    "shuffle",
    "attempts",
    "status",
    "created",
];

/// A value or a list of values: `tags: k8s` and `tags: [k8s]` mean the same.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    /// A single string.
    One(String),
    /// A list of strings.
    Many(Vec<String>),
}

impl OneOrMany {
    /// The values as a list.
    pub fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

/// Front matter as written, before ids and dates are parsed by the loader.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct RawFrontMatter {
    /// Overrides the path-derived id.
    pub id: Option<String>,
    /// Page title.
    pub title: Option<String>,
    /// One-line summary.
    pub summary: Option<String>,
    /// Accepted as a synonym of `summary` (MkDocs and Hugo authors write it).
    pub description: Option<String>,
    /// Overrides the folder's kind.
    pub kind: Option<String>,
    /// Tags.
    pub tags: Option<OneOrMany>,
    /// Other names for the page, searched with a boost.
    pub aliases: Option<OneOrMany>,
    /// Problems described the way people describe them, searched with a boost.
    pub symptoms: Option<OneOrMany>,
    /// Owning team.
    pub owner: Option<String>,
    /// Last review date, `YYYY-MM-DD`.
    pub reviewed: Option<String>,
    /// Resource ids the document is about.
    pub resources: Option<OneOrMany>,
    /// Sidebar order.
    pub order: Option<i64>,
    /// Module version.
    pub version: Option<u32>,
    /// Module pass mark in percent.
    pub pass: Option<u32>,
    /// Module duration.
    pub minutes: Option<u32>,
    /// A path's modules.
    pub modules: Option<OneOrMany>,
    /// Prerequisite paths (paths) or qualifying paths (resources).
    pub requires: Option<OneOrMany>,
    /// A resource's validity.
    pub valid_for: Option<String>,
    /// A resource's self-service link.
    pub self_serve: Option<String>,
    /// A module's review policy (`score`, `questions`, `answers`); checked by `module_settings`.
    pub review: Option<String>,
    /// Questions a module asks per attempt.
    pub draw: Option<i64>,
    /// Whether a module shuffles its choices per attempt.
    pub shuffle: Option<bool>,
    /// A module's attempt limits.
    pub attempts: Option<RawAttempts>,
    /// `stub` marks a page that still needs writing (made from a search gap).
    pub status: Option<String>,
    /// When a stub was made, `YYYY-MM-DD`: `check` warns once it is older than
    /// `[insights] stub_warn_days`.
    pub created: Option<String>,
}

/// `attempts:` as written: `{free: 3, delay: 10m, max_delay: 1d}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAttempts {
    /// Failures in a row without a wait.
    pub free: Option<i64>,
    /// The first wait.
    pub delay: Option<RawDuration>,
    /// The longest wait.
    pub max_delay: Option<RawDuration>,
}

/// A duration as written: `10m`, `2 hours`; a bare number is refused with a hint.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum RawDuration {
    /// `10m`, `1d`, `90 seconds`.
    Text(String),
    /// A number without a unit.
    Number(i64),
}

/// Parsed front matter and where each key sits in the file, for later diagnostics.
#[derive(Debug, Clone, Default)]
pub struct FrontMatter {
    /// The typed values (defaults when the block did not parse).
    pub raw: RawFrontMatter,
    /// Key → position of the key in the file.
    pub key_positions: BTreeMap<String, Position>,
    /// False when the block had a syntax or type error (already reported).
    pub parsed: bool,
}

impl FrontMatter {
    /// Where `key` was written, or the file start.
    pub fn position_of(&self, key: &str) -> Position {
        self.key_positions
            .get(key)
            .copied()
            .unwrap_or(Position::START)
    }
}

/// Parses a front matter block found by [`split`]. `offset` is the block's byte offset in
/// `file_text`; problems are returned as diagnostics for `path`.
pub fn parse(
    path: &str,
    file_text: &str,
    format: Format,
    block: &str,
    offset: usize,
    diagnostics: &mut Vec<Diagnostic>,
) -> FrontMatter {
    let index = LineIndex::new(file_text);
    let block_start = index.position(offset);
    let key_positions = key_positions(block, format, block_start);
    let mut fm = FrontMatter {
        key_positions,
        ..FrontMatter::default()
    };
    if block.trim().is_empty() {
        fm.parsed = true;
        return fm;
    }
    let result = match format {
        Format::Yaml => parse_yaml(block, block_start),
        Format::Toml => parse_toml(block, file_text, offset),
    };
    match result {
        Ok(raw) => {
            fm.raw = raw;
            fm.parsed = true;
        }
        Err((pos, message)) => diagnostics.push(Diagnostic::error(path, pos, message)),
    }
    for (key, pos) in &fm.key_positions {
        if !KNOWN_KEYS.contains(&key.as_str()) {
            diagnostics.push(Diagnostic::warning(
                path,
                *pos,
                format!("unknown front matter key `{key}` is ignored; check its spelling if it was meant for selfserve"),
            ));
        }
    }
    fm
}

fn parse_yaml(block: &str, block_start: Position) -> Result<RawFrontMatter, (Position, String)> {
    serde_saphyr::from_str::<RawFrontMatter>(block).map_err(|err| {
        let sentence = yaml_sentence(&err);
        match err.location() {
            Some(loc) => explain(
                block,
                block_start,
                usize::try_from(loc.line()).unwrap_or(1),
                usize::try_from(loc.column()).unwrap_or(1),
                &sentence,
                ':',
            ),
            None => (
                block_start,
                format!("front matter is not valid YAML: {sentence}"),
            ),
        }
    })
}

/// The error's sentence without the source snippet and location suffix saphyr appends, and
/// without a closing full stop: callers put it after words of their own (front matter here,
/// quiz blocks in `quiz`).
pub(crate) fn yaml_sentence(err: &serde_saphyr::Error) -> String {
    let text = err.without_snippet().to_string();
    let first = text.lines().next().unwrap_or("invalid YAML").trim();
    let trimmed = first
        .rsplit_once(" at line ")
        .map_or(first, |(message, _)| message);
    trimmed.trim_end_matches('.').to_owned()
}

fn parse_toml(
    block: &str,
    file_text: &str,
    offset: usize,
) -> Result<RawFrontMatter, (Position, String)> {
    toml::from_str::<RawFrontMatter>(block).map_err(|err| {
        let index = LineIndex::new(file_text);
        let block_start = index.position(offset);
        let at = index.position(offset + err.span().map_or(0, |s| s.start));
        explain(
            block,
            block_start,
            usize::try_from(at.line.saturating_sub(block_start.line) + 1).unwrap_or(1),
            usize::try_from(at.column).unwrap_or(1),
            err.message().trim_end_matches('.'),
            '=',
        )
    })
}

/// Finds top-level keys by their line: a key starts in column 1 and is followed by `:`
/// (YAML) or `=` (TOML).
fn key_positions(block: &str, format: Format, block_start: Position) -> BTreeMap<String, Position> {
    let mut keys = BTreeMap::new();
    let separator = match format {
        Format::Yaml => ':',
        Format::Toml => '=',
    };
    for (i, line) in block.lines().enumerate() {
        if line.starts_with([' ', '\t', '#', '-', '[']) || line.trim().is_empty() {
            continue;
        }
        if let Some((key, _)) = line.split_once(separator) {
            let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
            if !key.is_empty() && !key.contains(char::is_whitespace) {
                let line_no = block_start.line + u32::try_from(i).unwrap_or(0);
                keys.entry(key.to_owned())
                    .or_insert(Position::new(line_no, 1));
            }
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_yaml_sentence_has_no_snippet_location_or_full_stop() {
        let err = serde_saphyr::from_str::<Vec<String>>("[a, b\n").expect_err("unclosed list");
        let sentence = yaml_sentence(&err);
        assert!(!sentence.is_empty());
        assert!(!sentence.contains(" at line "), "{sentence}");
        assert!(
            !sentence.contains('\n') && !sentence.ends_with('.'),
            "{sentence}"
        );
    }

    #[test]
    fn splits_yaml_front_matter() {
        let text = "---\ntitle: A\n---\n# Body\n";
        let s = split(text).expect("splits");
        assert_eq!(s.front, Some((Format::Yaml, "title: A\n", 4)));
        assert_eq!(s.body, "# Body\n");
        assert_eq!(s.body_offset, 17);
    }

    #[test]
    fn splits_toml_front_matter() {
        let s = split("+++\ntitle = \"A\"\n+++\nbody").expect("splits");
        assert_eq!(s.front.map(|f| f.0), Some(Format::Toml));
        assert_eq!(s.body, "body");
    }

    #[test]
    fn a_later_rule_is_not_front_matter() {
        let s = split("# T\n\n---\nx: y\n---\n").expect("splits");
        assert!(s.front.is_none());
    }

    #[test]
    fn unclosed_front_matter_has_a_hint() {
        let err = split("---\ntitle: A\n# Body\n").expect_err("unclosed");
        assert!(err.message.contains("never closed"), "{}", err.message);
    }

    #[test]
    fn yaml_error_points_at_its_line_in_the_file() {
        let text = "---\ntitle: A\ntags: [a\nowner: x\n---\nbody";
        let s = split(text).expect("splits");
        let (format, block, offset) = s.front.expect("front matter");
        let mut diags = Vec::new();
        let fm = parse("a.md", text, format, block, offset, &mut diags);
        assert!(!fm.parsed);
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert!(diags[0].line >= 3, "{}", diags[0]);
    }

    #[test]
    fn unknown_keys_warn_with_their_line() {
        let text = "---\ntitle: A\nauthors: [x]\n---\n";
        let s = split(text).expect("splits");
        let (format, block, offset) = s.front.expect("front matter");
        let mut diags = Vec::new();
        let fm = parse("a.md", text, format, block, offset, &mut diags);
        assert!(fm.parsed);
        assert_eq!(fm.raw.title.as_deref(), Some("A"));
        assert_eq!(diags.len(), 1);
        assert_eq!(
            diags[0].to_string(),
            "a.md:3:1: warning: unknown front matter key `authors` is ignored; check its spelling if it was meant for selfserve"
        );
    }

    #[test]
    fn aliases_and_symptoms_are_lists_of_phrases() {
        let text = "---\ntitle: A\naliases: [crashloop, pod restarts]\nsymptoms: pod keeps restarting\n---\n";
        let s = split(text).expect("splits");
        let (format, block, offset) = s.front.expect("front matter");
        let mut diags = Vec::new();
        let fm = parse("a.md", text, format, block, offset, &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(
            fm.raw.aliases.map(OneOrMany::into_vec),
            Some(vec!["crashloop".to_owned(), "pod restarts".to_owned()])
        );
        assert_eq!(
            fm.raw.symptoms.map(OneOrMany::into_vec),
            Some(vec!["pod keeps restarting".to_owned()])
        );
    }

    #[test]
    fn aliases_of_the_wrong_type_point_at_their_line() {
        for text in [
            "---\ntitle: A\naliases:\n  one: two\n---\n",
            "---\ntitle: A\nsymptoms: [[a, b]]\n---\n",
        ] {
            let s = split(text).expect("splits");
            let (format, block, offset) = s.front.expect("front matter");
            let mut diags = Vec::new();
            let fm = parse("a.md", text, format, block, offset, &mut diags);
            assert!(!fm.parsed, "{text}");
            assert_eq!(diags.len(), 1, "{diags:?}");
            let message = diags[0].to_string();
            assert!(
                message.starts_with("a.md:3:") || message.starts_with("a.md:4:"),
                "{message}"
            );
            assert!(
                message.contains("a list of words such as `[a, b]`"),
                "{message}"
            );
        }
    }

    #[test]
    fn yes_stays_a_string_and_dates_stay_text() {
        let text = "---\ntitle: NO\nreviewed: 2026-10-01\ntags: k8s\n---\n";
        let s = split(text).expect("splits");
        let (format, block, offset) = s.front.expect("front matter");
        let fm = parse("a.md", text, format, block, offset, &mut Vec::new());
        assert_eq!(fm.raw.title.as_deref(), Some("NO"));
        assert_eq!(fm.raw.reviewed.as_deref(), Some("2026-10-01"));
        assert_eq!(
            fm.raw.tags.map(OneOrMany::into_vec),
            Some(vec!["k8s".to_owned()])
        );
    }

    proptest! {
        #[test]
        fn split_never_panics_and_offsets_are_sound(text in "(---|\\+\\+\\+)?[-+a-z: \n\r\u{e9}]{0,80}") {
            if let Ok(s) = split(&text) {
                prop_assert!(s.body_offset <= text.len());
                prop_assert!(text.is_char_boundary(s.body_offset));
                prop_assert_eq!(&text[s.body_offset..], s.body);
                if let Some((_, block, offset)) = s.front {
                    prop_assert_eq!(&text[offset..offset + block.len()], block);
                }
            }
        }

        #[test]
        fn parse_never_panics(block in "[-a-z:\\[\\]{}'\" \n0-9]{0,60}") {
            let text = format!("---\n{block}\n---\n");
            if let Ok(Split { front: Some((format, block, offset)), .. }) = split(&text) {
                let _ = parse("p.md", &text, format, block, offset, &mut Vec::new());
            }
        }
    }
}
