//! axe-core on every page kind, in the light and the dark colour scheme: the test fails on any
//! critical or serious violation and prints each rule, its impact, the elements and axe's
//! summary, after a table of counts per page kind (also written to
//! `target/browser/axe.txt`). The page kinds and the sign-ins they need are shared with the
//! screenshots.

use std::fmt::Write as _;

use anyhow::{Result, bail, ensure};

use super::axe::{self, Violation};
use super::driver::Tools;
use super::escalation::send_help_request;
use super::page::Page;
use super::{ADMIN, PASSWORD, run, sample_app};

/// Who looks at a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// Nobody signed in.
    Anonymous,
    /// The administrator (who is also a learner).
    Admin,
}

/// Every page kind: its name, its address, who looks at it. `{private}` is replaced with a
/// help request's private link.
pub const PAGE_KINDS: [(&str, &str, Who); 36] = [
    ("home", "/", Who::Anonymous),
    (
        "guide",
        "/docs/guides/postgres/connection-pooling",
        Who::Anonymous,
    ),
    ("folder", "/docs/guides/postgres/", Who::Anonymous),
    (
        "tree start",
        "/trees/troubleshooting/postgres-connection",
        Who::Anonymous,
    ),
    (
        "tree question",
        "/trees/troubleshooting/postgres-connection?at=too-many-connections&trail=start",
        Who::Anonymous,
    ),
    (
        "tree answer",
        "/trees/troubleshooting/postgres-connection?at=use-pgbouncer&trail=start,too-many-connections",
        Who::Anonymous,
    ),
    (
        "tree help form",
        "/trees/troubleshooting/postgres-connection?at=ask-data-platform&trail=start,too-many-connections,pool-size",
        Who::Anonymous,
    ),
    (
        "tree diagram",
        "/trees/troubleshooting/postgres-connection?view=diagram",
        Who::Anonymous,
    ),
    ("path", "/paths/database-operations", Who::Anonymous),
    ("resource", "/resources/prod-postgres", Who::Anonymous),
    ("search results", "/search?q=pgbouncer", Who::Anonymous),
    ("training paths", "/training", Who::Anonymous),
    ("diagnostics", "/diagnostics", Who::Anonymous),
    ("tags", "/tags", Who::Anonymous),
    ("tag", "/tags/postgres", Who::Anonymous),
    ("sign-in", "/sign-in", Who::Anonymous),
    ("private request", "{private}", Who::Anonymous),
    ("404", "/docs/no-such-page", Who::Anonymous),
    ("module (quiz)", "/modules/postgres-basics", Who::Admin),
    ("account", "/account", Who::Admin),
    ("my training", "/my/training", Who::Admin),
    ("my qualifications", "/my/qualifications", Who::Admin),
    ("my requests", "/my/requests", Who::Admin),
    ("requests (admin)", "/requests", Who::Admin),
    ("matrix", "/admin/qualifications", Who::Admin),
    ("learner (admin)", "/learners/grace", Who::Admin),
    ("search feedback", "/admin/search-feedback", Who::Admin),
    ("insights", "/insights", Who::Admin),
    ("insights: search", "/insights/search", Who::Admin),
    (
        "insights: new stub",
        "/insights/stubs/new?q=vault+rotate",
        Who::Admin,
    ),
    ("insights: pages", "/insights/pages", Who::Admin),
    ("insights: trees", "/insights/trees", Who::Admin),
    (
        "insights: one tree",
        "/insights/trees/troubleshooting/postgres-connection",
        Who::Admin,
    ),
    ("insights: quizzes", "/insights/modules", Who::Admin),
    (
        "insights: one quiz",
        "/insights/modules/postgres-basics",
        Who::Admin,
    ),
    ("insights: digest", "/insights/digest", Who::Admin),
];

/// Makes the records the signed-in pages show (a help request from the administrator, one
/// from nobody) and returns the anonymous one's private link.
pub async fn prepare(page: &Page) -> Result<String> {
    let private = send_help_request(page, "Sessions pile up idle in transaction.").await?;
    page.sign_in(ADMIN, PASSWORD).await?;
    send_help_request(page, "Our pool is 20 per pod; what should it be?").await?;
    page.sign_out().await?;
    Ok(private.split('?').next().unwrap_or_default().to_owned())
}

/// Signs in or out as `who` needs, when the browser is not that already (at a laptop's
/// width, where the header shows its buttons without a menu).
pub async fn become_(page: &Page, who: Who) -> Result<()> {
    let signed_in = !page.find_all(".viewer-name").await?.is_empty();
    if signed_in != (who == Who::Admin) {
        page.session.set_viewport(1366, 900);
    }
    match who {
        Who::Admin if !signed_in => page.sign_in(ADMIN, PASSWORD).await,
        Who::Anonymous if signed_in => page.sign_out().await,
        _ => Ok(()),
    }
}

/// Opens a page kind's address and checks it is the page meant (not an error page).
pub async fn open_kind(page: &Page, name: &str, path: &str) -> Result<()> {
    page.open(path).await?;
    let error = !page.find_all(".error-page").await?.is_empty();
    ensure!(
        error == (name == "404"),
        "{name}: {path} answered {}",
        page.text("h1").await.unwrap_or_default()
    );
    Ok(())
}

