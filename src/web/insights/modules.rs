//! Quiz item analysis pages (issue 16, item 5): `GET /insights/modules` (every module with a
//! quiz in the viewer's scope: attempts analysed, pass rate, its hardest question) and
//! `GET /insights/modules/{id}` (per question: answered, facility, discrimination, each
//! choice's count, and a warning when the figures suggest the question is wrong).
//! `?format=csv` answers the page's table as CSV. The JSON twin
//! (`/api/v1/insights/modules/{id}`) shares [`analysis`].

use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, web};

use super::{InsightsViewer, csv_response, period_and_params, private_html};
use crate::insights::Scope;
use crate::insights::items::{self, LeftOut, QuestionFigures};
use crate::model::{Document, Kind, Site};
use crate::render::insights::modules as view;
use crate::web::context::page_context;
use crate::web::error::blocking;
use crate::web::{AppError, AppState};

/// Registers the two pages.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/insights/modules", web::get().to(modules_page))
        .route("/insights/modules/{id:.*}", web::get().to(module_page));
}

/// One module's item analysis.
pub(crate) struct Analysis {
    /// The module.
    pub doc: Arc<Document>,
    /// Attempts analysed (each learner's first at the current version).
    pub attempts: u64,
    /// How many of those passed.
    pub passed: u64,
    /// Attempts left out, and why.
    pub left_out: LeftOut,
    /// Per question, in the module's order.
    pub questions: Vec<QuestionFigures>,
}

fn modules_in(site: &Site, scope: &Scope) -> Vec<Arc<Document>> {
    let mut modules: Vec<Arc<Document>> = site
        .documents
        .values()
        .filter(|d| {
            d.kind == Kind::Module
                && scope.covers(d.owner.as_deref())
                && d.module().is_some_and(|m| !m.questions.is_empty())
        })
        .cloned()
        .collect();
    modules.sort_by_cached_key(|d| d.title.to_lowercase());
    modules
}

fn analyse(doc: Arc<Document>, attempts: &[crate::records::Attempt]) -> Analysis {
    let Some(module) = doc.module() else {
        return Analysis {
            doc,
            attempts: 0,
            passed: 0,
            left_out: LeftOut::default(),
            questions: Vec::new(),
        };
    };
    let selection = items::select(module, attempts);
    let questions = items::analyse(&items::choice_counts(module), &selection.attempts);
    Analysis {
        attempts: selection.attempts.len() as u64,
        passed: selection.passed,
        left_out: selection.left_out,
        questions,
        doc,
    }
}

/// Every module with a quiz in `scope`, analysed.
pub(crate) async fn analyses(state: &AppState, scope: &Scope) -> Result<Vec<Analysis>, AppError> {
    let snapshot = state.snapshot.load_full();
    let modules = modules_in(&snapshot.site, scope);
    let store = state.store.clone();
    let ids: Vec<String> = modules.iter().map(|d| d.id.as_str().to_owned()).collect();
    let attempts = blocking(move || {
        ids.iter()
            .map(|id| store.attempts_for_module(id))
            .collect::<Result<Vec<_>, _>>()
    })
    .await?;
    Ok(modules
        .into_iter()
        .zip(attempts)
        .map(|(doc, attempts)| analyse(doc, &attempts))
        .collect())
}

/// One module's analysis; 404 for no such module, 403 for one outside `scope`.
pub(crate) async fn analysis(
    state: &AppState,
    scope: &Scope,
    id: &str,
) -> Result<Analysis, AppError> {
    let snapshot = state.snapshot.load_full();
    let doc = snapshot
        .site
        .get_str(id)
        .filter(|d| d.kind == Kind::Module && d.id.as_str() == id && d.module().is_some())
        .cloned()
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "There is no module with the id “{id}”; /insights/modules lists them."
            ))
        })?;
    if !scope.covers(doc.owner.as_deref()) {
        return Err(AppError::Forbidden(format!(
            "The module “{id}” belongs to another owner; /insights/modules lists the modules you answer for."
        )));
    }
    let store = state.store.clone();
    let module_id = doc.id.as_str().to_owned();
    let attempts = blocking(move || store.attempts_for_module(&module_id)).await?;
    Ok(analyse(doc, &attempts))
}

