//! The trees' JSON API, exactly as interfaces.md fixes it:
//! `GET /api/v1/trees/{id}` → `{"id", "title", "start", "nodes": [{"id", "title", "outcome",
//! "choices": [{"label", "to"}]}]}` (titles and labels plain text: [`plain_text`]), and
//! `POST /api/v1/trees/{id}/outcomes` with `{"path": [...], "outcome": "resolved"|"escalate",
//! "note": "..."}` (plus an optional `"contact"`), answering `{"outcome_id"}` and, for an
//! escalation, `{"request_id"}`.
//!
//! The body is read as bytes and parsed here rather than by `web::Json`, so every mistake gets
//! its own sentence (malformed JSON, a missing field, an unknown outcome, a path that is not a
//! walk). A JSON content type is required: an HTML form on another site cannot send one
//! without a CORS preflight, which this server never grants.

use super::json_body::require_json;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::model::Outcome;
use crate::render::tree_outcome::{CONTACT_MAX, NOTE_MAX};
use crate::web::auth::CurrentUser;
use crate::web::trees::{clean_text, ended_walk, find_tree, parse_outcome, rate_limit, record};
use crate::web::{AppError, AppState};

/// A tree as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Tree)]
struct TreeJson<'a> {
    id: &'a str,
    title: String,
    /// `null` only for a tree whose file has no nodes (an error `check` reports).
    start: Option<&'a str>,
    nodes: Vec<NodeJson<'a>>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = TreeNode)]
struct NodeJson<'a> {
    id: &'a str,
    title: String,
    #[schema(value_type = Option<super::schemas::OutcomeName>)]
    outcome: Option<Outcome>,
    choices: Vec<ChoiceJson<'a>>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = TreeChoice)]
struct ChoiceJson<'a> {
    label: String,
    to: &'a str,
}

/// A troubleshooting tree: its nodes and their choices.
#[utoipa::path(
    get,
    path = "/api/v1/trees/{id}",
    tag = "content",
    params(("id" = String, Path, description = "The document id; a `/` in it is part of the path.")),
    security((), ("bearer" = [])),
    extensions(("x-access" = json!(super::openapi::ANYONE))),
    responses(
        (status = 200, description = "The tree.", body = TreeJson),
        (status = 404, description = "No troubleshooting tree has this id.", body = super::schemas::ErrorBody),
    )
)]
pub(super) async fn tree(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let snapshot = state.snapshot.load_full();
    let doc = find_tree(&snapshot.site, &id)?;
    let empty = crate::model::Tree::default();
    let tree = doc.tree().unwrap_or(&empty);
    let body = TreeJson {
        id: doc.id.as_str(),
        title: plain_text(&doc.title),
        start: tree.start(),
        nodes: tree
            .nodes
            .iter()
            .map(|n| NodeJson {
                id: &n.id,
                title: plain_text(&n.title),
                outcome: n.outcome,
                choices: n
                    .choices
                    .iter()
                    .map(|c| ChoiceJson {
                        label: plain_text(&c.label),
                        to: &c.to,
                    })
                    .collect(),
            })
            .collect(),
    };
    Ok(HttpResponse::Ok().json(body))
}

/// Text a client may show however it likes: tag-shaped runs (`<img …>`, `</b>`, `<!-- …`)
/// removed, whitespace collapsed. Labels and titles are text already (inline HTML dropped,
/// entities decoded), but an author can still write `&lt;img onerror=…&gt;` or a code span,
/// and a client putting the label into `innerHTML` would build the element. Afterwards no `<`
/// is followed by what opens a tag (a letter, `/`, `!`, `?`), so no HTML parser sees markup;
/// a lone `<` as in `x < 5` stays.
pub fn plain_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if after.starts_with(opens_tag) {
            match after.find('>') {
                Some(end) => rest = &after[end + 1..],
                None => rest = "",
            }
        } else {
            out.push('<');
            rest = after;
        }
    }
    out.push_str(rest);
    // Removing a run can join a kept `<` to a letter (`<<a>b`): drop such `<` until none is left.
    while let Some(at) = out
        .char_indices()
        .find(|&(i, c)| c == '<' && out[i + 1..].starts_with(opens_tag))
        .map(|(i, _)| i)
    {
        out.remove(at);
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn opens_tag(c: char) -> bool {
    c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?')
}

/// What an outcome post carries.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = OutcomeRequest)]
struct OutcomeBody {
    /// The node ids walked, from the tree's start to the node where the walk ended.
    path: Vec<String>,
    /// How it ended; `escalate` creates a help request.
    #[schema(value_type = super::schemas::OutcomeName)]
    outcome: String,
    /// What the reader adds (at most 4,000 bytes).
    #[serde(default)]
    note: Option<String>,
    /// How to reach the reader about an escalation (at most 200 bytes).
    #[serde(default)]
    contact: Option<String>,
}

/// What an outcome post answers.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = OutcomeRecorded)]
struct OutcomeAnswer {
    outcome_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<i64>,
}

/// Records how a walk through a tree ended.
#[utoipa::path(
    post,
    path = "/api/v1/trees/{id}/outcomes",
    tag = "records",
    params(("id" = String, Path, description = "The document id; a `/` in it is part of the path.")),
    request_body(content = OutcomeBody, content_type = "application/json"),
    security((), ("bearer" = [])),
    extensions(("x-access" = json!(super::openapi::ANYONE))),
    responses(
        (status = 200, description = "The outcome is recorded; an escalation also answers its help request's id.", body = OutcomeAnswer),
        (status = 400, description = "The body is not such JSON, the path is not a walk of this tree, or a text is too long.", body = super::schemas::ErrorBody),
        (status = 404, description = "No troubleshooting tree has this id.", body = super::schemas::ErrorBody),
        (status = 413, description = "The body is larger than this address accepts.", body = super::schemas::ErrorBody),
        (status = 429, description = "More than 30 outcomes from this address this minute.", body = super::schemas::ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait."))),
        (status = 503, description = "The server's disk is full or failing, so nothing can be saved.", body = super::schemas::ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait."))),
    )
)]
pub(super) async fn post_outcome(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    user: CurrentUser,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    if let Some(limited) = rate_limit(&req, &state).await? {
        return Ok(limited);
    }
    let snapshot = state.snapshot.load_full();
    let doc = find_tree(&snapshot.site, &id)?;
    require_json(&req, "the outcome")?;
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
    fn plain_text_drops_tags_and_keeps_text() {
        assert_eq!(plain_text("Yes <img src=x onerror=alert(1)>"), "Yes");
        assert_eq!(plain_text("No <b>really</b>  now"), "No really now");
        assert_eq!(plain_text("x < 5 and y <= 3"), "x < 5 and y <= 3");
        assert_eq!(plain_text("<<a>b"), "b");
        assert_eq!(plain_text("a <!-- c --> b"), "a b");
        assert_eq!(plain_text("cut <img src=x onerror=alert(1)"), "cut");
        assert_eq!(plain_text("Tom & Jerry"), "Tom & Jerry");
    }

    proptest::proptest! {
        #[test]
        fn plain_text_never_opens_a_tag(text in "[<>a-z/! =]{0,40}") {
            let plain = plain_text(&text);
            let bytes = plain.as_bytes();
            for (i, b) in bytes.iter().enumerate() {
                if *b == b'<' {
                    proptest::prop_assert!(
                        !bytes.get(i + 1).is_some_and(|&n| opens_tag(char::from(n))),
                        "{text:?} -> {plain:?}"
                    );
                }
            }
        }
    }

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
