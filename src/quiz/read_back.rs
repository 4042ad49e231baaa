//! A stored attempt read back against the module as it is now: which of the module's
//! questions it showed, what was answered and what was right. The results page shows it to
//! the learner; the quiz item analysis (`insights::items`) counts it.

use serde::Deserialize;

use crate::grade;
use crate::model::{Module, Question};
use crate::records::Attempt;

/// What a pooled attempt stored (see `web::training::attempt::PooledAnswers`): the module's
/// question indexes in the order drawn and the answers as the module's own choice indexes.
#[derive(Deserialize)]
struct StoredPooled {
    questions: Vec<usize>,
    answers: Vec<Vec<usize>>,
}

/// A stored attempt's questions, answers and marks, as [`read_back`] finds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadBack {
    /// The module's index of each question shown, in the order shown.
    pub indexes: Vec<usize>,
    /// The questions shown, choices in the module's order.
    pub shown: Vec<Question>,
    /// Per question shown, the chosen choice indexes (the module's numbering).
    pub answers: Vec<Vec<usize>>,
    /// Per question shown, right or not.
    pub correct: Vec<bool>,
}

/// A stored attempt read against the module as it is now: the questions it answered (a
/// pooled attempt's in the order drawn, choices in the module's order), its answers and,
/// per question, right or not. `None` when that cannot be told truthfully: a "mark as read",
/// another version, answers that no longer fit, or a regrade that disagrees with the stored
/// score (the key changed without a new version).
pub fn read_back(module: &Module, attempt: &Attempt) -> Option<ReadBack> {
    if attempt.module_version != module.version {
        return None;
    }
    let (indexes, answers) =
        if let Ok(answers) = serde_json::from_str::<Vec<Vec<usize>>>(&attempt.answers_json) {
            ((0..module.questions.len()).collect::<Vec<_>>(), answers)
        } else {
            let pooled: StoredPooled = serde_json::from_str(&attempt.answers_json).ok()?;
            (pooled.questions, pooled.answers)
        };
    let shown = indexes
        .iter()
        .map(|q| module.questions.get(*q).cloned())
        .collect::<Option<Vec<_>>>()?;
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
        indexes,
        shown,
        answers,
        correct: graded.correct,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qualify::test_support::site;
    use crate::records::{AttemptId, UserId};

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
        assert_eq!(read.indexes, vec![0, 1]);
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
        assert_eq!(read.indexes, vec![1, 0]);
        assert_eq!(read.shown[0].html.prompt, "Two?");
        assert_eq!(read.correct, vec![true, false]);
    }

    #[test]
    fn nothing_is_read_back_that_could_contradict_the_stored_verdict() {
        let site = site(&[("training/modules/m.md", QUIZ)]);
        let module = module_of(&site);
        for (json, score, version) in [
            ("[[0],[0]]", 50, 2),                             // another version
            ("[[0],[0]]", 100, 1),                            // the key changed since
            ("[[0],[7]]", 50, 1),                             // a choice the question no longer has
            ("[[0]]", 50, 1),                                 // a question fewer
            ("[]", 100, 1),                                   // marked as read
            ("{\"x\": 1}", 50, 1),                            // neither shape
            (r#"{"questions":[5],"answers":[[0]]}"#, 100, 1), // a question the module lost
        ] {
            assert!(
                read_back(&module, &stored(json, score, version)).is_none(),
                "{json}"
            );
        }
    }
}
