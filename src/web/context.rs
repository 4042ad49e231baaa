//! Both ends of a page handler: the [`PageContext`] a view needs, built from the request and
//! the snapshot, and [`html`] (or [`found`]), the response it answers with. The accounts layer
//! hands over who is signed in by inserting a [`Viewer`] and a [`CsrfToken`] into the request's
//! extensions (from its middleware); nothing here needs to change when it does.

use actix_web::http::header;
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use maud::Markup;

use crate::model::Site;
use crate::render::{PageContext, Viewer};

/// The content type of every HTML page.
pub const TEXT_HTML: &str = "text/html; charset=utf-8";

/// A 200 HTML response.
pub fn html(markup: Markup) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(TEXT_HTML)
        .body(markup.into_string())
}

/// A 302 to `url`: a page that lives at another address.
pub fn found(url: &str) -> HttpResponse {
    HttpResponse::Found()
        .insert_header((header::LOCATION, url))
        .finish()
}

/// The per-session token forms echo back, stored in request extensions by the accounts layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsrfToken(pub String);

/// The context for a page whose canonical URL is `current_url`.
pub fn page_context<'a>(
    req: &HttpRequest,
    site: &'a Site,
    current_url: impl Into<String>,
) -> PageContext<'a> {
    let extensions = req.extensions();
    PageContext {
        site_title: &site.config.title,
        nav: site.sidebar(),
        current_url: current_url.into(),
        viewer: extensions.get::<Viewer>().map(|viewer| Viewer {
            sees_insights: viewer.is_admin
                || crate::insights::Scope::of(site, &viewer.name, false).is_some(),
            ..viewer.clone()
        }),
        csrf_token: extensions.get::<CsrfToken>().map(|t| t.0.clone()),
        today: time::OffsetDateTime::now_utc().date(),
        query: String::new(),
        live_generation: req
            .app_data::<actix_web::web::Data<super::AppState>>()
            .filter(|state| state.watch)
            .map(|_| site.generation),
    }
}
