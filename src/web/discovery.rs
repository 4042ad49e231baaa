//! The files crawlers and browsers look for at fixed addresses: `/sitemap.xml` (every public
//! page), `/robots.txt` (crawl everything, or nothing when the site requires sign-in) and
//! `/opensearch.xml` (so a browser can add the site's search; every page's head links it).
//!
//! URLs are absolute: `site.toml`'s `base_url` when set, else the scheme and host the
//! request came in on. None of the three is cached: the host differs per request.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use super::{AppError, AppState};
use crate::escape::escape_html as escape_xml;
use crate::model::{NavNode, Site};
use crate::render;

/// The OpenSearch description's address, linked from every page's head.
pub const OPENSEARCH_URL: &str = "/opensearch.xml";

/// Registers the three files.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/sitemap.xml", web::get().to(sitemap))
        .route("/robots.txt", web::get().to(robots))
        .route("/opensearch.xml", web::get().to(opensearch));
}

async fn sitemap(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let snapshot = state.snapshot.load_full();
    let origin = origin(&req, snapshot.site.config.base_url.as_deref());
    Ok(answer(
        "application/xml; charset=utf-8",
        sitemap_xml(&snapshot.site, &origin),
    ))
}

async fn robots(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let snapshot = state.snapshot.load_full();
    let config = &snapshot.site.config;
    let origin = origin(&req, config.base_url.as_deref());
    answer(
        "text/plain; charset=utf-8",
        robots_txt(&origin, config.auth.require_sign_in),
    )
}

async fn opensearch(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let snapshot = state.snapshot.load_full();
    let config = &snapshot.site.config;
    let origin = origin(&req, config.base_url.as_deref());
    answer(
        "application/opensearchdescription+xml; charset=utf-8",
        opensearch_xml(&config.title, &origin),
    )
}

fn answer(content_type: &'static str, body: String) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        // Built from the request's host when no base URL is set: never shared by caches.
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::VARY, "Host"))
        .body(body)
}

/// Where the site is reached: the configured base URL, else this request's scheme and host.
fn origin(req: &HttpRequest, base_url: Option<&str>) -> String {
    match base_url {
        Some(base) => base.trim_end_matches('/').to_owned(),
        None => {
            let info = req.connection_info();
            format!("{}://{}", info.scheme(), info.host())
        }
    }
}

/// Every page an anonymous reader can open: home, training, tags, folder listings and every
/// document (with its `reviewed:` date as `lastmod` when it has one). Account, admin,
/// insights and diagnostics pages are not public and not listed.
pub fn sitemap_xml(site: &Site, origin: &str) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut push = |path: &str, lastmod: Option<String>| {
        out.push_str("  <url><loc>");
        out.push_str(&escape_xml(&format!("{origin}{path}")));
        out.push_str("</loc>");
        if let Some(date) = lastmod {
            out.push_str("<lastmod>");
            out.push_str(&date);
            out.push_str("</lastmod>");
        }
        out.push_str("</url>\n");
    };
    push("/", None);
    push(render::training_paths::URL, None);
    let tags = site.tags();
    if !tags.is_empty() {
        push("/tags", None);
    }
    for tag in tags.keys() {
        push(&render::tag_url(tag), None);
    }
    let mut folders = Vec::new();
    collect_folder_urls(&site.nav, &mut folders);
    for url in &folders {
        push(url, None);
    }
    for doc in site.documents.values() {
        push(&doc.url(), doc.reviewed.map(|d| d.to_string()));
    }
    out.push_str("</urlset>\n");
    out
}

/// The generated listing pages in the sidebar (a folder with an index page is its document).
fn collect_folder_urls(nodes: &[NavNode], out: &mut Vec<String>) {
    for node in nodes {
        if node.is_folder()
            && node.id.is_none()
            && let Some(url) = &node.url
        {
            out.push(url.clone());
        }
        collect_folder_urls(&node.children, out);
    }
}

