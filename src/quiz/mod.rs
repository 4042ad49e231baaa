//! The rules around a quiz attempt that are not grading: how long a learner waits after
//! failing ([`delay`]) and which questions and choice orders an attempt shows ([`pool`]), and which sections a failed
//! attempt names to re-read ([`review`]).
//! Pure functions over plain values, tested without a server or a database.

pub mod delay;
pub mod pool;
pub mod review;
