//! Troubleshooting trees over HTTP: walking them step by step, the diagram, recording how
//! walks end (HTML forms and the JSON API), and the platform team's help-request list.
//!
//! URLs (`/trees/…` is registered in [`super::kinds`], the JSON API in [`super::api`]):
//! - `GET /trees/{id}`: introduction, start question, and every step as `#node` sections
//!   (search hits link to `/trees/{id}#node`, so they land on that section);
//! - `GET /trees/{id}?at=NODE&trail=START,…`: one step; the trail is validated as a walk;
//! - `GET /trees/{id}?view=diagram`: the SVG diagram (with counts for admins);
//! - `POST /trees/{id}`: the leaf forms (`path`, `outcome`, `note`, `contact`, `csrf`), then a
//!   303 back to the step (`&done=1`) or to the new help request's private link, so reloading
//!   never posts twice; a help request without a note comes back (400) with the form refilled;
//! - `GET /api/v1/trees/{id}`, `POST /api/v1/trees/{id}/outcomes`: in [`super::api`];
//! - `GET /requests`, `POST /requests/{id}/status`, `POST /requests/{id}/reply`: the platform
//!   team's queue, see [`requests`];
//! - `GET /my/requests`, `GET /requests/private/{token}`: the requester's side, see
//!   [`requests_mine`]. A help form that is sent goes on to the request's private link.
//!
//! Query-string ids are percent-encoded and the trail is split on literal commas before
//! decoding, so any node id survives the round trip.

pub mod limit;
mod requests;
mod requests_mine;

use std::sync::Arc;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::auth::{CurrentUser, RequestMeta, check_form_token};
use super::context::{found, html, page_context};
use super::error::blocking;
use super::pages::{self, Address};
use super::query::{self, decode};
use super::{AppError, AppState};
use crate::model::{Document, Kind, MAX_WALK, Outcome, Site, Walk};
use crate::render;
use crate::render::tree_outcome::{CONTACT_MAX, HelpDraft, LeafState, NOTE_MAX, NOTE_REQUIRED};
use crate::store::{Answer, NewOutcome, OutcomeId, RequestId, SentRequest, UserId};

/// Largest form or JSON body accepted when recording an outcome: a full note, escaped.
pub(super) const BODY_LIMIT: usize = 64 * 1024;

/// Registers the help-request routes (the tree's own address is in [`super::kinds`]).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/requests", web::get().to(requests::list))
        .route(
            "/requests/{id}/status",
            web::post().to(requests::set_status),
        )
        .route("/requests/{id}/reply", web::post().to(requests::reply))
        .route(
            "/requests/private/{token}",
            web::get().to(requests_mine::private_page),
        )
        .route("/my/requests", web::get().to(requests_mine::my_page));
}

/// The troubleshooting tree with this id, or a 404 naming it.
pub(super) fn find_tree<'s>(site: &'s Site, id: &str) -> Result<&'s Arc<Document>, AppError> {
    site.get_str(id)
        .filter(|d| d.kind == Kind::Troubleshooting)
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "There is no troubleshooting tree with the id “{id}”."
            ))
        })
}

/// A step link's query: `at`, `trail`, `view`, and the leaf's state.
#[derive(Debug, Default, PartialEq, Eq)]
struct StepQuery {
    at: Option<String>,
    trail: Vec<String>,
    diagram: bool,
    leaf: Option<LeafState>,
}

impl StepQuery {
    /// Reads the raw query string (not `web::Query`: the trail's commas must be split before
    /// percent-decoding). Unknown parameters are ignored, as links from elsewhere may add some.
    fn parse(raw: &str) -> StepQuery {
        let mut q = StepQuery::default();
        for (key, value) in query::pairs(raw) {
            match key {
                "at" => q.at = Some(decode(value)),
                "trail" if !value.is_empty() => {
                    q.trail = value.split(',').take(MAX_WALK + 1).map(decode).collect();
                }
                "view" => q.diagram = value == "diagram",
                "help" => q.leaf = Some(LeafState::NeedHelp),
                "done" => q.leaf = Some(LeafState::Recorded),
                "request" => {
                    if let Ok(n) = value.parse() {
                        q.leaf = Some(LeafState::RequestSent(n));
                    }
                }
                _ => {}
            }
        }
        q
    }

    /// The walk's node ids: the trail, then `at`.
    fn path(&self) -> Vec<&str> {
        self.trail
            .iter()
            .map(String::as_str)
            .chain(self.at.as_deref())
            .collect()
    }
}

