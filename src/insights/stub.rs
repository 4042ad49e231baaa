//! A page stub from a search gap (issue 16): the queries people searched for and did not
//! find become a Markdown file with a title, an owner, `aliases:` holding the queries (search
//! boosts them, so the stub answers those searches at once) and the "needs writing" marker
//! (`status: stub`, `created:`), which `check` warns about once the stub is old. Pure: the
//! write itself is [`crate::source::stub_write`].

use serde::Serialize;

use crate::model::{DocId, Kind, doc_url};

/// At most this many queries go into one stub.
pub const MAX_QUERIES: usize = 20;
/// The longest query kept, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// The longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 120;
/// The longest owner name, in characters.
pub const MAX_OWNER_CHARS: usize = 64;
/// Where stubs are written: the guides' folder (content-format.md: a stub is a guide).
pub const DEFAULT_FOLDER: &str = "guides";
/// The longest file name made from a title, before `.md`.
const MAX_SLUG_CHARS: usize = 60;

/// What someone asked a stub to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StubRequest {
    /// The grouped queries, most searched first.
    pub queries: Vec<String>,
    /// The title; `None` or blank takes [`suggested_title`] of the queries.
    pub title: Option<String>,
    /// Who will write it (`owner:`).
    pub owner: String,
}

/// A stub ready to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stub {
    /// Its title.
    pub title: String,
    /// Its owner.
    pub owner: String,
    /// The queries, cleaned: its `aliases:`.
    pub queries: Vec<String>,
    /// Its path relative to the content folder (`guides/….md`).
    pub rel_path: String,
    /// Its document id (the path without `.md`).
    pub id: DocId,
    /// Its address on the site.
    pub url: String,
    /// The whole file.
    pub markdown: String,
}

/// Why a stub request was refused: a sentence that says what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StubInputError {
    /// No query, or more than [`MAX_QUERIES`].
    #[error("give from 1 to {MAX_QUERIES} queries; {0} were given")]
    QueryCount(usize),
    /// A blank query.
    #[error("query {0} is blank; leave it out")]
    BlankQuery(usize),
    /// A query over [`MAX_QUERY_CHARS`].
    #[error("query {0} is longer than {MAX_QUERY_CHARS} characters; shorten it")]
    LongQuery(usize),
    /// A title that is blank after cleaning or over [`MAX_TITLE_CHARS`].
    #[error("the title must be 1 to {MAX_TITLE_CHARS} characters long")]
    Title,
    /// A title with no letter or digit to name the file after.
    #[error("the title needs a letter or a digit to name the file after")]
    Slug,
    /// An owner that does not look like a name.
    #[error(
        "the owner must be a name of up to {MAX_OWNER_CHARS} letters, digits, spaces, `-`, `_`, `.` or `@`, such as team-platform"
    )]
    Owner,
}

/// One line of text: whitespace runs (newlines too) become one space, control characters go.
fn one_line(text: &str) -> String {
    text.split_whitespace()
        .map(|w| w.chars().filter(|c| !c.is_control()).collect::<String>())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A title from the most searched query: one line, first letter upper case, the rest as
/// typed (identifiers such as `OOMKilled` keep their case), cut to [`MAX_TITLE_CHARS`].
pub fn suggested_title(queries: &[String]) -> String {
    let Some(first) = queries.iter().map(|q| one_line(q)).find(|q| !q.is_empty()) else {
        return String::new();
    };
    let mut chars = first.chars();
    let mut title: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    title.extend(chars);
    title.chars().take(MAX_TITLE_CHARS).collect()
}

/// A file name from a title: lower-case ASCII letters and digits joined by `-`
/// ("Pod: OOMKilled?" → `pod-oomkilled`), at most 60 characters; empty when nothing is left.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut cut: String = out.chars().take(MAX_SLUG_CHARS).collect();
    while cut.ends_with('-') {
        cut.pop();
    }
    cut
}

