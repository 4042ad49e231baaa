//! The trees' JSON API, exactly as interfaces.md fixes it:
//! `GET /api/v1/trees/{id}` → `{"id", "title", "start", "nodes": [{"id", "title", "outcome",
//! "choices": [{"label", "to"}]}]}`, and `POST /api/v1/trees/{id}/outcomes` with
//! `{"path": [...], "outcome": "resolved"|"escalate", "note": "..."}` (plus an optional
//! `"contact"`), answering `{"outcome_id"}` and, for an escalation, `{"request_id"}`.
//!
//! The body is read as bytes and parsed here rather than by `web::Json`, so every mistake gets
//! its own sentence (malformed JSON, a missing field, an unknown outcome, a path that is not a
//! walk). A JSON content type is required: an HTML form on another site cannot send one
//! without a CORS preflight, which this server never grants.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::{
    AppError, AppState, clean_text, ended_walk, find_tree, parse_outcome, rate_limit, record,
};
use crate::model::Outcome;
use crate::render::tree_outcome::{CONTACT_MAX, NOTE_MAX};
use crate::web::auth::CurrentUser;

/// A tree as the API shows it.
#[derive(Debug, Serialize)]
struct TreeJson<'a> {
    id: &'a str,
    title: &'a str,
    /// `null` only for a tree whose file has no nodes (an error `check` reports).
    start: Option<&'a str>,
    nodes: Vec<NodeJson<'a>>,
}

#[derive(Debug, Serialize)]
struct NodeJson<'a> {
    id: &'a str,
    title: &'a str,
    outcome: Option<Outcome>,
    choices: Vec<ChoiceJson<'a>>,
}

#[derive(Debug, Serialize)]
struct ChoiceJson<'a> {
    label: &'a str,
    to: &'a str,
}

/// `GET /api/v1/trees/{id}`.
pub(super) async fn get_tree(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let snapshot = state.snapshot.load_full();
    let doc = find_tree(&snapshot.site, &id)?;
    let empty = crate::model::Tree::default();
    let tree = doc.tree().unwrap_or(&empty);
    let body = TreeJson {
        id: doc.id.as_str(),
        title: &doc.title,
        start: tree.start(),
        nodes: tree
            .nodes
            .iter()
            .map(|n| NodeJson {
                id: &n.id,
                title: &n.title,
                outcome: n.outcome,
                choices: n
                    .choices
                    .iter()
                    .map(|c| ChoiceJson {
                        label: &c.label,
                        to: &c.to,
                    })
                    .collect(),
            })
            .collect(),
    };
    Ok(HttpResponse::Ok().json(body))
}

/// What an outcome post carries.
#[derive(Debug, Deserialize)]
struct OutcomeBody {
    path: Vec<String>,
    outcome: String,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    contact: Option<String>,
}

/// What an outcome post answers.
#[derive(Debug, Serialize)]
struct OutcomeAnswer {
    outcome_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<i64>,
}

/// `POST /api/v1/trees/{id}/outcomes`.
pub(super) async fn post_outcome(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    user: CurrentUser,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    if let Some(limited) = rate_limit(&req, &state) {
        return Ok(limited);
    }
    let snapshot = state.snapshot.load_full();
    let doc = find_tree(&snapshot.site, &id)?;
    require_json(&req)?;
    let body = parse_body(&body)?;
    let outcome = parse_outcome(&body.outcome)?;
    let walk = ended_walk(doc, &body.path, outcome, false)?;
    let note = clean_text("note", body.note.as_deref(), NOTE_MAX)?;
    let contact = clean_text("contact", body.contact.as_deref(), CONTACT_MAX)?;
    let user_id = user.0.map(|i| i.user.id);
    let (outcome_id, request_id) =
        record(&state, doc, &walk.ids(), outcome, note, contact, user_id).await?;
    Ok(HttpResponse::Ok().json(OutcomeAnswer {
        outcome_id: outcome_id.0,
        request_id: request_id.map(|r| r.0),
    }))
}

/// Refuses bodies that do not say they are JSON.
fn require_json(req: &HttpRequest) -> Result<(), AppError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if essence.eq_ignore_ascii_case("application/json") {
        Ok(())
    } else {
        Err(AppError::BadRequest(
            "Send the outcome as JSON with the header Content-Type: application/json.".into(),
        ))
    }
}

/// Parses the body, telling malformed JSON apart from JSON of the wrong shape.
fn parse_body(bytes: &[u8]) -> Result<OutcomeBody, AppError> {
    serde_json::from_slice(bytes).map_err(|e| {
        let shape = r#"{"path": ["start", …], "outcome": "resolved" or "escalate", "note": "…"}"#;
        AppError::BadRequest(if e.is_syntax() || e.is_eof() {
            format!("The body is not valid JSON ({e}); send {shape}.")
        } else {
            format!("The body is not a walk outcome ({e}); send {shape}.")
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_and_misshapen_bodies_get_different_sentences() {
        let err = |b: &str| parse_body(b.as_bytes()).expect_err("bad").to_string();
        assert!(err("{not json").starts_with("The body is not valid JSON"));
        assert!(err("").starts_with("The body is not valid JSON"));
        assert!(err(r#"{"outcome": "resolved"}"#).contains("missing field `path`"));
        assert!(
            err(r#"{"path": "start", "outcome": "resolved"}"#)
                .starts_with("The body is not a walk outcome")
        );
        let ok = parse_body(br#"{"path": ["start"], "outcome": "x", "extra": 1}"#).expect("ok");
        assert_eq!(ok.path, ["start"]);
    }
}
