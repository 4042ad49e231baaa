//! Training views beyond the module and path pages: a graded attempt's results, and a
//! learner's training overview ("My training", or an admin's view of someone else's).

use maud::{Markup, html};

use crate::grade::Graded;
use crate::model::{Document, Module, Question, Site};
use crate::progress::{ModuleState, NextStep, PathProgress};
use crate::records::Attempt;

use super::layout::{self, Crumb, Page, PageContext};
use super::path::{progress_bar, state_badge};
use super::{TrustedHtml, format_date, plural};

/// Chosen (or right) choices of a question, by position, as inline text; "none" when empty.
fn choice_list(question: &Question, chosen: &[usize]) -> Markup {
    html! {
        @if chosen.is_empty() {
            "none"
        } @else {
            @for (k, ix) in chosen.iter().enumerate() {
                @if k > 0 { "; " }
                @if let Some(choice) = question.html.choices.get(*ix) { (TrustedHtml(choice)) }
            }
        }
    }
}

/// A graded submission as the results page needs it.
#[derive(Debug, Clone, Copy)]
pub struct Results<'a> {
    /// The questions as the learner saw them.
    pub shown: &'a [Question],
    /// Their answers, as choice positions in the order shown.
    pub answers: &'a [Vec<usize>],
    /// Score, pass, per question right or wrong.
    pub graded: &'a Graded,
    /// Sections to re-read after a failure: (anchor, title).
    pub sections: &'a [(String, String)],
}

/// The results of one submission: score and pass or fail; after a failure, what the module's
/// review policy shows (`score`: the sections to re-read; `questions`: also which questions
/// were wrong; `answers`: also the right answers and explanations); after a pass, everything.
pub fn results(
    ctx: &PageContext<'_>,
    doc: &Document,
    module: &Module,
    results: &Results<'_>,
) -> Markup {
    let Results {
        shown,
        answers,
        graded,
        sections,
    } = *results;
    let review = module.settings.review;
    let marks = review.shows_marks(graded.passed);
    let keys = review.shows_answers(graded.passed);
    let main = html! {
        h1 { "Results: " (doc.title) }
        @if module.questions.is_empty() {
            p class="notice notice-success" role="status" { "Marked as read. This module counts as passed." }
        } @else {
            div class={ "notice " @if graded.passed { "notice-success" } @else { "notice-danger" } } role="status" {
                p class="notice-title" {
                    @if graded.passed { "Passed" } @else { "Not passed yet" }
                    " with " (graded.score) "%"
                }
                p {
                    (graded.correct.iter().filter(|c| **c).count()) " of "
                    (plural(graded.correct.len(), "question", "questions")) " right; "
                    (module.pass_percent) "% passes."
                }
            }
            @if marks {
                ol class="quiz-results" {
                    @for (i, question) in shown.iter().enumerate() {
                        @let right = graded.correct.get(i).copied().unwrap_or(false);
                        li class={ "quiz-result " @if right { "result-right" } @else { "result-wrong" } } {
                            p class="quiz-prompt" {
                                span class={ "badge " @if right { "state-passed" } @else { "state-failed" } } {
                                    @if right { "right" } @else { "wrong" }
                                }
                                " " (TrustedHtml(&question.html.prompt))
                            }
                            p class="muted" {
                                "Your answer: "
                                (choice_list(question, answers.get(i).map(Vec::as_slice).unwrap_or_default()))
                            }
                            @if keys && !right {
                                p class="quiz-key" { "Right answer: " (choice_list(question, &question.answer)) }
                            }
                            @if keys {
                                @if let Some(explain) = &question.html.explain {
                                    p class="quiz-explain" { (TrustedHtml(explain)) }
                                }
                            }
                        }
                    }
                }
            }
            @if !graded.passed {
                section class="review" aria-labelledby="review-title" {
                    h2 id="review-title" { "What to review" }
                    p {
                        @if sections.is_empty() { "Re-read the lesson, then try again." }
                        @else { "Re-read these sections of the lesson, then try again:" }
                    }
                    @if !sections.is_empty() {
                        ul {
                            @for (anchor, title) in sections {
                                li { a href={ (doc.url()) "#" (anchor) } { (title) } }
                            }
                        }
                    }
                }
            }
        }
        p class="actions" {
            a class="button" href=(doc.url()) {
                @if graded.passed { "Back to the module" } @else { "Review and try again" }
            }
            " " a href="/my/training" { "My training" }
        }
    };
    layout::render(
        ctx,
        Page {
            title: format!("Results: {}", doc.title),
            crumbs: vec![
                Crumb::link("Home", "/"),
                Crumb::link(doc.title.clone(), doc.url()),
                Crumb::text("Results"),
            ],
            main,
            ..Page::default()
        },
    )
}

/// What the training overview shows.
#[derive(Debug, Clone, Copy)]
pub struct TrainingView<'a> {
    /// Whose training it is.
    pub learner: &'a str,
    /// True on "My training"; false when an admin looks at someone else.
    pub own: bool,
    /// Every path, started ones first.
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
            p class="notice notice-success" { "Every path is complete." }
        }
        section aria-labelledby="paths-title" {
            h2 id="paths-title" { "Paths" }
            @if view.paths.is_empty() {
                p { "This site has no training paths yet." }
            }
            ul class="path-cards" {
                @for progress in view.paths {
                    li class="path-card" {
                        h3 { a href=(progress.path.url()) { (progress.path.title) } }
                        (progress_bar(progress))
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
                                td { @if attempt.passed { "passed" } @else { "failed" } }
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
fn format_time(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{} {:02}:{:02} UTC",
        format_date(t.date()),
        t.hour(),
        t.minute()
    )
}
