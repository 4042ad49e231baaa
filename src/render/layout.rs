//! The page shell every HTML page shares: skip link, header with search, sidebar navigation,
//! breadcrumbs, main column, table-of-contents aside and footer.

use maud::{DOCTYPE, Markup, html};

use super::urls::sign_in_url;
use crate::model::NavNode;

/// The signed-in person, when there is one. Filled in by the accounts layer; `None` renders
/// the anonymous header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    /// The account name.
    pub name: String,
    /// Admins see every learner, the matrix and insights.
    pub is_admin: bool,
    /// Admins and the owners of pages see the insights (set per page from the site's
    /// `owner:` values, see [`crate::insights::Scope`]).
    pub sees_insights: bool,
}

/// What the shell needs to know about the request, beyond the page itself.
#[derive(Debug, Clone)]
pub struct PageContext<'a> {
    /// The site's name (site.toml `title`).
    pub site_title: &'a str,
    /// The sidebar tree.
    pub nav: &'a [NavNode],
    /// The canonical URL of this page, to highlight it in the sidebar.
    pub current_url: String,
    /// Who is signed in.
    pub viewer: Option<Viewer>,
    /// The per-session token forms must echo back (set by the accounts layer).
    pub csrf_token: Option<String>,
    /// Today's date, for "needs review" notices (passed in so views stay pure).
    pub today: time::Date,
    /// Text to prefill in the header's search box.
    pub query: String,
    /// The content generation the page shows, when live reload is on (authors' preview).
    pub live_generation: Option<u64>,
}

#[cfg(test)]
impl PageContext<'static> {
    /// The context of a view test: site "KB" without a sidebar, nobody signed in.
    pub fn for_tests(current_url: &str, csrf_token: Option<&str>, today: time::Date) -> Self {
        Self {
            site_title: "KB",
            nav: &[],
            current_url: current_url.to_owned(),
            viewer: None,
            csrf_token: csrf_token.map(str::to_owned),
            today,
            query: String::new(),
            live_generation: None,
        }
    }
}

/// One step of the breadcrumb trail; the last one is the current page and has no link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crumb {
    /// Shown text.
    pub title: String,
    /// Link target, when the step has a page.
    pub url: Option<String>,
}

impl Crumb {
    /// A crumb with a link.
    pub fn link(title: impl Into<String>, url: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            url: Some(url.into()),
        }
    }

    /// A crumb without a link.
    pub fn text(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            url: None,
        }
    }
}

/// One page's own parts, placed into the shell by [`render`].
#[derive(Debug, Default)]
pub struct Page {
    /// The `<title>` (the site title is appended).
    pub title: String,
    /// A one-line description for `<meta name="description">`.
    pub description: Option<String>,
    /// The breadcrumb trail (empty: none shown).
    pub crumbs: Vec<Crumb>,
    /// The main column.
    pub main: Markup,
    /// The right column, usually the table of contents.
    pub aside: Option<Markup>,
    /// Extra scripts under `/static/` (CSP allows only same-origin files, never inline code).
    pub scripts: Vec<&'static str>,
}

