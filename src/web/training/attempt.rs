//! One quiz submission from start to stored result, shared by the form and the API: which
//! questions the learner was shown (the module's, or a hand-out's), grading, the retry wait,
//! and the store write that checks the wait and uses up the hand-out in one transaction.

use serde::Serialize;
use time::OffsetDateTime;

use super::bad_answers;
use crate::grade::{self, Graded};
use crate::model::{Document, Module, Question};
use crate::quiz::delay::{self, Past};
use crate::quiz::pool::{self, Drawn};
use crate::quiz::review;
use crate::store::{AttemptId, Gated, Handout, NewAttempt, Store, UserId};
use crate::web::AppError;
use crate::web::auth::Identity;
use crate::web::error::blocking;

/// A graded, stored submission and what it was graded against.
#[derive(Debug)]
pub struct Outcome {
    /// The stored attempt: its results page is `/modules/{id}/attempts/{attempt}`.
    pub id: AttemptId,
    /// Score, pass, per question right or wrong (in the order shown).
    pub graded: Graded,
    /// The questions as the learner saw them.
    pub shown: Vec<Question>,
}

/// What a pooled attempt stores as its answers: the hand-out, the module's question indexes
/// and the answers as the module's own choice indexes (so reports read them like any other).
#[derive(Serialize)]
struct PooledAnswers<'a> {
    attempt: &'a str,
    questions: Vec<usize>,
    answers: Vec<Vec<usize>>,
}

/// The learner's wait before their next attempt at `module`, in seconds; `None` when they may
/// try now.
pub async fn wait_for(
    store: Store,
    user_id: UserId,
    module_id: &str,
    module: &Module,
) -> Result<Option<u64>, AppError> {
    let module_id = module_id.to_owned();
    let history =
        blocking(move || store.recent_results(user_id, &module_id, delay::HISTORY)).await?;
    Ok(delay::wait_at(
        &module.settings.limits,
        &to_past(&history),
        OffsetDateTime::now_utc(),
    ))
}

fn to_past(history: &[(OffsetDateTime, bool)]) -> Vec<Past> {
    history
        .iter()
        .map(|&(at, passed)| Past { at, passed })
        .collect()
}

/// The sentence a learner gets while waiting.
pub fn wait_sentence(seconds: u64) -> String {
    format!(
        "You have failed this quiz several times in a row, so your next attempt opens in {}. Re-read the lesson meanwhile; a pass resets the wait.",
        delay::describe(seconds)
    )
}

/// The learner's open hand-out for a pooled module (drawn now if they have none).
pub async fn hand_out(
    store: Store,
    me: UserId,
    doc: &Document,
    module: &Module,
) -> Result<(Handout, Vec<Question>), AppError> {
    let drawn = pool::draw(module, &mut rand::rng());
    let json = serde_json::to_string(&drawn)
        .map_err(|e| AppError::Internal(format!("a draw does not serialise: {e}")))?;
    let (module_id, hash) = (doc.id.as_str().to_owned(), doc.content_hash.clone());
    let handout = blocking(move || store.open_handout(me, &module_id, &hash, move || json)).await?;
    let drawn: Vec<Drawn> = serde_json::from_str(&handout.drawn_json)
        .map_err(|e| AppError::Internal(format!("a stored draw does not parse: {e}")))?;
    let shown = pool::presented(module, &drawn)
        .map_err(|e| AppError::Internal(format!("a fresh draw does not fit: {e}")))?;
    Ok((handout, shown))
}

/// A submission checked against the questions the learner was shown, not yet graded.
#[derive(Debug)]
pub struct Checked {
    /// The questions as the learner saw them.
    pub shown: Vec<Question>,
    /// For a pooled module: what its hand-out drew.
    drawn: Option<Vec<Drawn>>,
    /// The answers, normalised, as choice positions in the order shown (empty: unanswered).
    pub answers: Vec<Vec<usize>>,
}

impl Checked {
    /// The questions (by position shown) left without an answer.
    pub fn unanswered(&self) -> Vec<usize> {
        self.answers
            .iter()
            .enumerate()
            .filter(|(_, a)| a.is_empty())
            .map(|(i, _)| i)
            .collect()
    }
}

/// Grades `raw` (choice positions per question shown) and stores the attempt, unless the
/// learner must wait (429) or the hand-out is unknown, someone else's, used or stale (4xx).
pub async fn submit(
    store: Store,
    me: &Identity,
    doc: &Document,
    module: &Module,
    handout_id: Option<&str>,
    raw: &[Vec<i64>],
) -> Result<Outcome, AppError> {
    let checked = check(store.clone(), me, doc, module, handout_id, raw).await?;
    record(store, me, doc, module, handout_id, checked).await
}

