//! `/insights/digest`: one owner's week — searches that found nothing, stubs to write, the
//! pages people found unhelpful and the reviews overdue — with the owner and week chosen by a
//! GET form (works without JavaScript), its CSV and the JSON feed a bot or mail job polls.

use maud::{Markup, html};

use super::charts::{Bar, BarChart, bar_chart};
use super::table::{Cell, Column, QueryParams, Table, sortable_table};
use super::{Tab, downloads, page as insights_page};
use crate::insights::digest::{Digest, Week};
use crate::render::layout::{Crumb, PageContext};

/// What the page shows.
pub struct DigestView<'a> {
    /// The digest, when there is an owner to show it for.
    pub digest: Option<&'a Digest>,
    /// The week shown.
    pub week: Week,
    /// The week today falls in (no link goes past it).
    pub this_week: Week,
    /// The owners the viewer may pick.
    pub choices: &'a [String],
    /// The owner shown.
    pub owner: Option<&'a str>,
    /// Admins are told every owner is theirs to pick.
    pub is_admin: bool,
}

/// `owner=…&week=…` for links to this digest in another week or format.
fn query(owner: Option<&str>, week: Week) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    if let Some(owner) = owner {
        out.append_pair("owner", owner);
    }
    out.append_pair("week", &week.to_string());
    out.finish()
}

/// The stub form, filled with a gap's queries and the owner.
fn stub_link(queries: &[String], owner: Option<&str>) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for q in queries {
        out.append_pair("q", q);
    }
    if let Some(owner) = owner {
        out.append_pair("owner", owner);
    }
    format!("/insights/stubs/new?{}", out.finish())
}

/// The page.
pub fn page(ctx: &PageContext<'_>, view: &DigestView<'_>) -> Markup {
    let main = html! {
        p class="lead" {
            "What one owner's readers missed in one week (Monday to Sunday, UTC): searches that found nothing, pages still to write, pages that did not help and reviews overdue."
        }
        (chooser(view))
        @match view.digest {
            None => p class="insights-empty" { "No page names an owner yet (the " code { "owner:" } " in a page's front matter), so there is no digest to show." },
            Some(digest) => (body(view, digest)),
        }
    };
    insights_page(
        ctx,
        Tab::Digest,
        "Weekly digest",
        vec![Crumb::text("Weekly digest")],
        main,
    )
}

fn chooser(view: &DigestView<'_>) -> Markup {
    let previous = view.week.previous();
    let next = Week::containing(view.week.to().next_day().unwrap_or(view.week.to()));
    html! {
        form class="insights-owner-form" method="get" action="/insights/digest" {
            @if view.choices.len() > 1 {
                label for="digest-owner" { "Owner" }
                select id="digest-owner" name="owner" {
                    @for choice in view.choices {
                        option value=(choice) selected[Some(choice.as_str()) == view.owner] { (choice) }
                    }
                }
            } @else if let Some(owner) = view.owner {
                input type="hidden" name="owner" value=(owner);
            }
            label for="digest-week" { "Week" }
            input id="digest-week" type="week" name="week" value=(view.week.to_string())
                max=(view.this_week.to_string()) pattern="[0-9]{4}-W[0-9]{2}"
                aria-describedby="digest-week-hint";
            button type="submit" class="button button-secondary" { "Show" }
            span id="digest-week-hint" class="muted" { "Written like 2026-W49." }
        }
        @if view.is_admin && view.choices.len() > 1 {
            p class="muted" { "As an admin you can read every owner's digest." }
        }
        p class="insights-weeks" {
            a href={ "/insights/digest?" (query(view.owner, previous)) } { "← Week " (previous) }
            @if next.from() < view.this_week.from() {
                " · " a href={ "/insights/digest?" (query(view.owner, next)) } { "Week " (next) " →" }
            }
            @if view.week != view.this_week {
                " · " a href={ "/insights/digest?" (query(view.owner, view.this_week)) } { "This week so far" }
            }
        }
    }
}

