//! The JSON API: every `/api/v1` route, and `/healthz`, registered in [`routes`] (interfaces.md
//! fixes their paths and shapes). One file per area; a handler that shares its work with an
//! HTML page calls into that page's area (`web::search`, `web::trees`, `web::training`,
//! `web::qualifications`).

mod docs;
mod feedback;
mod health;
mod insights;
mod insights_digest;
mod insights_modules;
mod insights_search;
mod insights_stubs;
mod insights_trees;
mod json_body;
mod live;
mod modules;
mod openapi;
mod qualifications;
mod schemas;
mod search;
mod trees;
mod webhooks;

use actix_web::{guard, web};

pub use openapi::{allowed_methods, document};

/// Registers the API. Within an area, a sub-path comes before the `{id:.*}` pattern that
/// would take it too.
pub fn routes(cfg: &mut web::ServiceConfig) {
    // HEAD too: load balancers often probe with it (actix drops the body).
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/healthz", web::head().to(health::healthz))
        // Only POSTs stop here; a GET falls through to the document itself.
        .service(
            web::resource("/api/v1/docs/{id:.*}/feedback")
                .guard(guard::Post())
                .app_data(web::PayloadConfig::new(super::feedback::BODY_LIMIT))
                .route(web::post().to(feedback::post_vote)),
        )
        .route("/api/v1/docs/{id:.*}", web::get().to(docs::doc))
        .route(
            "/api/v1/insights/pages",
            web::get().to(feedback::insights_pages),
        )
        .route("/api/v1/live", web::get().to(live::poll))
        .route("/api/v1/search", web::get().to(search::search))
        .route(
            "/api/v1/insights/search-feedback",
            web::get().to(insights::search_feedback),
        )
        .route(
            "/api/v1/insights/search",
            web::get().to(insights_search::search_insights),
        )
        .route(
            "/api/v1/insights/digest",
            web::get().to(insights_digest::digest),
        );
    cfg.route(
        "/api/v1/insights/trees",
        web::get().to(insights_trees::overview),
    )
    .route(
        "/api/v1/insights/trees/{id:.*}",
        web::get().to(insights_trees::tree),
    )
    .route(
        "/api/v1/insights/modules/{id:.*}",
        web::get().to(insights_modules::module),
    );
    cfg.service(
        web::resource("/api/v1/insights/stubs")
            .app_data(web::PayloadConfig::new(super::insights::stubs::BODY_LIMIT))
            .route(web::post().to(insights_stubs::create_stub)),
    );
    cfg.service(
        web::resource("/api/v1/trees/{id:.*}/outcomes")
            // Only POSTs stop here; a GET falls through to the tree itself.
            .guard(guard::Post())
            .app_data(web::PayloadConfig::new(super::trees::BODY_LIMIT))
            .route(web::post().to(trees::post_outcome)),
    )
    .route("/api/v1/trees/{id:.*}", web::get().to(trees::tree));
    cfg.service(
        web::resource("/api/v1/modules/{id:.*}/attempts")
            .app_data(web::PayloadConfig::new(super::training::BODY_LIMIT))
            .route(web::post().to(modules::submit)),
    )
    .route("/api/v1/modules/{id:.*}", web::get().to(modules::module));
    cfg.route(
        "/api/v1/learners/{name}/qualifications",
        web::get().to(qualifications::learner),
    )
    .route(
        "/api/v1/qualified",
        web::get().to(qualifications::qualified),
    );
    // The OpenAPI document and its page. A new route also joins `openapi::ApiDoc`'s `paths`
    // with a `#[utoipa::path]` on its handler (tests/it/openapi.rs fails until it does).
    cfg.route("/api/v1/openapi.json", web::get().to(openapi::openapi_json))
        .route("/api", web::get().to(openapi::reference_page));
    cfg.route(
        "/api/v1/webhooks/deliveries",
        web::get().to(webhooks::deliveries),
    )
    .route(
        "/api/v1/webhooks/deliveries/{id}",
        web::get().to(webhooks::one),
    )
    .route(
        "/api/v1/webhooks/deliveries/{id}/redeliver",
        web::post().to(webhooks::redeliver),
    );
}
