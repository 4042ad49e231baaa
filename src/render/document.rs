//! The parts every document page shares (breadcrumbs, title, kind, owner, review date, notices,
//! tags, table of contents) and the guide page itself.

use maud::{Markup, html};

use crate::model::diagnostic::Diagnostic;
use crate::model::{Document, Site, TocEntry, folder_title};

use super::layout::{self, Crumb, Page, PageContext};
use super::{TrustedHtml, format_date, kind_badge, tag_url};

/// A guide: the rendered Markdown in the common document frame.
pub fn guide(ctx: &PageContext<'_>, site: &Site, doc: &Document) -> Markup {
    let body = html! {
        (body_of(doc))
        (super::feedback::form(&doc.id, &doc.url()))
    };
    document_page(ctx, site, doc, body, Vec::new())
}

/// The rendered body of a document, without a leading `# Title` that repeats the page title
/// the frame already shows (most imported docs start with one).
pub fn body_of(doc: &Document) -> Markup {
    let html = doc.body.html();
    body(without_leading_title(&html, &doc.title))
}

/// Rendered HTML in the body wrapper.
pub fn body(html: &str) -> Markup {
    html! { div class="doc-body" { (TrustedHtml(html)) } }
}

/// `html` minus its first element when that is an `<h1>` whose text is `title`. Cutting a whole
/// leading element off sanitised HTML leaves it well formed.
fn without_leading_title<'a>(html: &'a str, title: &str) -> &'a str {
    let trimmed = html.trim_start();
    if !trimmed.starts_with("<h1") {
        return html;
    }
    let Some(end) = trimmed.find("</h1>") else {
        return html;
    };
    let inner = &trimmed[..end];
    let mut text = String::new();
    let mut in_tag = false;
    for c in inner.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'");
    // The heading's anchor link renders as a trailing `#`.
    let text = text.trim().trim_end_matches('#').trim();
    if text.eq_ignore_ascii_case(title.trim()) {
        &trimmed[end + "</h1>".len()..]
    } else {
        html
    }
}

/// Wraps a kind-specific body in the common frame: header with meta and notices, tags, TOC.
pub fn document_page(
    ctx: &PageContext<'_>,
    site: &Site,
    doc: &Document,
    body: Markup,
    scripts: Vec<&'static str>,
) -> Markup {
    let main = html! {
        article class={ "doc doc-" (doc.kind.as_str()) } {
            (doc_header(ctx, site, doc))
            (body)
            @if !doc.tags.is_empty() {
                footer class="doc-footer" {
                    h2 class="visually-hidden" { "Tags" }
                    (tag_list(&doc.tags))
                }
            }
        }
    };
    layout::render(
        ctx,
        Page {
            title: doc.title.clone(),
            description: doc.summary.clone(),
            crumbs: crumbs_for(site, doc),
            main,
            aside: toc(&doc.body.toc()),
            scripts,
        },
    )
}

/// Home, then each folder of the source path (linked when the folder has a README or index
/// page), then the document itself.
pub fn crumbs_for(site: &Site, doc: &Document) -> Vec<Crumb> {
    let mut crumbs = vec![Crumb::link("Home", "/")];
    let dirs: Vec<&str> = doc.source_path.split('/').collect();
    let Some((_, dirs)) = dirs.split_last() else {
        return crumbs;
    };
    let mut prefix = String::new();
    for dir in dirs {
        if !prefix.is_empty() {
            prefix.push('/');
        }
        prefix.push_str(dir);
        let index = ["README.md", "readme.md", "index.md"]
            .iter()
            .filter_map(|name| site.by_path.get(&format!("{prefix}/{name}")))
            .find_map(|id| site.get(id));
        match index {
            // A folder's own index page ends the trail with its title instead.
            Some(index) if index.id == doc.id => {}
            Some(index) => crumbs.push(Crumb::link(index.title.clone(), index.url())),
            None => crumbs.push(Crumb::text(folder_title(dir))),
        }
    }
    crumbs.push(Crumb::text(doc.title.clone()));
    crumbs
}

