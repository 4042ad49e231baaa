//! The admins' view of click feedback: per query, the pages its searchers chose and how
//! much each is lifted (issue 14). Which switch is set and the rule are stated on the page.

use maud::{Markup, html};

use super::layout::{self, Crumb, Page, PageContext};

/// One query's row, gathered by the handler (titles and URLs from the current site).
#[derive(Debug, Clone, PartialEq)]
pub struct FeedbackRow {
    /// The normalised query.
    pub query: String,
    /// Searches that chose a result, decayed.
    pub searches: f64,
    /// Whether the query lifts its pages now.
    pub lifting: bool,
    /// The chosen pages, most chosen first.
    pub pages: Vec<FeedbackPage>,
}

/// One chosen page.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedbackPage {
    /// The document id.
    pub id: String,
    /// Its title and URL, when the site still has it.
    pub doc: Option<(String, String)>,
    /// Times chosen, decayed.
    pub weight: f64,
    /// Its share of the query's choices (0–1).
    pub share: f64,
    /// What search multiplies the page's score by now (1 + weight × share; 1 when the
    /// query does not lift yet or the switch is off).
    pub lift: f64,
}

/// What the page says about the rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FeedbackRule {
    /// `[search] click_feedback` in site.toml.
    pub enabled: bool,
    /// Days after which a choice counts half.
    pub half_life_days: f64,
    /// Searches needed before a query lifts anything.
    pub min_searches: f64,
}

/// The "Search feedback" page.
pub fn page(ctx: &PageContext<'_>, rule: FeedbackRule, rows: &[FeedbackRow]) -> Markup {
    let main = html! {
        h1 { "Search feedback" }
        @if rule.enabled {
            p class="lead" {
                "When searchers of a query keep opening the same page, search ranks that page higher for that query (and only that query). "
                "A query lifts its pages once " (rule.min_searches) " searches chose a result; each search counts a page once; "
                "a choice counts half after " (rule.half_life_days) " days. Only pages the search finds are lifted, never added."
            }
        } @else {
            p class="lead" {
                "Click feedback is off (" code { "[search] click_feedback = false" } " in site.toml): "
                "nothing is recorded and search ignores what is listed here."
            }
        }
        p { a href="/api/v1/insights/search-feedback" { "The same as JSON" } }
        @if rows.is_empty() {
            p class="muted" { "No search has chosen a result yet." }
        } @else {
            table class="search-feedback" {
                thead { tr {
                    th scope="col" { "Query" }
                    th scope="col" { "Searches" }
                    th scope="col" { "Page" }
                    th scope="col" { "Chosen" }
                    th scope="col" { "Share" }
                    th scope="col" { "Lift" }
                } }
                tbody {
                    @for row in rows {
                        @for (i, p) in row.pages.iter().enumerate() {
                            tr {
                                @if i == 0 {
                                    th scope="row" rowspan=(row.pages.len()) {
                                        a href={ "/search?q=" (encode(&row.query)) } { (row.query) }
                                        @if !row.lifting { " " span class="badge" { "not yet lifting" } }
                                    }
                                    td rowspan=(row.pages.len()) { (format!("{:.1}", row.searches)) }
                                }
                                td {
                                    @match &p.doc {
                                        Some((title, url)) => { a href=(url) { (title) } " " code { (p.id) } },
                                        None => { code { (p.id) } " (no longer on the site)" },
                                    }
                                }
                                td { (format!("{:.1}", p.weight)) }
                                td { (format!("{:.0}%", p.share * 100.0)) }
                                td { @if p.lift > 1.0 { (format!("×{:.2}", p.lift)) } @else { "—" } }
                            }
                        }
                    }
                }
            }
        }
    };
    layout::render(
        ctx,
        Page {
            title: "Search feedback".into(),
            crumbs: vec![Crumb::link("Home", "/"), Crumb::text("Search feedback")],
            main,
            ..Page::default()
        },
    )
}

fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}
