//! `/insights`: what needs attention at a glance — one figure per insight page, each linking
//! to it — then the reviews overdue, by owner (a bar chart and sortable tables).

use maud::{Markup, html};

use super::charts::{Bar, BarChart, bar_chart};
use super::table::{Cell, Column, QueryParams, Table, sortable_table};
use super::{Tab, downloads, page as insights_page, period_form};
use crate::insights::digest::OverduePage;
use crate::render::layout::PageContext;

/// One figure and the page that explains it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    /// What it counts, as a heading.
    pub title: &'static str,
    /// The figure.
    pub figure: u64,
    /// One sentence around it.
    pub note: String,
    /// The insight page it comes from.
    pub tab: Tab,
}

/// One owner's pages and overdue reviews.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerRow {
    /// The `owner:` value.
    pub owner: String,
    /// Pages naming that owner.
    pub pages: u64,
    /// Of those, past their review date.
    pub overdue: u64,
}

/// What the page shows.
pub struct Overview<'a> {
    /// The period of the figures that have one, in days.
    pub days: u32,
    /// Whose pages: "every page" or "pages of team-platform".
    pub scope: String,
    /// The figures, in the order of the sub-navigation.
    pub cards: Vec<Card>,
    /// Owners in the viewer's scope, by name.
    pub owners: Vec<OwnerRow>,
    /// The viewer's pages past their review date, with their owner.
    pub overdue: Vec<(OverduePage, String)>,
    /// The page's query, for sorting links.
    pub params: &'a QueryParams,
}

/// The page.
pub fn page(ctx: &PageContext<'_>, view: &Overview<'_>) -> Markup {
    let main = html! {
        p class="lead" { "What needs attention in " (view.scope) ", at a glance. Each figure links to its page." }
        (period_form("/insights", view.days))
        ul class="insights-cards" {
            @for card in &view.cards {
                li class="insights-card" {
                    h2 { a href=(card.tab.url()) { (card.title) } }
                    span class="insights-figure" { (card.figure) }
                    p { (card.note) }
                }
            }
        }
        (downloads(Some(&format!("/insights/overview.csv?days={}", view.days)), None))
        h2 { "Reviews overdue, by owner" }
        @if view.owners.is_empty() {
            p class="insights-empty" { "No page names an owner yet (the " code { "owner:" } " in a page's front matter)." }
        } @else {
            @let with_overdue: Vec<&OwnerRow> = view.owners.iter().filter(|o| o.overdue > 0).collect();
            @if !with_overdue.is_empty() {
                (bar_chart(&BarChart {
                    title: "Reviews overdue by owner".into(),
                    summary: format!(
                        "{} of {} owners have pages past their review date.",
                        with_overdue.len(),
                        view.owners.len()
                    ),
                    bars: with_overdue.iter().map(|o| Bar { label: o.owner.clone(), value: o.overdue as f64 }).collect(),
                    percent: false,
                }))
            }
            (sortable_table(&Table {
                id: "owners",
                caption: "Pages and overdue reviews per owner".into(),
                columns: vec![
                    Column { key: "owner", label: "Owner", numeric: false },
                    Column { key: "pages", label: "Pages", numeric: true },
                    Column { key: "overdue", label: "Reviews overdue", numeric: true },
                ],
                rows: view.owners.iter().map(|o| vec![
                    Cell::Link { text: o.owner.clone(), href: format!("/insights/digest?{}", form_urlencoded::Serializer::new(String::new()).append_pair("owner", &o.owner).finish()) },
                    Cell::count(o.pages),
                    Cell::count(o.overdue),
                ]).collect(),
                default_sort: ("overdue", true),
            }, view.params))
        }
        @if !view.overdue.is_empty() {
            (sortable_table(&Table {
                id: "overdue",
                caption: "Pages past their review date".into(),
                columns: vec![
                    Column { key: "page", label: "Page", numeric: false },
                    Column { key: "owner", label: "Owner", numeric: false },
                    Column { key: "reviewed", label: "Last reviewed", numeric: false },
                    Column { key: "due", label: "Review due", numeric: false },
                ],
                rows: view.overdue.iter().map(|(o, owner)| vec![
                    Cell::Link { text: o.page.title.clone(), href: o.page.url.clone() },
                    Cell::Text(owner.clone()),
                    Cell::Text(o.reviewed.to_string()),
                    Cell::Text(o.due.to_string()),
                ]).collect(),
                default_sort: ("due", false),
            }, view.params))
        }
    };
    insights_page(ctx, Tab::Overview, "Insights", Vec::new(), main)
}

/// The overview as CSV: one row per figure, then one per owner.
pub fn csv_rows(view: &Overview<'_>) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = view
        .cards
        .iter()
        .map(|c| {
            vec![
                c.title.to_owned(),
                String::new(),
                c.figure.to_string(),
                c.tab.url().to_owned(),
            ]
        })
        .collect();
    rows.extend(view.owners.iter().map(|o| {
        vec![
            "Reviews overdue".to_owned(),
            o.owner.clone(),
            o.overdue.to_string(),
            format!("/insights/digest?owner={}", o.owner),
        ]
    }));
    rows
}

/// The CSV's header row.
pub const CSV_HEADER: [&str; 4] = ["figure", "owner", "value", "page"];