/// Renders a whole HTML document.
pub fn render(ctx: &PageContext<'_>, page: Page) -> Markup {
    let full_title = if page.title.is_empty() || page.title == ctx.site_title {
        ctx.site_title.to_owned()
    } else {
        format!("{} · {}", page.title, ctx.site_title)
    };
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (full_title) }
                @if let Some(description) = &page.description {
                    meta name="description" content=(description);
                }
                link rel="stylesheet" href="/static/style.css";
                link rel="stylesheet" href="/static/highlight.css";
                script src="/static/search.js" defer {}
                link rel="icon" href="/static/favicon.svg" type="image/svg+xml";
                link rel="search" type="application/opensearchdescription+xml" title=(ctx.site_title) href="/opensearch.xml";
                @if let Some(generation) = ctx.live_generation {
                    meta name="selfserve-generation" content=(generation);
                    script src="/static/live.js" defer {}
                }
                script src="/static/menu.js" defer {}
                script src="/static/enhance.js" defer {}
                @for script in &page.scripts {
                    script src=(script) defer {}
                }
            }
            body {
                a class="skip-link" href="#main" { "Skip to content" }
                (header(ctx))
                div class={ "page" @if page.aside.is_some() { " has-aside" } } {
                    nav id="site-nav" class="sidebar" aria-label="Site navigation" {
                        (menu_extras(ctx))
                        (sidebar(ctx.nav, &ctx.current_url))
                    }
                    main id="main" class="content" tabindex="-1" {
                        @if !page.crumbs.is_empty() {
                            (breadcrumbs(&page.crumbs))
                        }
                        (page.main)
                    }
                    @if let Some(aside) = page.aside {
                        aside class="page-aside" aria-label="On this page" { (aside) }
                    }
                }
                (footer(ctx))
            }
        }
    }
}

/// The header: site title, search box, section links and who is signed in. On a phone only
/// the title, the search box and "Menu" show; "Menu" opens the sidebar as a panel that also
/// holds the section and account links ([`menu_extras`]), through `#site-nav:target` without
/// JavaScript and `menu.js` with it.
fn header(ctx: &PageContext<'_>) -> Markup {
    html! {
        header class="site-header" {
            div class="header-inner" {
                a class="site-title" href="/" { (ctx.site_title) }
                (named_search_form(&ctx.query, "site-search", "Search the knowledge base", Some("Site search")))
                nav class="header-links" aria-label="Sections" {
                    (section_links())
                }
                (viewer_menu(ctx))
                a class="menu-link" href="#site-nav" aria-controls="site-nav" {
                    (icon_menu()) span class="menu-link-text" { "Menu" }
                }
            }
        }
    }
}

/// The site's sections, in the header and in the phone menu.
fn section_links() -> Markup {
    html! {
        a href="/tags" { "Tags" }
        a href=(super::training_paths::URL) { "Training" }
    }
}

/// What the phone menu holds besides the sidebar tree: a close link, the header's section links
/// and the account links (hidden on wider screens, where the header shows them).
fn menu_extras(ctx: &PageContext<'_>) -> Markup {
    html! {
        div class="menu-extras" {
            a class="menu-close" href="#" { span aria-hidden="true" { "×" } " Close menu" }
            ul class="menu-links" {
                li { a href="/" { "Home" } }
                li { a href="/tags" { "Tags" } }
                li { a href=(super::training_paths::URL) { "Training" } }
                @if let Some(viewer) = &ctx.viewer {
                    (account_items(viewer))
                    li { (sign_out_form(ctx)) }
                } @else {
                    li { a href=(sign_in_url(&ctx.current_url)) { "Sign in" } }
                }
            }
        }
    }
}

/// The signed-in person's links as list items (the phone menu's copy of [`viewer_menu`]).
fn account_items(viewer: &Viewer) -> Markup {
    html! {
        li { a href="/account" { "Account (" (viewer.name) ")" } }
        @for (href, label) in viewer_links(viewer) {
            li { a href=(href) { (label) } }
        }
    }
}

/// The signed-in person's own pages, then an admin's (the header's and the phone menu's).
fn viewer_links(viewer: &Viewer) -> impl Iterator<Item = (&'static str, &'static str)> {
    const EVERYONE: [(&str, &str); 3] = [
        ("/my/training", "My training"),
        ("/my/qualifications", "Qualifications"),
        ("/my/requests", "My requests"),
    ];
    const ADMINS: [(&str, &str); 2] = [
        ("/admin/qualifications", "Matrix"),
        ("/requests", "Requests"),
    ];
    let admin: &[(&str, &str)] = if viewer.is_admin { &ADMINS } else { &[] };
    let insights: &[(&str, &str)] = if viewer.sees_insights {
        &[("/insights", "Insights")]
    } else {
        &[]
    };
    EVERYONE
        .into_iter()
        .chain(admin.iter().copied())
        .chain(insights.iter().copied())
}

