//! Quiz item analysis (issue 16, item 5), as Moodle's quiz statistics: per question, how many
//! attempts showed it, how many got it right (facility), how well it separates learners who
//! do well on the rest of the quiz from those who do not (discrimination), and how often each
//! choice was chosen — the question nobody gets right is usually the question that is wrong.
//!
//! Which attempts count: attempts at the module's **current version** only (an older version
//! may have had other questions or another key), and of those only each learner's **first**
//! attempt. A retake follows the feedback of the attempt before it and the same person
//! counted several times would weigh as several learners, so first attempts say best what
//! the lesson taught. Attempts left out are counted ([`LeftOut`]) and the page says so.

use std::collections::BTreeSet;

use crate::model::Module;
use crate::quiz::read_back::{ReadBack, read_back};
use crate::records::Attempt;

/// How one attempt answered one question it showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The module's index of the question.
    pub question: usize,
    /// The choices chosen (the module's numbering).
    pub chosen: Vec<usize>,
    /// Whether the answer was fully right (exactly the key).
    pub right: bool,
}

/// One attempt's responses, from what [`read_back`] found.
pub fn responses(read: &ReadBack) -> Vec<Response> {
    read.indexes
        .iter()
        .zip(&read.answers)
        .zip(&read.correct)
        .map(|((question, chosen), right)| Response {
            question: *question,
            chosen: chosen.clone(),
            right: *right,
        })
        .collect()
}

/// Attempts not analysed, and why.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LeftOut {
    /// Attempts at an older version of the module.
    pub older_versions: u64,
    /// Second and later attempts of a learner at the current version.
    pub retakes: u64,
    /// First attempts that cannot be read back truthfully (the key changed without a new
    /// version, or answers that no longer fit the questions).
    pub unreadable: u64,
}

/// The attempts an item analysis counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Each analysed attempt's responses.
    pub attempts: Vec<Vec<Response>>,
    /// How many of them passed.
    pub passed: u64,
    /// What was left out.
    pub left_out: LeftOut,
}

/// Picks each learner's first attempt at the current version of `module` from `attempts`
/// (any order; ties in time go by id) and reads it back.
pub fn select(module: &Module, attempts: &[Attempt]) -> Selection {
    let mut current: Vec<&Attempt> = Vec::new();
    let mut selection = Selection::default();
    for attempt in attempts {
        if attempt.module_version == module.version {
            current.push(attempt);
        } else {
            selection.left_out.older_versions += 1;
        }
    }
    current.sort_by_key(|a| (a.created_at, a.id));
    let mut learners = BTreeSet::new();
    for attempt in current {
        if !learners.insert(attempt.user_id) {
            selection.left_out.retakes += 1;
            continue;
        }
        match read_back(module, attempt) {
            Some(read) => {
                selection.passed += u64::from(attempt.passed);
                selection.attempts.push(responses(&read));
            }
            None => selection.left_out.unreadable += 1,
        }
    }
    selection
}

/// One question's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionFigures {
    /// The module's index of the question (from 0).
    pub index: usize,
    /// Analysed attempts that showed it.
    pub answered: u64,
    /// Of those, how many answered it fully right.
    pub right: u64,
    /// right ÷ answered, 0..=1; `None` when nobody was shown it.
    pub facility: Option<f64>,
    /// The corrected item-total correlation (see [`discrimination`]), -1..=1; `None` when
    /// undefined.
    pub discrimination: Option<f64>,
    /// Per choice (the module's numbering), how many attempts chose it.
    pub chosen: Vec<u64>,
}

/// Per question of a module with `choices[i]` choices on question `i`, the figures of
/// `attempts`.
pub fn analyse(choices: &[usize], attempts: &[Vec<Response>]) -> Vec<QuestionFigures> {
    choices
        .iter()
        .enumerate()
        .map(|(index, count)| {
            let mut chosen = vec![0u64; *count];
            let (mut answered, mut right) = (0u64, 0u64);
            for response in attempts.iter().flatten().filter(|r| r.question == index) {
                answered += 1;
                right += u64::from(response.right);
                for choice in &response.chosen {
                    if let Some(n) = chosen.get_mut(*choice) {
                        *n += 1;
                    }
                }
            }
            QuestionFigures {
                index,
                answered,
                right,
                facility: (answered > 0).then(|| right as f64 / answered as f64),
                discrimination: discrimination(index, attempts),
                chosen,
            }
        })
        .collect()
}

