//! The "Was this helpful?" views (issue 16, item 3): every voted page with its helpful rate,
//! the worst-rated pages and overdue reviews by owner, votes per day (`/insights/pages`), and
//! one page's rate, trend and comments (`/insights/pages/{id}`). Pure `model → Markup`;
//! nothing here can name a voter, the records have none.

use maud::{Markup, html};

use super::charts::{Bar, BarChart, LineChart, Series, bar_chart, line_chart};
use super::table::{Cell, Column, QueryParams, Table, sortable_table};
use super::{Tab, downloads, page, period_form};
use crate::insights::Period;
use crate::insights::pages::{DayFigures, MIN_VOTES_TO_RANK, PageFigures, PagesReport};
use crate::records::FeedbackComment;
use crate::render::format_date;
use crate::render::layout::{Crumb, PageContext};

/// Comments shown per screen of `/insights/pages/{id}`.
pub const COMMENTS_PER_PAGE: u32 = 50;

/// What `/insights/pages/{id}` shows.
#[derive(Debug, Clone)]
pub struct PageDetail {
    /// The period.
    pub period: Period,
    /// The page's votes.
    pub figures: PageFigures,
    /// Its votes per day.
    pub trend: Vec<DayFigures>,
    /// One screenful of its comments, newest first.
    pub comments: Vec<FeedbackComment>,
    /// Comments skipped before these.
    pub from: u32,
    /// Whether older comments follow.
    pub more: bool,
}

/// The insight page of one page.
pub fn page_insight_url(id: &str) -> String {
    format!("/insights/pages/{id}")
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".to_owned(), |r| format!("{:.0}%", r * 100.0))
}

fn trend_chart(title: &str, trend: &[DayFigures]) -> Markup {
    let votes: u64 = trend.iter().map(|d| d.votes).sum();
    let helpful: u64 = trend.iter().map(|d| d.helpful).sum();
    line_chart(&LineChart {
        title: title.to_owned(),
        summary: format!(
            "Votes and “yes” votes per day: {votes} votes, {helpful} of them “yes”, over {} days.",
            trend.len()
        ),
        x_labels: trend.iter().map(|d| format_date(d.day)).collect(),
        series: vec![
            Series {
                name: "Votes".into(),
                values: trend.iter().map(|d| d.votes as f64).collect(),
                colour: 0,
            },
            Series {
                name: "Yes".into(),
                values: trend.iter().map(|d| d.helpful as f64).collect(),
                colour: 2,
            },
        ],
    })
}

const fn col(key: &'static str, label: &'static str, numeric: bool) -> Column {
    Column {
        key,
        label,
        numeric,
    }
}

fn pages_table(pages: &[PageFigures]) -> Table {
    Table {
        id: "pages",
        caption: "Votes per page".into(),
        columns: vec![
            col("page", "Page", false),
            col("owner", "Owner", false),
            col("votes", "Votes", true),
            col("rate", "Helpful", true),
            col("comments", "Comments", true),
            col("last", "Last vote", false),
        ],
        rows: pages
            .iter()
            .map(|p| {
                vec![
                    Cell::Link {
                        text: p.title.clone(),
                        href: page_insight_url(&p.id),
                    },
                    Cell::Text(p.owner.clone().unwrap_or_else(|| "—".into())),
                    Cell::count(p.votes),
                    Cell::share(p.helpful_rate),
                    Cell::count(p.comments),
                    Cell::Text(p.last_at.map(|t| format_date(t.date())).unwrap_or_default()),
                ]
            })
            .collect(),
        default_sort: ("votes", true),
    }
}

fn owner_name(owner: Option<&str>) -> &str {
    owner.unwrap_or("Pages without an owner")
}