/// Three bars; decorative, the link's text names it.
fn icon_menu() -> Markup {
    html! {
        svg class="icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false" {
            path d="M3 6h18M3 12h18M3 18h18" stroke="currentColor" stroke-width="2" stroke-linecap="round" fill="none" {}
        }
    }
}

/// A magnifying glass; decorative, the button's text names it.
fn icon_search() -> Markup {
    html! {
        svg class="icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false" {
            circle cx="10.5" cy="10.5" r="6.5" stroke="currentColor" stroke-width="2.2" fill="none" {}
            path d="M15.5 15.5 21 21" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" fill="none" {}
        }
    }
}

/// A search form posting to `/search`; used in the header, on the 404 page and the search page.
pub fn search_form(query: &str, id: &str, placeholder: &str) -> Markup {
    named_search_form(query, id, placeholder, None)
}

/// A search form with a name of its own: a page with two search landmarks (the header's and
/// the page's) must tell them apart.
fn named_search_form(query: &str, id: &str, placeholder: &str, name: Option<&str>) -> Markup {
    html! {
        form class="search-form" action="/search" method="get" role="search" aria-label=[name] {
            label class="visually-hidden" for=(id) { "Search" }
            input id=(id) name="q" type="search" value=(query) placeholder=(placeholder)
                autocomplete="off" maxlength="200";
            button type="submit" { (icon_search()) span class="search-button-text" { "Search" } }
        }
    }
}

/// The hidden input every state-changing form carries.
pub fn csrf_field(ctx: &PageContext<'_>) -> Markup {
    html! {
        @if let Some(token) = &ctx.csrf_token {
            input type="hidden" name="csrf" value=(token);
        }
    }
}

/// The sign-out button (a POST form: a link could be triggered by any page).
pub fn sign_out_form(ctx: &PageContext<'_>) -> Markup {
    html! {
        form class="inline-form" method="post" action="/sign-out" {
            (csrf_field(ctx))
            button class="button button-quiet" type="submit" { "Sign out" }
        }
    }
}

/// Sign-in state: the signed-in user's links and a sign-out button, or a sign-in link that
/// returns to this page.
fn viewer_menu(ctx: &PageContext<'_>) -> Markup {
    html! {
        div class="viewer" {
            @if let Some(viewer) = &ctx.viewer {
                a class="viewer-name" href="/account" { (viewer.name) }
                @if viewer.is_admin { " " span class="badge" { "admin" } }
                @for (href, label) in viewer_links(viewer) {
                    " " a href=(href) { (label) }
                }
                " " (sign_out_form(ctx))
            } @else {
                a class="sign-in-link" href=(sign_in_url(&ctx.current_url)) { "Sign in" }
            }
        }
    }
}

/// The breadcrumb trail as an ordered list (the current page last, marked for screen readers).
pub fn breadcrumbs(crumbs: &[Crumb]) -> Markup {
    html! {
        nav class="breadcrumbs" aria-label="Breadcrumb" {
            ol {
                @for (i, crumb) in crumbs.iter().enumerate() {
                    @let last = i + 1 == crumbs.len();
                    li {
                        @match (&crumb.url, last) {
                            (Some(url), false) => a href=(url) { (crumb.title) },
                            (_, true) => span aria-current="page" { (crumb.title) },
                            (None, false) => span { (crumb.title) },
                        }
                    }
                }
            }
        }
    }
}

/// Sites with at most this many sidebar entries show the whole tree on every page: it is
/// small, and every page one click away reads best.
pub const FULL_NAV_MAX: usize = 250;
/// In a larger site, top-level folders show their entries when together they have at most
/// this many; otherwise they are collapsed like every folder off the current branch.
pub const OPEN_TOP_MAX: usize = 100;

