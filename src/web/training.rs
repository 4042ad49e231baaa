//! Training over HTTP: module pages with their quiz form, graded submissions, path pages with
//! the learner's progress, "My training", and the modules API (in [`api`]).
//!
//! Access: module and path pages are open (like every document); submitting needs a user;
//! `/my/training` needs a user; `/learners/{name}/training` is for that learner or an admin.

mod api;

use actix_web::{HttpRequest, HttpResponse, web};

use super::auth::{CurrentUser, Identity, RequireUser, check_form_token};
use super::context::page_context;
use super::error::blocking;
use super::pages::{self, html};
use super::{AppError, AppState};
use crate::grade::{self, Graded};
use crate::model::{Document, Kind, Site};
use crate::progress::{Record, overview};
use crate::render;
use crate::store::{NewAttempt, Store, UserName};

/// Largest accepted submission (form or JSON). Real answers are a few hundred bytes.
pub const BODY_LIMIT: usize = 64 * 1024;

/// How many attempts the overview lists.
const RECENT: usize = 10;

/// Registers the training routes; must come before `pages::routes` (same prefixes).
pub fn routes(cfg: &mut web::ServiceConfig) {
    api::routes(cfg);
    cfg.service(
        web::resource("/modules/{id:.*}/attempt")
            .app_data(web::FormConfig::default().limit(BODY_LIMIT))
            .route(web::post().to(submit_form)),
    )
    .route("/modules/{id:.*}", web::get().to(module_page))
    .route("/paths/{id:.*}", web::get().to(path_page))
    .route("/my/training", web::get().to(my_training))
    .route("/learners/{name}/training", web::get().to(learner_training));
}

/// The document `id` names when it is exactly a document of `kind` (not an alias, folder or
/// other kind: the generic page handler redirects those).
fn exact<'a>(site: &'a Site, id: &str, kind: Kind) -> Option<&'a Document> {
    site.get_str(id)
        .map(AsRef::as_ref)
        .filter(|d: &&Document| d.kind == kind && d.id.as_str() == id)
}

async fn module_page(
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
    let last = match me {
        Some(me) => {
            let store = state.store.clone();
            let module_id = doc.id.as_str().to_owned();
            blocking(move || store.latest_attempt(me.user.id, &module_id)).await?
        }
        None => None,
    };
    let ctx = page_context(&req, site, doc.url());
    Ok(html(render::module::page_with(
        &ctx,
        site,
        doc,
        last.as_ref(),
    )))
}

async fn path_page(
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

/// Grades and stores one submission; the attempt is acknowledged only once it is committed.
pub async fn record_attempt(
    store: Store,
    me: &Identity,
    doc: &Document,
    answers: &[Vec<usize>],
) -> Result<Graded, AppError> {
    let module = doc.module().ok_or_else(|| {
        AppError::NotFound(format!("There is no module with the id “{}”.", doc.id))
    })?;
    let graded = grade::grade(module, answers);
    let answers_json = serde_json::to_string(answers)
        .map_err(|e| AppError::Internal(format!("answers do not serialise: {e}")))?;
    let (user_id, module_id, version) = (me.user.id, doc.id.as_str().to_owned(), module.version);
    let (score, passed) = (graded.score, graded.passed);
    blocking(move || {
        store.record_attempt(&NewAttempt {
            user_id,
            module_id: &module_id,
            module_version: version,
            answers_json: &answers_json,
            score,
            passed,
        })
    })
    .await?;
    Ok(graded)
}

/// The quiz form as posted: `csrf`, and `q0=1`, `q1=0&q1=2` (checkboxes repeat their name).
async fn submit_form(
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
    let mut raw: Vec<Vec<i64>> = vec![Vec::new(); module.questions.len()];
    for (key, value) in &fields {
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
    let answers = grade::check_answers(module, &raw).map_err(bad_answers)?;
    let graded = record_attempt(state.store.clone(), &me, doc, &answers).await?;
    let ctx = page_context(&req, site, doc.url());
    Ok(html(render::training::results(
        &ctx, doc, module, &answers, &graded,
    )))
}

/// A 404 naming the module.
fn unknown_module(id: &str) -> AppError {
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
    let view = render::training::TrainingView {
        learner,
        own,
        paths: &paths,
        next,
        recent: &attempts[..attempts.len().min(RECENT)],
    };
    Ok(html(render::training::overview(&ctx, site, &view)))
}
