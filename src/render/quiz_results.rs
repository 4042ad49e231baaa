//! One stored quiz attempt's results page (`/modules/{id}/attempts/{n}`): score and pass or
//! fail, what the module's review policy shows, what to re-read, and the retry wait.
//!
//! The verdict is the stored one; the per-question review is worked out again from the
//! stored answers by the handler, and left out when the quiz changed since (so a page read
//! later never contradicts the recorded score).

use maud::{Markup, html};

use crate::model::{Document, Module, Question};
use crate::records::{Attempt, AttemptId};

use super::layout::{self, Crumb, Page, PageContext};
use super::training::format_time;
use super::{TrustedHtml, plural};

/// The stored answers read against the questions the learner was shown.
#[derive(Debug, Clone, Copy)]
pub struct Review<'a> {
    /// The questions as the learner saw them.
    pub shown: &'a [Question],
    /// Their answers, as choice positions of `shown`.
    pub answers: &'a [Vec<usize>],
    /// Per question: right or not.
    pub correct: &'a [bool],
}

/// What the results page shows.
#[derive(Debug, Clone, Copy)]
pub struct AttemptResults<'a> {
    /// The stored attempt (its score and verdict are shown as stored).
    pub attempt: &'a Attempt,
    /// The per-question review; `None` when the quiz changed since the attempt.
    pub review: Option<Review<'a>>,
    /// Sections to re-read after a failure: (anchor, title).
    pub sections: &'a [(String, String)],
    /// The sentence saying how long the learner must wait before the next attempt.
    pub wait: Option<&'a str>,
    /// The learner's name when an admin reads someone else's attempt.
    pub learner: Option<&'a str>,
}

/// The address of a stored attempt's results (where the quiz form's post redirects).
pub fn results_url(doc: &Document, attempt: AttemptId) -> String {
    format!("{}/attempts/{}", doc.url(), attempt.0)
}

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

/// The results of one attempt: score and pass or fail; after a failure, what the module's
/// review policy shows (`score`: the sections to re-read; `questions`: also which questions
/// were wrong; `answers`: also the right answers and explanations); after a pass, everything.
pub fn page(
    ctx: &PageContext<'_>,
    doc: &Document,
    module: &Module,
    results: &AttemptResults<'_>,
) -> Markup {
    let attempt = results.attempt;
    let passed = attempt.passed;
    // "Mark as read" stores no answers; a quiz attempt stores one list per question.
    let read_only = attempt.answers_json == "[]";
    let main = html! {
        h1 { "Results: " (doc.title) }
        p class="muted quiz-when" {
            @if let Some(name) = results.learner { "By " (name) ", submitted " } @else { "Submitted " }
            (format_time(attempt.created_at))
            @if attempt.module_version != module.version {
                " (version " (attempt.module_version) " of the module; it is at version "
                (module.version) " now)"
            }
            "."
        }
        @if read_only {
            p class="notice notice-success quiz-verdict quiz-verdict-passed" role="status" {
                "Marked as read. This module counts as passed."
            }
        } @else {
            div class={ "notice quiz-verdict " @if passed { "notice-success quiz-verdict-passed" } @else { "notice-danger quiz-verdict-failed" } } role="status" {
                p class="notice-title" {
                    @if passed { "Passed" } @else { "Not passed yet" }
                    " with " (attempt.score) "%"
                }
                @if let Some(review) = results.review {
                    p {
                        (review.correct.iter().filter(|c| **c).count()) " of "
                        (plural(review.correct.len(), "question", "questions")) " right; "
                        (module.pass_percent) "% passes."
                    }
                } @else {
                    p { "The quiz has changed since this attempt, so its questions are not listed." }
                }
            }
            @if let Some(review) = results.review {
                (question_review(module, passed, review))
            }
            @if !passed {
                (what_to_review(doc, results.sections))
            }
        }
        @if let Some(wait) = results.wait {
            p class="notice notice-warning quiz-wait" role="status" { (wait) }
        }
        p class="actions" {
            a class="button" href=(doc.url()) {
                @if passed { "Back to the module" } @else { "Review and try again" }
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

/// Each question right or wrong, when the policy shows marks; with keys and explanations
/// when it shows answers.
fn question_review(module: &Module, passed: bool, review: Review<'_>) -> Markup {
    let policy = module.settings.review;
    let keys = policy.shows_answers(passed);
    if !policy.shows_marks(passed) {
        return html! {};
    }
    html! {
        ol class="quiz-results" {
            @for (i, question) in review.shown.iter().enumerate() {
                @let right = review.correct.get(i).copied().unwrap_or(false);
                li class={ "quiz-result " @if right { "result-right" } @else { "result-wrong" } } {
                    p class="quiz-prompt" {
                        span class={ "badge " @if right { "state-passed" } @else { "state-failed" } } {
                            @if right { "right" } @else { "wrong" }
                        }
                        " " (TrustedHtml(&question.html.prompt))
                    }
                    p class="muted" {
                        "Your answer: "
                        (choice_list(question, review.answers.get(i).map(Vec::as_slice).unwrap_or_default()))
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
}

fn what_to_review(doc: &Document, sections: &[(String, String)]) -> Markup {
    html! {
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
