//! OpenAPI schemas for what the API answers with types of other layers (`model`, `search`,
//! `insights`, `qualify` know nothing of the web, so they derive no schema). Each type here
//! describes the JSON such a type serialises to; the unit tests in [`super::openapi`] tie the
//! enums to the model's values, and Schemathesis (tests/it/schemathesis.rs) checks every
//! answer of the running server against them.

// Schema-only types: never built, only described.
#![allow(dead_code)]

use serde::Serialize;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat, Type};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

/// `{"error": "sentence"}`: every error under `/api/`, whatever produced it. The sentence says
/// what to do.
#[derive(Serialize, ToSchema)]
#[schema(as = Error)]
pub(super) struct ErrorBody {
    /// What went wrong and what to do about it.
    error: String,
}

/// A document kind.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = Kind)]
pub(super) enum KindName {
    Guide,
    Troubleshooting,
    Module,
    Path,
    Resource,
}

/// Where a learner stands with a resource: `expiring` is still qualified, lapsing soon.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = QualificationStatus)]
pub(super) enum StatusName {
    Qualified,
    Expiring,
    Expired,
    Missing,
}

/// How a troubleshooting walk ends.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = Outcome)]
pub(super) enum OutcomeName {
    Resolved,
    Escalate,
}

/// One learner's decision for one resource.
#[derive(Serialize, ToSchema)]
#[schema(as = Qualification)]
pub(super) struct Decision {
    /// The resource's document id.
    resource: String,
    status: StatusName,
    /// When the qualification lapses (or lapsed); `null` when missing or never lapsing.
    #[schema(format = DateTime)]
    expires: Option<String>,
    /// Modules never passed at their current version, then modules whose pass expired.
    missing: Vec<String>,
}

/// A search answer.
#[derive(Serialize, ToSchema)]
#[schema(as = SearchResults)]
pub(super) struct SearchResults {
    /// Matching pages (after filters).
    total: u64,
    /// True when only pages holding the query's rarer words were counted (a very large
    /// index): `total` and the facet counts are then lower bounds.
    partial: bool,
    /// Time spent in the index, milliseconds.
    took_ms: f64,
    /// The ranking legs that answered: `lexical`, and `semantic` once its vectors are ready.
    legs: Vec<String>,
    /// The requested slice of results.
    hits: Vec<SearchHit>,
    facets: Facets,
    /// A corrected query when some words are unknown and close to known ones.
    did_you_mean: Option<String>,
    /// The offset served (after clamping).
    offset: u64,
    /// The limit served (after clamping, 1 to 50).
    limit: u64,
    /// The search log's id of this search (a UUID), for click feedback; absent when not
    /// logged.
    search_id: Option<String>,
}

/// One search hit.
#[derive(Serialize, ToSchema)]
pub(super) struct SearchHit {
    id: String,
    title: String,
    kind: KindName,
    /// The page, or `page#anchor` of the best section or tree node.
    url: String,
    summary: String,
    /// HTML: matches in `<mark>`, everything else escaped.
    snippet: String,
    /// Relevance, higher is better; comparable within one result list only.
    score: f64,
    /// The best section's heading, when the hit lands on a section.
    section: Option<String>,
    /// Folders above the page, titled.
    breadcrumb: Vec<String>,
}

/// Counts of matching pages by kind and by tag.
#[derive(Serialize, ToSchema)]
pub(super) struct Facets {
    kinds: Vec<KindCount>,
    /// Most frequent first, at most 30.
    tags: Vec<TagCount>,
}

#[derive(Serialize, ToSchema)]
pub(super) struct KindCount {
    kind: KindName,
    count: u64,
}

#[derive(Serialize, ToSchema)]
pub(super) struct TagCount {
    tag: String,
    count: u64,
}