/// Title, kind, summary, who owns it and when it was reviewed, the edit link, and notices.
fn doc_header(ctx: &PageContext<'_>, site: &Site, doc: &Document) -> Markup {
    let edit = site.config.edit_link(&doc.source_path);
    let problems: Vec<&Diagnostic> = site.diagnostics_for(&doc.source_path).collect();
    html! {
        header class="doc-header" {
            p class="doc-kind" { (kind_badge(doc.kind)) }
            h1 { (doc.title) }
            @if let Some(summary) = &doc.summary {
                p class="doc-summary" { (summary) }
            }
            p class="doc-meta" {
                @if let Some(owner) = &doc.owner {
                    span class="doc-owner" { "Owner: " strong { (owner) } }
                }
                @if let Some(reviewed) = doc.reviewed {
                    span class="doc-reviewed" { "Last reviewed " time datetime=(format_date(reviewed)) { (format_date(reviewed)) } }
                }
                @if let Some(edit) = edit {
                    a class="doc-edit" href=(edit) rel="noopener" { "Edit this page" }
                }
            }
            @if let Some(notice) = review_notice(doc.reviewed, site.config.review_days, ctx.today) {
                (notice)
            }
            @if problems.iter().any(|d| d.is_error()) {
                (problems_banner(&problems))
            }
        }
    }
}

/// The "needs review" notice, shown only when a review date is set and older than `review_days`.
pub fn review_notice(
    reviewed: Option<time::Date>,
    review_days: u32,
    today: time::Date,
) -> Option<Markup> {
    let reviewed = reviewed?;
    let due = reviewed.checked_add(time::Duration::days(i64::from(review_days)))?;
    if due >= today {
        return None;
    }
    Some(html! {
        div class="notice notice-warning" role="note" {
            p class="notice-title" { "Needs review" }
            p {
                "This page was last reviewed on " (format_date(reviewed))
                ", more than " (review_days) " days ago. It may be out of date; check with its owner before relying on it."
            }
        }
    })
}

/// The banner listing a page's own diagnostics, so readers know a part may be missing.
fn problems_banner(problems: &[&Diagnostic]) -> Markup {
    html! {
        div class="notice notice-danger" role="note" {
            p class="notice-title" { "This page has problems" }
            p { "Parts of it may be missing or wrong until its authors fix these:" }
            ul class="problem-list" {
                @for d in problems {
                    li {
                        span class={ "severity severity-" (d.severity.as_str()) } { (d.severity.as_str()) }
                        " line " (d.line) ": " (d.message)
                    }
                }
            }
            p { a href="/diagnostics" { "All content diagnostics" } }
        }
    }
}

/// Tags as links to their pages.
pub fn tag_list(tags: &[String]) -> Markup {
    html! {
        ul class="tag-list" {
            @for tag in tags {
                li { a class="tag" href=(tag_url(tag)) { (tag) } }
            }
        }
    }
}

/// The right-hand table of contents; `None` when the page has no headings.
pub fn toc(entries: &[TocEntry]) -> Option<Markup> {
    if entries.is_empty() {
        return None;
    }
    let top = entries.iter().map(|e| e.level).min().unwrap_or(2);
    Some(html! {
        nav class="toc" aria-labelledby="toc-title" {
            h2 id="toc-title" class="toc-title" { "On this page" }
            ul {
                @for entry in entries {
                    li class={ "toc-level-" (entry.level.saturating_sub(top).min(3)) } {
                        a href={ "#" (entry.anchor) } { (entry.title) }
                    }
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn review_notice_only_when_the_date_is_old() {
        let today = date!(2026 - 06 - 01);
        assert!(review_notice(None, 180, today).is_none());
        assert!(review_notice(Some(date!(2026 - 01 - 01)), 180, today).is_none());
        let old = review_notice(Some(date!(2025 - 01 - 01)), 180, today).map(|m| m.into_string());
        assert!(old.is_some_and(|html| html.contains("2025-01-01")));
    }

    #[test]
    fn a_leading_h1_repeating_the_title_is_dropped() {
        let html = "<h1 id=\"a\">A &amp; B<a class=\"anchor\" href=\"#a\">#</a></h1>\n<p>x</p>";
        assert_eq!(without_leading_title(html, "A & B"), "\n<p>x</p>");
        assert_eq!(without_leading_title(html, "Other"), html);
        assert_eq!(without_leading_title("<p>x</p>", "x"), "<p>x</p>");
    }
}
