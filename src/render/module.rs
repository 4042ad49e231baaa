//! Training modules: the lesson, its settings and a read-only preview of the quiz questions.
//! The answer key never reaches this view; the training issue turns the preview into a form.

use maud::{Markup, html};

use crate::model::{Document, Kind, Site};

use super::document::{body_of, document_page};
use super::layout::PageContext;
use super::plural;

/// A module page.
pub fn page(ctx: &PageContext<'_>, site: &Site, doc: &Document) -> Markup {
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
                div { dt { "Quiz" } dd { (plural(module.questions.len(), "question", "questions")) } }
                div { dt { "Pass mark" } dd { (module.pass_percent) "%" } }
                div { dt { "Version" } dd { (module.version) } }
            }
        }
        (body_of(doc))
        @if let Some(module) = doc.module().filter(|m| !m.questions.is_empty()) {
            section class="quiz-preview" aria-labelledby="quiz-title" {
                h2 id="quiz-title" { "Quiz" }
                p class="muted" { "Answer all questions; " (module.pass_percent) "% right passes the module." }
                ol class="quiz-questions" {
                    @for question in &module.questions {
                        li class="quiz-question" {
                            p class="quiz-prompt" { (question.prompt) }
                            @if question.multiple {
                                p class="quiz-hint" { "Select all that apply." }
                            }
                            ul class={ "quiz-choices" @if question.multiple { " quiz-multiple" } } {
                                @for choice in &question.choices {
                                    li { (choice) }
                                }
                            }
                        }
                    }
                }
            }
        } @else if doc.module().is_some() {
            p class="muted" { "This module has no quiz: reading it completes it." }
        }
        @if !paths.is_empty() {
            section class="related" aria-labelledby="module-paths" {
                h2 id="module-paths" { "Part of" }
                ul {
                    @for path in &paths {
                        li { a href=(path.url()) { (path.title) } }
                    }
                }
            }
        }
    };
    document_page(ctx, site, doc, main, Vec::new())
}
