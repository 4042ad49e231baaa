//! Quiz grading, on the server only: (module, submitted answers) → score, pass, per question.
//!
//! Pure, so it is tested on its own (properties below). A question counts as right only when
//! the set of chosen indexes equals the answer key exactly; the score is the percentage of
//! questions right, rounded down, so `passed = score >= pass` never disagrees with the score
//! the learner sees. A module without questions is passed by reading it (score 100).

use crate::model::{Module, Question};

/// The graded result of one submission.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Graded {
    /// Percent of questions right, 0 to 100.
    pub score: u8,
    /// Whether the score reached the module's pass mark.
    pub passed: bool,
    /// Per question, in order: right or not.
    pub correct: Vec<bool>,
}

/// Why a submission cannot be graded. Each message is a sentence for the API's 400.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    /// One answer list per question is needed.
    #[error(
        "the module has {expected} questions but {got} answers were sent; send one list of choice indexes per question"
    )]
    WrongCount {
        /// Questions in the module.
        expected: usize,
        /// Answer lists sent.
        got: usize,
    },
    /// A choice index that names no choice.
    #[error(
        "answer {index} to question {question} is out of range; choices are numbered 0 to {last}"
    )]
    OutOfRange {
        /// The question, counted from 1.
        question: usize,
        /// The index sent.
        index: i64,
        /// The highest valid index.
        last: usize,
    },
    /// Several choices for a question that takes one.
    #[error("question {question} takes one answer, but {got} were sent")]
    NotMultiple {
        /// The question, counted from 1.
        question: usize,
        /// Distinct choices sent.
        got: usize,
    },
}

/// Checks a submission's shape against the module and normalises it: each answer becomes a
/// sorted list of distinct indexes. An empty list is allowed (the question counts as wrong).
pub fn check_answers(
    module: &Module,
    answers: &[Vec<i64>],
) -> Result<Vec<Vec<usize>>, AnswerError> {
    check_answers_to(&module.questions, answers)
}

/// [`check_answers`] against the questions a learner was shown (a drawn, shuffled set).
pub fn check_answers_to(
    questions: &[Question],
    answers: &[Vec<i64>],
) -> Result<Vec<Vec<usize>>, AnswerError> {
    if answers.len() != questions.len() {
        return Err(AnswerError::WrongCount {
            expected: questions.len(),
            got: answers.len(),
        });
    }
    let mut out = Vec::with_capacity(answers.len());
    for (i, (question, chosen)) in questions.iter().zip(answers).enumerate() {
        let last = question.choices.len().saturating_sub(1);
        let mut indexes = Vec::with_capacity(chosen.len());
        for &index in chosen {
            let valid = usize::try_from(index)
                .ok()
                .filter(|ix| *ix < question.choices.len());
            let Some(ix) = valid else {
                return Err(AnswerError::OutOfRange {
                    question: i + 1,
                    index,
                    last,
                });
            };
            indexes.push(ix);
        }
        indexes.sort_unstable();
        indexes.dedup();
        if !question.multiple && indexes.len() > 1 {
            return Err(AnswerError::NotMultiple {
                question: i + 1,
                got: indexes.len(),
            });
        }
        out.push(indexes);
    }
    Ok(out)
}

/// Grades normalised answers (from [`check_answers`]). Missing answers count as wrong.
pub fn grade(module: &Module, answers: &[Vec<usize>]) -> Graded {
    grade_against(&module.questions, module.pass_percent, answers)
}

