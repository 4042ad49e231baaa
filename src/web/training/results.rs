//! A stored attempt's results page, `GET /modules/{id}/attempts/{n}`: where the quiz form's
//! post redirects. It only reads, so a refresh shows the same result and stores nothing.
//!
//! Access: the attempt's learner and admins; anyone else gets the 404 an unknown attempt
//! gets, so attempt numbers say nothing about other people's records.

use actix_web::{HttpRequest, HttpResponse, web};

use super::{attempt, exact, unknown_module};
use crate::model::{Document, Kind};
use crate::quiz::read_back::read_back;
use crate::records::AttemptId;
use crate::render;
use crate::render::quiz_results::{AttemptResults, Review};
use crate::web::auth::RequireUser;
use crate::web::context::{html, page_context};
use crate::web::error::blocking;
use crate::web::{AppError, AppState};

pub(in crate::web) async fn results_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    RequireUser(me): RequireUser,
) -> Result<HttpResponse, AppError> {
    let (id, number) = path.into_inner();
    let snapshot = state.snapshot.load_full();
    let site = &snapshot.site;
    let doc = exact(site, &id, Kind::Module).ok_or_else(|| unknown_module(&id))?;
    let module = doc.module().ok_or_else(|| unknown_module(&id))?;
    let store = state.store.clone();
    let stored = blocking(move || store.attempt(AttemptId(number))).await?;
    let attempt = stored
        .filter(|a| a.module_id == doc.id.as_str() && (a.user_id == me.user.id || me.is_admin()))
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "You have no attempt {number} at this module; My training lists your attempts."
            ))
        })?;
    let own = attempt.user_id == me.user.id;
    let learner = if own {
        None
    } else {
        let store = state.store.clone();
        let user_id = attempt.user_id;
        blocking(move || store.user_by_id(user_id))
            .await?
            .map(|u| u.name.to_string())
    };
    let read = read_back(module, &attempt);
    let sections = match (&read, attempt.passed) {
        (_, true) => Vec::new(),
        (Some(read), false) => attempt::sections_to_reread(doc, module, &read.shown, &read.correct),
        (None, false) => every_section(doc),
    };
    let wait = if own && !module.questions.is_empty() {
        attempt::wait_for(state.store.clone(), me.user.id, doc.id.as_str(), module)
            .await?
            .map(attempt::wait_sentence)
    } else {
        None
    };
    let ctx = page_context(
        &req,
        site,
        render::quiz_results::results_url(doc, attempt.id),
    );
    let results = AttemptResults {
        attempt: &attempt,
        review: read.as_ref().map(|read| Review {
            shown: &read.shown,
            answers: &read.answers,
            correct: &read.correct,
        }),
        sections: &sections,
        wait: wait.as_deref(),
        learner: learner.as_deref(),
    };
    Ok(html(render::quiz_results::page(
        &ctx, doc, module, &results,
    )))
}

/// Every section of the lesson, as (anchor, title).
fn every_section(doc: &Document) -> Vec<(String, String)> {
    doc.body
        .toc()
        .into_iter()
        .map(|entry| (entry.anchor, entry.title))
        .collect()
}