/// Everything may be crawled, and the sitemap says what there is; a site that requires
/// sign-in has nothing a crawler can read, so it asks for nothing to be crawled.
pub fn robots_txt(origin: &str, require_sign_in: bool) -> String {
    if require_sign_in {
        "User-agent: *\nDisallow: /\n".to_owned()
    } else {
        format!("User-agent: *\nAllow: /\n\nSitemap: {origin}/sitemap.xml\n")
    }
}

/// The OpenSearch 1.1 description: the search results page with `{searchTerms}`. There is no
/// suggestions URL: the JSON search answers hits, not OpenSearch's `[query, [words]]` shape.
pub fn opensearch_xml(site_title: &str, origin: &str) -> String {
    // ShortName may hold at most 16 characters.
    let short: String = site_title.chars().take(16).collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <OpenSearchDescription xmlns=\"http://a9.com/-/spec/opensearch/1.1/\">\n\
         \x20 <ShortName>{short}</ShortName>\n\
         \x20 <Description>Search {title}</Description>\n\
         \x20 <InputEncoding>UTF-8</InputEncoding>\n\
         \x20 <Image height=\"16\" width=\"16\" type=\"image/svg+xml\">{origin}/static/favicon.svg</Image>\n\
         \x20 <Url type=\"text/html\" method=\"get\" template=\"{origin}/search?q={{searchTerms}}\"/>\n\
         \x20 <Url type=\"application/opensearchdescription+xml\" rel=\"self\" template=\"{origin}{OPENSEARCH_URL}\"/>\n\
         </OpenSearchDescription>\n",
        short = escape_xml(short.trim()),
        title = escape_xml(site_title),
        origin = escape_xml(origin),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn robots_points_at_the_sitemap_or_shuts_everything() {
        assert_eq!(
            robots_txt("https://kb.example.com", false),
            "User-agent: *\nAllow: /\n\nSitemap: https://kb.example.com/sitemap.xml\n"
        );
        assert_eq!(
            robots_txt("https://kb.example.com", true),
            "User-agent: *\nDisallow: /\n"
        );
    }

    #[test]
    fn opensearch_names_the_search_page_and_escapes_the_title() {
        let xml = opensearch_xml(
            "R&D <Knowledge> Base of the platform",
            "https://kb.example.com",
        );
        assert!(
            xml.contains("<ShortName>R&amp;D &lt;Knowledge&gt;</ShortName>"),
            "{xml}"
        );
        assert!(
            xml.contains(r#"template="https://kb.example.com/search?q={searchTerms}""#),
            "{xml}"
        );
        assert!(
            xml.contains(
                "<Description>Search R&amp;D &lt;Knowledge&gt; Base of the platform</Description>"
            ),
            "{xml}"
        );
    }

    #[test]
    fn the_sitemap_lists_pages_absolute_with_their_review_date() {
        let (site, _) = crate::loader::build_site(crate::source::ContentFiles {
            markdown: vec![
                crate::source::SourceFile {
                    rel_path: "guides/k8s/deploy.md".into(),
                    bytes: b"---\ntitle: Deploy\nreviewed: 2026-10-01\ntags: [a&b]\n---\n".to_vec(),
                },
                crate::source::SourceFile {
                    rel_path: "guides/k8s/scale.md".into(),
                    bytes: b"---\ntitle: Scale\n---\n".to_vec(),
                },
            ],
            ..crate::source::ContentFiles::default()
        });
        let xml = sitemap_xml(&site, "https://kb.example.com");
        assert!(xml.starts_with("<?xml"), "{xml}");
        let deploy = site.get_str("guides/k8s/deploy").expect("deploy").url();
        assert!(
            xml.contains(&format!(
                "<url><loc>https://kb.example.com{deploy}</loc><lastmod>2026-10-01</lastmod></url>"
            )),
            "{xml}"
        );
        assert!(xml.contains("<loc>https://kb.example.com/</loc>"), "{xml}");
        assert!(
            xml.contains("<loc>https://kb.example.com/tags/a%26b</loc>"),
            "{xml}"
        );
        for private in ["/admin", "/insights", "/account", "/diagnostics", "/my"] {
            assert!(
                !xml.contains(&format!("kb.example.com{private}")),
                "{private}: {xml}"
            );
        }
    }
}
