//! Views: pure functions from model values to maud `Markup`.
//!
//! STUB: the site shell is being written.
