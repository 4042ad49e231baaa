//! The only code that touches SQLite: accounts, sessions, tokens, attempts, outcomes, logs.
//!
//! STUB: the training issue builds it.
