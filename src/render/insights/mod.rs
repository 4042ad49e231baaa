//! The insight pages' shell (issue 16): one sub-navigation for every insight page, the
//! period picker, and the pieces each page is built from — SVG charts ([`charts`]) and
//! tables sortable without JavaScript ([`table`]). The pages themselves live beside these.

pub mod charts;
pub mod digest;
pub mod modules;
pub mod overview;
pub mod pages;
pub mod search;
pub mod stub;
pub mod table;
pub mod trees;

use maud::{Markup, html};

use super::layout::{self, Crumb, Page, PageContext};

/// The insight pages, in the order of the sub-navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// `/insights`: what needs attention, at a glance.
    Overview,
    /// `/insights/search`: what people search for and do not find.
    Search,
    /// `/insights/pages`: "Was this helpful?" and overdue reviews, by owner.
    Pages,
    /// `/insights/trees`: troubleshooting deflection.
    Trees,
    /// `/insights/modules`: quiz item analysis.
    Modules,
    /// `/insights/digest`: the weekly digest per owner.
    Digest,
}

impl Tab {
    const ALL: [Tab; 6] = [
        Tab::Overview,
        Tab::Search,
        Tab::Pages,
        Tab::Trees,
        Tab::Modules,
        Tab::Digest,
    ];

    /// Its address.
    pub fn url(self) -> &'static str {
        match self {
            Tab::Overview => "/insights",
            Tab::Search => "/insights/search",
            Tab::Pages => "/insights/pages",
            Tab::Trees => "/insights/trees",
            Tab::Modules => "/insights/modules",
            Tab::Digest => "/insights/digest",
        }
    }

    /// Its name in the sub-navigation.
    pub fn label(self) -> &'static str {
        match self {
            Tab::Overview => "Overview",
            Tab::Search => "Search",
            Tab::Pages => "Pages",
            Tab::Trees => "Troubleshooting",
            Tab::Modules => "Quizzes",
            Tab::Digest => "Weekly digest",
        }
    }
}

/// The sub-navigation, the current tab marked.
pub fn tabs(current: Tab) -> Markup {
    html! {
        nav class="insights-tabs" aria-label="Insights" {
            ul {
                @for tab in Tab::ALL {
                    li {
                        @if tab == current {
                            a href=(tab.url()) aria-current="page" { (tab.label()) }
                        } @else {
                            a href=(tab.url()) { (tab.label()) }
                        }
                    }
                }
            }
        }
    }
}

/// The period picker: a GET form (works without JavaScript) choosing `days=`.
pub fn period_form(action: &str, days: u32) -> Markup {
    const CHOICES: [u32; 5] = [7, 28, 90, 180, 365];
    html! {
        form class="insights-period" method="get" action=(action) {
            label for="insights-days" { "Period" }
            select id="insights-days" name="days" {
                @for d in CHOICES {
                    option value=(d) selected[d == days] { "Last " (d) " days" }
                }
                @if !CHOICES.contains(&days) {
                    option value=(days) selected { "Last " (days) " days" }
                }
            }
            button type="submit" class="button button-secondary" { "Show" }
        }
    }
}

/// Links to the same figures as CSV and JSON.
pub fn downloads(csv: Option<&str>, json: Option<&str>) -> Markup {
    html! {
        p class="insights-downloads" {
            @if let Some(csv) = csv { a href=(csv) download { "Download as CSV" } }
            @if csv.is_some() && json.is_some() { " · " }
            @if let Some(json) = json { a href=(json) { "The same as JSON" } }
        }
    }
}

/// A whole insight page: breadcrumbs, heading, sub-navigation, then `main`.
pub fn page(
    ctx: &PageContext<'_>,
    tab: Tab,
    title: &str,
    crumbs_after: Vec<Crumb>,
    main: Markup,
) -> Markup {
    let mut crumbs = vec![Crumb::link("Home", "/")];
    if tab == Tab::Overview && crumbs_after.is_empty() {
        crumbs.push(Crumb::text("Insights"));
    } else {
        crumbs.push(Crumb::link("Insights", "/insights"));
        crumbs.extend(crumbs_after);
    }
    let main = html! {
        h1 { (title) }
        (tabs(tab))
        (main)
    };
    layout::render(
        ctx,
        Page {
            title: format!("{title} · Insights"),
            crumbs,
            main,
            ..Page::default()
        },
    )
}
