//! `/requests`: the platform team's help-request queue (admins only): the list, replies and
//! status moves. Anonymous visitors are sent to sign in, learners get 403 (both by
//! [`RequireAdmin`]). [`rows`] gathers what a request is shown with, for the requester's pages
//! too.

use std::collections::BTreeMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{AppError, AppState};
use crate::model::{Kind, Site};
use crate::render;
use crate::render::requests::{RequestFilter, RequestRow};
use crate::render::tree_outcome::NOTE_MAX;
use crate::store::{HelpFilter, HelpRequest, RequestId, RequestStatus, UserId};
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
            user_id: None,
        })?;
        // One lookup per distinct account (requesters and repliers), not per request.
        let mut users: BTreeMap<UserId, String> = BTreeMap::new();
        let ids = requests.iter().flat_map(|r| {
            r.user_id
                .into_iter()
                .chain(r.reply.as_ref().and_then(|reply| reply.by))
        });
        for id in ids {
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
    let rows = rows(site, &requests, &users);
    let trees: Vec<(String, String)> = site
        .of_kind(Kind::Troubleshooting)
        .map(|d| (d.id.as_str().to_owned(), d.title.clone()))
        .collect();
    let ctx = page_context(&req, site, "/requests");
    Ok(html(render::requests::page(&ctx, &rows, &filter, &trees)))
}

/// What each request is shown with: its tree, its steps' titles, the step where the walk
/// ended, and the account names found in `users`.
pub(super) fn rows<'r>(
    site: &Site,
    requests: &'r [HelpRequest],
    users: &BTreeMap<UserId, String>,
) -> Vec<RequestRow<'r>> {
    requests
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
                replied_by: r
                    .reply
                    .as_ref()
                    .and_then(|reply| reply.by)
                    .and_then(|id| users.get(&id).cloned()),
            }
        })
        .collect()
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
    let id = request_id(&id)?;
    let status = RequestStatus::parse(&form.status).map_err(AppError::BadRequest)?;
    let store = state.store.clone();
    blocking(move || store.set_request_status(RequestId(id), status)).await?;
    Ok(back_to_list(&form.return_to, id))
}

/// The reply form's fields.
#[derive(Debug, Deserialize)]
pub(super) struct ReplyForm {
    csrf: Option<String>,
    #[serde(default)]
    reply: String,
    #[serde(default, rename = "return")]
    return_to: String,
}

/// `POST /requests/{id}/reply`: stores the reply (the requester reads it on their pages),
/// marks the request answered, then back to the list.
pub(super) async fn reply(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: RequireAdmin,
    id: web::Path<String>,
    form: web::Form<ReplyForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    check_form_token(&req, form.csrf.as_deref())?;
    let id = request_id(&id)?;
    let text = form.reply.trim().to_owned();
    if text.is_empty() {
        return Err(AppError::BadRequest(
            "The reply is empty; write what the requester should do or know, then send it.".into(),
        ));
    }
    if text.len() > NOTE_MAX {
        return Err(AppError::BadRequest(format!(
            "The reply is {} bytes long; at most {NOTE_MAX} are kept, so shorten it.",
            text.len()
        )));
    }
    let store = state.store.clone();
    let by = admin.0.user.id;
    blocking(move || store.reply_to_request(RequestId(id), &text, by)).await?;
    Ok(back_to_list(&form.return_to, id))
}

/// A request id from the path; one that is not a number names no request.
fn request_id(raw: &str) -> Result<i64, AppError> {
    raw.parse()
        .map_err(|_| AppError::NotFound(format!("There is no help request “{raw}”.")))
}

/// The 303 back to the list a form was sent from, at the request.
fn back_to_list(return_to: &str, id: i64) -> HttpResponse {
    // Only ever back to the list: `return` comes from the form and must not redirect away.
    let back = if return_to.starts_with("/requests") && !return_to.contains(['\r', '\n', '\\']) {
        return_to
    } else {
        "/requests"
    };
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("{back}#request-{id}")))
        .finish()
}
