//! Tests of the quiz item analysis: a hand-computed example, which attempts count, and the
//! figures' bounds for any answers.

use super::*;
use crate::qualify::test_support::site;
use crate::records::{AttemptId, UserId};
use proptest::prelude::*;

/// Five attempts at three one-answer questions (choices 0 right, 1 and 2 wrong), right (1)
/// or wrong (0):
///
/// | attempt | Q0 | Q1 | Q2 | wrong choices          |
/// |---------|----|----|----|------------------------|
/// | A       | 1  | 1  | 1  |                        |
/// | B       | 1  | 1  | 0  | Q2: 1                  |
/// | C       | 1  | 0  | 1  | Q1: 2                  |
/// | D       | 0  | 1  | 0  | Q0: 1, Q2: 2           |
/// | E       | 0  | 0  | 0  | Q0: 2, Q1: 1, Q2: 1    |
fn five_attempts() -> Vec<Vec<Response>> {
    let rows: [[usize; 3]; 5] = [[0, 0, 0], [0, 0, 1], [0, 2, 0], [1, 0, 2], [2, 1, 1]];
    rows.iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .map(|(question, choice)| Response {
                    question,
                    chosen: vec![*choice],
                    right: *choice == 0,
                })
                .collect()
        })
        .collect()
}

fn close(got: Option<f64>, want: f64) -> bool {
    got.is_some_and(|g| (g - want).abs() < 1e-9)
}

#[test]
fn the_hand_computed_example() {
    let figures = analyse(&[3, 3, 3], &five_attempts());
    // Facility: Q0 3/5 = 0.6, Q1 3/5 = 0.6, Q2 2/5 = 0.4.
    assert_eq!(
        figures.iter().map(|q| q.facility).collect::<Vec<_>>(),
        [Some(0.6), Some(0.6), Some(0.4)]
    );
    assert!(figures.iter().all(|q| q.answered == 5));
    // Q0: x = 1,1,1,0,0 (x̄ 0.6); rest y = share right of Q1,Q2 = 1, .5, .5, .5, 0 (ȳ 0.5).
    // Σ(x−x̄)(y−ȳ) = .4·.5 + .4·0 + .4·0 − .6·0 + (−.6)(−.5) = 0.5;
    // Σ(x−x̄)² = 3·.16 + 2·.36 = 1.2; Σ(y−ȳ)² = .25 + 0 + 0 + 0 + .25 = 0.5;
    // r = 0.5 / √(1.2 · 0.5) = 0.5 / √0.6 = 0.645497224367903.
    assert!(
        close(figures[0].discrimination, 0.5 / 0.6f64.sqrt()),
        "{figures:?}"
    );
    assert!(close(figures[0].discrimination, 0.645_497_224_367_903));
    // Q1: x = 1,1,0,1,0 (x̄ .6); y = 1, .5, 1, 0, 0 (ȳ .5).
    // Σ(x−x̄)(y−ȳ) = .4·.5 + .4·0 + (−.6)(.5) + .4(−.5) + (−.6)(−.5) = .2 + 0 − .3 − .2 + .3 = 0
    // → r = 0 (defined: both vary).
    assert!(close(figures[1].discrimination, 0.0));
    // Q2: x = 1,0,1,0,0 (x̄ .4); y = 1, 1, .5, .5, 0 (ȳ .6).
    // Σ(x−x̄)(y−ȳ) = .6·.4 + (−.4)(.4) + .6(−.1) + (−.4)(−.1) + (−.4)(−.6)
    //              = .24 − .16 − .06 + .04 + .24 = 0.3;
    // Σ(x−x̄)² = 2·.36 + 3·.16 = 1.2; Σ(y−ȳ)² = .16 + .16 + .01 + .01 + .36 = 0.7;
    // r = 0.3 / √0.84 = 0.327326835353989.
    assert!(close(figures[2].discrimination, 0.3 / 0.84f64.sqrt()));
    assert!(close(figures[2].discrimination, 0.327_326_835_353_989));
    // Choices: Q0 chosen 0,0,0,1,2 → [3, 1, 1]; Q1 0,0,2,0,1 → [3, 1, 1];
    // Q2 0,1,0,2,1 → [2, 2, 1].
    assert_eq!(figures[0].chosen, [3, 1, 1]);
    assert_eq!(figures[1].chosen, [3, 1, 1]);
    assert_eq!(figures[2].chosen, [2, 2, 1]);
    assert_eq!(hardest(&figures).map(|q| q.index), Some(2));
    assert_eq!(figures.iter().filter_map(flag).count(), 0);
}

#[test]
fn undefined_discrimination_is_none() {
    let all = five_attempts();
    // Fewer than two attempts.
    assert_eq!(discrimination(0, &all[..1]), None);
    // Everybody right on Q0 among A, B, C: no variance in x.
    assert_eq!(discrimination(0, &all[..3]), None);
    // An attempt that showed only the question has no rest score: left out.
    let alone = vec![vec![Response {
        question: 0,
        chosen: vec![0],
        right: true,
    }]];
    assert_eq!(discrimination(0, &alone), None);
    // Not shown at all.
    let figures = analyse(&[3, 3, 3, 2], &all);
    assert_eq!(
        (
            figures[3].answered,
            figures[3].facility,
            figures[3].discrimination
        ),
        (0, None, None)
    );
}

