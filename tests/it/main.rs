//! The one integration test binary: real servers on free ports, real SQLite, real tantivy,
//! fixture content folders. Each module covers one area.

mod auth;
mod authoring;
mod browser;
mod check;
mod cli;
mod cli_tools;
mod content_trust;
mod corpus;
mod database;
mod feedback;
mod discovery;
mod fuzz;
mod home;
mod http_cache;
mod insights_search;
mod insights_trees_modules;
mod insights_digest;
mod insights_stubs;
mod live;
mod pages;
mod postgres;
mod qualifications;
mod quiz;
mod quiz_attack;
mod quiz_flow;
mod replicas;
mod routes;
mod search;
mod search_clicks;
mod semantic;
mod site;
mod store;
mod support;
mod training;
mod trees;
