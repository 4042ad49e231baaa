//! The insight pages (issue 16), `/insights/…`: who may see them ([`InsightsViewer`]), the
//! period they cover, and their CSV downloads. Their JSON twins are in [`crate::web::api`];
//! the figures come from [`crate::insights`], the views from [`crate::render::insights`].
//!
//! Access: admins see everything; an account that answers for an `owner:` value sees its
//! pages, trees and modules (and the search gaps, which belong to nobody); anyone else signed
//! in gets 403 and an anonymous visitor is sent to sign in (401 under `/api/`).

pub(in crate::web) mod digest;
pub(in crate::web) mod modules;
mod overview;
pub(in crate::web) mod pages;
pub(in crate::web) mod search;
pub(in crate::web) mod stubs;
pub(in crate::web) mod trees;

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};

use super::auth::{Identity, need_sign_in};
use super::{AppError, AppState};
use crate::insights::{Period, Scope};
use crate::render::insights::table::QueryParams;

/// Registers every insight page. Each area adds its own `configure` line.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.configure(overview::routes);
    cfg.configure(pages::routes);
    cfg.configure(search::routes);
    cfg.configure(digest::routes);
    cfg.configure(trees::routes);
    cfg.configure(modules::routes);
    cfg.configure(stubs::routes);
}

/// Extractor: a signed-in admin or page owner, with what they may see.
#[derive(Debug, Clone)]
pub struct InsightsViewer {
    /// Who is asking.
    pub identity: Identity,
    /// What they may see.
    pub scope: Scope,
}

impl FromRequest for InsightsViewer {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match Identity::of(req) {
            None => Err(need_sign_in(req)),
            Some(identity) => {
                let scope = req.app_data::<web::Data<AppState>>().and_then(|state| {
                    let snapshot = state.snapshot.load_full();
                    Scope::of(
                        &snapshot.site,
                        identity.user.name.as_str(),
                        identity.is_admin(),
                    )
                });
                match scope {
                    Some(scope) => Ok(Self { identity, scope }),
                    None => Err(AppError::Forbidden(
                        "Insights are for admins and for the owners of pages (the `owner:` in their front matter, or an [owners] entry in site.toml that lists you)."
                            .into(),
                    )
                    .into()),
                }
            }
        })
    }
}

/// The request's query parameters and the period (`?days=N`) they ask for; a bad `days` is
/// a 400 with a sentence.
pub fn period_and_params(req: &HttpRequest) -> Result<(Period, QueryParams), AppError> {
    let params = QueryParams::parse(req.query_string());
    let period = Period::parse(params.get("days")).map_err(AppError::BadRequest)?;
    Ok((period, params))
}

/// A CSV download: a header row, then the rows; `filename` without `.csv`.
pub fn csv_response(
    filename: &str,
    header_row: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<HttpResponse, AppError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| AppError::Internal(format!("writing CSV: {e}"));
    writer.write_record(header_row).map_err(fail)?;
    for row in rows {
        writer.write_record(&row).map_err(fail)?;
    }
    let body = writer
        .into_inner()
        .map_err(|e| AppError::Internal(format!("writing CSV: {e}")))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}.csv\""),
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(body))
}

/// An insight page's HTML answer: never cached (it holds figures only its viewer may see).
pub fn private_html(markup: maud::Markup) -> HttpResponse {
    let mut response = super::context::html(markup);
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("private, no-store"),
    );
    response
}
