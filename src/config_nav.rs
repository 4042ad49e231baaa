//! `[[nav]]` in `site.toml`: a hand-written sidebar (titles, order and sections that need not
//! follow the folders), as MkDocs' `nav:` gives one. Parsed here into typed entries; whether
//! each page exists is judged when the site is assembled (`model::nav_config`).

use serde::Deserialize;

/// One `[[nav]]` entry: a page or an outside link, inside the sections it names.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawNavEntry")]
pub struct NavEntry {
    /// The titles of the sections it sits in, outermost first; empty at the top level.
    pub section: Vec<String>,
    /// The sidebar text; a page without one shows its own title.
    pub title: Option<String>,
    /// What the entry links to.
    pub target: NavTarget,
    /// Where the `page` or `url` value starts in `site.toml` (byte offset), for diagnostics.
    pub offset: usize,
    /// 1-based line of `offset`, filled in once the whole file is known.
    pub line: u32,
    /// 1-based column (in characters) of `offset`.
    pub column: u32,
}

/// What a `[[nav]]` entry links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NavTarget {
    /// A Markdown file's path under the content root (`guides/deploy.md`).
    Page(String),
    /// An address outside the site (`https://…`).
    Link(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNavEntry {
    #[serde(default)]
    section: Vec<String>,
    title: Option<String>,
    page: Option<toml::Spanned<String>>,
    url: Option<toml::Spanned<String>>,
}

impl TryFrom<RawNavEntry> for NavEntry {
    type Error = String;

    fn try_from(raw: RawNavEntry) -> Result<Self, String> {
        if raw.section.iter().any(|s| s.trim().is_empty()) {
            return Err(
                "`section` in a [[nav]] entry of site.toml lists an empty title; name each enclosing section, outermost first, such as [\"Operator manual\", \"Security\"]"
                    .into(),
            );
        }
        if raw.title.as_deref().is_some_and(|t| t.trim().is_empty()) {
            return Err(
                "`title` in a [[nav]] entry of site.toml is empty; write the sidebar text or leave the key out to use the page's title"
                    .into(),
            );
        }
        let (target, offset) = match (raw.page, raw.url) {
            (Some(page), None) => {
                let offset = page.span().start;
                (NavTarget::Page(page_path(page.into_inner())?), offset)
            }
            (None, Some(url)) => {
                let offset = url.span().start;
                let url = url.into_inner();
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    return Err(format!(
                        "`url` in a [[nav]] entry of site.toml is `{url}`; it must start with https:// or http:// (for a file in the content folder write `page = \"path/to/file.md\"`)"
                    ));
                }
                if raw.title.is_none() {
                    return Err(format!(
                        "the [[nav]] entry for `{url}` in site.toml needs a `title`: an outside address has none of its own"
                    ));
                }
                (NavTarget::Link(url), offset)
            }
            (Some(_), Some(_)) => {
                return Err(
                    "a [[nav]] entry of site.toml has both `page` and `url`; give each its own entry"
                        .into(),
                );
            }
            (None, None) => {
                return Err(
                    "a [[nav]] entry of site.toml needs `page = \"path/to/file.md\"` (a file in the content folder) or `url = \"https://…\"`"
                        .into(),
                );
            }
        };
        Ok(Self {
            section: raw
                .section
                .into_iter()
                .map(|s| s.trim().to_owned())
                .collect(),
            title: raw.title.map(|t| t.trim().to_owned()),
            target,
            offset,
            line: 0,
            column: 0,
        })
    }
}

/// A page path as the loader names files: relative to the content root, `/`-separated, no
/// `.` or `..` steps, ending in `.md`.
fn page_path(path: String) -> Result<String, String> {
    let trimmed = path.trim().trim_start_matches("./");
    let steps_ok = !trimmed.is_empty()
        && !trimmed.starts_with('/')
        && !trimmed.contains('\\')
        && trimmed
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != "..");
    if !steps_ok || !trimmed.to_ascii_lowercase().ends_with(".md") {
        return Err(format!(
            "`page` in a [[nav]] entry of site.toml is `{path}`; write the Markdown file's path under the content folder, such as \"guides/deploy.md\""
        ));
    }
    Ok(trimmed.to_owned())
}

/// Fills in each entry's line and column from its byte offset in `text`.
pub(crate) fn locate(entries: &mut [NavEntry], text: &str) {
    for entry in entries {
        let mut offset = entry.offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        entry.line = u32::try_from(before.matches('\n').count() + 1).unwrap_or(u32::MAX);
        entry.column = u32::try_from(before[line_start..].chars().count() + 1).unwrap_or(u32::MAX);
    }
}

#[cfg(test)]
mod tests {
    use crate::config::SiteConfig;

    use super::*;

    #[test]
    fn entries_keep_their_order_sections_and_positions() {
        let text = "title = \"x\"\n\n[[nav]]\npage = \"index.md\"\ntitle = \"Home\"\n\n[[nav]]\nsection = [\"Ops\", \"Security\"]\npage = \"./ops/tls.md\"\n\n[[nav]]\ntitle = \"Releases\"\nurl = \"https://example.com/r\"\n";
        let config = SiteConfig::parse(text).expect("valid");
        let nav = &config.nav;
        assert_eq!(nav.len(), 3);
        assert_eq!(nav[0].target, NavTarget::Page("index.md".into()));
        assert_eq!(nav[0].title.as_deref(), Some("Home"));
        assert_eq!((nav[0].line, nav[0].column), (4, 8));
        assert_eq!(nav[1].section, ["Ops", "Security"]);
        assert_eq!(nav[1].target, NavTarget::Page("ops/tls.md".into()));
        assert_eq!(nav[1].line, 9);
        assert_eq!(
            nav[2].target,
            NavTarget::Link("https://example.com/r".into())
        );
    }

    #[test]
    fn bad_entries_are_refused_with_a_sentence() {
        let cases = [
            ("[[nav]]\ntitle = \"x\"\n", "needs `page"),
            ("[[nav]]\npage = \"a.md\"\nurl = \"https://x\"\n", "both"),
            (
                "[[nav]]\npage = \"../a.md\"\n",
                "path under the content folder",
            ),
            (
                "[[nav]]\npage = \"a.txt\"\n",
                "path under the content folder",
            ),
            ("[[nav]]\nurl = \"https://x\"\n", "needs a `title`"),
            ("[[nav]]\nurl = \"ftp://x\"\ntitle = \"x\"\n", "https://"),
            (
                "[[nav]]\nsection = [\"\"]\npage = \"a.md\"\n",
                "empty title",
            ),
            ("[[nav]]\npages = \"a.md\"\n", "pages"),
        ];
        for (text, wanted) in cases {
            let err = SiteConfig::parse(text).expect_err(text);
            assert!(err.message.contains(wanted), "{text}: {}", err.message);
        }
    }
}
