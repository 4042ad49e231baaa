//! Qualification rules: (model, learner history, now) → status per resource. Pure.
//!
//! STUB: the qualifications issue builds it.
