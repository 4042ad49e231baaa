//! The modules API (interfaces.md): `GET /api/v1/modules/{id}` without answers, and
//! `POST /api/v1/modules/{id}/attempts` which grades, records and answers
//! `{"score", "passed", "correct"}`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::{BODY_LIMIT, bad_answers, exact, record_attempt, unknown_module};
use crate::grade;
use crate::model::Kind;
use crate::web::auth::{AuthMethod, RequireUser};
use crate::web::{AppError, AppState};

/// Registers the two routes (the POST first: its path is longer than the GET's pattern).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/modules/{id:.*}/attempts")
            .app_data(web::PayloadConfig::new(BODY_LIMIT))
            .route(web::post().to(submit)),
    )
    .route("/api/v1/modules/{id:.*}", web::get().to(module));
}

/// A module as the API shows it: settings and questions, never answers or explanations.
#[derive(Debug, Serialize)]
struct ModuleJson<'a> {
    id: &'a str,
    title: &'a str,
    version: u32,
    pass: u8,
    minutes: Option<u32>,
    questions: Vec<QuestionJson<'a>>,
}

/// One question without its key: built field by field, so a field added to the model later
/// cannot leak through a derive.
#[derive(Debug, Serialize)]
struct QuestionJson<'a> {
    question: &'a str,
    choices: &'a [String],
    multiple: bool,
}

async fn module(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let snapshot = state.snapshot.load_full();
    let doc = exact(&snapshot.site, &id, Kind::Module).ok_or_else(|| unknown_module(&id))?;
    let module = doc.module().ok_or_else(|| unknown_module(&id))?;
    Ok(HttpResponse::Ok().json(ModuleJson {
        id: doc.id.as_str(),
        title: &doc.title,
        version: module.version,
        pass: module.pass_percent,
        minutes: module.minutes,
        questions: module
            .questions
            .iter()
            .map(|q| QuestionJson {
                question: &q.prompt,
                choices: &q.choices,
                multiple: q.multiple,
            })
            .collect(),
    }))
}

/// `{"answers": [[0], [1, 2]]}`; other fields are ignored for forward compatibility.
#[derive(Debug, Deserialize)]
struct AttemptBody {
    answers: Vec<Vec<i64>>,
}

/// What a graded attempt answers.
#[derive(Debug, Serialize)]
struct AttemptJson {
    score: u8,
    passed: bool,
    correct: Vec<bool>,
}

async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    RequireUser(me): RequireUser,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    // A cookie-authenticated post must be JSON: a cross-site HTML form can send only form
    // encodings or text/plain, so this closes that door even without the Origin check.
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/json")
        });
    if me.method == AuthMethod::Session && !is_json {
        return Err(AppError::BadRequest(
            "Send the answers as JSON with the header Content-Type: application/json.".into(),
        ));
    }
    let snapshot = state.snapshot.load_full();
    let doc = exact(&snapshot.site, &id, Kind::Module).ok_or_else(|| unknown_module(&id))?;
    let module = doc.module().ok_or_else(|| unknown_module(&id))?;
    let parsed: AttemptBody = serde_json::from_slice(&body).map_err(|e| {
        AppError::BadRequest(format!(
            "The body is not valid: {e}. Send {{\"answers\": [[0], [1, 2]]}}, one list of choice indexes per question."
        ))
    })?;
    let answers = grade::check_answers(module, &parsed.answers).map_err(bad_answers)?;
    let graded = record_attempt(state.store.clone(), &me, doc, &answers).await?;
    Ok(HttpResponse::Ok().json(AttemptJson {
        score: graded.score,
        passed: graded.passed,
        correct: graded.correct,
    }))
}