/// The node ids of a form's `path` field (as [`render::tree_steps::encode_path`] wrote them).
fn parse_path_field(raw: &str) -> Vec<String> {
    if raw.is_empty() {
        return Vec::new();
    }
    raw.split(',').take(MAX_WALK + 1).map(decode).collect()
}

/// `GET /trees/{id}` with its step, diagram and plain views.
pub(super) async fn tree_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let snapshot = state.snapshot.load_full();
    let site = &snapshot.site;
    let id = id.into_inner();
    // As `pages` resolves the other kinds, but a tree address naming nothing is a 404.
    let doc = match pages::resolve(site, &id, Kind::Troubleshooting) {
        Address::Document(doc) => doc,
        Address::Elsewhere(url) => return Ok(found(&url)),
        Address::Missing => return Err(AppError::unknown_document(&id)),
    };
    let query = StepQuery::parse(req.query_string());
    let url = doc.url();
    if query.diagram {
        return diagram(&req, &state, site, doc).await;
    }
    let Some(tree) = doc.tree() else {
        return Ok(html(render::tree::page(
            &page_context(&req, site, url),
            site,
            doc,
        )));
    };
    if query.at.is_none() && query.trail.is_empty() {
        let ctx = page_context(&req, site, url);
        return Ok(html(render::tree::page(&ctx, site, doc)));
    }
    let ctx = page_context(&req, site, url);
    let path = query.path();
    if query.at.is_none() {
        let markup = render::tree::bad_walk_page(&ctx, site, doc, "the link names no step (`at`)");
        return Ok(bad_request_page(markup));
    }
    match tree.walk(&path) {
        Ok(walk) => {
            let leaf = query.leaf.unwrap_or(LeafState::Ask);
            Ok(html(render::tree::step_page(&ctx, site, doc, &walk, leaf)))
        }
        Err(err) => {
            let markup = render::tree::bad_walk_page(&ctx, site, doc, &err.to_string());
            Ok(bad_request_page(markup))
        }
    }
}

/// `?view=diagram`: the layout and SVG, plus counts when an admin asks.
async fn diagram(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    site: &Site,
    doc: &Arc<Document>,
) -> Result<HttpResponse, AppError> {
    let ctx = page_context(req, site, doc.url());
    let is_admin = ctx.viewer.as_ref().is_some_and(|v| v.is_admin);
    let stats = if is_admin {
        let store = state.store.clone();
        let tree_id = doc.id.as_str().to_owned();
        Some(blocking(move || store.tree_stats(&tree_id)).await?)
    } else {
        None
    };
    let empty = crate::model::Tree::default();
    let tree = doc.tree().unwrap_or(&empty);
    let layout = render::tree_diagram::layout(tree, stats.is_some());
    let hrefs = render::tree_steps::shortest_step_urls(tree, &doc.url());
    let title = format!("Diagram of the troubleshooting tree “{}”", doc.title);
    let svg = render::tree_diagram::svg(render::tree_diagram::DiagramInput {
        tree,
        layout: &layout,
        hrefs: &hrefs,
        stats: stats.as_ref(),
        title: &title,
    });
    let totals = stats.as_ref().map(|s| (s.walks, s.resolved, s.escalated));
    Ok(html(render::tree::diagram_page(
        &ctx, site, doc, svg, totals,
    )))
}

/// The leaf forms' fields.
#[derive(Debug, Deserialize)]
pub(super) struct OutcomeForm {
    csrf: Option<String>,
    #[serde(default)]
    path: String,
    #[serde(default)]
    outcome: String,
    note: Option<String>,
    contact: Option<String>,
    /// Set by the help form shown after "no, it did not fix it" on a `.resolved` step.
    not_fixed: Option<String>,
}

