//! The rules around a quiz attempt that are not grading: how long a learner waits after
//! failing ([`delay`]) and which questions and choice orders an attempt shows ([`pool`]), and which sections a failed
//! attempt names to re-read ([`review`]), and what a stored attempt showed and answered
//! ([`read_back`]).
//! Pure functions over plain values, tested without a server or a database.

pub mod delay;
pub mod pool;
pub mod read_back;
pub mod review;
