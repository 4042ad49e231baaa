//! A quiz in a real browser: a failed attempt, a passed one, then Back and Forward through
//! the results, which must be plain pages (POST, redirect, GET) that never ask to resubmit.

use anyhow::{Context, Result, bail, ensure};
use selfserve::model::{Detail, DocId};

use super::driver::Tools;
use super::page::Page;
use super::{LEARNER, PASSWORD, run, sample_app};
use crate::support::TestApp;

/// A module without drawing or shuffling, whose three free failures allow a retry at once.
const MODULE: &str = "postgres-basics";

/// Per question, the choices that are right.
fn right_answers(app: &TestApp) -> Vec<Vec<usize>> {
    let snapshot = app.state.snapshot.load();
    let id = DocId::parse(MODULE).expect("a module id");
    let doc = snapshot.site.get(&id).expect("the sample module");
    let Detail::Module(module) = &doc.detail else {
        panic!("{MODULE} is not a module")
    };
    module.questions.iter().map(|q| q.answer.clone()).collect()
}

/// Ticks `choices[i]` for question `i` and submits; returns the address arrived at.
async fn submit(page: &Page, choices: &[Vec<usize>]) -> Result<String> {
    let shown = page.find_all(".quiz-form .quiz-question").await?.len();
    ensure!(
        shown == choices.len(),
        "the form shows {shown} questions, the module has {}",
        choices.len()
    );
    for (i, picked) in choices.iter().enumerate() {
        for j in picked {
            page.find(&format!("#q{i}-{j}")).await?.click().await?;
        }
    }
    page.click_text(".quiz-form button[type=submit]", "Submit answers")
        .await?;
    let results = format!("/modules/{MODULE}/attempts/");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let here = page.location().await?;
        if here.starts_with(&results) {
            return Ok(here);
        }
        if std::time::Instant::now() > deadline {
            bail!("a submitted quiz lands on its results address {results}N, not {here}");
        }
        actix_rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Attempts stored for the sample module.
fn attempts(app: &TestApp) -> usize {
    app.state
        .store
        .attempts_for_module(MODULE)
        .expect("read attempts")
        .len()
}

#[test]
fn a_failed_then_passed_quiz_goes_back_and_forward_without_resubmitting() {
    let Some(tools) = Tools::find() else { return };
    let app = sample_app();
    let right = right_answers(&app);
    // One wrong choice per question: nothing right, a certain failure.
    let wrong: Vec<Vec<usize>> = right
        .iter()
        .map(|r| (0..).find(|j| !r.contains(j)).into_iter().collect())
        .collect();
    run(&app, &tools, async |page, tools| {
        page.sign_in(LEARNER, PASSWORD).await?;
        let module = format!("/modules/{MODULE}");
        page.open(&module).await?;
        let failed = submit(page, &wrong).await?;
        let verdict = page.text(".quiz-verdict").await?;
        ensure!(
            verdict.contains("Not passed yet"),
            "a failure says so: {verdict}"
        );

        page.click_text("a.button", "Review and try again").await?;
        page.wait_path(&module).await?;
        let passed = submit(page, &right).await?;
        ensure!(passed != failed, "each attempt has its own results address");
        let verdict = page.text(".quiz-verdict").await?;
        ensure!(verdict.contains("Passed"), "a pass says so: {verdict}");
        ensure!(attempts(&app) == 2, "two attempts stored");

        let client = &page.session.client;
        client.back().await?;
        ensure!(
            page.location().await? == module,
            "Back from the results returns to the module page, not {}",
            page.here().await
        );
        client.back().await?;
        ensure!(
            page.location().await? == failed
                && page.text(".quiz-verdict").await?.contains("Not passed yet"),
            "Back again shows the failed attempt's results at {failed}, not {}",
            page.here().await
        );
        client.forward().await?;
        client.forward().await?;
        let here = page.location().await?;
        let verdict = page
            .text(".quiz-verdict")
            .await
            .with_context(|| format!("Forward to {passed} shows no results (at {here})"))?;
        ensure!(
            here == passed && verdict.contains("Passed"),
            "Forward returns to the passed results at {passed}: at {here}, “{verdict}”"
        );
        ensure!(
            attempts(&app) == 2,
            "Back and Forward stored no new attempt: {} stored",
            attempts(&app)
        );
        audit_results(page, tools, [&failed, &passed]).await
    });
}

/// axe on both results pages, light and dark; last, since switching schemes opens other pages.
async fn audit_results(page: &Page, tools: &Tools, urls: [&str; 2]) -> Result<()> {
    for dark in [false, true] {
        super::audit::scheme(page, dark).await?;
        for url in urls {
            page.open(url).await?;
            let blocking: Vec<String> = super::axe::audit(page, &tools.axe)
                .await?
                .iter()
                .filter(|v| v.blocks())
                .map(|v| v.describe())
                .collect();
            ensure!(
                blocking.is_empty(),
                "axe on the results page {url} (dark: {dark}):\n{}",
                blocking.join("\n")
            );
        }
    }
    Ok(())
}
