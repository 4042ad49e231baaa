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
use super::quiz_results::results_url;
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
    /// A refused submission's answers, as choice positions per question shown: the form
    /// comes back with them checked.
    pub answers: Vec<Vec<usize>>,
    /// The questions (positions shown) a refused submission left unanswered.
    pub unanswered: Vec<usize>,
}

/// The id of question `index` (counted from 0) in the form: what the error summary links to.
pub fn question_anchor(index: usize) -> String {
    format!("question-{}", index + 1)
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
        @if !quiz.unanswered.is_empty() {
            (error_summary(&quiz.unanswered))
        }
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
                (last_attempt(doc, module, last))
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

fn last_attempt(doc: &Document, module: &Module, last: &Attempt) -> Markup {
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
            @if !module.questions.is_empty() {
                " " a class="quiz-last-results" href=(results_url(doc, last.id)) { "See that attempt's results" } "."
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
                            (question_fieldset(i, question, quiz))
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
                    @for (i, question) in module.questions.iter().enumerate() {
                        li class="quiz-question" {
                            p class="quiz-prompt" {
                                span class="quiz-number" { (i + 1) "." } " "
                                (TrustedHtml(&question.html.prompt))
                            }
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

/// The list of unanswered questions at the top of a refused form, each a link to its
/// question (the sentence beside the question says the same).
fn error_summary(unanswered: &[usize]) -> Markup {
    html! {
        div class="notice notice-danger quiz-error-summary" role="alert" aria-labelledby="quiz-error-summary-title" {
            p class="notice-title" id="quiz-error-summary-title" {
                "Your answers were not submitted"
            }
            ul {
                @for &i in unanswered {
                    li { a href={ "#" (question_anchor(i)) } { "Answer question " (i + 1) " before submitting" } }
                }
            }
        }
    }
}

/// One question of the form: its number and prompt as the legend (so the number sits with
/// the question, not with the first choice), the hint and any error as its description, and
/// its choices with a refused submission's answers kept.
fn question_fieldset(i: usize, question: &Question, quiz: &QuizState) -> Markup {
    let anchor = question_anchor(i);
    let missing = quiz.unanswered.contains(&i);
    let chosen = quiz.answers.get(i).map(Vec::as_slice).unwrap_or_default();
    let hint_id = format!("{anchor}-hint");
    let error_id = format!("{anchor}-error");
    let described_by: Vec<&str> = [
        (missing, error_id.as_str()),
        (question.multiple, hint_id.as_str()),
    ]
    .into_iter()
    .filter_map(|(on, id)| on.then_some(id))
    .collect();
    html! {
        li class={ "quiz-question" @if missing { " quiz-question-unanswered" } } id=(anchor) {
            fieldset aria-describedby=[(!described_by.is_empty()).then(|| described_by.join(" "))] {
                legend class="quiz-prompt" {
                    span class="quiz-number" { (i + 1) "." } " "
                    (TrustedHtml(&question.html.prompt))
                }
                @if missing {
                    p class="quiz-error" id=(error_id) {
                        @if question.multiple { "Select at least one answer to this question." }
                        @else { "Choose an answer to this question." }
                    }
                }
                @if question.multiple {
                    p class="quiz-hint" id=(hint_id) { "Select all that apply." }
                }
                ul class={ "quiz-choices" @if question.multiple { " quiz-multiple" } } {
                    @for (j, choice) in question.html.choices.iter().enumerate() {
                        @let id = format!("q{i}-{j}");
                        @let checked = chosen.contains(&j);
                        li {
                            @if question.multiple {
                                input type="checkbox" id=(id) name={ "q" (i) } value=(j) checked[checked];
                            } @else {
                                input type="radio" id=(id) name={ "q" (i) } value=(j) required checked[checked];
                            }
                            " " label for=(id) { (TrustedHtml(choice)) }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qualify::test_support::site;
    use crate::render::layout::Viewer;

    const QUIZ: &str = "---\nid: m\ntitle: M\n---\nLesson.\n\n```quiz\n\
- question: One?\n  choices: [yes, no]\n  answer: 0\n\
- question: Two?\n  choices: [a, b, c]\n  answer: [0, 2]\n```\n";

    fn render(quiz: &QuizState, signed_in: bool) -> String {
        let site = site(&[("training/modules/m.md", QUIZ)]);
        let doc = site.get_str("m").expect("module m");
        let ctx = PageContext {
            site_title: &site.config.title,
            nav: &site.nav,
            current_url: doc.url(),
            viewer: signed_in.then(|| Viewer {
                name: "ada".into(),
                is_admin: false,
                sees_insights: false,
            }),
            csrf_token: Some("token".into()),
            today: time::OffsetDateTime::UNIX_EPOCH.date(),
            query: String::new(),
            live_generation: None,
        };
        page_with(&ctx, &site, doc, quiz).into_string()
    }

    #[test]
    fn each_question_is_numbered_in_its_legend_and_choices_have_only_their_inputs() {
        let html = render(&QuizState::default(), true);
        assert!(
            html.contains(r#"<li class="quiz-question" id="question-1"><fieldset><legend class="quiz-prompt"><span class="quiz-number">1.</span> One?</legend>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<fieldset aria-describedby="question-2-hint"><legend class="quiz-prompt"><span class="quiz-number">2.</span> Two?</legend>"#),
            "{html}"
        );
        assert!(html.contains(r#"<p class="quiz-hint" id="question-2-hint">"#));
        assert!(!html.contains('☐'), "no text marker beside the checkboxes");
        assert!(!html.contains("quiz-error"), "{html}");
        assert!(!html.contains(" checked"), "{html}");
    }

    #[test]
    fn a_refused_form_names_the_unanswered_questions_and_keeps_the_answers() {
        let quiz = QuizState {
            answers: vec![vec![1], Vec::new()],
            unanswered: vec![1],
            ..QuizState::default()
        };
        let html = render(&quiz, true);
        let summary = html
            .find("quiz-error-summary")
            .expect("a summary of the problems");
        assert!(
            summary < html.find("quiz-questions").expect("the questions"),
            "the summary comes first"
        );
        assert!(
            html.contains(
                r##"<li><a href="#question-2">Answer question 2 before submitting</a></li>"##
            ),
            "{html}"
        );
        assert!(
            html.contains(r#"<li class="quiz-question quiz-question-unanswered" id="question-2"><fieldset aria-describedby="question-2-error question-2-hint">"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<p class="quiz-error" id="question-2-error">Select at least one answer to this question.</p>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<input type="radio" id="q0-1" name="q0" value="1" required checked>"#),
            "{html}"
        );
        assert!(!html.contains("Answer question 1"), "{html}");
    }

    #[test]
    fn anonymous_readers_see_numbered_questions_without_a_form() {
        let html = render(&QuizState::default(), false);
        assert!(
            html.contains(r#"<p class="quiz-prompt"><span class="quiz-number">2.</span> Two?</p>"#),
            "{html}"
        );
        assert!(!html.contains("<form class=\"quiz-form\""), "{html}");
    }
}