/// `rgb(r, g, b)` → its mean channel value.
fn brightness(css: &str) -> u32 {
    let channels: Vec<u32> = css
        .trim_start_matches("rgba(")
        .trim_start_matches("rgb(")
        .trim_end_matches(')')
        .split(',')
        .take(3)
        .filter_map(|c| c.trim().parse().ok())
        .collect();
    channels.iter().sum::<u32>() / channels.len().max(1) as u32
}

/// Checks the open page follows the emulated colour scheme (its body's background).
pub async fn follows_scheme(page: &Page, dark: bool) -> Result<()> {
    let background = page.background().await?;
    let light = brightness(&background) > 128;
    ensure!(
        light != dark,
        "the body's background is {background} with prefers-color-scheme: {}",
        if dark { "dark" } else { "light" }
    );
    Ok(())
}

/// Switches the colour scheme and checks the home page follows.
pub async fn scheme(page: &Page, dark: bool) -> Result<()> {
    page.session.set_dark(dark);
    page.open("/").await?;
    follows_scheme(page, dark).await
}

/// Searches that found nothing and "Was this helpful?" votes, this week and last, so the
/// insight pages draw their charts and tables (the digest shows the last whole week).
pub fn seed_insights(app: &crate::support::TestApp) {
    use selfserve::records::feedback::NewFeedback;
    use selfserve::records::{SearchLogEntry, SearchLogLimits};
    let limits = SearchLogLimits {
        retention_days: 90,
        max_rows: 10_000,
    };
    let store = &app.state.store;
    let now = time::OffsetDateTime::now_utc();
    for days_ago in [0, 1, 3, 7, 8, 10] {
        let at = now - time::Duration::days(days_ago);
        for (query, results) in [
            ("vault rotate", 0),
            ("pgbouncer", 4),
            ("kafka lag", 0),
            ("pgbouncer", 4),
        ] {
            let mut entry = SearchLogEntry::new(query, results);
            entry.at = at;
            store.log_searches(&[entry], limits).expect("log a search");
        }
        for helpful in [false, false, true] {
            let mut vote = NewFeedback::new(
                "guides/postgres/connection-pooling",
                helpful,
                Some("Which pool size for a batch job?"),
            )
            .expect("vote");
            vote.at = at;
            store.insert_feedback(&vote, limits).expect("store a vote");
        }
    }
}

#[test]
fn every_page_kind_passes_axe_in_light_and_dark() {
    let Some(tools) = Tools::find() else { return };
    let app = sample_app();
    seed_insights(&app);
    run(&app, &tools, async |page, tools: &Tools| {
        // axe in every new document, so it is not sent again with each page audited.
        page.session.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            serde_json::json!({ "source": tools.axe }),
        );
        let private = prepare(page).await?;
        scheme(page, false).await?;
        let mut table = String::from(
            "axe: elements in violation per impact (critical/serious/moderate/minor)\n",
        );
        let _ = writeln!(table, "{:<20} {:>15} {:>15}", "page kind", "light", "dark");
        let mut results: Vec<(String, Vec<Violation>, Vec<Violation>)> = Vec::new();
        let mut problems = Vec::new();
        let started = std::time::Instant::now();
        // Each page is loaded once and audited in both schemes: the emulated preference
        // applies to the open page at once.
        for (name, path, who) in PAGE_KINDS {
            become_(page, who).await?;
            let path = path.replace("{private}", &private);
            if let Err(err) = open_kind(page, name, &path).await {
                problems.push(format!("{err:#}"));
            }
            let light = axe::audit(page, &tools.axe).await?;
            page.session.set_dark(true);
            if let Err(err) = follows_scheme(page, true).await {
                problems.push(format!("{name}: {err:#}"));
            }
            let dark = axe::audit(page, &tools.axe).await?;
            page.session.set_dark(false);
            results.push((name.to_owned(), light, dark));
        }
        eprintln!(
            "axe: {} page kinds in light and dark in {:.0?}",
            PAGE_KINDS.len(),
            started.elapsed()
        );
        let mut blocking = String::new();
        for (name, light, dark) in &results {
            let fmt = |v: &[Violation]| {
                let c = axe::counts(v);
                format!("{}/{}/{}/{}", c[0], c[1], c[2], c[3])
            };
            let _ = writeln!(table, "{name:<20} {:>15} {:>15}", fmt(light), fmt(dark));
            for (scheme, list) in [("light", light), ("dark", dark)] {
                for v in list.iter().filter(|v| v.blocks()) {
                    let _ = writeln!(blocking, "{name} ({scheme}):\n{}", v.describe());
                }
            }
        }
        let mut minor = String::new();
        for (name, light, _) in &results {
            for v in light.iter().filter(|v| !v.blocks()) {
                let _ = writeln!(minor, "{name} (light):\n{}", v.describe());
            }
        }
        eprintln!("{table}");
        if !minor.is_empty() {
            eprintln!("moderate and minor violations (not failing):\n{minor}");
        }
        let report = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser");
        let _ = std::fs::create_dir_all(&report);
        let _ = std::fs::write(
            report.join("axe.txt"),
            format!("{table}\n{blocking}\n{minor}"),
        );
        ensure!(
            problems.is_empty(),
            "pages that failed to open:\n{}",
            problems.join("\n")
        );
        if !blocking.is_empty() {
            bail!("critical or serious axe violations:\n{blocking}");
        }
        Ok(())
    });
}
