//! Quiz item analysis as JSON (issue 16, item 5), for admins and the module's owners:
//!
//! `GET /api/v1/insights/modules/{id}` →
//! `{"attempts", "passed", "version", "left_out": {"older_versions", "retakes", "unreadable"},
//!   "questions": [{"index", "question", "answered", "right", "facility", "discrimination",
//!   "flag", "choices": [{"index", "text", "correct", "chosen"}]}]}`
//!
//! `attempts` counts each learner's first attempt at the current `version` (the others are
//! in `left_out`); `index` numbers questions and choices from 0 in the module's order (a
//! pooled or shuffled attempt is mapped back); `facility` = right ÷ answered, `null` when no
//! attempt showed the question; `discrimination` is the corrected item-total correlation,
//! `null` when undefined (formula: [`crate::insights::items::discrimination`]); `flag` a
//! sentence when the figures suggest the question is wrong, else `null`; `question` and
//! `text` the Markdown source. 401 anonymous, 403 for accounts that own nothing or a module
//! of another owner, 404 for an unknown module.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::insights::items::flag;
use crate::web::insights::{InsightsViewer, modules};
use crate::web::{AppError, AppState};

#[derive(Serialize, ToSchema)]
#[schema(as = ItemAnalysis)]
struct AnalysisJson {
    attempts: u64,
    passed: u64,
    version: u32,
    left_out: LeftOutJson,
    questions: Vec<QuestionJson>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = LeftOut)]
struct LeftOutJson {
    older_versions: u64,
    retakes: u64,
    unreadable: u64,
}

#[derive(Serialize, ToSchema)]
#[schema(as = QuestionAnalysis)]
struct QuestionJson {
    index: usize,
    question: String,
    answered: u64,
    right: u64,
    facility: Option<f64>,
    discrimination: Option<f64>,
    flag: Option<&'static str>,
    choices: Vec<ChoiceJson>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = ChoiceAnalysis)]
struct ChoiceJson {
    index: usize,
    text: String,
    correct: bool,
    chosen: u64,
}

/// Quiz item analysis of one module.
#[utoipa::path(
    get,
    path = "/api/v1/insights/modules/{id}",
    operation_id = "module_insights",
    tag = "insights",
    params(("id" = String, Path, description = "The document id; a `/` in it is part of the path.")),
    security(("bearer" = [])),
    extensions(("x-access" = json!(super::openapi::OWNER))),
    responses(
        (status = 200, description = "Each question's facility and discrimination.", body = AnalysisJson),
        (status = 403, description = "The account does not answer for this module.", body = super::schemas::ErrorBody),
        (status = 404, description = "No module has this id.", body = super::schemas::ErrorBody),
    )
)]
pub(super) async fn module(
    state: web::Data<AppState>,
    id: web::Path<String>,
    viewer: InsightsViewer,
) -> Result<HttpResponse, AppError> {
    let a = modules::analysis(&state, &viewer.scope, &id).await?;
    let Some(module) = a.doc.module() else {
        return Err(crate::web::training::unknown_module(&id));
    };
    let questions = a
        .questions
        .iter()
        .map(|q| {
            let question = module.questions.get(q.index);
            QuestionJson {
                index: q.index,
                question: question.map(|x| x.prompt.clone()).unwrap_or_default(),
                answered: q.answered,
                right: q.right,
                facility: q.facility,
                discrimination: q.discrimination,
                flag: flag(q),
                choices: q
                    .chosen
                    .iter()
                    .enumerate()
                    .map(|(index, chosen)| ChoiceJson {
                        index,
                        text: question
                            .and_then(|x| x.choices.get(index))
                            .cloned()
                            .unwrap_or_default(),
                        correct: question.is_some_and(|x| x.answer.contains(&index)),
                        chosen: *chosen,
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .json(AnalysisJson {
            attempts: a.attempts,
            passed: a.passed,
            version: module.version,
            left_out: LeftOutJson {
                older_versions: a.left_out.older_versions,
                retakes: a.left_out.retakes,
                unreadable: a.left_out.unreadable,
            },
            questions,
        }))
}