/// [`grade`] against the questions a learner was shown, with the module's pass mark.
pub fn grade_against(questions: &[Question], pass_percent: u8, answers: &[Vec<usize>]) -> Graded {
    let correct: Vec<bool> = questions
        .iter()
        .enumerate()
        .map(|(i, q)| answers.get(i).is_some_and(|a| *a == q.answer))
        .collect();
    let total = correct.len();
    let right = correct.iter().filter(|c| **c).count();
    // No questions: reading the module passes it.
    let score = (right * 100)
        .checked_div(total)
        .map_or(100, |s| u8::try_from(s).unwrap_or(100));
    Graded {
        score,
        passed: score >= pass_percent,
        correct,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn question(choices: usize, answer: &[usize], multiple: bool) -> Question {
        Question {
            prompt: "q".into(),
            choices: (0..choices).map(|i| format!("c{i}")).collect(),
            answer: answer.to_vec(),
            multiple,
            explain: None,
            section: None,
            html: crate::model::QuestionHtml::default(),
        }
    }

    fn module(questions: Vec<Question>, pass: u8) -> Module {
        Module {
            version: 1,
            pass_percent: pass,
            minutes: None,
            questions,
            settings: Default::default(),
        }
    }

    fn two() -> Module {
        module(
            vec![question(2, &[0], false), question(3, &[0, 2], true)],
            50,
        )
    }

    #[test]
    fn exact_sets_count_and_the_score_rounds_down() {
        let m = two();
        let all = grade(&m, &[vec![0], vec![0, 2]]);
        assert_eq!((all.score, all.passed), (100, true));
        assert_eq!(all.correct, [true, true]);
        let half = grade(&m, &[vec![0], vec![2]]);
        assert_eq!((half.score, half.passed), (50, true));
        assert_eq!(half.correct, [true, false], "a subset is not right");
        let none = grade(&m, &[vec![1], vec![0, 1, 2]]);
        assert_eq!(
            (none.score, none.passed),
            (0, false),
            "a superset is not right"
        );
        let thirds = module(vec![question(2, &[0], false); 3], 67);
        let g = grade(&thirds, &[vec![0], vec![0], vec![1]]);
        assert_eq!((g.score, g.passed), (66, false));
    }

    #[test]
    fn a_module_without_questions_is_passed_by_reading() {
        let g = grade(&module(Vec::new(), 80), &[]);
        assert_eq!((g.score, g.passed), (100, true));
        assert!(g.correct.is_empty());
    }

    #[test]
    fn malformed_submissions_are_refused_with_sentences() {
        let m = two();
        let err = check_answers(&m, &[vec![0]]).expect_err("count");
        assert_eq!(
            err.to_string(),
            "the module has 2 questions but 1 answers were sent; send one list of choice indexes per question"
        );
        let err = check_answers(&m, &[vec![2], vec![0]]).expect_err("range");
        assert_eq!(
            err,
            AnswerError::OutOfRange {
                question: 1,
                index: 2,
                last: 1
            }
        );
        assert!(check_answers(&m, &[vec![-1], vec![0]]).is_err());
        let err = check_answers(&m, &[vec![0, 1], vec![0]]).expect_err("single");
        assert_eq!(
            err.to_string(),
            "question 1 takes one answer, but 2 were sent"
        );
        let ok = check_answers(&m, &[vec![0, 0], vec![2, 0, 2]]).expect("normalised");
        assert_eq!(ok, [vec![0], vec![0, 2]]);
        assert!(
            check_answers(&m, &[vec![], vec![]]).is_ok(),
            "blank answers are wrong, not invalid"
        );
    }

    fn arb_module() -> impl Strategy<Value = Module> {
        let q = (2usize..6, any::<bool>(), any::<u8>()).prop_map(|(n, multiple, seed)| {
            let answer: Vec<usize> = if multiple {
                let picked: Vec<usize> = (0..n).filter(|i| (seed >> i) & 1 == 1).collect();
                if picked.is_empty() { vec![0] } else { picked }
            } else {
                vec![usize::from(seed) % n]
            };
            question(n, &answer, multiple)
        });
        (prop::collection::vec(q, 0..8), 0u8..=100).prop_map(|(qs, pass)| module(qs, pass))
    }

    proptest! {
        #[test]
        fn scores_stay_in_range(m in arb_module(), raw in prop::collection::vec(prop::collection::vec(-2i64..7, 0..4), 0..8)) {
            if let Ok(answers) = check_answers(&m, &raw) {
                let g = grade(&m, &answers);
                prop_assert!(g.score <= 100);
                prop_assert_eq!(g.correct.len(), m.questions.len());
                prop_assert_eq!(g.passed, g.score >= m.pass_percent);
            }
            let g = grade(&m, &[]);
            prop_assert!(g.score <= 100);
        }

        #[test]
        fn the_answer_key_scores_100_and_passes(m in arb_module()) {
            let key: Vec<Vec<i64>> = m.questions.iter()
                .map(|q| q.answer.iter().map(|i| i64::try_from(*i).unwrap_or(0)).collect())
                .collect();
            let answers = check_answers(&m, &key).expect("the key is a valid submission");
            let g = grade(&m, &answers);
            prop_assert_eq!(g.score, 100);
            prop_assert!(g.passed);
            prop_assert!(g.correct.iter().all(|c| *c));
        }
    }
}