/// `POST /trees/{id}`: records the outcome a leaf form sent, then back to the step.
pub(super) async fn post_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    user: CurrentUser,
    form: web::Form<OutcomeForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    check_form_token(&req, form.csrf.as_deref())?;
    if let Some(limited) = rate_limit(&req, &state).await? {
        return Ok(limited);
    }
    let snapshot = state.snapshot.load_full();
    let doc = find_tree(&snapshot.site, &id)?;
    let path = parse_path_field(&form.path);
    let outcome = parse_outcome(&form.outcome)?;
    let walk = ended_walk(doc, &path, outcome, form.not_fixed.is_some())?;
    let contact = clean_text("contact", form.contact.as_deref(), CONTACT_MAX)?;
    let note = match clean_text("note", form.note.as_deref(), NOTE_MAX) {
        // The platform team cannot help without it; the API keeps its optional note.
        Ok(None) if outcome == Outcome::Escalate => Err(NOTE_REQUIRED.to_owned()),
        Ok(note) => Ok(note),
        Err(AppError::BadRequest(sentence)) => Err(sentence),
        Err(other) => return Err(other),
    };
    let note = match note {
        Ok(note) => note,
        Err(sentence) => {
            let draft = HelpDraft {
                note: form.note.unwrap_or_default(),
                contact: form.contact.unwrap_or_default(),
                not_fixed: form.not_fixed.is_some(),
                note_error: Some(sentence),
            };
            let ctx = page_context(&req, &snapshot.site, doc.url());
            let page = render::tree::step_page(
                &ctx,
                &snapshot.site,
                doc,
                &walk,
                LeafState::Refused(draft),
            );
            return Ok(bad_request_page(page));
        }
    };
    let user_id = user.0.map(|i| i.user.id);
    let ids = walk.ids();
    let (_, request) = record_walk(&state, doc, &ids, outcome, note, contact, user_id).await?;
    let target = match request {
        Some(sent) => format!(
            "{}?sent=1",
            requests_mine::private_path(&sent.private_token)
        ),
        None => format!("{}&done=1", render::tree_steps::step_url(&doc.url(), &ids)),
    };
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, target))
        .finish())
}

/// `resolved` or `escalate`, or a 400 saying so.
pub(super) fn parse_outcome(raw: &str) -> Result<Outcome, AppError> {
    match raw {
        "resolved" => Ok(Outcome::Resolved),
        "escalate" => Ok(Outcome::Escalate),
        other => Err(AppError::BadRequest(format!(
            "“{}” is not an outcome; use “resolved” or “escalate”",
            other.chars().take(40).collect::<String>()
        ))),
    }
}

/// Checks that `path` is a walk of the tree that ends at a leaf whose outcome is `outcome`.
/// With `escalate_any_leaf`, an escalation may also end on a `.resolved` leaf: the reader
/// tried the fix and it did not work (the HTML "no" answer).
pub(super) fn ended_walk<'d>(
    doc: &'d Document,
    path: &[String],
    outcome: Outcome,
    escalate_any_leaf: bool,
) -> Result<Walk<'d>, AppError> {
    let tree = doc
        .tree()
        .ok_or_else(|| AppError::NotFound(format!("“{}” is not a troubleshooting tree", doc.id)))?;
    let walk = tree
        .walk(path)
        .map_err(|e| AppError::BadRequest(format!("The path is not a walk of this tree: {e}.")))?;
    let node = walk.current();
    match node.outcome {
        None => Err(AppError::BadRequest(format!(
            "The path ends at “{}”, which is a question, not an outcome; a walk ends at a step marked .resolved or .escalate.",
            node.id
        ))),
        Some(leaf) if leaf == outcome => Ok(walk),
        Some(Outcome::Resolved) if escalate_any_leaf && outcome == Outcome::Escalate => Ok(walk),
        Some(leaf) => Err(AppError::BadRequest(format!(
            "The path ends at “{}”, whose outcome is “{}”, not “{}”.",
            node.id,
            leaf.as_str(),
            outcome.as_str()
        ))),
    }
}

/// Trims an optional text field; empty becomes `None`, too long is a 400.
pub(super) fn clean_text(
    what: &str,
    text: Option<&str>,
    max: usize,
) -> Result<Option<String>, AppError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    // Bytes, as the store counts them: a note of 4,000 plain characters fits.
    if text.len() > max {
        return Err(AppError::BadRequest(format!(
            "The {what} is {} bytes long; at most {max} are kept, so shorten it.",
            text.len()
        )));
    }
    Ok(Some(text.to_owned()))
}

