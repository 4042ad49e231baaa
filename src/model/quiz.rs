//! A module's quiz settings beyond its questions: what a failed attempt shows, how often a
//! learner may retry, and whether each attempt draws and shuffles its questions.

/// What a learner sees after a failed attempt (front matter `review:`). After a pass every
/// policy shows everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Review {
    /// The score and the sections to re-read; no per-question right or wrong.
    #[default]
    Score,
    /// Also which questions were wrong, but not the right answers.
    Questions,
    /// Also the right answers and the explanations.
    Answers,
}

impl Review {
    /// The front matter spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Review::Score => "score",
            Review::Questions => "questions",
            Review::Answers => "answers",
        }
    }

    /// Whether a graded attempt shows per-question right and wrong.
    pub fn shows_marks(self, passed: bool) -> bool {
        passed || self != Review::Score
    }

    /// Whether a graded attempt shows the right answers and explanations.
    pub fn shows_answers(self, passed: bool) -> bool {
        passed || self == Review::Answers
    }
}

/// How quickly a learner may retry after failing (front matter `attempts:`): `free` failures
/// in a row cost nothing; the next attempt waits `delay_secs`, doubling with each further
/// failure up to `max_delay_secs`. A pass resets the count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptLimits {
    /// Failures in a row allowed without a wait.
    pub free: u32,
    /// The first wait, in seconds.
    pub delay_secs: u64,
    /// The longest wait, in seconds.
    pub max_delay_secs: u64,
}

impl Default for AttemptLimits {
    fn default() -> Self {
        AttemptLimits {
            free: 3,
            delay_secs: 10 * 60,
            max_delay_secs: 24 * 60 * 60,
        }
    }
}

/// A module's quiz settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QuizSettings {
    /// What a failed attempt shows.
    pub review: Review,
    /// Retry limits.
    pub limits: AttemptLimits,
    /// Questions asked per attempt, when fewer than all (`draw: N`).
    pub draw: Option<usize>,
    /// Shuffle each question's choices per attempt.
    pub shuffle: bool,
}

impl QuizSettings {
    /// Whether attempts are handed out by the server (drawn or shuffled questions): the
    /// learner's answers are then graded against what that learner was shown.
    pub fn pooled(&self) -> bool {
        self.draw.is_some() || self.shuffle
    }
}
