//! The end of a walk: on a `.resolved` leaf "Did this fix it?", on an `.escalate` leaf (or
//! after a "no") a help-request form carrying the trail, and the notices shown once the
//! outcome is recorded.
//!
//! Forms post to the tree's own URL with the walk in a hidden `path` field; the server
//! validates it again, so an edited form can record nothing a real walk could not. Every form
//! carries the CSRF token (signed-in or not: anonymous visitors get one in a cookie).

use maud::{Markup, html};

use crate::model::{Outcome, Walk};

use super::layout::{PageContext, csrf_field};
use super::tree_steps::{answer_label, encode_path, step_url};

/// Longest note a help request keeps (the store's limit too).
pub const NOTE_MAX: usize = 4000;
/// Longest contact line.
pub const CONTACT_MAX: usize = 200;

/// Where the end of a walk stands, from the step URL's query (or a refused form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeafState {
    /// Nothing recorded yet: ask.
    Ask,
    /// The reader said a `.resolved` step did not fix it: offer a help request.
    NeedHelp,
    /// The outcome is recorded (after the form's redirect).
    Recorded,
    /// The help request with this id was created.
    RequestSent(i64),
    /// The help form came back refused: shown again with what was typed and why.
    Refused(HelpDraft),
}

/// A help form as it was sent, when it is shown again with a problem.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HelpDraft {
    /// The note as typed.
    pub note: String,
    /// The contact as typed.
    pub contact: String,
    /// Sent from a `.resolved` step after "no, it did not fix it".
    pub not_fixed: bool,
    /// What is wrong with the note, shown beside it.
    pub note_error: Option<String>,
}

/// The sentence beside an empty note.
pub const NOTE_REQUIRED: &str =
    "Write what you tried and what you see: the platform team needs it to help you.";

/// The outcome part of a leaf step. Its frame says what the box is: a finished outcome
/// (`tree-outcome-done`, success), the "did this fix it?" question (`tree-outcome-check`) or
/// the help-request form (`tree-outcome-help`, neutral: asking is not a failure).
pub fn leaf(
    ctx: &PageContext<'_>,
    tree_url: &str,
    walk: &Walk<'_>,
    outcome: Outcome,
    state: &LeafState,
) -> Markup {
    let ids: Vec<&str> = walk.steps().iter().map(|n| n.id.as_str()).collect();
    let here = step_url(tree_url, &ids);
    let frame = match (outcome, state) {
        (_, LeafState::Recorded | LeafState::RequestSent(_)) => "tree-outcome-done",
        (Outcome::Resolved, LeafState::Ask) => "tree-outcome-check",
        _ => "tree-outcome-help",
    };
    let empty = HelpDraft::default();
    html! {
        section class={ "tree-outcome " (frame) } aria-labelledby="tree-outcome-title" {
            @match (outcome, state) {
                (_, LeafState::Recorded) => {
                    h2 id="tree-outcome-title" { "Glad it is fixed" }
                    p { "Thanks for saying so: it tells the authors this path works." }
                }
                (_, LeafState::RequestSent(id)) => {
                    h2 id="tree-outcome-title" { "Help request #" (id) " sent" }
                    p {
                        "The platform team has your answers and your note. "
                        @if ctx.viewer.is_some() {
                            "Their reply will be under " a href="/my/requests" { "My help requests" } "."
                        } @else {
                            "They will reply through the contact you gave, if any."
                        }
                    }
                }
                (Outcome::Resolved, LeafState::Ask) => {
                    h2 id="tree-outcome-title" { "Did this fix it?" }
                    div class="tree-outcome-answers" {
                        form method="post" action=(tree_url) class="tree-outcome-form" {
                            (hidden_fields(ctx, &ids, Outcome::Resolved))
                            button type="submit" class="button tree-yes" { "Yes, it is fixed" }
                        }
                        a class="button button-secondary tree-no" href={ (here) "&help=1" } {
                            "No, I still need help"
                        }
                    }
                }
                (_, LeafState::Refused(draft)) => {
                    h2 id="tree-outcome-title" { (help_title(outcome, draft.not_fixed)) }
                    (help_form(ctx, tree_url, walk, &ids, draft.not_fixed, draft))
                }
                (Outcome::Resolved, LeafState::NeedHelp) | (Outcome::Escalate, _) => {
                    @let not_fixed = outcome == Outcome::Resolved;
                    h2 id="tree-outcome-title" { (help_title(outcome, not_fixed)) }
                    (help_form(ctx, tree_url, walk, &ids, not_fixed, &empty))
                }
            }
        }
    }
}

fn help_title(outcome: Outcome, not_fixed: bool) -> &'static str {
    if not_fixed || outcome == Outcome::Resolved {
        "Sorry it did not help: ask the platform team"
    } else {
        "Send a help request to the platform team"
    }
}

/// The hidden fields every outcome form carries.
fn hidden_fields(ctx: &PageContext<'_>, ids: &[&str], outcome: Outcome) -> Markup {
    html! {
        (csrf_field(ctx))
        input type="hidden" name="path" value=(encode_path(ids));
        input type="hidden" name="outcome" value=(outcome.as_str());
    }
}

