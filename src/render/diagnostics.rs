//! The authors' page: every content problem, grouped by file, with counts, so a broken document
//! is found without running `selfserve check`.

use std::collections::BTreeMap;

use maud::{Markup, html};

use crate::model::Site;
use crate::model::diagnostic::Diagnostic;

use super::layout::{self, Crumb, Page, PageContext};
use super::plural;

/// `/diagnostics`.
pub fn page(ctx: &PageContext<'_>, site: &Site) -> Markup {
    let mut by_file: BTreeMap<&str, Vec<&Diagnostic>> = BTreeMap::new();
    for d in &site.diagnostics {
        by_file.entry(d.path.as_str()).or_default().push(d);
    }
    let errors = site.error_count();
    let warnings = site.diagnostics.len() - errors;
    let main = html! {
        h1 { "Content diagnostics" }
        p {
            (plural(errors, "error", "errors")) " and " (plural(warnings, "warning", "warnings"))
            " in " (plural(by_file.len(), "file", "files")) " of "
            (plural(site.documents.len(), "document", "documents")) "."
            " The same list is printed by " code { "selfserve check" } "."
        }
        @if by_file.is_empty() {
            div class="notice notice-success" role="note" { p { "No problems found." } }
        }
        @for (path, diags) in &by_file {
            @let file_errors = diags.iter().filter(|d| d.is_error()).count();
            section class="diag-file" {
                h2 {
                    code { (path) }
                    " "
                    @if file_errors > 0 {
                        span class="badge badge-error" { (plural(file_errors, "error", "errors")) }
                    }
                    @if diags.len() > file_errors {
                        " " span class="badge badge-warning" { (plural(diags.len() - file_errors, "warning", "warnings")) }
                    }
                }
                @if let Some(doc) = site.by_path.get(*path).and_then(|id| site.get(id)) {
                    p { "Page: " a href=(doc.url()) { (doc.title) } }
                }
                ul class="problem-list" {
                    @for d in diags {
                        li {
                            span class={ "severity severity-" (d.severity.as_str()) } { (d.severity.as_str()) }
                            " " code { (d.path) ":" (d.line) ":" (d.column) } " " (d.message)
                        }
                    }
                }
            }
        }
    };
    layout::render(
        ctx,
        Page {
            title: "Content diagnostics".into(),
            crumbs: vec![Crumb::link("Home", "/"), Crumb::text("Diagnostics")],
            main,
            ..Page::default()
        },
    )
}
