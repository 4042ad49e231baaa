//! Quiz attempts, passes and hand-outs (what a drawn attempt showed), as plain values.

use time::OffsetDateTime;

use super::UserId;

/// An attempt's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct AttemptId(pub i64);

/// A graded submission, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttempt<'a> {
    /// The learner.
    pub user_id: UserId,
    /// The module's document id.
    pub module_id: &'a str,
    /// The module's `version` when it was answered.
    pub module_version: u32,
    /// The submitted answers as JSON (`[[0], [1, 2]]`).
    pub answers_json: &'a str,
    /// Percent right, 0 to 100.
    pub score: u8,
    /// Whether the score reached the module's pass mark.
    pub passed: bool,
}

#[cfg(test)]
impl<'a> NewAttempt<'a> {
    /// A test attempt at version 1 of `module_id`, answered `[[0],[1,2]]`, scoring 100 when
    /// `passed` and 50 when not.
    pub(crate) fn sample(user_id: UserId, module_id: &'a str, passed: bool) -> Self {
        Self {
            user_id,
            module_id,
            module_version: 1,
            answers_json: "[[0],[1,2]]",
            score: if passed { 100 } else { 50 },
            passed,
        }
    }
}

/// A stored attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// Row id.
    pub id: AttemptId,
    /// The learner.
    pub user_id: UserId,
    /// The module's document id.
    pub module_id: String,
    /// The module version answered.
    pub module_version: u32,
    /// The answers as submitted (JSON).
    pub answers_json: String,
    /// Percent right.
    pub score: u8,
    /// Passed or not.
    pub passed: bool,
    /// When it was submitted.
    pub created_at: OffsetDateTime,
}

/// One passing attempt, reduced to what qualification needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pass {
    /// The learner.
    pub user_id: UserId,
    /// The module's document id.
    pub module_id: String,
    /// The version passed.
    pub version: u32,
    /// When it was passed.
    pub at: OffsetDateTime,
}

/// What recording an attempt behind a gate did (`Store::record_attempt_gated`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gated<E> {
    /// Stored and committed.
    Stored(AttemptId),
    /// The gate refused; nothing was stored.
    Refused(E),
    /// The hand-out was used already (or is not this learner's); nothing was stored.
    HandoutUsed,
}

/// One handed-out attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handout {
    /// Random id, 32 hex digits: what the form and the API carry back.
    pub id: String,
    /// The learner it was handed to.
    pub user_id: UserId,
    /// The module's document id.
    pub module_id: String,
    /// The module file's hash when it was drawn: a changed file makes it stale.
    pub content_hash: String,
    /// The drawn questions and choice orders (JSON).
    pub drawn_json: String,
    /// When it was handed out.
    pub created_at: OffsetDateTime,
    /// When its answers were graded.
    pub used_at: Option<OffsetDateTime>,
}
