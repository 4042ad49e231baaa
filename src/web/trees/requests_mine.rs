//! The requester's side of help requests: `GET /my/requests` (the signed-in person's own,
//! newest first) and `GET /requests/private/{token}` (one request for whoever holds its
//! private link, signed in or not; a token naming nothing is a 404).
//!
//! The private page is answered with `X-Robots-Tag: noindex` and `Cache-Control: no-store`:
//! it is reachable by anyone with the link, so it must not end up in an index or a shared
//! cache. (`Referrer-Policy: same-origin` from the security headers keeps the link from
//! leaking to other sites when the reader follows a link out.)

use std::collections::BTreeMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use super::requests::rows;
use super::{AppError, AppState};
use crate::render;
use crate::store::HelpFilter;
use crate::web::auth::RequireUser;
use crate::web::context::{TEXT_HTML, html, page_context};
use crate::web::error::blocking;
use crate::web::query;

/// The path of the private link carrying `token`.
pub(super) fn private_path(token: &str) -> String {
    format!("/requests/private/{token}")
}

/// `GET /my/requests`.
pub(super) async fn my_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: RequireUser,
) -> Result<HttpResponse, AppError> {
    let store = state.store.clone();
    let user_id = user.0.user.id;
    let requests = blocking(move || {
        store.list_help_requests(HelpFilter {
            user_id: Some(user_id),
            ..HelpFilter::default()
        })
    })
    .await?;
    let snapshot = state.snapshot.load_full();
    let site = &snapshot.site;
    let rows = rows(site, &requests, &BTreeMap::new());
    let ctx = page_context(&req, site, "/my/requests");
    Ok(html(render::requests_mine::my_page(&ctx, &rows)))
}

/// `GET /requests/private/{token}` (`?sent=1` right after the help form).
pub(super) async fn private_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let store = state.store.clone();
    let lookup = token.clone();
    let request = blocking(move || store.help_request_by_token(&lookup))
        .await?
        .ok_or_else(|| {
            AppError::NotFound(
                "There is no help request at this link; check that the whole link was copied."
                    .into(),
            )
        })?;
    let snapshot = state.snapshot.load_full();
    let site = &snapshot.site;
    let requests = [request];
    let rows = rows(site, &requests, &BTreeMap::new());
    let path = private_path(&token);
    let link = format!("{}{path}", origin(&req, site.config.base_url.as_deref()));
    let just_sent = query::pairs(req.query_string()).any(|(k, v)| k == "sent" && v == "1");
    let ctx = page_context(&req, site, path);
    let markup = render::requests_mine::private_page(&ctx, &rows[0], &link, just_sent);
    Ok(HttpResponse::Ok()
        .content_type(TEXT_HTML)
        .insert_header(("X-Robots-Tag", "noindex, nofollow"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(markup.into_string()))
}

/// Where the site is reached: `site.toml`'s `base_url` when set (behind a proxy), else the
/// scheme and host this request came in on. Only the requester sees the link built from it.
fn origin(req: &HttpRequest, base_url: Option<&str>) -> String {
    match base_url {
        Some(base) => base.trim_end_matches('/').to_owned(),
        None => {
            let info = req.connection_info();
            format!("{}://{}", info.scheme(), info.host())
        }
    }
}
