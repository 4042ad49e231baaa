//! Training over HTTP: module pages with their quiz form, graded submissions, path pages with
//! the learner's progress, and "My training"; the modules API is in [`super::api`].
//!
//! Access: module and path pages are open (like every document); submitting needs a user,
//! and its results page (`form.rs`, `results.rs`) is for that user or an admin;
//! `/my/training` needs a user; `/learners/{name}/training` is for that learner or an admin.

pub(super) mod attempt;
mod form;
mod results;

pub(super) use form::submit_form;
pub(super) use results::results_page;

use actix_web::{HttpRequest, HttpResponse, web};

use super::auth::{CurrentUser, RequireUser};
use super::context::{html, page_context};
use super::error::blocking;
use super::pages;
use super::{AppError, AppState};
use crate::grade;
use crate::model::{Document, Kind, Site};
use crate::progress::{Record, overview};
use crate::render;
use crate::store::UserName;

/// Largest accepted submission (form or JSON). Real answers are a few hundred bytes.
pub const BODY_LIMIT: usize = 64 * 1024;

/// How many attempts the overview lists.
const RECENT: usize = 10;

/// Registers the training overviews (module and path addresses are in [`super::kinds`]).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/my/training", web::get().to(my_training))
        .route("/learners/{name}/training", web::get().to(learner_training));
}

/// The document `id` names when it is exactly a document of `kind` (not an alias, folder or
/// other kind: the generic page handler redirects those).
pub(super) fn exact<'a>(site: &'a Site, id: &str, kind: Kind) -> Option<&'a Document> {
    site.get_str(id)
        .map(AsRef::as_ref)
        .filter(|d: &&Document| d.kind == kind && d.id.as_str() == id)
}

pub(super) async fn module_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    CurrentUser(me): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let snapshot = state.snapshot.load_full();
    let site = &snapshot.site;
    let Some(doc) = exact(site, &id, Kind::Module) else {
        return pages::document(req, state, id, Kind::Module).await;
    };
    let mut quiz = render::module::QuizState::default();
    if let (Some(me), Some(module)) = (me, doc.module()) {
        let store = state.store.clone();
        let module_id = doc.id.as_str().to_owned();
        let user_id = me.user.id;
        quiz.last = blocking(move || store.latest_attempt(user_id, &module_id)).await?;
        if !module.questions.is_empty() {
            let wait =
                attempt::wait_for(state.store.clone(), user_id, doc.id.as_str(), module).await?;
            quiz.wait = wait.map(attempt::wait_sentence);
            if wait.is_none() && module.settings.pooled() {
                let (handout, shown) =
                    attempt::hand_out(state.store.clone(), user_id, doc, module).await?;
                quiz.handout = Some((handout.id, shown));
            }
        }
    }
    let ctx = page_context(&req, site, doc.url());
    Ok(html(render::module::page_with(&ctx, site, doc, &quiz)))
}

pub(super) async fn path_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    CurrentUser(me): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let snapshot = state.snapshot.load_full();
    let site = &snapshot.site;
    let (Some(doc), Some(me)) = (exact(site, &id, Kind::Path), me) else {
        return pages::document(req, state, id, Kind::Path).await;
    };
    let store = state.store.clone();
    let attempts = blocking(move || store.attempts_for_user(me.user.id)).await?;
    let record = Record::new(&attempts);
    let progress = record.path(site, doc);
    let ctx = page_context(&req, site, doc.url());
    Ok(html(render::path::page_with(
        &ctx,
        site,
        doc,
        Some(&progress),
    )))
}

/// A 404 naming the module.
pub(super) fn unknown_module(id: &str) -> AppError {
    AppError::NotFound(format!("There is no module with the id “{id}”."))
}

/// A grading refusal as a 400 sentence, capitalised and closed.
fn bad_answers(err: grade::AnswerError) -> AppError {
    let text = err.to_string();
    let mut chars = text.chars();
    let sentence = match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => text,
    };
    AppError::BadRequest(sentence)
}

async fn my_training(
    req: HttpRequest,
    state: web::Data<AppState>,
    RequireUser(me): RequireUser,
) -> Result<HttpResponse, AppError> {
    let name = me.user.name.to_string();
    training_page(&req, &state, me.user.id, &name, true).await
}

async fn learner_training(
    req: HttpRequest,
    state: web::Data<AppState>,
    name: web::Path<String>,
    RequireUser(me): RequireUser,
) -> Result<HttpResponse, AppError> {
    let forbidden = || AppError::Forbidden("Only admins may see other learners' training.".into());
    // A learner asking about a name that is not theirs gets 403 whether or not it exists.
    let name = UserName::parse(&name).map_err(|_| {
        if me.is_admin() {
            AppError::NotFound("There is no learner with this name.".into())
        } else {
            forbidden()
        }
    })?;
    if !me.may_see(&name) {
        return Err(forbidden());
    }
    let store = state.store.clone();
    let lookup = name.clone();
    let learner = blocking(move || store.find_user(&lookup))
        .await?
        .ok_or_else(|| AppError::NotFound(format!("There is no learner named {name}.")))?;
    let own = learner.id == me.user.id;
    training_page(&req, &state, learner.id, learner.name.as_str(), own).await
}

async fn training_page(
    req: &HttpRequest,
    state: &AppState,
    user_id: crate::store::UserId,
    learner: &str,
    own: bool,
) -> Result<HttpResponse, AppError> {
    let store = state.store.clone();
    let attempts = blocking(move || store.attempts_for_user(user_id)).await?;
    let snapshot = state.snapshot.load_full();
    let site = &snapshot.site;
    let record = Record::new(&attempts);
    let (paths, next) = overview(site, &record);
    let url = if own {
        "/my/training".to_owned()
    } else {
        format!("/learners/{learner}/training")
    };
    let ctx = page_context(req, site, url);
    let counts = attempt_counts(site, &attempts);
    let view = render::training::TrainingView {
        learner,
        own,
        paths: &paths,
        next,
        recent: &attempts[..attempts.len().min(RECENT)],
        counts: &counts,
    };
    Ok(html(render::training::overview(&ctx, site, &view)))
}

/// Per module: attempts, failures since the last pass, and the end of the current wait (from
/// the learner's attempts, newest first), in module id order.
fn attempt_counts(
    site: &Site,
    attempts: &[crate::store::Attempt],
) -> Vec<render::training::AttemptCount> {
    use crate::quiz::delay::{self, Past};
    let mut by_module: std::collections::BTreeMap<&str, Vec<Past>> =
        std::collections::BTreeMap::new();
    for a in attempts {
        by_module
            .entry(a.module_id.as_str())
            .or_default()
            .push(Past {
                at: a.created_at,
                passed: a.passed,
            });
    }
    let now = time::OffsetDateTime::now_utc();
    by_module
        .into_iter()
        .map(|(module_id, history)| {
            let limits = exact(site, module_id, Kind::Module)
                .and_then(Document::module)
                .map(|m| m.settings.limits)
                .unwrap_or_default();
            let waiting_until = delay::next_allowed(&limits, &history).filter(|until| *until > now);
            render::training::AttemptCount {
                module_id: module_id.to_owned(),
                attempts: history.len(),
                failures_in_a_row: delay::failures_in_a_row(&history),
                waiting_until,
            }
        })
        .collect()
}
