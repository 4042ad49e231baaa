//! The one place a document's address is routed: `/{kind}/{id}`, and the forms posted to it,
//! to the area that serves that kind, and [`page`]: the view of each kind. The matches below
//! stop compiling when a kind is added without its handlers.
//!
//! Each route carries its method guard on its resource (`cfg.route` moves it there), so a
//! request skips addresses that do not take its method. No other area registers a path under
//! a kind's prefix, so the areas may be registered in any order; within a kind, a sub-path
//! comes before the `{id:.*}` pattern that would take it too.

use actix_web::{guard, web};

use super::{feedback, pages, qualifications, training, trees};
use crate::model::Kind;

/// Registers every document address. The patterns are written out (each is the kind's
/// [`Kind::url_prefix`] and `{id:.*}`, see the test below) so that `tests/it/routes.rs`, which
/// reads them from the source, holds each to an access rule.
pub fn routes(cfg: &mut web::ServiceConfig) {
    for kind in Kind::ALL {
        match kind {
            Kind::Guide => {
                // "Was this helpful?" on any page that takes votes (guides and trees).
                cfg.service(
                    web::resource("/docs/{id:.*}/feedback")
                        .guard(guard::Post())
                        .app_data(web::FormConfig::default().limit(feedback::BODY_LIMIT))
                        .route(web::post().to(feedback::post_form)),
                )
                .route(
                    "/docs/{id:.*}",
                    web::get().to(|r, s, i| pages::document(r, s, i, Kind::Guide)),
                );
            }
            Kind::Troubleshooting => {
                cfg.route("/trees/{id:.*}", web::get().to(trees::tree_page))
                    .service(
                        web::resource("/trees/{id:.*}")
                            .guard(guard::Post())
                            .app_data(web::FormConfig::default().limit(trees::BODY_LIMIT))
                            .route(web::post().to(trees::post_form)),
                    );
            }
            Kind::Module => {
                // Without a guard, any method on `…/attempt` stops here (405 but for POST).
                cfg.service(
                    web::resource("/modules/{id:.*}/attempt")
                        .app_data(web::FormConfig::default().limit(training::BODY_LIMIT))
                        .route(web::post().to(training::submit_form)),
                )
                // Where that post redirects: one stored attempt's results (a number, so any
                // other `…/attempts/…` address falls through to the module page's 404).
                .route(
                    "/modules/{id:.*}/attempts/{n:[0-9]+}",
                    web::get().to(training::results_page),
                )
                .route("/modules/{id:.*}", web::get().to(training::module_page));
            }
            Kind::Path => {
                cfg.route("/paths/{id:.*}", web::get().to(training::path_page));
            }
            Kind::Resource => {
                // The resource page needs the viewer's record; whatever else is asked under
                // `/resources/` (another kind, a folder, an unknown id) redirects or 404s.
                cfg.service(
                    web::resource("/resources/{id:.*}")
                        .guard(guard::fn_guard(qualifications::names_a_resource))
                        .route(web::get().to(qualifications::resource_page)),
                )
                .route(
                    "/resources/{id:.*}",
                    web::get().to(|r, s, i| pages::document(r, s, i, Kind::Resource)),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_routed_at_its_url_prefix() {
        let source = include_str!("kinds.rs");
        for kind in Kind::ALL {
            let pattern = format!("\"{}{{id:.*}}\"", kind.url_prefix());
            assert!(source.contains(&pattern), "no route {pattern} for {kind}");
        }
    }
}
