//! selfserve: a knowledge base and learning platform for platform-engineering teams.
//!
//! Two flows, each one way:
//!
//! ```text
//! content files ──► source ──► parse ──► model ──┬──► search (tantivy) ──┐
//!   (notify)        read       front matter,     │                       ├──► web (actix) ──► browser / API
//!                   walk       markdown, trees,  └──► render (maud)   ──┘        │
//!                              quizzes → Diagnostics                              │
//!                                                                                  ▼
//! learner actions (sign-in, quiz attempts, tree outcomes) ──► store (SQLite) ──► qualify ──► render
//! ```
//!
//! [`loader`] wires the content stages into a [`model::Site`]; [`snapshot`] pairs it with the
//! search index as the one immutable value every request reads. Only [`source`] reads the
//! content folder, only [`store`] touches SQLite, only [`web`] knows actix. [`grade`] scores a
//! quiz submission and [`progress`] turns stored attempts into module and path states; both are
//! pure, like [`qualify`].

pub mod check;
pub mod cli;
pub mod compression;
pub mod config;
mod config_errors;
pub mod config_nav;
pub mod digest;
pub mod escape;
pub mod export;
pub mod grade;
pub mod init;
pub mod insights;
pub mod live;
pub mod loader;
pub mod mkdocs;
pub mod model;
pub mod oidc;
pub mod page_cache;
pub mod parse;
pub mod progress;
pub mod qualify;
pub mod quiz;
pub mod records;
pub mod render;
pub mod search;
pub mod server_config;
pub mod snapshot;
pub mod source;
pub mod store;
pub mod web;
pub mod webhooks;
