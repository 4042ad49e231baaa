//! Training views beyond the module and path pages: a learner's training overview ("My
//! training", or an admin's view of someone else's); an attempt's results are in
//! [`super::quiz_results`].

use maud::{Markup, html};

use crate::model::Site;
use crate::progress::{ModuleState, NextStep, PathProgress};
use crate::records::Attempt;

use super::format_date;
use super::layout::{self, Crumb, Page, PageContext};
use super::path::{openings, progress_bar, state_badge};

/// What the training overview shows.
#[derive(Debug, Clone, Copy)]
pub struct TrainingView<'a> {
    /// Whose training it is.
    pub learner: &'a str,
    /// True on "My training"; false when an admin looks at someone else.
    pub own: bool,
    /// The paths the learner took up, unfinished ones first.
    pub paths: &'a [PathProgress<'a>],
    /// What to do next.
    pub next: Option<NextStep<'a>>,
    /// The latest attempts, newest first.
    pub recent: &'a [Attempt],
    /// Attempt counts per module.
    pub counts: &'a [AttemptCount],
}

/// One learner's attempts at one module, for the training overview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptCount {
    /// The module's id.
    pub module_id: String,
    /// Attempts in all.
    pub attempts: usize,
    /// Failed attempts since the last pass.
    pub failures_in_a_row: usize,
    /// When the current wait ends, if the learner must wait.
    pub waiting_until: Option<time::OffsetDateTime>,
}

/// "My training", or a learner's training as an admin sees it.
pub fn overview(ctx: &PageContext<'_>, site: &Site, view: &TrainingView<'_>) -> Markup {
    let title = if view.own {
        "My training".to_owned()
    } else {
        format!("Training of {}", view.learner)
    };
    let main = html! {
        h1 { (title) }
        @if let Some(next) = view.next {
            div class="notice next-step" role="note" {
                p class="notice-title" { "Next step" }
                p {
                    @match next.state {
                        ModuleState::Failed => "Try again: ",
                        ModuleState::PassedOlder => "Retake (it changed): ",
                        _ => "Take ",
                    }
                    a href=(next.module.url()) { (next.module.title) }
                    ", part of " a href=(next.path.url()) { (next.path.title) } "."
                }
            }
        } @else if !view.paths.is_empty() && view.paths.iter().all(PathProgress::complete) {
            p class="notice notice-success" { "Every path you started is complete." }
        }
        section aria-labelledby="paths-title" {
            h2 id="paths-title" { "Paths" }
            @if view.paths.is_empty() {
                p class="no-paths" {
                    @if view.own { "You have not started a training path yet." }
                    @else { (view.learner) " has not started a training path yet." }
                }
            }
            ul class="path-cards" {
                @for progress in view.paths {
                    li class="path-card" {
                        h3 { a href=(progress.path.url()) { (progress.path.title) } }
                        (progress_bar(progress))
                        (openings(progress))
                        @if !progress.unmet.is_empty() {
                            p class="muted" {
                                "Prerequisites not met: "
                                @for (k, id) in progress.unmet.iter().enumerate() {
                                    @if k > 0 { ", " }
                                    @match site.get(id) {
                                        Some(d) => a href=(d.url()) { (d.title) },
                                        None => (id),
                                    }
                                }
                            }
                        }
                        ul class="module-states" {
                            @for m in &progress.modules {
                                @if let Some(doc) = m.doc {
                                    li { a href=(doc.url()) { (doc.title) } " " (state_badge(m.state)) }
                                }
                            }
                        }
                    }
                }
            }
            p class="browse-paths" { a href=(super::training_paths::URL) { "Browse training paths" } }
        }
        @if !view.counts.is_empty() {
            section aria-labelledby="counts-title" {
                h2 id="counts-title" { "Attempts by module" }
                table class="attempt-counts" {
                    thead { tr { th { "Module" } th { "Attempts" } th { "Failures in a row" } th { "Waiting until" } } }
                    tbody {
                        @for count in view.counts {
                            tr {
                                td { @match site.get_str(&count.module_id) {
                                    Some(doc) => a href=(doc.url()) { (doc.title) },
                                    None => (count.module_id),
                                } }
                                td { (count.attempts) }
                                td { (count.failures_in_a_row) }
                                td { @match count.waiting_until {
                                    Some(until) => (format_time(until)),
                                    None => "—",
                                } }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="attempts-title" {
            h2 id="attempts-title" { "Recent attempts" }
            @if view.recent.is_empty() {
                p { "No attempts yet." }
            } @else {
                table class="attempt-table" {
                    thead { tr { th { "Module" } th { "Version" } th { "Score" } th { "Result" } th { "Date" } } }
                    tbody {
                        @for attempt in view.recent {
                            tr {
                                td { @match site.get_str(&attempt.module_id) {
                                    Some(doc) => a href=(doc.url()) { (doc.title) },
                                    None => (attempt.module_id),
                                } }
                                td { (attempt.module_version) }
                                td { (attempt.score) "%" }
                                td {
                                    @let verdict = if attempt.passed { "passed" } else { "failed" };
                                    // Each attempt's own results page (kept per attempt).
                                    @match site.get_str(&attempt.module_id).filter(|d| d.id.as_str() == attempt.module_id) {
                                        Some(doc) => a href=(super::quiz_results::results_url(doc, attempt.id)) { (verdict) },
                                        None => (verdict),
                                    }
                                }
                                td { (format_date(attempt.created_at.date())) }
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
            title,
            crumbs: vec![Crumb::link("Home", "/"), Crumb::text("Training")],
            main,
            ..Page::default()
        },
    )
}

/// A moment as `2026-12-02 14:32 UTC`.
pub(super) fn format_time(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{} {:02}:{:02} UTC",
        format_date(t.date()),
        t.hour(),
        t.minute()
    )
}