fn share_text(share: Option<f64>) -> String {
    share.map(|s| format!("{s:.4}")).unwrap_or_default()
}

async fn modules_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: InsightsViewer,
) -> Result<HttpResponse, AppError> {
    let (_, params) = period_and_params(&req)?;
    let all = analyses(&state, &viewer.scope).await?;
    let lines: Vec<view::ModuleLine> = all
        .iter()
        .map(|a| {
            let module = a.doc.module();
            let hardest = items::hardest(&a.questions).map(|q| view::Hardest {
                index: q.index,
                prompt: module
                    .and_then(|m| m.questions.get(q.index))
                    .map(|question| question.prompt.clone())
                    .unwrap_or_default(),
                facility: q.facility.unwrap_or(0.0),
            });
            view::ModuleLine {
                id: a.doc.id.as_str().to_owned(),
                title: a.doc.title.clone(),
                attempts: a.attempts,
                pass_rate: (a.attempts > 0).then(|| a.passed as f64 / a.attempts as f64),
                hardest,
                flagged: a
                    .questions
                    .iter()
                    .filter(|q| items::flag(q).is_some())
                    .count() as u64,
            }
        })
        .collect();
    if params.get("format") == Some("csv") {
        let rows = lines.iter().map(|l| {
            vec![
                l.id.clone(),
                l.title.clone(),
                l.attempts.to_string(),
                share_text(l.pass_rate),
                l.hardest
                    .as_ref()
                    .map(|h| (h.index + 1).to_string())
                    .unwrap_or_default(),
                l.hardest
                    .as_ref()
                    .map(|h| share_text(Some(h.facility)))
                    .unwrap_or_default(),
                l.flagged.to_string(),
            ]
        });
        return csv_response(
            "modules",
            &[
                "module",
                "title",
                "attempts",
                "pass_rate",
                "hardest_question",
                "hardest_facility",
                "flagged_questions",
            ],
            rows,
        );
    }
    let snapshot = state.snapshot.load_full();
    let ctx = page_context(&req, &snapshot.site, "/insights/modules");
    Ok(private_html(view::modules_page(&ctx, &params, &lines)))
}

async fn module_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    viewer: InsightsViewer,
) -> Result<HttpResponse, AppError> {
    let (_, params) = period_and_params(&req)?;
    let a = analysis(&state, &viewer.scope, &id).await?;
    let Some(module) = a.doc.module() else {
        return Err(crate::web::training::unknown_module(&id));
    };
    if params.get("format") == Some("csv") {
        let rows = a.questions.iter().map(|q| {
            let chosen = q
                .chosen
                .iter()
                .enumerate()
                .map(|(i, n)| format!("{}:{n}", i + 1))
                .collect::<Vec<_>>()
                .join(" ");
            vec![
                (q.index + 1).to_string(),
                module
                    .questions
                    .get(q.index)
                    .map(|question| question.prompt.clone())
                    .unwrap_or_default(),
                q.answered.to_string(),
                share_text(q.facility),
                share_text(q.discrimination),
                chosen,
                items::flag(q).unwrap_or_default().to_owned(),
            ]
        });
        let name = format!("module-{}", a.doc.id.as_str().replace('/', "-"));
        return csv_response(
            &name,
            &[
                "question",
                "text",
                "answered",
                "facility",
                "discrimination",
                "chosen_per_choice",
                "flag",
            ],
            rows,
        );
    }
    let snapshot = state.snapshot.load_full();
    let ctx = page_context(
        &req,
        &snapshot.site,
        format!("/insights/modules/{}", a.doc.id.as_str()),
    );
    Ok(private_html(view::module_page(
        &ctx,
        &view::ModuleView {
            params: &params,
            id: a.doc.id.as_str(),
            title: &a.doc.title,
            module_url: &a.doc.url(),
            version: module.version,
            module,
            attempts: a.attempts,
            passed: a.passed,
            left_out: a.left_out,
            questions: &a.questions,
        },
    )))
}