fn body(view: &DigestView<'_>, digest: &Digest) -> Markup {
    let q = query(view.owner, view.week);
    let params = QueryParams::parse(&q);
    html! {
        h2 { "Week " (digest.week) " for " (digest.owner) }
        p class="muted" { "From " (digest.from) " to " (digest.to) "." }
        (downloads(
            Some(&format!("/insights/digest.csv?{q}")),
            Some(&format!("/api/v1/insights/digest?{q}")),
        ))
        h2 { "Searches that found nothing" }
        p class="muted" { "Site-wide: a search belongs to nobody, and the page it wanted may be yours to write." }
        @if digest.gaps.searches.is_empty() {
            p class="insights-empty" { "Every search found something this week." }
        } @else {
            (bar_chart(&BarChart {
                title: "Searches that found nothing".into(),
                summary: format!(
                    "{} queries found nothing; the most searched, “{}”, {} times.",
                    digest.gaps.searches.len(),
                    digest.gaps.searches[0].query,
                    digest.gaps.searches[0].count
                ),
                bars: digest.gaps.searches.iter().map(|g| Bar { label: g.query.clone(), value: g.count as f64 }).collect(),
                percent: false,
            }))
            (sortable_table(&Table {
                id: "gaps",
                caption: "Searches that found nothing".into(),
                columns: vec![
                    Column { key: "query", label: "Query", numeric: false },
                    Column { key: "count", label: "Searches", numeric: true },
                    Column { key: "forms", label: "Also searched as", numeric: false },
                    Column { key: "write", label: "Fill the gap", numeric: false },
                ],
                rows: digest.gaps.searches.iter().map(|g| vec![
                    Cell::Link { text: g.query.clone(), href: format!("/search?{}", form_urlencoded::Serializer::new(String::new()).append_pair("q", &g.query).finish()) },
                    Cell::count(g.count),
                    Cell::Text(g.queries.iter().skip(1).cloned().collect::<Vec<_>>().join(", ")),
                    Cell::Link { text: format!("Write a page for “{}”", g.query), href: stub_link(&g.queries, view.owner) },
                ]).collect(),
                default_sort: ("count", true),
            }, &params))
        }
        h2 { "Stubs still to write" }
        @if digest.gaps.stubs.is_empty() {
            p class="insights-empty" { "No page of " (digest.owner) " is marked as needing writing." }
        } @else {
            ul class="insights-list" {
                @for stub in &digest.gaps.stubs { li { a href=(stub.url) { (stub.title) } } }
            }
        }
        h2 { "Pages people found unhelpful" }
        @if digest.unhelpful.is_empty() {
            p class="insights-empty" { "Nobody answered “No” to “Was this helpful?” on a page of " (digest.owner) " this week." }
        } @else {
            (sortable_table(&Table {
                id: "unhelpful",
                caption: "Pages with “No” votes this week".into(),
                columns: vec![
                    Column { key: "page", label: "Page", numeric: false },
                    Column { key: "no", label: "No", numeric: true },
                    Column { key: "yes", label: "Yes", numeric: true },
                    Column { key: "rate", label: "Helpful", numeric: true },
                ],
                rows: digest.unhelpful.iter().map(|u| vec![
                    Cell::Link { text: u.title.clone(), href: u.url.clone() },
                    Cell::count(u.not_helpful),
                    Cell::count(u.helpful),
                    Cell::share(Some(u.helpful_rate)),
                ]).collect(),
                default_sort: ("no", true),
            }, &params))
        }
        h2 { "Reviews overdue" }
        @if digest.overdue_reviews.is_empty() {
            p class="insights-empty" { "Every page of " (digest.owner) " with a review date is within its review period." }
        } @else {
            (sortable_table(&Table {
                id: "overdue",
                caption: "Pages past their review date".into(),
                columns: vec![
                    Column { key: "page", label: "Page", numeric: false },
                    Column { key: "reviewed", label: "Last reviewed", numeric: false },
                    Column { key: "due", label: "Review due", numeric: false },
                ],
                rows: digest.overdue_reviews.iter().map(|o| vec![
                    Cell::Link { text: o.title.clone(), href: o.url.clone() },
                    Cell::Text(o.reviewed.clone()),
                    Cell::Text(o.due.clone()),
                ]).collect(),
                default_sort: ("due", false),
            }, &params))
        }
    }
}

/// The digest as CSV rows: `section, query or id, title, url, figure`.
pub fn csv_rows(digest: &Digest) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for g in &digest.gaps.searches {
        rows.push(vec![
            "search gap".into(),
            g.query.clone(),
            String::new(),
            String::new(),
            g.count.to_string(),
        ]);
    }
    for s in &digest.gaps.stubs {
        rows.push(vec![
            "stub".into(),
            s.id.clone(),
            s.title.clone(),
            s.url.clone(),
            String::new(),
        ]);
    }
    for u in &digest.unhelpful {
        rows.push(vec![
            "unhelpful".into(),
            u.id.clone(),
            u.title.clone(),
            u.url.clone(),
            u.not_helpful.to_string(),
        ]);
    }
    for o in &digest.overdue_reviews {
        rows.push(vec![
            "overdue review".into(),
            o.id.clone(),
            o.title.clone(),
            o.url.clone(),
            o.due.clone(),
        ]);
    }
    rows
}

/// The CSV's header row.
pub const CSV_HEADER: [&str; 5] = ["section", "query or id", "title", "url", "figure"];