/// One page's "Was this helpful?" votes in the period.
#[derive(Serialize, ToSchema)]
pub(super) struct PageFigures {
    id: String,
    /// Its title (its id when the page is gone).
    title: String,
    /// `null` when the page is gone.
    url: Option<String>,
    owner: Option<String>,
    votes: u64,
    helpful: u64,
    /// The share of "yes", 0 to 1.
    helpful_rate: Option<f64>,
    comments: u64,
    #[schema(format = DateTime)]
    last_at: Option<String>,
}

/// Votes on one UTC day.
#[derive(Serialize, ToSchema)]
pub(super) struct DayFigures {
    #[schema(format = Date)]
    day: String,
    votes: u64,
    helpful: u64,
}

/// One owner's weekly digest.
#[derive(Serialize, ToSchema)]
pub(super) struct Digest {
    owner: String,
    /// `YYYY-Www`.
    week: String,
    #[schema(format = Date)]
    from: String,
    #[schema(format = Date)]
    to: String,
    gaps: DigestGaps,
    unhelpful: Vec<DigestUnhelpful>,
    overdue_reviews: Vec<DigestOverdue>,
}

#[derive(Serialize, ToSchema)]
pub(super) struct DigestGaps {
    /// The week's searches that found nothing, site-wide, most searched first (at most 10).
    searches: Vec<DigestSearchGap>,
    /// The owner's pages still marked `status: stub`.
    stubs: Vec<PageRef>,
}

#[derive(Serialize, ToSchema)]
pub(super) struct DigestSearchGap {
    query: String,
    queries: Vec<String>,
    count: u64,
}

#[derive(Serialize, ToSchema)]
pub(super) struct PageRef {
    id: String,
    title: String,
    url: String,
}

#[derive(Serialize, ToSchema)]
pub(super) struct DigestUnhelpful {
    id: String,
    title: String,
    url: String,
    helpful: u64,
    not_helpful: u64,
    helpful_rate: f64,
}

#[derive(Serialize, ToSchema)]
pub(super) struct DigestOverdue {
    id: String,
    title: String,
    url: String,
    #[schema(format = Date)]
    reviewed: String,
    #[schema(format = Date)]
    due: String,
}

/// Any whole number, or empty (the same as left out): `limit` and `offset` of a search take
/// them all (out-of-range ones are clamped), so the document sets no bounds.
pub(super) struct WholeNumber;

impl PartialSchema for WholeNumber {
    fn schema() -> RefOr<Schema> {
        let empty = ObjectBuilder::new()
            .schema_type(Type::String)
            .max_length(Some(0));
        OneOfBuilder::new()
            .item(ObjectBuilder::new().schema_type(Type::Integer))
            .item(empty)
            .into()
    }
}

impl ToSchema for WholeNumber {}

/// A moment to judge at (empty: now): a date (`2026-10-01`, its end) or an RFC 3339 date and time.
pub(super) struct AsOf;

impl PartialSchema for AsOf {
    fn schema() -> RefOr<Schema> {
        let string = |format| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(format)))
        };
        // Empty is the same as left out: now.
        let empty = ObjectBuilder::new()
            .schema_type(Type::String)
            .max_length(Some(0));
        OneOfBuilder::new()
            .item(string(KnownFormat::Date))
            .item(string(KnownFormat::DateTime))
            .item(empty)
            .into()
    }
}

impl ToSchema for AsOf {}

/// The `kind` filter of a search: a kind's name (any case; `tree` names troubleshooting
/// trees), or empty for every kind.
pub(super) struct KindFilter;

impl PartialSchema for KindFilter {
    fn schema() -> RefOr<Schema> {
        let mut names = vec![String::new(), "tree".to_owned()];
        names.extend(
            crate::model::Kind::ALL
                .iter()
                .filter_map(|k| serde_json::to_value(k).ok())
                .filter_map(|v| v.as_str().map(str::to_owned)),
        );
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(names))
            .into()
    }
}

impl ToSchema for KindFilter {}