/// How much of the tree a page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NavScope {
    /// Everything; folders off the current branch are closed `<details>`.
    Full,
    /// Only the top level, the current page's ancestors with their entries (siblings at every
    /// level), and the top-level folders' entries when `open_top`. Other folders are plain
    /// links to their index or listing page, so a page's size does not grow with the site
    /// and everything stays reachable without JavaScript.
    Bounded { open_top: bool },
}

/// The sidebar for the page at `current`.
fn sidebar(nav: &[NavNode], current: &str) -> Markup {
    let branch = crate::model::branch_to(nav, current);
    let scope = if crate::model::nav_entries(nav) <= FULL_NAV_MAX {
        NavScope::Full
    } else {
        let top_entries: usize = nav.iter().map(|n| n.children.len()).sum();
        NavScope::Bounded {
            open_top: top_entries <= OPEN_TOP_MAX,
        }
    };
    nav_tree(nav, &branch, current, 0, scope)
}

/// One level of the sidebar; `branch` is the rest of the path to the current page (empty off
/// it). Folders shown open are `<details open>`, at the top level and along the branch. The
/// markup is bare (no classes but `closed`): on a large site the sidebar is most of a page's
/// bytes, and `.sidebar` selectors style it.
fn nav_tree(
    nodes: &[NavNode],
    branch: &[usize],
    current: &str,
    depth: usize,
    scope: NavScope,
) -> Markup {
    html! {
        ul {
            @for (i, node) in nodes.iter().enumerate() {
                @let on_branch = branch.first() == Some(&i);
                @let rest = if on_branch { &branch[1..] } else { &[][..] };
                @if node.children.is_empty() {
                    li { (nav_link(node, current)) }
                } @else if scope == NavScope::Full {
                    li { (nav_folder(node, rest, current, depth, scope, depth == 0 || on_branch)) }
                } @else if on_branch || (depth == 0 && scope == (NavScope::Bounded { open_top: true })) {
                    li { (nav_folder(node, rest, current, depth, scope, true)) }
                } @else if node.url.is_none() {
                    // A `[[nav]]` section without a page of its own: no page lists its
                    // entries, so they stay here, closed.
                    li { (nav_folder(node, rest, current, depth, scope, false)) }
                } @else {
                    // Collapsed: its entries are on the page it links to.
                    li class="closed" { (nav_link(node, current)) }
                }
            }
        }
    }
}

/// A folder with its entries: its link, then a `<details>` whose `<summary>` is only the
/// toggle (a link inside a summary would be a control inside a control, which neither
/// keyboards nor screen readers can tell apart). A folder without a page is named by its
/// summary.
fn nav_folder(
    node: &NavNode,
    branch: &[usize],
    current: &str,
    depth: usize,
    scope: NavScope,
    open: bool,
) -> Markup {
    html! {
        @if node.url.is_some() {
            (nav_link(node, current))
            details open[open] {
                summary aria-label={ "Pages in " (node.title) } {}
                (nav_tree(&node.children, branch, current, depth + 1, scope))
            }
        } @else {
            details open[open] {
                summary { (node.title) }
                (nav_tree(&node.children, branch, current, depth + 1, scope))
            }
        }
    }
}

fn nav_link(node: &NavNode, current: &str) -> Markup {
    match &node.url {
        Some(url) if url == current => html! {
            a href=(url) aria-current="page" { (node.title) }
        },
        Some(url) => html! { a href=(url) { (node.title) } },
        None => html! { span class="nav-label" { (node.title) } },
    }
}

fn footer(ctx: &PageContext<'_>) -> Markup {
    html! {
        footer class="site-footer" {
            div class="footer-inner" {
                p { (ctx.site_title) " · served by selfserve" }
                nav aria-label="Footer" {
                    a href="/" { "Home" }
                    a href="/tags" { "Tags" }
                    a href="/search" { "Search" }
                    a href="/diagnostics" { "Content diagnostics" }
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "layout_tests.rs"]
mod tests;
