//! "Was this helpful?": the form under guides and at the end of a troubleshooting walk.
//!
//! The same for every reader (no CSRF token, no name), because guides are served to
//! anonymous readers from the page cache; `web::feedback` says why a vote needs no token.
//! The form posts to `/docs/{id}/feedback` and comes back to `#feedback-thanks`, a
//! thank-you hidden until it is the URL's target (the stylesheet's `:target` rule), so the
//! flow works without JavaScript and the cached page stays the same for everyone. Its ids
//! start with `page-feedback` so that a heading "Feedback" in a guide keeps its own anchor.

use maud::{Markup, html};

use crate::model::{DocId, Kind, doc_url};
use crate::records::MAX_COMMENT_CHARS;

/// Where a page's votes are posted: `/docs/{id}/feedback`, whatever the page's kind.
pub fn feedback_url(id: &DocId) -> String {
    format!("{}/feedback", doc_url(Kind::Guide, id))
}

/// The form for the page `id`; `back` is the address to come back to (the page, or a
/// tree's step).
pub fn form(id: &DocId, back: &str) -> Markup {
    html! {
        section class="feedback" id="page-feedback" aria-labelledby="page-feedback-title" {
            h2 id="page-feedback-title" { "Was this helpful?" }
            p id="feedback-thanks" class="feedback-thanks" role="status" tabindex="-1" hidden {
                "Thank you: your answer goes to the people who keep this page current."
            }
            form class="feedback-form" method="post" action=(feedback_url(id)) {
                input type="hidden" name="back" value=(back);
                label for="page-feedback-comment" {
                    "What was missing or wrong? "
                    span class="muted" { "(optional, anonymous, up to " (MAX_COMMENT_CHARS) " characters)" }
                }
                textarea id="page-feedback-comment" name="comment" rows="3" maxlength=(MAX_COMMENT_CHARS) {}
                div class="feedback-answers" {
                    button type="submit" name="helpful" value="yes" class="button" { "Yes, it helped" }
                    button type="submit" name="helpful" value="no" class="button button-secondary" { "No, it did not" }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_posts_to_the_page_and_holds_nothing_personal() {
        let id = DocId::parse("guides/kubernetes/deploy").expect("id");
        let html = form(&id, "/docs/guides/kubernetes/deploy").into_string();
        assert!(
            html.contains(r#"action="/docs/guides/kubernetes/deploy/feedback""#),
            "{html}"
        );
        assert!(html.contains(r#"name="helpful" value="yes""#));
        assert!(html.contains(r#"name="helpful" value="no""#));
        assert!(html.contains(r#"maxlength="2000""#));
        assert!(html.contains(r#"id="feedback-thanks""#));
        assert!(!html.contains("csrf"), "cached pages carry no token");
        assert!(!html.contains("style="), "no inline styles under the CSP");
    }
}