/// `/insights/pages`.
pub fn overview(ctx: &PageContext<'_>, report: &PagesReport, params: &QueryParams) -> Markup {
    let days = report.period.days();
    let votes: u64 = report.pages.iter().map(|p| p.votes).sum();
    let helpful: u64 = report.pages.iter().map(|p| p.helpful).sum();
    let rate = (votes > 0).then(|| helpful as f64 / votes as f64);
    let days_param = days.to_string();
    let csv = format!(
        "/insights/pages{}",
        params.with(&[("format", "csv"), ("days", &days_param)])
    );
    let json = format!("/api/v1/insights/pages?days={days}");
    let main = html! {
        (period_form("/insights/pages", days))
        p class="insights-lead" {
            "What readers answered to “Was this helpful?” under guides and at the end of troubleshooting walks, "
            "for the pages you answer for. Votes are anonymous: nothing says who voted."
        }
        dl class="insights-totals" {
            div { dt { "Votes" } dd { (votes) } }
            div { dt { "Helpful" } dd { (percent(rate)) } }
            div { dt { "Pages voted on" } dd { (report.pages.len()) } }
        }
        (trend_chart("Votes per day", &report.trend))
        h2 { "By owner" }
        @if report.by_owner.is_empty() {
            p class="muted" {
                "No page has " (MIN_VOTES_TO_RANK) " votes yet in this period, and no review is overdue."
            }
        }
        @for group in &report.by_owner {
            section class="feedback-owner" aria-label=(owner_name(group.owner.as_deref())) {
                h3 { (owner_name(group.owner.as_deref())) }
                @if group.worst.is_empty() {
                    p class="muted" { "No page with " (MIN_VOTES_TO_RANK) " or more votes in this period." }
                } @else {
                    (bar_chart(&BarChart {
                        title: format!("Least helpful pages: {}", owner_name(group.owner.as_deref())),
                        summary: format!(
                            "Share of “yes” votes of the pages with at least {MIN_VOTES_TO_RANK} votes, lowest first: {}.",
                            group.worst.iter().map(|p| format!("{} {}", p.title, percent(p.helpful_rate))).collect::<Vec<_>>().join(", ")
                        ),
                        bars: group.worst.iter().map(|p| Bar {
                            label: p.title.clone(),
                            value: p.helpful_rate.unwrap_or(0.0),
                        }).collect(),
                        percent: true,
                    }))
                    ul class="feedback-worst" {
                        @for p in &group.worst {
                            li {
                                a href=(page_insight_url(&p.id)) { (p.title) }
                                " — " (percent(p.helpful_rate)) " of " (p.votes) " votes"
                            }
                        }
                    }
                }
                @if !group.overdue.is_empty() {
                    h4 { "Past their review date" }
                    ul class="feedback-overdue" {
                        @for o in &group.overdue {
                            li {
                                a href=(o.page.url) { (o.page.title) }
                                " — reviewed " (format_date(o.reviewed)) ", due " (format_date(o.due))
                            }
                        }
                    }
                }
            }
        }
        h2 { "Every page with votes" }
        @if report.pages.is_empty() {
            p class="muted" { "No votes in the last " (days) " days." }
        } @else {
            (sortable_table(&pages_table(&report.pages), params))
        }
        (downloads(Some(&csv), Some(&json)))
    };
    page(
        ctx,
        Tab::Pages,
        "Was this helpful?",
        vec![Crumb::text("Pages")],
        main,
    )
}

/// `/insights/pages/{id}`.
pub fn detail(ctx: &PageContext<'_>, detail: &PageDetail, params: &QueryParams) -> Markup {
    let p = &detail.figures;
    let days = detail.period.days();
    let own_url = page_insight_url(&p.id);
    let days_param = days.to_string();
    let csv = format!(
        "{own_url}{}",
        params.with(&[("format", "csv"), ("days", &days_param)])
    );
    let older = (detail.from + detail.comments.len() as u32).to_string();
    let newer = detail.from.saturating_sub(COMMENTS_PER_PAGE).to_string();
    let main = html! {
        (period_form(&own_url, days))
        p class="insights-lead" {
            @if let Some(url) = &p.url {
                a href=(url) { "Open the page" }
            } @else {
                "This page is no longer on the site."
            }
            @if let Some(owner) = &p.owner { " · Owner: " strong { (owner) } }
        }
        dl class="insights-totals" {
            div { dt { "Votes" } dd { (p.votes) } }
            div { dt { "Yes" } dd { (p.helpful) } }
            div { dt { "No" } dd { (p.votes - p.helpful) } }
            div { dt { "Helpful" } dd { (percent(p.helpful_rate)) } }
        }
        (trend_chart("Votes on this page per day", &detail.trend))
        h2 id="comments" { "Comments, newest first" }
        @if detail.comments.is_empty() {
            p class="muted" { "No comments in the last " (days) " days." }
        } @else {
            ol class="feedback-comments" {
                @for c in &detail.comments {
                    li {
                        p class="feedback-comment-meta" {
                            span class={ "feedback-vote feedback-vote-" (if c.helpful { "yes" } else { "no" }) } {
                                @if c.helpful { "Yes" } @else { "No" }
                            }
                            " · " time datetime=(format_date(c.at.date())) { (format_date(c.at.date())) }
                        }
                        p class="feedback-comment-text" { (c.comment) }
                    }
                }
            }
            nav class="feedback-paging" aria-label="Comments" {
                @if detail.from > 0 {
                    a href={ (params.with(&[("from", &newer)])) "#comments" } { "Newer comments" }
                }
                @if detail.more {
                    a href={ (params.with(&[("from", &older)])) "#comments" } { "Older comments" }
                }
            }
        }
        (downloads(Some(&csv), None))
    };
    page(
        ctx,
        Tab::Pages,
        &p.title,
        vec![
            Crumb::link("Pages", "/insights/pages"),
            Crumb::text(p.title.clone()),
        ],
        main,
    )
}