/// True for a plausible owner name.
fn is_owner_name(owner: &str) -> bool {
    let chars = owner.chars().count();
    (1..=MAX_OWNER_CHARS).contains(&chars)
        && owner.trim() == owner
        && owner
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '@' | ' '))
}

/// Checks and cleans the request and writes the stub's text, dated `today`, under `folder`
/// (relative to the content folder, `/`-separated, such as [`DEFAULT_FOLDER`]).
pub fn make_stub(
    request: &StubRequest,
    folder: &str,
    today: time::Date,
) -> Result<Stub, StubInputError> {
    let count = request.queries.len();
    if !(1..=MAX_QUERIES).contains(&count) {
        return Err(StubInputError::QueryCount(count));
    }
    let mut queries: Vec<String> = Vec::with_capacity(count);
    for (i, raw) in request.queries.iter().enumerate() {
        let query = one_line(raw);
        if query.is_empty() {
            return Err(StubInputError::BlankQuery(i + 1));
        }
        if query.chars().count() > MAX_QUERY_CHARS {
            return Err(StubInputError::LongQuery(i + 1));
        }
        if !queries.contains(&query) {
            queries.push(query);
        }
    }
    let title = match request.title.as_deref().map(one_line) {
        Some(title) if !title.is_empty() => title,
        _ => suggested_title(&queries),
    };
    if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS {
        return Err(StubInputError::Title);
    }
    let owner = request.owner.trim().to_owned();
    if !is_owner_name(&owner) {
        return Err(StubInputError::Owner);
    }
    let name = slug(&title);
    if name.is_empty() {
        return Err(StubInputError::Slug);
    }
    let folder = folder.trim_matches('/');
    let rel_path = if folder.is_empty() {
        format!("{name}.md")
    } else {
        format!("{folder}/{name}.md")
    };
    let id = DocId::from_relative_path(&rel_path).map_err(|_| StubInputError::Slug)?;
    let url = doc_url(Kind::Guide, &id);
    let markdown = stub_markdown(&title, &owner, &queries, today);
    Ok(Stub {
        title,
        owner,
        queries,
        rel_path,
        id,
        url,
        markdown,
    })
}

/// The front matter, in the order an author reads it.
#[derive(Serialize)]
struct StubFront<'a> {
    title: &'a str,
    owner: &'a str,
    status: &'static str,
    created: String,
    aliases: &'a [String],
}

/// The file: YAML front matter written by the YAML library (so any title round-trips), a
/// visible notice, and what people searched for.
fn stub_markdown(title: &str, owner: &str, queries: &[String], today: time::Date) -> String {
    let front = StubFront {
        title,
        owner,
        status: crate::loader::STUB_STATUS,
        created: today.to_string(),
        aliases: queries,
    };
    // Serialising a struct of strings cannot fail; a quoted fallback keeps the file valid.
    let yaml = serde_saphyr::to_string(&front).unwrap_or_else(|_| {
        format!(
            "title: {}\nowner: {}\nstatus: stub\ncreated: {today}\n",
            serde_json::Value::from(title),
            serde_json::Value::from(owner)
        )
    });
    let mut text = String::with_capacity(yaml.len() + 600);
    text.push_str("---\n");
    text.push_str(&yaml);
    if !yaml.ends_with('\n') {
        text.push('\n');
    }
    text.push_str("---\n\n");
    text.push_str(
        "> [!WARNING]\n> **This page needs writing.** It was started from searches that found \
         nothing. Replace this text with the answer; when it is written, remove this notice and \
         the `status:` and `created:` lines from the front matter.\n\n",
    );
    text.push_str("## What people searched for\n\n");
    text.push_str(
        "These searches found no page. Keep them in `aliases:`: search finds this page by them.\n\n",
    );
    for query in queries {
        text.push_str("- ");
        text.push_str(&escape_markdown(query));
        text.push('\n');
    }
    text
}

/// A query as literal Markdown text: every ASCII punctuation character backslash-escaped, so a
/// query never becomes a link, an emphasis or HTML.
fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
#[path = "stub_tests.rs"]
mod tests;
