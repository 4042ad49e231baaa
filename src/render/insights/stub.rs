//! Writing the missing page from a search gap (issue 16): the action beside a zero-result
//! group ([`stub_action`]), the form that names the page and its owner ([`form_page`]), and
//! the answers when it cannot be written here: the Markdown to copy into a merge request
//! ([`copy_page`]) or the page that is already there ([`exists_page`]).

use maud::{Markup, html};

use super::{Tab, page};
use crate::render::layout::{Crumb, PageContext, csrf_field};

/// Where the form posts.
pub const POST_URL: &str = "/insights/stubs";
/// Where the form is.
pub const FORM_URL: &str = "/insights/stubs/new";

/// `/insights/stubs/new?q=…&q=…&title=…`: the form prefilled with a group's queries.
pub fn form_url(group_queries: &[String], title: &str) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for q in group_queries {
        query.append_pair("q", q);
    }
    if !title.is_empty() {
        query.append_pair("title", title);
    }
    format!("{FORM_URL}?{}", query.finish())
}

/// The action beside a zero-result group: with a form token, a one-click form (the group's
/// queries, the suggested title, an owner to pick) and a link to the full form; without
/// one, the link only. `owners` are the names this viewer may choose.
pub fn stub_action(
    group_queries: &[String],
    suggested_title: &str,
    owners: &[String],
    csrf: Option<&str>,
) -> Markup {
    let full_form = form_url(group_queries, suggested_title);
    html! {
        div class="stub-action" {
            @if let (Some(token), false) = (csrf, owners.is_empty()) {
                form method="post" action=(POST_URL) class="stub-action-form" {
                    input type="hidden" name="csrf" value=(token);
                    @for q in group_queries {
                        input type="hidden" name="q" value=(q);
                    }
                    input type="hidden" name="title" value=(suggested_title);
                    @if let [only] = owners {
                        input type="hidden" name="owner" value=(only);
                    } @else {
                        label {
                            span class="visually-hidden" { "Owner of “" (suggested_title) "”" }
                            select name="owner" {
                                @for owner in owners { option value=(owner) { (owner) } }
                            }
                        }
                    }
                    button type="submit" class="button secondary" {
                        "Write the missing page"
                        span class="visually-hidden" { ": " (suggested_title) }
                    }
                }
                a href=(full_form) class="stub-action-more" {
                    "Choose title and owner"
                    span class="visually-hidden" { " for “" (suggested_title) "”" }
                }
            } @else {
                a href=(full_form) class="stub-action-more" {
                    "Write the missing page"
                    span class="visually-hidden" { ": " (suggested_title) }
                }
            }
        }
    }
}

/// What the form shows.
#[derive(Debug, Clone, Default)]
pub struct StubForm<'a> {
    /// The group's queries (all checked).
    pub queries: &'a [String],
    /// The title to prefill.
    pub title: &'a str,
    /// The owners this viewer may choose; empty means a free text field (no owner on the site yet).
    pub owners: &'a [String],
    /// The owner chosen before, when the form comes back with a problem.
    pub owner: Option<&'a str>,
    /// What was wrong with the last submission.
    pub problem: Option<&'a str>,
    /// Whether the site reloads on edits (the page is live at once).
    pub live: bool,
}

fn crumbs(last: &str) -> Vec<Crumb> {
    vec![
        Crumb::link("Search", Tab::Search.url()),
        Crumb::text(last.to_owned()),
    ]
}

/// `GET /insights/stubs/new`: name the page, choose its owner and the queries it answers.
pub fn form_page(ctx: &PageContext<'_>, form: &StubForm<'_>) -> Markup {
    let main = html! {
        p {
            "A new guide is written to the content folder with these searches as its "
            code { "aliases:" } ", so they find it at once, and marked "
            code { "status: stub" } " until someone writes it. "
            @if form.live { "It is on the site as soon as it is written." }
            @else { "It appears on the site after the next reload of the content." }
        }
        @if let Some(problem) = form.problem {
            p class="notice notice-danger" role="alert" { (problem) }
        }
        form method="post" action=(POST_URL) class="stub-form" {
            (csrf_field(ctx))
            fieldset {
                legend { "Searches it answers" }
                @if form.queries.is_empty() {
                    p { "No searches were given: open this form from a search gap on the search insights." }
                }
                @for (i, q) in form.queries.iter().enumerate() {
                    div class="stub-query" {
                        input type="checkbox" name="q" value=(q) id=(format!("stub-q-{i}")) checked;
                        label for=(format!("stub-q-{i}")) { (q) }
                    }
                }
            }
            p {
                label for="stub-title" { "Title" }
                input type="text" id="stub-title" name="title" value=(form.title) required maxlength="120";
            }
            p {
                label for="stub-owner" { "Owner" }
                @if form.owners.is_empty() {
                    input type="text" id="stub-owner" name="owner" value=(form.owner.unwrap_or_default()) required maxlength="64";
                } @else {
                    select id="stub-owner" name="owner" {
                        @for owner in form.owners {
                            option value=(owner) selected[form.owner == Some(owner.as_str())] { (owner) }
                        }
                    }
                }
            }
            button type="submit" class="button" { "Write the missing page" }
        }
    };
    page(
        ctx,
        Tab::Search,
        "Write the missing page",
        crumbs("New page"),
        main,
    )
}

