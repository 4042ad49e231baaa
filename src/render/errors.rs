//! Error pages: a 404 that offers to search for what the address named, and a generic page for
//! every other status. They never show internal details (those go to the log).

use maud::{Markup, html};

use super::layout::{self, Page, PageContext, search_form};

/// The page for a status code. `message` is the public sentence; for 404s, `query` prefills the
/// search box with the words of the address that was not found.
pub fn page(ctx: &PageContext<'_>, status: u16, message: &str, query: &str) -> Markup {
    let title = match status {
        404 => "Page not found",
        400 => "Bad request",
        401 => "Sign in needed",
        403 => "Not allowed",
        405 => "Method not allowed",
        413 => "Too large",
        429 => "Too many requests",
        500.. => "Something went wrong",
        _ => "Request failed",
    };
    let main = html! {
        section class="error-page" {
            p class="error-status" { (status) }
            h1 { (title) }
            p class="lead" { (message) }
            @if status == 404 {
                p { "It may have moved or been renamed. Search for it:" }
                (search_form(query, "notfound-search", "Search the knowledge base"))
            }
            p { a href="/" { "Go to the home page" } }
        }
    };
    layout::render(
        ctx,
        Page {
            title: title.into(),
            main,
            ..Page::default()
        },
    )
}

/// The words of a request path, for a "did you mean" search: `/docs/guides/k8s/deploy-app`
/// → `k8s deploy app`. The route prefix and the standard top folders carry no meaning.
pub fn words_of_path(path: &str) -> String {
    const NOISE: &[&str] = &[
        "docs",
        "trees",
        "modules",
        "paths",
        "resources",
        "guides",
        "troubleshooting",
        "training",
        "md",
        "tags",
        "api",
        "v1",
        "assets",
        "static",
    ];
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let mut words: Vec<String> = Vec::new();
    for word in decoded.split(|c: char| !c.is_alphanumeric()) {
        let word = word.to_lowercase();
        if !word.is_empty() && !NOISE.contains(&word.as_str()) && !words.contains(&word) {
            words.push(word);
        }
    }
    let mut out = words.join(" ");
    if out.len() > 100 {
        let cut = (0..=100)
            .rev()
            .find(|i| out.is_char_boundary(*i))
            .unwrap_or(0);
        out.truncate(cut);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_drop_prefixes_and_separators() {
        assert_eq!(
            words_of_path("/docs/guides/k8s/deploy-app"),
            "k8s deploy app"
        );
        assert_eq!(
            words_of_path("/trees/troubleshooting/pod%20crash"),
            "pod crash"
        );
        assert_eq!(words_of_path("/"), "");
    }
}
