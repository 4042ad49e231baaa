//! Drawn and shuffled attempts: which of a module's questions an attempt asks, in which
//! order, with each question's choices in which order. The server keeps this [`Drawn`] list
//! for the attempt it handed out and grades the answers against exactly those questions, so a
//! client cannot pick its own questions or re-map choices.

use rand::Rng;
use rand::seq::{SliceRandom, index};
use serde::{Deserialize, Serialize};

use crate::model::{Module, Question, QuestionHtml};

/// One question as an attempt shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Drawn {
    /// The question's index in the module.
    pub q: usize,
    /// `order[k]` is the module's index of the choice shown at position `k`.
    pub order: Vec<usize>,
}

/// Why a stored draw no longer fits the module (it changed since it was handed out).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the quiz changed since this attempt was handed out; reload the module to get a new one")]
pub struct Stale;

/// Draws an attempt: `draw` questions (all when `None`) in random order, or in the module's
/// order when all are asked; each question's choices shuffled when `shuffle` is on.
pub fn draw(module: &Module, rng: &mut impl Rng) -> Vec<Drawn> {
    let count = module.questions.len();
    let picked: Vec<usize> = match module.settings.draw {
        Some(n) if n < count => index::sample(rng, count, n).into_vec(),
        Some(_) => {
            let mut all: Vec<usize> = (0..count).collect();
            all.shuffle(rng);
            all
        }
        None => (0..count).collect(),
    };
    picked
        .into_iter()
        .filter_map(|q| {
            let question = module.questions.get(q)?;
            let mut order: Vec<usize> = (0..question.choices.len()).collect();
            if module.settings.shuffle {
                order.shuffle(rng);
            }
            Some(Drawn { q, order })
        })
        .collect()
}

/// The questions as the learner saw them: choices in the shown order and the answer key
/// re-numbered to match, so they grade with [`crate::grade::grade_against`]. `Err` when the
/// draw does not fit the module any more.
pub fn presented(module: &Module, drawn: &[Drawn]) -> Result<Vec<Question>, Stale> {
    drawn
        .iter()
        .map(|d| {
            let question = module.questions.get(d.q).ok_or(Stale)?;
            let mut sorted = d.order.clone();
            sorted.sort_unstable();
            if sorted != (0..question.choices.len()).collect::<Vec<_>>() {
                return Err(Stale);
            }
            let reorder = |texts: &[String]| -> Vec<String> {
                d.order
                    .iter()
                    .filter_map(|&i| texts.get(i).cloned())
                    .collect()
            };
            let choices = reorder(&question.choices);
            let html = QuestionHtml {
                choices: reorder(&question.html.choices),
                ..question.html.clone()
            };
            let mut answer: Vec<usize> = d
                .order
                .iter()
                .enumerate()
                .filter(|(_, original)| question.answer.contains(original))
                .map(|(shown, _)| shown)
                .collect();
            answer.sort_unstable();
            Ok(Question {
                choices,
                answer,
                html,
                ..question.clone()
            })
        })
        .collect()
}

/// Answers in shown positions turned back into the module's choice indexes, for storage.
pub fn to_module_indexes(drawn: &[Drawn], answers: &[Vec<usize>]) -> Vec<Vec<usize>> {
    drawn
        .iter()
        .zip(answers)
        .map(|(d, chosen)| {
            let mut out: Vec<usize> = chosen
                .iter()
                .filter_map(|&k| d.order.get(k).copied())
                .collect();
            out.sort_unstable();
            out
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::{check_answers_to, grade_against};
    use crate::model::QuizSettings;
    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn module(sizes: &[usize], draw: Option<usize>, shuffle: bool) -> Module {
        Module {
            version: 1,
            pass_percent: 80,
            minutes: None,
            questions: sizes
                .iter()
                .enumerate()
                .map(|(i, &n)| Question {
                    prompt: format!("q{i}"),
                    choices: (0..n).map(|c| format!("q{i}c{c}")).collect(),
                    answer: vec![i % n],
                    multiple: false,
                    explain: None,
                    section: None,
                    html: QuestionHtml::default(),
                })
                .collect(),
            settings: QuizSettings {
                draw,
                shuffle,
                ..QuizSettings::default()
            },
        }
    }

    #[test]
    fn without_draw_or_shuffle_the_attempt_is_the_module() {
        let m = module(&[2, 3, 4], None, false);
        let d = draw(&m, &mut StdRng::seed_from_u64(1));
        assert_eq!(
            d.iter().map(|x| x.q).collect::<Vec<_>>(),
            [0, 1, 2],
            "in order"
        );
        assert!(d.iter().all(|x| x.order.windows(2).all(|w| w[0] < w[1])));
        assert_eq!(presented(&m, &d), Ok(m.questions.clone()));
    }

    #[test]
    fn a_draw_that_no_longer_fits_is_stale() {
        let m = module(&[2, 3], Some(1), true);
        assert_eq!(
            presented(
                &m,
                &[Drawn {
                    q: 5,
                    order: vec![0, 1]
                }]
            ),
            Err(Stale)
        );
        assert_eq!(
            presented(
                &m,
                &[Drawn {
                    q: 1,
                    order: vec![0, 1]
                }]
            ),
            Err(Stale),
            "the question has three choices now"
        );
    }

    proptest! {
        #[test]
        fn draws_are_distinct_questions_with_permuted_choices(
            sizes in prop::collection::vec(2usize..6, 1..12),
            pick in 1usize..12,
            shuffle in any::<bool>(),
            seed in any::<u64>(),
        ) {
            let n = pick.min(sizes.len());
            let m = module(&sizes, Some(n), shuffle);
            let d = draw(&m, &mut StdRng::seed_from_u64(seed));
            prop_assert_eq!(d.len(), n);
            let mut qs: Vec<usize> = d.iter().map(|x| x.q).collect();
            qs.sort_unstable();
            qs.dedup();
            prop_assert_eq!(qs.len(), n, "no question twice");
            for x in &d {
                let mut o = x.order.clone();
                o.sort_unstable();
                prop_assert_eq!(o, (0..sizes[x.q]).collect::<Vec<_>>());
                if !shuffle {
                    prop_assert!(x.order.windows(2).all(|w| w[0] < w[1]));
                }
            }
            // Choosing the shown position of each right answer scores 100, and maps back
            // to the module's own key.
            let shown = presented(&m, &d).expect("fits");
            for (s, x) in shown.iter().zip(&d) {
                prop_assert_eq!(&s.choices[s.answer[0]], &m.questions[x.q].choices[m.questions[x.q].answer[0]]);
            }
            let key: Vec<Vec<i64>> = shown.iter().map(|q| q.answer.iter().map(|&i| i64::try_from(i).expect("small")).collect()).collect();
            let answers = check_answers_to(&shown, &key).expect("valid");
            prop_assert_eq!(grade_against(&shown, 80, &answers).score, 100);
            let stored = to_module_indexes(&d, &answers);
            for (a, x) in stored.iter().zip(&d) {
                prop_assert_eq!(a, &m.questions[x.q].answer);
            }
        }
    }
}
