//! Browser tests: headless Chromium driven over WebDriver (chromedriver, through fantoccini)
//! against the real server over the sample content in `content/`. People's flows with the
//! keyboard and the mouse, axe-core on every page kind in light and dark, phone widths, and
//! screenshots under `target/screenshots/` for people to look at.
//!
//! They need Debian's `chromium` and `chromium-driver` and axe-core (`npm ci` in
//! `tests/browser-deps`), which `.ci/run` installs. Without them each test prints a notice and
//! passes (a fresh clone's `cargo test`), unless `SELFSERVE_BROWSER_TESTS=required`.

mod audit;
mod axe;
mod driver;
mod escalation;
mod flows;
mod page;
mod quiz;
mod screenshots;

use std::path::Path;

use anyhow::Result;

use crate::auth::add_user;
use crate::support::TestApp;
use driver::{Driver, Tools};
use page::Page;

/// The learner the flows sign in as, and the password of every test account.
pub const LEARNER: &str = "ada";
/// An administrator (help requests, the matrix).
pub const ADMIN: &str = "grace";
/// Every test account's password.
pub const PASSWORD: &str = "correct horse battery";

/// The server over the sample content, with a learner and an administrator.
pub fn sample_app() -> TestApp {
    let app = TestApp::start_at(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content"));
    add_user(&app, LEARNER, false, Some(PASSWORD));
    add_user(&app, ADMIN, true, Some(PASSWORD));
    app
}

/// Runs `flow` in a fresh headless Chromium against `app`. A failed flow panics with its
/// sentence after the browser is closed.
pub fn run(app: &TestApp, tools: &Tools, flow: impl AsyncFnOnce(&Page, &Tools) -> Result<()>) {
    let driver = Driver::start(tools);
    let outcome = actix_rt::System::new().block_on(async {
        let session = driver.session("main").await;
        let page = Page {
            session,
            base: format!("http://{}", app.addr),
        };
        let outcome = flow(&page, tools).await;
        page.session.close().await;
        outcome
    });
    drop(driver);
    if let Err(err) = outcome {
        panic!("{err:#}");
    }
}