/// Moodle's discrimination index, the corrected item-total correlation of question `index`:
/// the Pearson correlation, over the attempts that showed it and at least one other
/// question, between
/// - the item score x = 1 when the question was answered fully right, else 0, and
/// - the rest score y = the share of the *other* questions shown in that attempt answered
///   right (leaving the item out of the total is the "corrected" part: otherwise the item
///   would correlate with itself),
///
/// r = Σ(x − x̄)(y − ȳ) ÷ √(Σ(x − x̄)² · Σ(y − ȳ)²).
///
/// `None` when undefined: fewer than 2 such attempts, or either score the same in all of them
/// (zero variance). Near 1: learners who do well elsewhere get it right; below 0: they get it
/// wrong more often than the others — usually a wrong key or a misleading question.
pub fn discrimination(index: usize, attempts: &[Vec<Response>]) -> Option<f64> {
    let pairs: Vec<(f64, f64)> = attempts
        .iter()
        .filter_map(|attempt| {
            let item = attempt.iter().find(|r| r.question == index)?;
            let others = attempt.iter().filter(|r| r.question != index);
            let (shown, right) =
                others.fold((0u32, 0u32), |(s, r), o| (s + 1, r + u32::from(o.right)));
            (shown > 0).then(|| {
                (
                    f64::from(u8::from(item.right)),
                    f64::from(right) / f64::from(shown),
                )
            })
        })
        .collect();
    if pairs.len() < 2 {
        return None;
    }
    let n = pairs.len() as f64;
    let mean_x = pairs.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    let (mut cov, mut var_x, mut var_y) = (0.0, 0.0, 0.0);
    for (x, y) in &pairs {
        cov += (x - mean_x) * (y - mean_y);
        var_x += (x - mean_x).powi(2);
        var_y += (y - mean_y).powi(2);
    }
    // Shares of a few questions: anything this small is rounding, not spread.
    if var_x <= 1e-12 || var_y <= 1e-12 {
        return None;
    }
    Some((cov / (var_x * var_y).sqrt()).clamp(-1.0, 1.0))
}

/// Below this facility a question is flagged: hardly anybody gets it right.
pub const LOW_FACILITY: f64 = 0.2;

/// Fewer answers than this flag nothing: two learners missing a question say little about it.
pub const MIN_ANSWERS_TO_FLAG: u64 = 5;

/// A plain-words warning for a question whose figures suggest it, not its learners, is wrong.
pub fn flag(figures: &QuestionFigures) -> Option<&'static str> {
    if figures.answered < MIN_ANSWERS_TO_FLAG {
        None
    } else if figures.facility.is_some_and(|f| f < LOW_FACILITY) {
        Some("Hardly anybody gets this right — check the key and the wording.")
    } else if figures.discrimination.is_some_and(|d| d < 0.0) {
        Some("Learners who do well on the rest get this wrong more often — check the key.")
    } else {
        None
    }
}

/// The question with the lowest facility (the first of equals), among those answered.
pub fn hardest(questions: &[QuestionFigures]) -> Option<&QuestionFigures> {
    questions
        .iter()
        .filter_map(|q| q.facility.map(|f| (f, q)))
        .fold(
            None,
            |best: Option<(f64, &QuestionFigures)>, (f, q)| match best {
                Some((b, _)) if b <= f => best,
                _ => Some((f, q)),
            },
        )
        .map(|(_, q)| q)
}

/// Convenience for a module: its choice counts per question.
pub fn choice_counts(module: &Module) -> Vec<usize> {
    module.questions.iter().map(|q| q.choices.len()).collect()
}

#[cfg(test)]
#[path = "items_tests.rs"]
mod tests;
