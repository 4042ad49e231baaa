//! What a failed attempt points the learner to: the sections of the lesson to re-read.
//!
//! Under the default `score` policy the list must not say which questions were wrong, or it
//! would be the `questions` policy by another name (a script learns as much from "re-read
//! Probes" as from "question 3 was wrong" when only question 3 tests Probes). So under
//! `score` a section is named only when at least two of the questions asked test it; wrong
//! answers elsewhere send the learner to the whole lesson.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Question, Review};

/// The anchors of the sections to re-read after an attempt with these per-question results;
/// empty means "the whole lesson" (when something was wrong) or nothing (when all was right).
pub fn sections_to_reread(
    shown: &[Question],
    correct: &[bool],
    review: Review,
) -> BTreeSet<String> {
    let mut asked: BTreeMap<&str, usize> = BTreeMap::new();
    for section in shown.iter().filter_map(|q| q.section.as_deref()) {
        *asked.entry(section).or_default() += 1;
    }
    shown
        .iter()
        .zip(correct)
        .filter(|(_, right)| !**right)
        .filter_map(|(q, _)| q.section.as_deref())
        .filter(|s| review != Review::Score || asked.get(s).copied().unwrap_or(0) >= 2)
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn q(section: Option<&str>) -> Question {
        Question {
            prompt: "p".into(),
            choices: vec!["a".into(), "b".into()],
            answer: vec![0],
            multiple: false,
            explain: None,
            section: section.map(str::to_owned),
            html: crate::model::QuestionHtml::default(),
        }
    }

    #[test]
    fn a_section_tested_by_one_question_is_not_named_under_score() {
        let shown = [q(Some("a")), q(Some("b")), q(Some("b")), q(None)];
        let named = |correct: &[bool], review| {
            sections_to_reread(&shown, correct, review)
                .into_iter()
                .collect::<Vec<_>>()
        };
        assert_eq!(named(&[false, true, false, true], Review::Score), ["b"]);
        assert!(named(&[false, true, true, false], Review::Score).is_empty());
        assert_eq!(
            named(&[false, true, false, true], Review::Questions),
            ["a", "b"]
        );
        assert!(named(&[true, true, true, true], Review::Answers).is_empty());
    }

    proptest! {
        #[test]
        fn under_score_no_named_section_points_at_one_question(
            sections in prop::collection::vec(prop::option::of(0u8..4), 1..10),
            wrong in prop::collection::vec(any::<bool>(), 10),
        ) {
            let shown: Vec<Question> = sections
                .iter()
                .map(|s| q(s.map(|n| format!("s{n}")).as_deref()))
                .collect();
            let correct: Vec<bool> = wrong.iter().take(shown.len()).map(|w| !w).collect();
            for named in sections_to_reread(&shown, &correct, Review::Score) {
                let asked = shown.iter().filter(|x| x.section.as_deref() == Some(named.as_str())).count();
                prop_assert!(asked >= 2);
            }
        }
    }
}