#[test]
fn a_reversed_question_is_flagged() {
    // Strong learners (right on Q1, Q2) get Q0 wrong, weak ones right: the key is likely wrong.
    let rows = [
        [false, true, true],
        [false, true, true],
        [true, false, false],
        [true, false, true],
    ];
    let attempts: Vec<Vec<Response>> = rows
        .iter()
        .chain(&rows)
        .map(|row| {
            row.iter()
                .enumerate()
                .map(|(question, right)| Response {
                    question,
                    chosen: vec![usize::from(!right)],
                    right: *right,
                })
                .collect()
        })
        .collect();
    let figures = analyse(&[2, 2, 2], &attempts);
    assert!(
        figures[0].discrimination.is_some_and(|d| d < 0.0),
        "{figures:?}"
    );
    assert!(flag(&figures[0]).is_some_and(|f| f.contains("check the key")));
    let nobody = QuestionFigures {
        index: 0,
        answered: 10,
        right: 1,
        facility: Some(0.1),
        discrimination: None,
        chosen: vec![1, 9],
    };
    assert!(flag(&nobody).is_some_and(|f| f.starts_with("Hardly anybody gets this right")));
    let too_few = QuestionFigures {
        answered: MIN_ANSWERS_TO_FLAG - 1,
        right: 0,
        facility: Some(0.0),
        chosen: vec![0, MIN_ANSWERS_TO_FLAG - 1],
        ..nobody
    };
    assert_eq!(
        flag(&too_few),
        None,
        "too few answers to judge the question"
    );
}

const QUIZ: &str = "---\nid: m\ntitle: M\npass: 50\n---\n## A\n\nA.\n\n```quiz\n\
- question: One?\n  choices: [yes, no]\n  answer: 0\n\
- question: Two?\n  choices: [a, b, c]\n  answer: [0, 2]\n```\n";

fn stored(id: i64, user: i64, json: &str, score: u8, version: u32, minute: i64) -> Attempt {
    Attempt {
        id: AttemptId(id),
        user_id: UserId(user),
        module_id: "m".into(),
        module_version: version,
        answers_json: json.into(),
        score,
        passed: score >= 50,
        created_at: time::OffsetDateTime::UNIX_EPOCH + time::Duration::minutes(minute),
    }
}

#[test]
fn only_first_attempts_at_the_current_version_count() {
    let site = site(&[("training/modules/m.md", QUIZ)]);
    let module = site
        .get_str("m")
        .and_then(|d| d.module().cloned())
        .expect("module m");
    let attempts = [
        // Newest first, as the store lists them.
        stored(6, 2, "[[1],[0,2]]", 50, 1, 9),  // bob's retake
        stored(5, 3, "[[0],[0,2]]", 0, 1, 8),   // a score no regrade gives: unreadable
        stored(4, 2, "[[0],[1]]", 50, 1, 7),    // bob's first
        stored(3, 1, "[[0],[0]]", 50, 1, 5),    // ada's first
        stored(2, 1, "[[1],[1]]", 0, 1, 6),     // ada's retake (later in time)
        stored(1, 1, "[[0],[0,2]]", 100, 0, 1), // an older version
    ];
    let selection = select(&module, &attempts);
    assert_eq!(
        selection.left_out,
        LeftOut {
            older_versions: 1,
            retakes: 2,
            unreadable: 1
        }
    );
    assert_eq!(selection.attempts.len(), 2);
    assert_eq!(selection.passed, 2);
    let figures = analyse(&choice_counts(&module), &selection.attempts);
    assert_eq!(figures[0].facility, Some(1.0));
    assert_eq!(figures[1].facility, Some(0.0));
    assert_eq!(figures[1].chosen, [1, 1, 0]);
}

proptest! {
    #[test]
    fn figures_stay_in_bounds_and_choices_add_up(
        attempts in prop::collection::vec(
            prop::collection::vec((0usize..4, prop::collection::vec(0usize..3, 0..3), any::<bool>()), 0..5),
            0..25,
        )
    ) {
        // Each attempt shows each question at most once, as read_back guarantees.
        let attempts: Vec<Vec<Response>> = attempts
            .into_iter()
            .map(|shown| {
                let mut seen = BTreeSet::new();
                shown
                    .into_iter()
                    .filter(|(q, _, _)| seen.insert(*q))
                    .map(|(question, mut chosen, right)| {
                        chosen.sort_unstable();
                        chosen.dedup();
                        Response { question, chosen, right }
                    })
                    .collect()
            })
            .collect();
        let figures = analyse(&[3, 3, 3, 3], &attempts);
        for q in &figures {
            let shown: Vec<&Response> = attempts.iter().flatten().filter(|r| r.question == q.index).collect();
            prop_assert_eq!(q.answered, shown.len() as u64);
            if let Some(f) = q.facility {
                prop_assert!((0.0..=1.0).contains(&f));
            } else {
                prop_assert_eq!(q.answered, 0);
            }
            if let Some(d) = q.discrimination {
                prop_assert!((-1.0..=1.0).contains(&d), "{}", d);
            }
            let picks: usize = shown.iter().map(|r| r.chosen.len()).sum();
            prop_assert_eq!(q.chosen.iter().sum::<u64>(), picks as u64);
            prop_assert!(q.chosen.iter().all(|c| *c <= q.answered));
        }
    }
}