/// The help-request form, prefilled with the walk (sent along as the request's trail and
/// answers) and, when it comes back refused, with what was typed.
fn help_form(
    ctx: &PageContext<'_>,
    tree_url: &str,
    walk: &Walk<'_>,
    ids: &[&str],
    not_fixed: bool,
    draft: &HelpDraft,
) -> Markup {
    let steps = walk.steps();
    html! {
        form method="post" action=(tree_url) class="tree-help-form" {
            (hidden_fields(ctx, ids, Outcome::Escalate))
            @if not_fixed {
                input type="hidden" name="not_fixed" value="1";
            }
            fieldset class="tree-help-trail" {
                legend { "Your answers (sent with the request)" }
                ol {
                    @for pair in steps.windows(2) {
                        li { (pair[0].title) " → " strong { (answer_label(pair[0], pair[1])) } }
                    }
                    li { (walk.current().title) }
                }
            }
            label for="tree-note" {
                "What did you try, and what do you see? " span class="muted" { "(required)" }
            }
            @if let Some(error) = &draft.note_error {
                p id="tree-note-error" class="help-field-error" { (error) }
            }
            textarea id="tree-note" name="note" rows="6" maxlength=(NOTE_MAX) required
                aria-invalid=[draft.note_error.as_ref().map(|_| "true")]
                aria-describedby=[draft.note_error.as_ref().map(|_| "tree-note-error")]
                placeholder="Paste error messages, the command you ran, the service or namespace…" {
                (draft.note)
            }
            label for="tree-contact" { "How can we reach you? " span class="muted" { "(optional)" } }
            input id="tree-contact" name="contact" type="text" maxlength=(CONTACT_MAX)
                autocomplete="email" placeholder="Email or chat handle" value=(draft.contact);
            @if let Some(viewer) = &ctx.viewer {
                p class="muted" { "The request is sent as " strong { (viewer.name) } "." }
            }
            button type="submit" class="button" { "Send the help request" }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Tree, TreeNode};

    fn tree() -> Tree {
        let node = |id: &str, to: &[&str], outcome| {
            TreeNode::sample(id, &format!("Title {id}"), to, outcome)
        };
        Tree {
            intro_html: String::new(),
            nodes: vec![
                node("start", &["fix", "ask"], None),
                node("fix", &[], Some(Outcome::Resolved)),
                node("ask", &[], Some(Outcome::Escalate)),
            ],
        }
    }

    fn ctx() -> PageContext<'static> {
        PageContext::for_tests("/trees/t", Some("tok"), time::macros::date!(2026 - 01 - 01))
    }

    #[test]
    fn a_resolved_leaf_asks_and_offers_help_on_no() {
        let t = tree();
        let walk = t.walk(&["start", "fix"]).expect("walk");
        let html = leaf(
            &ctx(),
            "/trees/t",
            &walk,
            Outcome::Resolved,
            &LeafState::Ask,
        )
        .into_string();
        assert!(html.contains("Did this fix it?"));
        assert!(html.contains(r#"name="csrf" value="tok""#));
        assert!(html.contains(r#"name="path" value="start,fix""#));
        assert!(
            html.contains(r#"href="/trees/t?at=fix&amp;trail=start&amp;help=1""#),
            "{html}"
        );
        let help = leaf(
            &ctx(),
            "/trees/t",
            &walk,
            Outcome::Resolved,
            &LeafState::NeedHelp,
        )
        .into_string();
        assert!(help.contains(r#"name="outcome" value="escalate""#));
        assert!(help.contains("not_fixed"));
    }

    #[test]
    fn an_escalate_leaf_shows_the_trail_in_the_form() {
        let t = tree();
        let walk = t.walk(&["start", "ask"]).expect("walk");
        let html = leaf(
            &ctx(),
            "/trees/t",
            &walk,
            Outcome::Escalate,
            &LeafState::Ask,
        )
        .into_string();
        assert!(
            html.contains("Title start → <strong>Answer ask</strong>"),
            "{html}"
        );
        assert!(html.contains(r#"maxlength="4000""#));
        let sent = leaf(
            &ctx(),
            "/trees/t",
            &walk,
            Outcome::Escalate,
            &LeafState::RequestSent(7),
        )
        .into_string();
        assert!(sent.contains("Help request #7 sent") && !sent.contains("<form"));
    }

    #[test]
    fn frames_say_success_question_or_help_and_a_refused_form_keeps_its_text() {
        let t = tree();
        let fix = t.walk(&["start", "fix"]).expect("walk");
        let ask = t.walk(&["start", "ask"]).expect("walk");
        let frame = |walk: &Walk<'_>, outcome, state: &LeafState| {
            leaf(&ctx(), "/trees/t", walk, outcome, state).into_string()
        };
        assert!(frame(&fix, Outcome::Resolved, &LeafState::Ask).contains("tree-outcome-check"));
        assert!(frame(&fix, Outcome::Resolved, &LeafState::NeedHelp).contains("tree-outcome-help"));
        assert!(frame(&ask, Outcome::Escalate, &LeafState::Ask).contains("tree-outcome-help"));
        assert!(
            frame(&ask, Outcome::Escalate, &LeafState::RequestSent(3))
                .contains("tree-outcome-done")
        );
        assert!(frame(&fix, Outcome::Resolved, &LeafState::Recorded).contains("tree-outcome-done"));

        let refused = LeafState::Refused(HelpDraft {
            note: " ".into(),
            contact: "ops@<x>".into(),
            not_fixed: true,
            note_error: Some(NOTE_REQUIRED.into()),
        });
        let html = frame(&fix, Outcome::Resolved, &refused);
        assert!(html.contains("Sorry it did not help") && html.contains("not_fixed"));
        assert!(html.contains(NOTE_REQUIRED));
        assert!(html.contains(r#"aria-describedby="tree-note-error""#));
        assert!(html.contains(r#"value="ops@&lt;x&gt;""#), "{html}");
        assert!(html.contains("required"));
    }
}
