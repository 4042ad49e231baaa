//! The learner side's plain record types: accounts, sessions, tokens, attempts and passes,
//! hand-outs, tree outcomes and help requests, the search log and click feedback, and
//! "Was this helpful?" votes.
//!
//! `store` reads and writes them; views (`render`), rules (`grade`, `progress`, `qualify`) and
//! `export` use them without knowing where they are kept, so nothing here mentions a database.

pub mod accounts;
pub mod feedback;
pub mod learning;
pub mod outcomes;
pub mod search;
pub mod webhooks;

pub use accounts::{ApiToken, LoginKey, Session, TokenId, User, UserId, UserName, UserSource};
pub use feedback::{
    DayVotes, FeedbackComment, FeedbackId, MAX_COMMENT_CHARS, NewFeedback, PageVotes,
};
pub use learning::{Attempt, AttemptId, Gated, Handout, NewAttempt, Pass};
pub use outcomes::{
    Answer, HelpFilter, HelpRequest, NewOutcome, NodeStats, OutcomeId, Reply, RequestId,
    RequestStatus, SentRequest, TreeStats, WalkDay, WalkRecord,
};
pub use search::{
    Choice, DayTotals, MAX_QUERY_CHARS, PageFeedback, QueryCount, QueryDay, QueryFeedback,
    QueryKey, QueryTotals, SearchLogEntry, SearchLogLimits, SearchPeriod, day_of, normalize,
};

/// The reads that judging every learner at once needs (the qualification matrix and its
/// export), so those rules need not know what keeps the records.
pub trait LearnerRecords {
    /// Why a read failed.
    type Error;

    /// Every account, ordered by name.
    fn learners(&self) -> Result<Vec<User>, Self::Error>;

    /// Every passing attempt of everyone, in any order.
    fn all_passes(&self) -> Result<Vec<Pass>, Self::Error>;
}
