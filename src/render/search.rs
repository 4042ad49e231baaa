//! The search results page: a form, filters by kind and tag with counts, results with kind
//! badge, breadcrumb and snippet, "did you mean", and pagination. Plain links and a GET
//! form: it works without JavaScript.

use maud::{Markup, html};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use uuid::Uuid;

use std::collections::BTreeMap;

use crate::qualify::Status;

use crate::model::Kind;
use crate::search::{Hit, SearchResults, request::DEFAULT_LIMIT};

use super::layout::{self, Crumb, Page, PageContext};
use super::{kind_badge, plural};

/// What the page shows.
#[derive(Debug)]
pub struct SearchView<'a> {
    /// The text searched for, as typed.
    pub query: &'a str,
    /// The kind filter as given (empty: none).
    pub kind: &'a str,
    /// The tag filter as given (empty: none).
    pub tag: &'a str,
    /// The answer.
    pub results: &'a SearchResults,
    /// The log id of this search; result links go through `/search?sid=…&open=…` when set.
    pub search_id: Option<Uuid>,
    /// For a signed-in learner: whether they may self-serve the resource a hit is about.
    pub badges: &'a BTreeMap<String, Status>,
}

/// No badges (anonymous readers, tests).
pub static NO_BADGES: BTreeMap<String, Status> = BTreeMap::new();

impl SearchView<'_> {
    /// A link to this search with other filters or another offset.
    fn url(&self, kind: &str, tag: &str, offset: usize) -> String {
        let mut url = format!("/search?q={}", encode(self.query));
        if !kind.is_empty() {
            url.push_str(&format!("&kind={}", encode(kind)));
        }
        if !tag.is_empty() {
            url.push_str(&format!("&tag={}", encode(tag)));
        }
        if self.results.limit != DEFAULT_LIMIT {
            url.push_str(&format!("&limit={}", self.results.limit));
        }
        if offset > 0 {
            url.push_str(&format!("&offset={offset}"));
        }
        url
    }

    fn hit_link(&self, hit: &Hit) -> String {
        match self.search_id {
            Some(id) => format!("/search?sid={id}&open={}", encode(&hit.url)),
            None => hit.url.clone(),
        }
    }
}

fn encode(text: &str) -> String {
    utf8_percent_encode(text, NON_ALPHANUMERIC).to_string()
}

/// The whole page.
pub fn page(ctx: &PageContext<'_>, view: &SearchView<'_>) -> Markup {
    let query = view.query.trim();
    let main = html! {
        // The page's own styles; a `<link>` in the body is valid and needs no inline CSS.
        link rel="stylesheet" href="/static/search.css";
        h1 { "Search" }
        (form(view))
        @if query.is_empty() {
            p class="search-hint" {
                "Type a symptom in your own words, paste an error message or an alert name, "
                "or look up a command or setting."
            }
        } @else {
            div class="search-layout" {
                (filters(view))
                section class="search-results" aria-label="Results" {
                    (summary(view))
                    (hits(view))
                    (pagination(view))
                }
            }
        }
    };
    let title = if query.is_empty() {
        "Search".to_owned()
    } else {
        format!("{query} – Search")
    };
    layout::render(
        ctx,
        Page {
            title,
            crumbs: vec![Crumb::link("Home", "/"), Crumb::text("Search")],
            main,
            scripts: vec!["/static/search.js"],
            ..Page::default()
        },
    )
}

/// The big search box, keeping the filters.
fn form(view: &SearchView<'_>) -> Markup {
    html! {
        form class="search-form page-search-form" action="/search" method="get" role="search" {
            label class="visually-hidden" for="page-search" { "Search" }
            input id="page-search" name="q" type="search" value=(view.query)
                placeholder="Search the knowledge base" autocomplete="off" maxlength="1000";
            @if !view.kind.is_empty() { input type="hidden" name="kind" value=(view.kind); }
            @if !view.tag.is_empty() { input type="hidden" name="tag" value=(view.tag); }
            button type="submit" { "Search" }
        }
    }
}

