//! Training views beyond the module and path pages: a graded attempt's results, and a
//! learner's training overview ("My training", or an admin's view of someone else's).

use maud::{Markup, html};

use crate::grade::Graded;
use crate::model::{Document, Module, Site};
use crate::progress::{ModuleState, NextStep, PathProgress};
use crate::store::Attempt;

use super::layout::{self, Crumb, Page, PageContext};
use super::module::inline_markdown;
use super::path::{progress_bar, state_badge};
use super::{format_date, plural};

/// The results of one submission: score, pass or fail, each question right or wrong with its
/// explanation, and what to review.
pub fn results(
    ctx: &PageContext<'_>,
    doc: &Document,
    module: &Module,
    answers: &[Vec<usize>],
    graded: &Graded,
) -> Markup {
    let wrong: Vec<usize> = graded
        .correct
        .iter()
        .enumerate()
        .filter(|(_, ok)| !**ok)
        .map(|(i, _)| i + 1)
        .collect();
    let toc = doc.body.toc();
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
            ol class="quiz-results" {
                @for (i, question) in module.questions.iter().enumerate() {
                    @let right = graded.correct.get(i).copied().unwrap_or(false);
                    li class={ "quiz-result " @if right { "result-right" } @else { "result-wrong" } } {
                        p class="quiz-prompt" {
                            span class={ "badge " @if right { "state-passed" } @else { "state-failed" } } {
                                @if right { "right" } @else { "wrong" }
                            }
                            " " (inline_markdown(&question.prompt))
                        }
                        p class="muted" {
                            "Your answer: "
                            @let chosen = answers.get(i).map(Vec::as_slice).unwrap_or_default();
                            @if chosen.is_empty() {
                                "none"
                            } @else {
                                @for (k, ix) in chosen.iter().enumerate() {
                                    @if k > 0 { "; " }
                                    @if let Some(choice) = question.choices.get(*ix) { (inline_markdown(choice)) }
                                }
                            }
                        }
                        @if let Some(explain) = &question.explain {
                            p class="quiz-explain" { (inline_markdown(explain)) }
                        }
                    }
                }
            }
            @if !wrong.is_empty() {
                section class="review" aria-labelledby="review-title" {
                    h2 id="review-title" { "What to review" }
                    p {
                        "Re-read the explanations for question" @if wrong.len() > 1 { "s" } " "
                        (wrong.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))
                        ", then the lesson"
                        @if toc.is_empty() { "." } @else { ":" }
                    }
                    @if !toc.is_empty() {
                        ul {
                            @for entry in &toc {
                                li { a href={ (doc.url()) "#" (entry.anchor) } { (entry.title) } }
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
