//! The modules API (interfaces.md): `GET /api/v1/modules/{id}` without answers, and
//! `POST /api/v1/modules/{id}/attempts` which grades, records and answers
//! `{"score", "passed", "correct"}`.

use super::json_body::require_json;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::model::{Kind, Question};
use crate::web::auth::{AuthMethod, CurrentUser, RequireUser};
use crate::web::training::{attempt, exact, unknown_module};
use crate::web::{AppError, AppState};

/// A module as the API shows it: settings and questions, never answers or explanations.
/// A module that draws or shuffles (opt-in) adds its `draw`, `shuffle` and, for a signed-in
/// learner, the `attempt` id its questions were drawn for; other modules answer as before.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Module)]
struct ModuleJson<'a> {
    id: &'a str,
    title: &'a str,
    version: u32,
    pass: u8,
    minutes: Option<u32>,
    /// How many questions an attempt draws (`null`: all of them); only for a module that
    /// draws or shuffles.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<usize>)]
    draw: Option<Option<usize>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    shuffle: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    attempt: Option<String>,
    questions: Vec<QuestionJson<'a>>,
}

/// One question without its key: built field by field, so a field added to the model later
/// cannot leak through a derive.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Question)]
struct QuestionJson<'a> {
    question: &'a str,
    choices: &'a [String],
    multiple: bool,
}

fn question_json(q: &Question) -> QuestionJson<'_> {
    QuestionJson {
        question: &q.prompt,
        choices: &q.choices,
        multiple: q.multiple,
    }
}

/// A module's settings and questions, never its answers.
#[utoipa::path(
    get,
    path = "/api/v1/modules/{id}",
    tag = "content",
    params(("id" = String, Path, description = "The document id; a `/` in it is part of the path.")),
    security((), ("bearer" = [])),
    extensions(("x-access" = json!(super::openapi::ANYONE))),
    responses(
        (status = 200, description = "The module; for a module that draws or shuffles, a signed-in learner's hand-out.", body = ModuleJson),
        (status = 404, description = "No module has this id.", body = super::schemas::ErrorBody),
        (status = 503, description = "The server's disk is full or failing, so nothing can be saved.", body = super::schemas::ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait."))),
    )
)]
pub(super) async fn module(
    state: web::Data<AppState>,
    id: web::Path<String>,
    CurrentUser(me): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let snapshot = state.snapshot.load_full();
    let doc = exact(&snapshot.site, &id, Kind::Module).ok_or_else(|| unknown_module(&id))?;
    let module = doc.module().ok_or_else(|| unknown_module(&id))?;
    let pooled = module.settings.pooled();
    // A signed-in learner gets their hand-out; an anonymous reader sees every question in
    // the author's order, like the page's read-only preview, and no attempt id.
    let handout = match me {
        Some(me) if pooled => {
            Some(attempt::hand_out(state.store.clone(), me.user.id, doc, module).await?)
        }
        _ => None,
    };
    let questions = match &handout {
        Some((_, shown)) => shown.iter().map(question_json).collect(),
        None => module.questions.iter().map(question_json).collect(),
    };
    Ok(HttpResponse::Ok().json(ModuleJson {
        id: doc.id.as_str(),
        title: &doc.title,
        version: module.version,
        pass: module.pass_percent,
        minutes: module.minutes,
        draw: pooled.then_some(module.settings.draw),
        shuffle: pooled.then_some(module.settings.shuffle),
        attempt: handout.as_ref().map(|(h, _)| h.id.clone()),
        questions,
    }))
}

/// `{"answers": [[0], [1, 2]]}`, with `"attempt"` for modules that draw or shuffle; other
/// fields are ignored for forward compatibility.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = AttemptRequest)]
struct AttemptBody {
    /// One list of chosen choice indexes (from 0) per question, in the order shown.
    answers: Vec<Vec<i64>>,
    /// The hand-out's id from `GET /api/v1/modules/{id}`, for a module that draws or shuffles.
    #[serde(default)]
    attempt: Option<String>,
}

/// What a graded attempt answers: `correct` only when the module's review policy shows it
/// (after a pass always); after a failure, the sections to re-read.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AttemptResult)]
struct AttemptJson {
    score: u8,
    passed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    correct: Option<Vec<bool>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sections: Option<Vec<SectionJson>>,
}

/// A section of the lesson to re-read.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Section)]
struct SectionJson {
    anchor: String,
    title: String,
}

/// Grades and records a quiz attempt.
#[utoipa::path(
    post,
    path = "/api/v1/modules/{id}/attempts",
    tag = "records",
    params(("id" = String, Path, description = "The document id; a `/` in it is part of the path.")),
    request_body(content = AttemptBody, content_type = "application/json"),
    security(("bearer" = [])),
    extensions(("x-access" = json!(super::openapi::USER))),
    responses(
        (status = 200, description = "The score; `correct` when the module's review policy shows it, `sections` to re-read after a failure.", body = AttemptJson),
        (status = 400, description = "The body is not such JSON, or the answers do not fit the module's questions.", body = super::schemas::ErrorBody),
        (status = 404, description = "No module has this id.", body = super::schemas::ErrorBody),
        (status = 409, description = "The hand-out named by `attempt` is unknown, used or not this learner's.", body = super::schemas::ErrorBody),
        (status = 413, description = "The body is larger than this address accepts.", body = super::schemas::ErrorBody),
        (status = 429, description = "After repeated failures the learner must wait before trying again.", body = super::schemas::ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait."))),
        (status = 503, description = "The server's disk is full or failing, so nothing can be saved.", body = super::schemas::ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait."))),
    )
)]
pub(super) async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    RequireUser(me): RequireUser,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    // A cookie-authenticated post must be JSON (see `json_body`).
    if me.method == AuthMethod::Session {
        require_json(&req, "the answers")?;
    }
    let snapshot = state.snapshot.load_full();
    let doc = exact(&snapshot.site, &id, Kind::Module).ok_or_else(|| unknown_module(&id))?;
    let module = doc.module().ok_or_else(|| unknown_module(&id))?;
    let parsed: AttemptBody = serde_json::from_slice(&body).map_err(|e| {
        AppError::BadRequest(format!(
            "The body is not valid: {e}. Send {{\"answers\": [[0], [1, 2]]}}, one list of choice indexes per question."
        ))
    })?;
    let outcome = attempt::submit(
        state.store.clone(),
        &me,
        doc,
        module,
        parsed.attempt.as_deref(),
        &parsed.answers,
    )
    .await?;
    state.metrics.quiz_attempt(outcome.graded.passed);
    let graded = outcome.graded;
    let sections = (!graded.passed).then(|| {
        attempt::sections_to_reread(doc, module, &outcome.shown, &graded.correct)
            .into_iter()
            .map(|(anchor, title)| SectionJson { anchor, title })
            .collect()
    });
    Ok(HttpResponse::Ok().json(AttemptJson {
        score: graded.score,
        passed: graded.passed,
        correct: module
            .settings
            .review
            .shows_marks(graded.passed)
            .then_some(graded.correct),
        sections,
    }))
}
