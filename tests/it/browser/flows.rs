//! People's flows through the site in a real browser: type-ahead search with the keyboard, a
//! troubleshooting walk with the Back button, signing in and out, the admin matrix on a phone.

use std::time::{Duration, Instant};

use anyhow::ensure;
use fantoccini::key::Key;
use serde_json::json;

use super::driver::Tools;
use super::{ADMIN, LEARNER, PASSWORD, run, sample_app};

#[test]
fn type_ahead_search_opens_a_result_with_the_keyboard_and_escape_keeps_the_words() {
    let Some(tools) = Tools::find() else { return };
    let app = sample_app();
    run(&app, &tools, async |page, _| {
        page.open("/").await?;
        page.type_into("#site-search", "pgbouncer").await?;
        let first = page
            .wait_visible("#site-search-results [role=option]")
            .await?;
        let title = first
            .find(fantoccini::Locator::Css(".search-suggest-title"))
            .await?
            .text()
            .await?;
        page.press(Key::Down).await?;
        let highlighted = page
            .js(
                "return [document.getElementById('site-search').getAttribute('aria-activedescendant'), \
                   document.getElementById('search-opt-0').getAttribute('aria-selected')];",
                vec![],
            )
            .await?;
        ensure!(
            highlighted == json!(["search-opt-0", "true"]),
            "ArrowDown highlights the first suggestion: {highlighted}"
        );
        page.press(Key::Enter).await?;
        let deadline = Instant::now() + Duration::from_secs(5);
        while page.location().await? == "/" && Instant::now() < deadline {
            actix_rt::time::sleep(Duration::from_millis(50)).await;
        }
        let heading = page.text("h1").await?;
        ensure!(
            heading.contains(&title),
            "Enter opens the highlighted suggestion “{title}”; arrived at {} titled “{heading}”",
            page.here().await
        );

        page.open("/").await?;
        page.type_into("#site-search", "pgbounc").await?;
        page.wait_visible("#site-search-results [role=option]")
            .await?;
        page.press(Key::Escape).await?;
        let state = page
            .js(
                "const i = document.getElementById('site-search'); \
                 return [i.value, document.getElementById('site-search-results').hidden, \
                   i.getAttribute('aria-expanded')];",
                vec![],
            )
            .await?;
        ensure!(
            state == json!(["pgbounc", true, "false"]),
            "Escape must close the suggestions and keep the words typed: \
             [value, list hidden, aria-expanded] = {state}"
        );
        Ok(())
    });
}

#[test]
fn a_troubleshooting_walk_reaches_an_answer_and_back_returns_to_the_previous_question() {
    let Some(tools) = Tools::find() else { return };
    let app = sample_app();
    run(&app, &tools, async |page, _| {
        page.open("/trees/troubleshooting/postgres-connection")
            .await?;
        ensure!(
            page.text(".tree-step-title").await? == "What error do you get?",
            "the walk starts with the first question"
        );
        page.click_text("a.tree-choice", "too many connections")
            .await?;
        let question = page.text(".tree-step-title").await?;
        ensure!(
            question == "Which port does the connection use?",
            "the second question, one per page: {question}"
        );
        let question_url = page.location().await?;
        page.click_text("a.tree-choice", "Port 5432").await?;
        ensure!(
            page.text(".tree-step-title")
                .await?
                .starts_with("Connect through PgBouncer"),
            "the answer's title: {}",
            page.text(".tree-step-title").await?
        );
        ensure!(
            page.text(".tree-outcome")
                .await?
                .contains("Did this fix it?"),
            "an answer asks whether it fixed the problem"
        );
        ensure!(
            page.text(".tree-trail")
                .await?
                .contains("too many connections"),
            "the answers so far are listed"
        );

        page.session.client.back().await?;
        ensure!(
            page.location().await? == question_url,
            "Back returns to {question_url}, not {}",
            page.here().await
        );
        ensure!(
            page.text(".tree-step-title").await? == "Which port does the connection use?",
            "Back shows the previous question again"
        );
        page.session.client.back().await?;
        ensure!(
            page.text(".tree-step-title").await? == "What error do you get?",
            "Back again returns to the first question"
        );
        Ok(())
    });
}

#[test]
fn signing_in_names_the_person_in_the_header_and_signing_out_forgets_them() {
    let Some(tools) = Tools::find() else { return };
    let app = sample_app();
    run(&app, &tools, async |page, _| {
        page.open("/docs/guides/postgres/connection-pooling")
            .await?;
        page.click_text("a.sign-in-link", "Sign in").await?;
        page.wait_path("/sign-in").await?;
        page.type_into("#sign-in-name", LEARNER).await?;
        page.type_into("#sign-in-password", "not the password")
            .await?;
        page.click_text("main button[type=submit]", "Sign in")
            .await?;
        ensure!(
            page.body_text()
                .await?
                .contains("The name or the password is wrong."),
            "a wrong password says so"
        );

        page.sign_in(LEARNER, PASSWORD).await?;
        page.sign_out().await?;
        ensure!(
            page.find_all(".viewer-name").await?.is_empty(),
            "after signing out the header names nobody"
        );
        ensure!(
            !page.find_all("a.sign-in-link").await?.is_empty(),
            "after signing out the header offers “Sign in”"
        );
        page.open("/account").await?;
        ensure!(
            page.location().await?.starts_with("/sign-in"),
            "the account page asks a signed-out visitor to sign in, got {}",
            page.here().await
        );
        Ok(())
    });
}

#[test]
fn the_admin_matrix_keeps_learner_names_in_view_on_a_phone_without_sideways_scrolling() {
    let Some(tools) = Tools::find() else { return };
    let app = sample_app();
    run(&app, &tools, async |page, _| {
        page.sign_in(ADMIN, PASSWORD).await?;
        page.open("/admin/qualifications").await?;
        let rows = page.text(".q-matrix tbody").await?;
        ensure!(
            rows.contains(LEARNER) && rows.contains(ADMIN),
            "a row per learner: {rows}"
        );

        page.session.set_viewport(390, 844);
        page.open("/admin/qualifications").await?;
        if let Some(overflow) = page.sideways_overflow().await? {
            anyhow::bail!("the matrix page at 390 px: {overflow}");
        }
        let sticky = page
            .js(
                "const cell = document.querySelector('.q-matrix tbody th'); \
                 const box = cell.closest('.q-wrap') || document.scrollingElement; \
                 box.style.maxWidth = '160px'; /* two learners, four resources: make it scroll */ \
                 const before = cell.getBoundingClientRect().left; \
                 box.scrollLeft = 400; \
                 const after = cell.getBoundingClientRect().left; \
                 return [getComputedStyle(cell).position, box.scrollLeft > 0, Math.round(after - before)];",
                vec![],
            )
            .await?;
        ensure!(
            sticky[0] == "sticky",
            "the learner column is sticky at 390 px: {sticky}"
        );
        ensure!(
            sticky[1].as_bool() == Some(true) && sticky[2] == 0,
            "the learner column stays in view when the matrix scrolls sideways: \
             [position, scrolled, moved px] = {sticky}"
        );
        Ok(())
    });
}
