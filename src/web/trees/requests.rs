//! `/requests`: the platform team's help-request queue (admins only). Anonymous visitors are
//! sent to sign in, learners get 403 (both by [`RequireAdmin`]).

use std::collections::BTreeMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{AppError, AppState};
use crate::model::Kind;
use crate::render;
use crate::render::requests::{RequestFilter, RequestRow};
use crate::store::{HelpFilter, RequestId, RequestStatus, UserId};
use crate::web::auth::{RequireAdmin, check_form_token};
use crate::web::context::{html, page_context};
use crate::web::error::blocking;

/// `?status=&tree=`; empty values mean "any".
#[derive(Debug, Deserialize)]
pub(super) struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    tree: String,
}

/// `GET /requests`.
pub(super) async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: RequireAdmin,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let status = match query.status.as_str() {
        "" => None,
        s => Some(RequestStatus::parse(s).map_err(AppError::BadRequest)?),
    };
    let filter = RequestFilter {
        status,
        tree: Some(query.tree).filter(|t| !t.is_empty()),
    };
    let store = state.store.clone();
    let tree = filter.tree.clone();
    let (requests, users) = blocking(move || {
        let requests = store.list_help_requests(HelpFilter {
            status,
            tree_id: tree.as_deref(),
        })?;
        // One lookup per distinct learner, not per request.
        let mut users: BTreeMap<UserId, String> = BTreeMap::new();
        for id in requests.iter().filter_map(|r| r.user_id) {
            if let std::collections::btree_map::Entry::Vacant(slot) = users.entry(id)
                && let Some(user) = store.user_by_id(id)?
            {
                slot.insert(user.name.to_string());
            }
        }
        Ok((requests, users))
    })
    .await?;

    let snapshot = state.snapshot.load_full();
    let site = &snapshot.site;
    let rows: Vec<RequestRow<'_>> = requests
        .iter()
        .map(|r| {
            let doc = site
                .get_str(&r.tree_id)
                .filter(|d| d.kind == Kind::Troubleshooting);
            let tree = doc.and_then(|d| d.tree());
            let trail = r
                .trail
                .iter()
                .map(|id| {
                    tree.and_then(|t| t.node(id))
                        .map_or_else(|| id.clone(), |n| n.title.clone())
                })
                .collect();
            // The walk may no longer exist if the tree changed since; then no link.
            let walk_url = doc.zip(tree).and_then(|(d, t)| {
                t.walk(&r.trail)
                    .ok()
                    .map(|_| render::tree_steps::step_url(&d.url(), &r.trail))
            });
            RequestRow {
                request: r,
                tree: doc.map(|d| (d.title.clone(), d.url())),
                trail,
                walk_url,
                user: r.user_id.and_then(|id| users.get(&id).cloned()),
            }
        })
        .collect();
    let trees: Vec<(String, String)> = site
        .of_kind(Kind::Troubleshooting)
        .map(|d| (d.id.as_str().to_owned(), d.title.clone()))
        .collect();
    let ctx = page_context(&req, site, "/requests");
    Ok(html(render::requests::page(&ctx, &rows, &filter, &trees)))
}

/// The status form's fields.
#[derive(Debug, Deserialize)]
pub(super) struct StatusForm {
    csrf: Option<String>,
    #[serde(default)]
    status: String,
    #[serde(default, rename = "return")]
    return_to: String,
}

/// `POST /requests/{id}/status`: moves a request, then back to the list it was changed from.
pub(super) async fn set_status(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: RequireAdmin,
    id: web::Path<String>,
    form: web::Form<StatusForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    check_form_token(&req, form.csrf.as_deref())?;
    let id: i64 = id
        .parse()
        .map_err(|_| AppError::NotFound(format!("There is no help request “{id}”.")))?;
    let status = RequestStatus::parse(&form.status).map_err(AppError::BadRequest)?;
    let store = state.store.clone();
    blocking(move || store.set_request_status(RequestId(id), status)).await?;
    // Only ever back to the list: `return` comes from the form and must not redirect away.
    let back = if form.return_to.starts_with("/requests")
        && !form.return_to.contains(['\r', '\n', '\\'])
    {
        form.return_to
    } else {
        "/requests".to_owned()
    };
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("{back}#request-{id}")))
        .finish())
}