/// The content folder cannot be written here: the Markdown to bring in by a merge request.
pub fn copy_page(ctx: &PageContext<'_>, path: &str, markdown: &str, reason: &str) -> Markup {
    let main = html! {
        p class="notice notice-warning" role="status" {
            "The page could not be written here: " (reason) ". Add it through the content repository instead: "
            "create the file below and open a merge request."
        }
        p { "File: " code class="stub-path" { (path) } }
        pre class="stub-markdown" tabindex="0" aria-label=(format!("Markdown of {path}")) { code { (markdown) } }
    };
    page(
        ctx,
        Tab::Search,
        "Copy this page into a merge request",
        crumbs("New page"),
        main,
    )
}

/// The file or the id is taken (409).
pub fn exists_page(ctx: &PageContext<'_>, message: &str, url: Option<&str>) -> Markup {
    let main = html! {
        p class="notice notice-warning" role="alert" { (message) }
        @if let Some(url) = url {
            p { a href=(url) { "Open the page that is there" } }
        }
        p { a href=(Tab::Search.url()) { "Back to the search insights" } }
    };
    page(
        ctx,
        Tab::Search,
        "This page already exists",
        crumbs("New page"),
        main,
    )
}

/// Written, but the server does not watch the content folder: it shows after a reload.
pub fn written_page(ctx: &PageContext<'_>, message: &str) -> Markup {
    let main = html! {
        p class="notice notice-success" role="status" { (message) }
        p { a href=(Tab::Search.url()) { "Back to the search insights" } }
    };
    page(
        ctx,
        Tab::Search,
        "The page is written",
        crumbs("New page"),
        main,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> PageContext<'static> {
        PageContext::for_tests(
            "/insights/stubs",
            Some("tok"),
            time::macros::date!(2026 - 12 - 02),
        )
    }

    #[test]
    fn the_copy_page_shows_the_path_and_the_markdown_escaped() {
        let markdown = "---\ntitle: \"<b>x</b>\"\n---\n";
        let html =
            copy_page(&ctx(), "guides/x.md", markdown, "Read-only file system").into_string();
        assert!(
            html.contains("<code class=\"stub-path\">guides/x.md</code>"),
            "{html}"
        );
        assert!(
            html.contains("title: &quot;&lt;b&gt;x&lt;/b&gt;&quot;"),
            "{html}"
        );
        assert!(html.contains("merge request"), "{html}");
    }

    #[test]
    fn the_form_checks_every_query_and_offers_the_owners() {
        let queries = vec!["vpn".to_owned(), "vpn down".to_owned()];
        let owners = vec!["team-a".to_owned()];
        let html = form_page(
            &ctx(),
            &StubForm {
                queries: &queries,
                title: "Vpn",
                owners: &owners,
                live: true,
                ..StubForm::default()
            },
        )
        .into_string();
        assert_eq!(
            html.matches(r#"type="checkbox" name="q""#).count(),
            2,
            "{html}"
        );
        assert!(html.contains(r#"name="csrf" value="tok""#), "{html}");
        assert!(html.contains(r#"<option value="team-a">"#), "{html}");
        assert!(html.contains("as soon as it is written"), "{html}");
    }

    #[test]
    fn the_action_posts_the_group_or_links_to_the_form() {
        let queries = vec!["vpn timeout".to_owned(), "vpn \"time\" & out".to_owned()];
        let owners = vec!["team-a".to_owned(), "team-b".to_owned()];
        let with_form = stub_action(&queries, "Vpn timeout", &owners, Some("tok")).into_string();
        assert!(
            with_form.contains(r#"action="/insights/stubs""#),
            "{with_form}"
        );
        assert!(
            with_form.contains(r#"name="csrf" value="tok""#),
            "{with_form}"
        );
        assert!(
            with_form.contains("vpn &quot;time&quot; &amp; out"),
            "{with_form}"
        );
        assert!(
            with_form.contains(r#"<option value="team-b">"#),
            "{with_form}"
        );
        let link_only = stub_action(&queries, "Vpn timeout", &owners, None).into_string();
        assert!(!link_only.contains("<form"), "{link_only}");
        assert!(
            link_only.contains("/insights/stubs/new?q=vpn+timeout&amp;q=vpn+%22time%22+%26+out&amp;title=Vpn+timeout"),
            "{link_only}"
        );
    }
}
