//! The rules around a quiz attempt that are not grading: how long a learner waits after
//! failing ([`delay`]) and which questions and choice orders an attempt shows ([`pool`]).
//! Pure functions over plain values, tested without a server or a database.

pub mod delay;
pub mod pool;