/// Counts an outcome post against the client's limit (in the store, so every replica counts
/// it): `Some(429 with Retry-After)` when the client is over it.
pub(super) async fn rate_limit(
    req: &HttpRequest,
    state: &AppState,
) -> Result<Option<HttpResponse>, AppError> {
    use actix_web::HttpMessage;
    let client = req
        .extensions()
        .get::<RequestMeta>()
        .and_then(|m| m.client_ip)
        .or_else(|| req.peer_addr().map(|a| a.ip()));
    // Without an address (a Unix socket in front) there is nobody to count against.
    let Some(client) = client else {
        return Ok(None);
    };
    let Some(wait) = limit::take_outcome_slot(state.store.clone(), client).await? else {
        return Ok(None);
    };
    // Built from the AppError so the error-page middleware keeps its sentence (JSON under
    // /api/, a page elsewhere) and copies the header.
    let mut res = HttpResponse::from_error(AppError::TooManyRequests);
    res.headers_mut().insert(
        header::RETRY_AFTER,
        header::HeaderValue::from(limit::retry_after_secs(wait)),
    );
    Ok(Some(res))
}

/// Stores the walk (and for an escalation, its help request) off the async workers; the API's
/// answer, which names the request by id only.
pub(super) async fn record(
    state: &AppState,
    doc: &Document,
    ids: &[String],
    outcome: Outcome,
    note: Option<String>,
    contact: Option<String>,
    user_id: Option<UserId>,
) -> Result<(OutcomeId, Option<RequestId>), AppError> {
    let (outcome_id, request) =
        record_walk(state, doc, ids, outcome, note, contact, user_id).await?;
    Ok((outcome_id, request.map(|r| r.id)))
}

/// [`record`], with the new request's private-link secret.
async fn record_walk(
    state: &AppState,
    doc: &Document,
    ids: &[String],
    outcome: Outcome,
    note: Option<String>,
    contact: Option<String>,
    user_id: Option<UserId>,
) -> Result<(OutcomeId, Option<SentRequest>), AppError> {
    let store = state.store.clone();
    let tree_id = doc.id.as_str().to_owned();
    let version = doc.content_hash.clone();
    let trail = ids.to_vec();
    let answers = answers_of(doc, ids);
    let recorded = blocking(move || {
        store.record_outcome(&NewOutcome {
            tree_id: &tree_id,
            tree_version: &version,
            trail: &trail,
            outcome,
            note: note.as_deref(),
            contact: contact.as_deref(),
            user_id,
            answers: &answers,
        })
    })
    .await?;
    state.metrics.tree_outcome(outcome, recorded.1.is_some());
    Ok(recorded)
}

/// The questions and the answers chosen on a walk of `doc`, in order, as the reader saw them.
fn answers_of(doc: &Document, ids: &[String]) -> Vec<Answer> {
    let Some(walk) = doc.tree().and_then(|t| t.walk(ids).ok()) else {
        return Vec::new();
    };
    walk.steps()
        .windows(2)
        .map(|pair| Answer {
            question: pair[0].title.clone(),
            answer: render::tree_steps::answer_label(pair[0], pair[1]).to_owned(),
        })
        .collect()
}

fn bad_request_page(markup: maud::Markup) -> HttpResponse {
    HttpResponse::BadRequest()
        .content_type("text/html; charset=utf-8")
        .body(markup.into_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_queries_split_the_trail_before_decoding() {
        let q = StepQuery::parse("at=x%2Cy&trail=start,a%2Cb&utm=1");
        assert_eq!(q.at.as_deref(), Some("x,y"));
        assert_eq!(q.trail, ["start", "a,b"]);
        assert_eq!(q.path(), ["start", "a,b", "x,y"]);
        assert!(!q.diagram);
        assert!(StepQuery::parse("view=diagram").diagram);
        assert_eq!(
            StepQuery::parse("at=a&request=12").leaf,
            Some(LeafState::RequestSent(12))
        );
        assert_eq!(StepQuery::parse("at=a&request=x").leaf, None);
        assert_eq!(StepQuery::parse(""), StepQuery::default());
        let long = vec!["a"; 1000].join(",");
        assert_eq!(
            StepQuery::parse(&format!("trail={long}")).trail.len(),
            MAX_WALK + 1,
            "bounded before validation"
        );
    }

    #[test]
    fn text_fields_are_trimmed_and_bounded() {
        assert_eq!(clean_text("note", Some("  "), 10).expect("ok"), None);
        assert_eq!(
            clean_text("note", Some(" hi "), 10).expect("ok").as_deref(),
            Some("hi")
        );
        assert!(clean_text("note", Some(&"x".repeat(11)), 10).is_err());
        assert!(parse_outcome("resolved").is_ok());
        assert!(parse_outcome("fixed").is_err());
        assert_eq!(parse_path_field(""), Vec::<String>::new());
    }
}