fn summary(view: &SearchView<'_>) -> Markup {
    let r = view.results;
    html! {
        @if let Some(suggestion) = &r.did_you_mean {
            p class="did-you-mean" {
                "Did you mean "
                a href=(SearchView { query: suggestion, ..*view }.url(view.kind, view.tag, 0)) {
                    strong { (suggestion) }
                }
                "?"
            }
        }
        p class="search-summary" role="status" {
            @if r.total == 0 {
                "Nothing matches " q { (view.query) }
                @if !view.kind.is_empty() || !view.tag.is_empty() { " with these filters" }
                ". Try fewer or other words, or the error's key phrase."
            } @else {
                (plural(r.total, "result", "results"))
                // A very large index counted only pages holding the rarer words.
                @if r.partial { "+" }
                " for " q { (view.query) }
                span class="search-time" { " (" (format!("{:.1}", r.took_ms)) " ms)" }
            }
        }
    }
}

fn hits(view: &SearchView<'_>) -> Markup {
    let r = view.results;
    html! {
        @if !r.hits.is_empty() {
            ol class="search-hits" start=(r.offset + 1) {
                @for hit in &r.hits {
                    li class="search-hit" {
                        div class="search-hit-head" {
                            a class="search-hit-title" href=(view.hit_link(hit)) { (hit.title) }
                            " " (kind_badge(hit.kind))
                            // Qualification is about requesting a resource; guides and trees
                            // are open to all, so they never carry one.
                            @if let (Kind::Resource, Some(status)) = (hit.kind, view.badges.get(&hit.id)) {
                                " " (super::qualifications::search_badge(*status))
                            }
                        }
                        @if !hit.breadcrumb.is_empty() || hit.section.is_some() {
                            div class="search-hit-crumbs" {
                                (hit.breadcrumb.join(" › "))
                                @if let Some(section) = &hit.section {
                                    @if !hit.breadcrumb.is_empty() { " › " }
                                    span class="search-hit-section" { (section) }
                                }
                            }
                        }
                        @if !hit.snippet_parts.is_empty() {
                            p class="search-hit-snippet" {
                                @for part in &hit.snippet_parts {
                                    @if part.marked { mark { (part.text) } } @else { (part.text) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Kind and tag filters with counts; the current choice is marked and links back to "all".
fn filters(view: &SearchView<'_>) -> Markup {
    let facets = &view.results.facets;
    let all_kinds: usize = facets.kinds.iter().map(|k| k.count).sum();
    let current_kind = Kind::parse(view.kind).ok();
    html! {
        aside class="search-filters" aria-label="Filters" {
            h2 { "Kind" }
            ul {
                li { (filter_link(&view.url("", view.tag, 0), "All kinds", all_kinds, current_kind.is_none())) }
                @for k in &facets.kinds {
                    li { (filter_link(&view.url(k.kind.as_str(), view.tag, 0), k.kind.plural_label(), k.count, current_kind == Some(k.kind))) }
                }
            }
            @if !facets.tags.is_empty() || !view.tag.is_empty() {
                h2 { "Tags" }
                ul {
                    @if !view.tag.is_empty() {
                        li { a href=(view.url(view.kind, "", 0)) { "Any tag" } }
                    }
                    @for t in &facets.tags {
                        @let selected = t.tag.eq_ignore_ascii_case(view.tag.trim());
                        li { (filter_link(&view.url(view.kind, &t.tag, 0), &t.tag, t.count, selected)) }
                    }
                }
            }
        }
    }
}

fn filter_link(url: &str, label: &str, count: usize, selected: bool) -> Markup {
    html! {
        @if selected {
            a href=(url) aria-current="true" class="selected" { (label) " " span class="count" { (count) } }
        } @else {
            a href=(url) { (label) " " span class="count" { (count) } }
        }
    }
}

fn pagination(view: &SearchView<'_>) -> Markup {
    let r = view.results;
    let pages = r.total.div_ceil(r.limit.max(1));
    let current = r.offset / r.limit.max(1) + 1;
    html! {
        @if pages > 1 {
            nav class="pagination" aria-label="Result pages" {
                @if r.offset > 0 {
                    a rel="prev" href=(view.url(view.kind, view.tag, r.offset.saturating_sub(r.limit))) { "← Previous" }
                }
                span { "Page " (current.min(pages)) " of " (pages) }
                @if r.offset + r.limit < r.total {
                    a rel="next" href=(view.url(view.kind, view.tag, r.offset + r.limit)) { "Next →" }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::snippet::Fragment;
    use crate::search::{Facets, KindCount};

    fn results() -> SearchResults {
        SearchResults {
            total: 25,
            partial: false,
            took_ms: 1.5,
            legs: vec!["lexical"],
            hits: vec![Hit {
                id: "a/b".into(),
                title: "<b>Title</b>".into(),
                kind: Kind::Guide,
                url: "/docs/a/b#x".into(),
                summary: String::new(),
                snippet: String::new(),
                snippet_parts: vec![
                    Fragment {
                        text: "run <script>".into(),
                        marked: false,
                    },
                    Fragment {
                        text: "kubectl".into(),
                        marked: true,
                    },
                ],
                score: 1.0,
                section: Some("Fix".into()),
                breadcrumb: vec!["A".into()],
            }],
            facets: Facets {
                kinds: vec![KindCount {
                    kind: Kind::Guide,
                    count: 25,
                }],
                tags: vec![],
            },
            did_you_mean: Some("kubectl <x>".into()),
            offset: 10,
            limit: 10,
        }
    }

    fn render(view: &SearchView<'_>) -> String {
        let nav = Vec::new();
        let ctx = PageContext {
            site_title: "Site",
            nav: &nav,
            current_url: "/search".into(),
            viewer: None,
            csrf_token: None,
            today: time::macros::date!(2026 - 01 - 01),
            query: view.query.to_owned(),
            live_generation: None,
        };
        page(&ctx, view).into_string()
    }

    #[test]
    fn everything_from_content_or_the_query_is_escaped() {
        let r = results();
        let view = SearchView {
            query: "<img src=x>",
            kind: "",
            tag: "",
            results: &r,
            search_id: None,
            badges: &NO_BADGES,
        };
        let html = render(&view);
        assert!(!html.contains("<img src=x>"), "{html}");
        assert!(
            !html.contains("<script>") && !html.contains("<b>Title"),
            "{html}"
        );
        assert!(
            html.contains("run &lt;script&gt;<mark>kubectl</mark>"),
            "{html}"
        );
        assert!(html.contains("Did you mean"));
    }

    #[test]
    fn pagination_and_filters_keep_the_query() {
        let r = results();
        let view = SearchView {
            query: "a b&c",
            kind: "guide",
            tag: "",
            results: &r,
            search_id: None,
            badges: &NO_BADGES,
        };
        let html = render(&view);
        assert!(html.contains("Page 2 of 3"), "{html}");
        assert!(
            html.contains("/search?q=a%20b%26c&amp;kind=guide&amp;offset=20"),
            "{html}"
        );
        assert!(html.contains(r#"href="/search?q=a%20b%26c""#), "{html}");
    }

    #[test]
    fn logged_searches_link_through_the_click_recorder() {
        let r = results();
        let id = Uuid::nil();
        let view = SearchView {
            query: "x",
            kind: "",
            tag: "",
            results: &r,
            search_id: Some(id),
            badges: &NO_BADGES,
        };
        let html = render(&view);
        assert!(
            html.contains(
                "/search?sid=00000000-0000-0000-0000-000000000000&amp;open=%2Fdocs%2Fa%2Fb%23x"
            ),
            "{html}"
        );
    }
}
