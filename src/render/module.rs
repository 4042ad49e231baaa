//! Training modules: the lesson, its settings, and its quiz as a form.
//!
//! The answer key and explanations never reach this view: it reads only prompts and choices
//! (HTML rendered once at load, see `parse::inline`), and grading happens on the server
//! ([`crate::grade`]). Anonymous readers see the questions
//! read-only with an invitation to sign in.

use maud::{Markup, html};

use crate::model::{Document, Kind, Module, Question, Site};
use crate::records::Attempt;

use super::document::{body_of, document_page};
use super::layout::PageContext;
use super::layout::csrf_field;
use super::urls::sign_in_url;
use super::{TrustedHtml, format_date, plural};

/// A module page for whoever is reading (no attempt history).
pub fn page(ctx: &PageContext<'_>, site: &Site, doc: &Document) -> Markup {
    page_with(ctx, site, doc, &QuizState::default())
}

/// What the quiz section knows about the signed-in learner.
#[derive(Debug, Clone, Default)]
pub struct QuizState {
    /// Their latest attempt at the module.
    pub last: Option<Attempt>,
    /// The sentence saying how long they must wait before the next attempt.
    pub wait: Option<String>,
    /// For a module that draws or shuffles: the hand-out id and its questions as shown.
    pub handout: Option<(String, Vec<Question>)>,
}

/// A module page with the learner's quiz state.
pub fn page_with(ctx: &PageContext<'_>, site: &Site, doc: &Document, quiz: &QuizState) -> Markup {
    let last = quiz.last.as_ref();
    let paths: Vec<&Document> = site
        .of_kind(Kind::Path)
        .filter(|p| {
            p.path_def()
                .is_some_and(|def| def.modules.contains(&doc.id))
        })
        .map(AsRef::as_ref)
        .collect();
    let main = html! {
        @if let Some(module) = doc.module() {
            dl class="facts" {
                @if let Some(minutes) = module.minutes {
                    div { dt { "Time" } dd { "about " (minutes) " minutes" } }
                }
                div { dt { "Quiz" } dd {
                    @match module.settings.draw {
                        Some(n) if n < module.questions.len() => {
                            (n) " of " (plural(module.questions.len(), "question", "questions")) ", drawn for each attempt"
                        }
                        _ => (plural(module.questions.len(), "question", "questions")),
                    }
                } }
                div { dt { "Pass mark" } dd { (module.pass_percent) "%" } }
                div { dt { "Version" } dd { (module.version) } }
            }
            @if let Some(last) = last {
                (last_attempt(module, last))
            }
        }
        (body_of(doc))
        @if let Some(module) = doc.module() {
            (quiz_section(ctx, doc, module, quiz))
        }
        (super::related_links("module-paths", "Part of", &paths))
    };
    document_page(ctx, site, doc, main, Vec::new())
}

/// Where the form posts.
pub fn attempt_url(doc: &Document) -> String {
    format!("{}/attempt", doc.url())
}

fn last_attempt(module: &Module, last: &Attempt) -> Markup {
    let current = last.module_version == module.version;
    html! {
        p class={ "notice " @if last.passed && current { "notice-success" } @else { "notice-warning" } } {
            @if last.passed && current {
                "You passed this module on " (format_date(last.created_at.date()))
                " with " (last.score) "%."
            } @else if last.passed {
                "You passed version " (last.module_version) " of this module; it has changed since. Take it again to count it."
            } @else {
                "Your last attempt on " (format_date(last.created_at.date())) " scored "
                (last.score) "%; " (module.pass_percent) "% passes. Review the lesson and try again."
            }
        }
    }
}

fn quiz_section(
    ctx: &PageContext<'_>,
    doc: &Document,
    module: &Module,
    quiz: &QuizState,
) -> Markup {
    let last = quiz.last.as_ref();
    let signed_in = ctx.viewer.is_some();
    // The learner answers the questions they were handed, in the order and with the choice
    // order they were handed; the server maps them back.
    let questions = quiz
        .handout
        .as_ref()
        .map_or(module.questions.as_slice(), |(_, shown)| shown.as_slice());
    let sign_in = sign_in_url(&doc.url());
    if module.questions.is_empty() {
        let read = last.is_some_and(|a| a.passed && a.module_version == module.version);
        return html! {
            section class="quiz" aria-labelledby="quiz-title" {
                h2 id="quiz-title" { "Done reading?" }
                @if read {
                    p class="muted" { "You marked this module as read." }
                } @else if signed_in {
                    p class="muted" { "This module has no quiz: reading it completes it." }
                    form method="post" action=(attempt_url(doc)) {
                        (csrf_field(ctx))
                        button class="button" type="submit" { "Mark as read" }
                    }
                } @else {
                    p { "This module has no quiz: reading it completes it. "
                        a href=(sign_in) { "Sign in" } " to record that you read it." }
                }
            }
        };
    }
    html! {
        section class="quiz" aria-labelledby="quiz-title" {
            h2 id="quiz-title" { "Quiz" }
            p class="muted" {
                "Answer all questions; " (module.pass_percent) "% right passes the module."
            }
            @if let (true, Some(wait)) = (signed_in, &quiz.wait) {
                p class="notice notice-warning quiz-wait" role="status" { (wait) }
            } @else if signed_in {
                form class="quiz-form" method="post" action=(attempt_url(doc)) {
                    (csrf_field(ctx))
                    @if let Some((id, _)) = &quiz.handout {
                        input type="hidden" name="attempt" value=(id);
                    }
                    ol class="quiz-questions" {
                        @for (i, question) in questions.iter().enumerate() {
                            li class="quiz-question" {
                                fieldset {
                                    legend class="quiz-prompt" { (TrustedHtml(&question.html.prompt)) }
                                    @if question.multiple {
                                        p class="quiz-hint" { "Select all that apply." }
                                    }
                                    ul class={ "quiz-choices" @if question.multiple { " quiz-multiple" } } {
                                        @for (j, choice) in question.html.choices.iter().enumerate() {
                                            @let id = format!("q{i}-{j}");
                                            li {
                                                @if question.multiple {
                                                    input type="checkbox" id=(id) name={ "q" (i) } value=(j);
                                                } @else {
                                                    input type="radio" id=(id) name={ "q" (i) } value=(j) required;
                                                }
                                                " " label for=(id) { (TrustedHtml(choice)) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    button class="button" type="submit" { "Submit answers" }
                }
            } @else {
                p class="notice" {
                    a href=(sign_in) { "Sign in to take the quiz" }
                    "; your result is recorded on the server."
                }
                ol class="quiz-questions quiz-preview" {
                    @for question in &module.questions {
                        li class="quiz-question" {
                            p class="quiz-prompt" { (TrustedHtml(&question.html.prompt)) }
                            @if question.multiple {
                                p class="quiz-hint" { "Select all that apply." }
                            }
                            ul class={ "quiz-choices" @if question.multiple { " quiz-multiple" } } {
                                @for choice in &question.html.choices {
                                    li { (TrustedHtml(choice)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
