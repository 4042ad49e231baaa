//! The quiz form's post, `POST /modules/{id}/attempt`: post/redirect/get. A complete
//! submission is graded and stored, then answered `303 See Other` to its results page (so
//! Back, Forward and refresh never send the answers again); one that leaves a question
//! unanswered is not graded: the module page comes back (422) with the answers given so far
//! and a sentence per missing question, nothing is stored and the retry wait is not charged.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};

use super::attempt;
use super::{exact, unknown_module};
use crate::model::{Document, Kind, Module};
use crate::render;
use crate::web::auth::{Identity, RequireUser, check_form_token};
use crate::web::context::{html, page_context};
use crate::web::error::blocking;
use crate::web::{AppError, AppState};

/// The quiz form as posted: `csrf`, `attempt` (a pooled module's hand-out), and `q0=1`,
/// `q1=0&q1=2` (checkboxes repeat their name).
pub(in crate::web) async fn submit_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    RequireUser(me): RequireUser,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let fields = form.into_inner();
    let csrf = fields
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str());
    check_form_token(&req, csrf)?;
    let snapshot = state.snapshot.load_full();
    let site = &snapshot.site;
    let doc = exact(site, &id, Kind::Module).ok_or_else(|| unknown_module(&id))?;
    let module = doc.module().ok_or_else(|| unknown_module(&id))?;
    let handout = fields
        .iter()
        .find(|(k, _)| k == "attempt")
        .map(|(_, v)| v.as_str());
    let raw = answers_of(module, &fields)?;
    let checked = attempt::check(state.store.clone(), &me, doc, module, handout, &raw).await?;
    if !checked.unanswered().is_empty() {
        let quiz = refused(&state, &me, doc, module, handout, checked).await?;
        let ctx = page_context(&req, site, doc.url());
        let mut page = html(render::module::page_with(&ctx, site, doc, &quiz));
        *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(page);
    }
    let outcome = attempt::record(state.store.clone(), &me, doc, module, handout, checked).await?;
    state.metrics.quiz_attempt(outcome.graded.passed);
    Ok(HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            render::quiz_results::results_url(doc, outcome.id),
        ))
        .finish())
}

/// The posted answers as choice numbers per question (as many lists as questions asked).
fn answers_of(module: &Module, fields: &[(String, String)]) -> Result<Vec<Vec<i64>>, AppError> {
    // A pooled attempt has as many questions as were drawn; the grader checks the count.
    let asked = match (module.settings.pooled(), module.settings.draw) {
        (true, Some(n)) => n,
        _ => module.questions.len(),
    };
    let mut raw: Vec<Vec<i64>> = vec![Vec::new(); asked];
    for (key, value) in fields {
        let Some(index) = key.strip_prefix('q').and_then(|n| n.parse::<usize>().ok()) else {
            continue;
        };
        let slot = raw.get_mut(index).ok_or_else(|| {
            AppError::BadRequest(format!(
                "The form answers question {}, which this module does not have; reload the page.",
                index + 1
            ))
        })?;
        let choice = value.parse::<i64>().map_err(|_| {
            AppError::BadRequest(format!(
                "The answer to question {} is not a choice number.",
                index + 1
            ))
        })?;
        slot.push(choice);
    }
    Ok(raw)
}

/// The quiz state of a refused post: the answers given and the unanswered questions, on the
/// questions the learner was shown. While the learner must wait anyway, the wait's 429
/// instead (as a complete post would get).
async fn refused(
    state: &AppState,
    me: &Identity,
    doc: &Document,
    module: &Module,
    handout: Option<&str>,
    checked: attempt::Checked,
) -> Result<render::module::QuizState, AppError> {
    if let Some(seconds) =
        attempt::wait_for(state.store.clone(), me.user.id, doc.id.as_str(), module).await?
    {
        return Err(AppError::WaitBeforeRetry(
            attempt::wait_sentence(seconds),
            seconds,
        ));
    }
    let store = state.store.clone();
    let (user_id, module_id) = (me.user.id, doc.id.as_str().to_owned());
    let last = blocking(move || store.latest_attempt(user_id, &module_id)).await?;
    let unanswered = checked.unanswered();
    Ok(render::module::QuizState {
        last,
        wait: None,
        handout: handout
            .filter(|_| module.settings.pooled())
            .map(|id| (id.to_owned(), checked.shown.clone())),
        answers: checked.answers,
        unanswered,
    })
}
