//! What a search asks and answers: the request with its limits, hits, facets, errors.

use serde::Serialize;

use crate::model::Kind;

use super::snippet::Snippet;

/// Most hits one request may ask for.
pub const MAX_LIMIT: usize = 50;
/// Hits when the request does not say.
pub const DEFAULT_LIMIT: usize = 10;
/// Deepest offset served; nobody pages further, and it bounds the work of a request.
pub const MAX_OFFSET: usize = 10_000;

/// A search as the API and the page receive it: raw values, checked by [`SearchRequest::validate`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchRequest {
    /// The text typed or pasted.
    pub q: String,
    /// Only this kind (`guide`, `troubleshooting`/`tree`, `module`, `path`, `resource`).
    pub kind: Option<String>,
    /// Only pages with this tag (case-insensitive).
    pub tag: Option<String>,
    /// Hits per page; clamped to `1..=50`, default 10.
    pub limit: Option<i64>,
    /// Hits to skip; clamped to `0..=10_000`.
    pub offset: Option<i64>,
}

impl SearchRequest {
    /// A request for `q` with default filters and limits.
    pub fn new(q: impl Into<String>) -> Self {
        Self {
            q: q.into(),
            ..Self::default()
        }
    }

    /// Checks the filters and clamps the limits.
    pub fn validate(&self) -> Result<Checked, SearchError> {
        let kind = match self
            .kind
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty())
        {
            None => None,
            Some(raw) => Some(Kind::parse(raw).map_err(|_| {
                SearchError::UnknownKind(raw.chars().take(40).filter(|c| !c.is_control()).collect())
            })?),
        };
        let tag = self
            .tag
            .as_deref()
            .map(|t| t.trim().to_lowercase())
            .filter(|t| !t.is_empty());
        let limit = match self.limit {
            None => DEFAULT_LIMIT,
            Some(n) => usize::try_from(n.clamp(1, MAX_LIMIT as i64)).unwrap_or(DEFAULT_LIMIT),
        };
        let offset = self.offset.map_or(0, |n| {
            usize::try_from(n.clamp(0, MAX_OFFSET as i64)).unwrap_or(0)
        });
        Ok(Checked {
            kind,
            tag,
            limit,
            offset,
        })
    }
}

/// A validated request's filters and limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// Kind filter.
    pub kind: Option<Kind>,
    /// Tag filter, lowercased.
    pub tag: Option<String>,
    /// Hits to return, `1..=50`.
    pub limit: usize,
    /// Hits to skip, `0..=10_000`.
    pub offset: usize,
}

/// Why a search was refused. The web layer answers 400 with the message.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// `kind=` names no kind.
    #[error("unknown kind `{0}`; use one of guide, troubleshooting, module, path, resource")]
    UnknownKind(String),
    /// The index failed (a bug or resource exhaustion, not bad input).
    #[error("the search index failed: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// The folder for the index's files cannot be used.
    #[error(
        "cannot use {} for the search index ({source}); check that the data folder is writable and has free space",
        path.display()
    )]
    Folder {
        /// The folder.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl SearchError {
    /// True when the caller's input was wrong (400), false for a server fault (500).
    pub fn is_bad_request(&self) -> bool {
        matches!(self, SearchError::UnknownKind(_))
    }
}

/// One result: a page, landing on its best section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// The document id.
    pub id: String,
    /// The page title.
    pub title: String,
    /// The page kind.
    pub kind: Kind,
    /// Where to go: the page, or `page#anchor` of the best section or tree node.
    pub url: String,
    /// The page summary (or the start of its text).
    pub summary: String,
    /// HTML: matches in `<mark>`, everything else escaped.
    pub snippet: String,
    /// The same snippet as text fragments, for templates that escape themselves.
    #[serde(skip)]
    pub snippet_parts: Snippet,
    /// Relevance, higher is better; comparable within one result list only.
    pub score: f32,
    /// The best section's heading, when the hit lands on a section.
    pub section: Option<String>,
    /// Folders above the page, titled.
    pub breadcrumb: Vec<String>,
}

/// Counts of matching pages by kind and by tag.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Facets {
    /// Pages per kind (ignoring the kind filter, so other kinds can be offered), in
    /// [`Kind::ALL`] order.
    pub kinds: Vec<KindCount>,
    /// Pages per tag (ignoring the tag filter), most frequent first, at most 30.
    pub tags: Vec<TagCount>,
}

/// Matching pages of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KindCount {
    /// The kind.
    pub kind: Kind,
    /// Pages.
    pub count: usize,
}

/// Matching pages with one tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TagCount {
    /// The tag, lowercased.
    pub tag: String,
    /// Pages.
    pub count: usize,
}

/// What a search answers.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SearchResults {
    /// Matching pages (after filters).
    pub total: usize,
    /// True when the index is so large that only pages holding the query's rarer words were
    /// matched and counted: `total` and the facet counts are then lower bounds ("1,234+").
    /// The best hits are still found and ranked exactly.
    pub partial: bool,
    /// Time spent in the index, milliseconds.
    pub took_ms: f64,
    /// The ranking legs that answered (the API's `legs`): `lexical`; a semantic leg, once
    /// there is one, joins when its vectors are ready.
    pub legs: Vec<&'static str>,
    /// The requested slice of results.
    pub hits: Vec<Hit>,
    /// Counts for the filters.
    pub facets: Facets,
    /// A corrected query when some words are unknown and close to known ones.
    pub did_you_mean: Option<String>,
    /// The offset served (after clamping).
    pub offset: usize,
    /// The limit served (after clamping).
    pub limit: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_clamped_and_kinds_checked() {
        let mut r = SearchRequest::new("x");
        assert_eq!(
            r.validate().map(|c| (c.limit, c.offset)).ok(),
            Some((10, 0))
        );
        r.limit = Some(-1);
        r.offset = Some(-5);
        assert_eq!(r.validate().map(|c| (c.limit, c.offset)).ok(), Some((1, 0)));
        r.limit = Some(1_000_000);
        r.offset = Some(i64::MAX);
        assert_eq!(
            r.validate().map(|c| (c.limit, c.offset)).ok(),
            Some((50, 10_000))
        );
        r.kind = Some("tree".into());
        assert_eq!(
            r.validate().ok().and_then(|c| c.kind),
            Some(Kind::Troubleshooting)
        );
        r.kind = Some("blog".into());
        let err = r.validate().err();
        assert!(err.as_ref().is_some_and(SearchError::is_bad_request));
        assert!(err.is_some_and(|e| e.to_string().contains("unknown kind `blog`")));
        r.kind = Some(" ".into());
        assert!(r.validate().is_ok());
    }
}
