//! The one integration test binary: real servers on free ports, real SQLite, real tantivy,
//! fixture content folders. Each module covers one area.

mod check;
mod corpus;
mod live;
mod cli;
mod site;
mod store;
mod support;
mod auth;
mod routes;
mod training;
mod trees;
mod qualifications;
mod search;
mod pages;
