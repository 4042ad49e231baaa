//! The learner side's plain record types: accounts, sessions, tokens, attempts and passes,
//! hand-outs, tree outcomes and help requests, the search log and click feedback.
//!
//! `store` reads and writes them; views (`render`), rules (`grade`, `progress`, `qualify`) and
//! `export` use them without knowing where they are kept, so nothing here mentions a database.

pub mod accounts;
pub mod learning;
pub mod outcomes;
pub mod search;

pub use accounts::{ApiToken, LoginKey, Session, TokenId, User, UserId, UserName, UserSource};
pub use learning::{Attempt, AttemptId, Gated, Handout, NewAttempt, Pass};
pub use outcomes::{
    HelpFilter, HelpRequest, NewOutcome, NodeStats, OutcomeId, RequestId, RequestStatus, TreeStats,
};
pub use search::{
    Choice, MAX_QUERY_CHARS, PageFeedback, QueryCount, QueryFeedback, QueryKey, SearchLogEntry,
    SearchLogLimits, day_of, normalize,
};
