//! Escalation in a real browser: a walk to a dead end, a help request with a note, the
//! administrator's reply on `/requests`, and the requester reading it (on "My help requests"
//! when signed in, behind the private link when not).

use anyhow::{Context, Result, ensure};

use super::driver::Tools;
use super::page::Page;
use super::{ADMIN, LEARNER, PASSWORD, run, sample_app};

/// Walks the Postgres tree to "Ask the data platform team" and sends `note`; returns the
/// page's address afterwards (the request's private link).
pub async fn send_help_request(page: &Page, note: &str) -> Result<String> {
    page.open("/trees/troubleshooting/postgres-connection")
        .await?;
    page.click_text("a.tree-choice", "too many connections")
        .await?;
    page.click_text("a.tree-choice", "Port 6432").await?;
    page.click_text("a.tree-choice", "idle in transaction")
        .await?;
    ensure!(
        page.text(".tree-step-title")
            .await?
            .starts_with("Ask the data platform team"),
        "the walk ends at the escalation step, not {}",
        page.text(".tree-step-title").await?
    );
    page.type_into("#tree-note", note).await?;
    page.click_text(".tree-help-form button", "Send the help request")
        .await?;
    // Read the heading of the page the form leads to, not of the one it leaves.
    page.wait_until(
        "const h = document.querySelector('h1'); return h !== null && h.textContent.startsWith('Help request #');",
    )
    .await
    .with_context(|| format!("sending leads to the request's page, not {note:?}'s tree"))?;
    let heading = page.text("h1").await?;
    ensure!(
        heading.starts_with("Help request #") && heading.ends_with("sent"),
        "after sending, the page says the request is sent: “{heading}” at {}",
        page.here().await
    );
    page.location().await
}

/// As the administrator: replies to the request whose note is `note` and marks it answered.
async fn reply_as_admin(page: &Page, note: &str, reply: &str) -> Result<()> {
    page.sign_in(ADMIN, PASSWORD).await?;
    page.open("/requests").await?;
    let mut found = None;
    for item in page.find_all("li.request").await? {
        if item.text().await?.contains(note) {
            found = Some(item);
        }
    }
    let Some(item) = found else {
        anyhow::bail!("the request with the note “{note}” is not on /requests");
    };
    let id = item.attr("id").await?.unwrap_or_default();
    let field = page.find(&format!("#{id} textarea[name=reply]")).await?;
    field.send_keys(reply).await?;
    page.click_text(&format!("#{id} .request-reply-form button"), "Send reply")
        .await?;
    // The form reloads the list: read the status from the new page, not the old one.
    page.wait_until(&format!(
        "const item = document.getElementById({}); return item !== null && item.textContent.includes({});",
        serde_json::to_string(&id)?,
        serde_json::to_string(reply)?
    ))
    .await
    .context("the list shows the reply after sending it")?;
    // A reply may mark the request answered by itself; if not, the admin does.
    if page.text(&format!("#{id} .request-status")).await? != "answered" {
        page.click_text(&format!("#{id} .request-actions button"), "Mark answered")
            .await?;
    }
    // Marking reloads the list too: wait for the new status before reading the item.
    page.wait_until(&format!(
        "const s = document.querySelector({}); return s !== null && s.textContent.trim() === 'answered';",
        serde_json::to_string(&format!("#{id} .request-status"))?
    ))
    .await
    .context("the request shows as answered")?;
    let shown = page.text(&format!("#{id}")).await?;
    ensure!(
        shown.contains(reply) && shown.contains("answered"),
        "the admin list shows the reply and the new status: {shown}"
    );
    page.sign_out().await?;
    Ok(())
}

#[test]
fn a_help_request_from_a_dead_end_gets_a_reply_the_requester_can_read() {
    let Some(tools) = Tools::find() else { return };
    let app = sample_app();
    run(&app, &tools, async |page, _| {
        let signed_in_note =
            "Pool size is 20 per pod, 4 pods; sessions idle in transaction for minutes.";
        page.sign_in(LEARNER, PASSWORD).await?;
        send_help_request(page, signed_in_note).await?;
        page.sign_out().await?;

        let anonymous_note = "Anonymous: connections pile up after the nightly batch job.";
        let private_link = send_help_request(page, anonymous_note).await?;

        reply_as_admin(
            page,
            signed_in_note,
            "Set idle_in_transaction_session_timeout to 60s.",
        )
        .await?;
        reply_as_admin(
            page,
            anonymous_note,
            "The batch job leaks connections; we opened a fix.",
        )
        .await?;

        page.sign_in(LEARNER, PASSWORD).await?;
        page.open("/my/requests").await?;
        let mine = page.text("main").await?;
        ensure!(
            mine.contains("Set idle_in_transaction_session_timeout to 60s.")
                && mine.contains("answered"),
            "“My help requests” shows the reply and the status: {mine}"
        );
        ensure!(
            !mine.contains(anonymous_note),
            "“My help requests” lists only the person's own requests"
        );
        page.sign_out().await?;

        let path = private_link
            .split('?')
            .next()
            .unwrap_or_default()
            .to_owned();
        page.open(&path).await?;
        let private = page.text("main").await?;
        ensure!(
            private.contains("The batch job leaks connections; we opened a fix.")
                && private.contains("answered"),
            "the private link shows the reply and the status: {private}"
        );
        Ok(())
    });
}
