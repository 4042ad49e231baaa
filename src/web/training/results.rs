//! A stored attempt's results page, `GET /modules/{id}/attempts/{n}`: where the quiz form's
//! post redirects. It only reads, so a refresh shows the same result and stores nothing.
//!
//! Access: the attempt's learner and admins; anyone else gets the 404 an unknown attempt
//! gets, so attempt numbers say nothing about other people's records.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{attempt, exact, unknown_module};
use crate::grade;
use crate::model::{Document, Kind, Module, Question};
use crate::records::{Attempt, AttemptId};
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

/// What a pooled attempt stored (see `attempt::PooledAnswers`): the module's question
/// indexes in the order drawn and the answers as the module's own choice indexes.
#[derive(Deserialize)]
struct StoredPooled {
    questions: Vec<usize>,
    answers: Vec<Vec<usize>>,
}

/// A stored attempt's questions, answers and marks, as [`read_back`] finds them.
#[derive(Debug)]
pub(super) struct ReadBack {
    shown: Vec<Question>,
    answers: Vec<Vec<usize>>,
    correct: Vec<bool>,
}

/// A stored attempt read against the module as it is now: the questions it answered (a
/// pooled attempt's in the order drawn, choices in the module's order), its answers and,
/// per question, right or not. `None` when that cannot be told truthfully: a "mark as read",
/// another version, answers that no longer fit, or a regrade that disagrees with the stored
/// score (the key changed without a new version).
pub(super) fn read_back(module: &Module, attempt: &Attempt) -> Option<ReadBack> {
    if attempt.module_version != module.version {
        return None;
    }
    let (shown, answers) =
        if let Ok(answers) = serde_json::from_str::<Vec<Vec<usize>>>(&attempt.answers_json) {
            (module.questions.clone(), answers)
        } else {
            let pooled: StoredPooled = serde_json::from_str(&attempt.answers_json).ok()?;
            let shown = pooled
                .questions
                .iter()
                .map(|q| module.questions.get(*q).cloned())
                .collect::<Option<Vec<_>>>()?;
            (shown, pooled.answers)
        };
    let fits = !shown.is_empty()
        && answers.len() == shown.len()
        && shown
            .iter()
            .zip(&answers)
            .all(|(q, a)| a.iter().all(|ix| *ix < q.choices.len()));
    if !fits {
        return None;
    }
    let graded = grade::grade_against(&shown, module.pass_percent, &answers);
    (graded.score == attempt.score && graded.passed == attempt.passed).then_some(ReadBack {
        shown,
        answers,
        correct: graded.correct,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qualify::test_support::site;
    use crate::records::UserId;

    const QUIZ: &str = "---\nid: m\ntitle: M\npass: 100\n---\n## A\n\nA.\n\n```quiz\n\
- question: One?\n  choices: [yes, no]\n  answer: 0\n\
- question: Two?\n  choices: [a, b, c]\n  answer: [0, 2]\n```\n";

    fn stored(answers_json: &str, score: u8, version: u32) -> Attempt {
        Attempt {
            id: AttemptId(1),
            user_id: UserId(1),
            module_id: "m".into(),
            module_version: version,
            answers_json: answers_json.into(),
            score,
            passed: score == 100,
            created_at: time::OffsetDateTime::UNIX_EPOCH,
        }
    }

    fn module_of(site: &crate::model::Site) -> Module {
        site.get_str("m")
            .and_then(|d| d.module().cloned())
            .expect("module m")
    }

    #[test]
    fn a_stored_attempt_reads_back_with_its_marks() {
        let site = site(&[("training/modules/m.md", QUIZ)]);
        let module = module_of(&site);
        let read = read_back(&module, &stored("[[0],[0]]", 50, 1)).expect("read back");
        assert_eq!(read.shown.len(), 2);
        assert_eq!(read.answers, vec![vec![0], vec![0]]);
        assert_eq!(read.correct, vec![true, false]);
    }

    #[test]
    fn a_pooled_attempt_reads_back_in_the_order_drawn() {
        let site = site(&[("training/modules/m.md", QUIZ)]);
        let module = module_of(&site);
        let json = r#"{"attempt":"x","questions":[1,0],"answers":[[0,2],[1]]}"#;
        let read = read_back(&module, &stored(json, 50, 1)).expect("read back");
        assert_eq!(read.shown[0].html.prompt, "Two?");
        assert_eq!(read.correct, vec![true, false]);
    }

    #[test]
    fn nothing_is_read_back_that_could_contradict_the_stored_verdict() {
        let site = site(&[("training/modules/m.md", QUIZ)]);
        let module = module_of(&site);
        for (json, score, version) in [
            ("[[0],[0]]", 50, 2),  // another version
            ("[[0],[0]]", 100, 1), // the key changed since
            ("[[0],[7]]", 50, 1),  // a choice the question no longer has
            ("[[0]]", 50, 1),      // a question fewer
            ("[]", 100, 1),        // marked as read
            ("{\"x\": 1}", 50, 1), // neither shape
        ] {
            assert!(
                read_back(&module, &stored(json, score, version)).is_none(),
                "{json}"
            );
        }
    }
}