/// Finds the questions the learner was shown (the module's, or their hand-out's, which must
/// be valid) and checks `raw` against them; stores nothing.
pub async fn check(
    store: Store,
    me: &Identity,
    doc: &Document,
    module: &Module,
    handout_id: Option<&str>,
    raw: &[Vec<i64>],
) -> Result<Checked, AppError> {
    let (shown, drawn) = if module.settings.pooled() {
        let (shown, drawn) = handed_out(store, me.user.id, doc, module, handout_id).await?;
        (shown, Some(drawn))
    } else {
        (module.questions.clone(), None)
    };
    let answers = grade::check_answers_to(&shown, raw).map_err(bad_answers)?;
    Ok(Checked {
        shown,
        drawn,
        answers,
    })
}

/// Grades a checked submission and stores it, unless the learner must wait (429) or the
/// hand-out was used meanwhile (409).
pub async fn record(
    store: Store,
    me: &Identity,
    doc: &Document,
    module: &Module,
    handout_id: Option<&str>,
    checked: Checked,
) -> Result<Outcome, AppError> {
    let Checked {
        shown,
        drawn,
        answers,
    } = checked;
    let graded = grade::grade_against(&shown, module.pass_percent, &answers);
    let answers_json = match (&drawn, handout_id) {
        (Some(drawn), Some(id)) => serde_json::to_string(&PooledAnswers {
            attempt: id,
            questions: drawn.iter().map(|d| d.q).collect(),
            answers: pool::to_module_indexes(drawn, &answers),
        }),
        _ => serde_json::to_string(&answers),
    }
    .map_err(|e| AppError::Internal(format!("answers do not serialise: {e}")))?;
    let (user_id, module_id, version) = (me.user.id, doc.id.as_str().to_owned(), module.version);
    let (score, passed) = (graded.score, graded.passed);
    let limits = module.settings.limits;
    let handout = drawn
        .is_some()
        .then(|| handout_id.unwrap_or_default().to_owned());
    let gated = blocking(move || {
        let now = OffsetDateTime::now_utc();
        store.record_attempt_gated(
            &NewAttempt {
                user_id,
                module_id: &module_id,
                module_version: version,
                answers_json: &answers_json,
                score,
                passed,
            },
            handout.as_deref(),
            delay::HISTORY,
            now,
            |history| match delay::wait_at(&limits, &to_past(history), now) {
                Some(seconds) => Err(seconds),
                None => Ok(()),
            },
        )
    })
    .await?;
    match gated {
        Gated::Stored(id) => Ok(Outcome { id, graded, shown }),
        Gated::Refused(seconds) => Err(AppError::WaitBeforeRetry(wait_sentence(seconds), seconds)),
        Gated::HandoutUsed => Err(used()),
    }
}

fn used() -> AppError {
    AppError::Conflict(
        "This attempt was already graded; reload the module to get a new one.".into(),
    )
}

/// The questions of the hand-out `id`, checked: it exists, is this learner's, for this
/// module, unused, and drawn from the module's current file.
async fn handed_out(
    store: Store,
    me: UserId,
    doc: &Document,
    module: &Module,
    id: Option<&str>,
) -> Result<(Vec<Question>, Vec<Drawn>), AppError> {
    let Some(id) = id.map(str::trim).filter(|i| !i.is_empty()) else {
        return Err(AppError::BadRequest(format!(
            "This module draws its questions for each attempt: get them with GET /api/v1/modules/{} (or reload the module page) and send its \"attempt\" id back with the answers.",
            doc.id
        )));
    };
    let lookup = id.to_owned();
    let handout = blocking(move || store.handout(&lookup)).await?;
    let handout = handout
        .filter(|h| h.user_id == me && h.module_id == doc.id.as_str())
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "There is no attempt “{id}” of yours at this module; reload the module to get one."
            ))
        })?;
    if handout.used_at.is_some() {
        return Err(used());
    }
    let stale = || {
        AppError::Conflict(
            "The quiz changed since this attempt was handed out; reload the module to get a new one."
                .into(),
        )
    };
    if handout.content_hash != doc.content_hash {
        return Err(stale());
    }
    let drawn: Vec<Drawn> = serde_json::from_str(&handout.drawn_json).map_err(|_| stale())?;
    let shown = pool::presented(module, &drawn).map_err(|_| stale())?;
    Ok((shown, drawn))
}

/// The sections a failed attempt asks to re-read, as (anchor, title) in the lesson's order:
/// those [`review::sections_to_reread`] names, or every section when it names none.
pub fn sections_to_reread(
    doc: &Document,
    module: &Module,
    shown: &[Question],
    correct: &[bool],
) -> Vec<(String, String)> {
    if correct.iter().all(|c| *c) {
        return Vec::new();
    }
    let named = review::sections_to_reread(shown, correct, module.settings.review);
    doc.body
        .toc()
        .into_iter()
        .filter(|entry| named.is_empty() || named.contains(&entry.anchor))
        .map(|entry| (entry.anchor, entry.title))
        .collect()
}
