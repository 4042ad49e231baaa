//! Every page kind at a phone's width (390 px) must not scroll sideways and must log no
//! console errors; the main kinds are photographed at 390, 1366 and 1920 px in light and
//! dark into `target/screenshots/` for people to look at (nothing compares them).

use std::path::Path;

use anyhow::{Context, Result, bail};

use super::audit::{PAGE_KINDS, become_, open_kind, prepare, scheme, seed_insights};
use super::driver::Tools;
use super::page::Page;
use super::{run, sample_app};

/// The widths photographed: a phone, a laptop, a desktop.
const WIDTHS: [u32; 3] = [390, 1366, 1920];

/// The page kinds photographed.
const PHOTOGRAPHED: [&str; 12] = [
    "home",
    "guide",
    "tree question",
    "tree answer",
    "search results",
    "module (quiz)",
    "path",
    "my training",
    "requests (admin)",
    "matrix",
    "insights",
    "insights: digest",
];

/// A photograph of the page's first 2,000 px at `width`.
async fn photograph(page: &Page, width: u32, file: &Path) -> Result<()> {
    page.session.set_viewport(width, 900);
    let height = page
        .js("return document.documentElement.scrollHeight;", vec![])
        .await?
        .as_u64()
        .unwrap_or(900)
        .clamp(400, 2000);
    page.session
        .set_viewport(width, u32::try_from(height).unwrap_or(2000));
    let png = page.session.client.screenshot().await?;
    std::fs::write(file, png).with_context(|| format!("write {}", file.display()))
}

/// Console errors since the last look, but the 404 page's own status.
fn console_errors(page: &Page, kind: &str) -> Vec<String> {
    page.session
        .browser_log()
        .into_iter()
        .filter(|entry| entry["level"] == "SEVERE")
        .map(|entry| entry["message"].as_str().unwrap_or_default().to_owned())
        .filter(|message| !(kind == "404" && message.contains("404 (Not Found)")))
        .collect()
}

#[test]
fn page_kinds_fit_a_phone_log_no_errors_and_are_photographed_in_light_and_dark() {
    let Some(tools) = Tools::find() else { return };
    let app = sample_app();
    seed_insights(&app);
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&folder).expect("the screenshots folder");
    run(&app, &tools, async |page, _| {
        let private = prepare(page).await?;
        let mut problems = Vec::new();
        for dark in [false, true] {
            let scheme_name = if dark { "dark" } else { "light" };
            become_(page, super::audit::Who::Anonymous).await?;
            scheme(page, dark).await?;
            // Phone widths and console errors do not depend on the scheme: dark photographs.
            for (name, path, who) in PAGE_KINDS {
                if dark && !PHOTOGRAPHED.contains(&name) {
                    continue;
                }
                become_(page, who).await?;
                page.session.set_viewport(390, 844);
                let path = path.replace("{private}", &private);
                let _ = page.session.browser_log();
                if let Err(err) = open_kind(page, name, &path).await {
                    problems.push(format!("{err:#}"));
                }
                for error in console_errors(page, name) {
                    problems.push(format!("{name} ({scheme_name}): console error: {error}"));
                }
                if let Some(overflow) = page.sideways_overflow().await? {
                    problems.push(format!("{name} ({scheme_name}) at 390 px: {overflow}"));
                }
                if PHOTOGRAPHED.contains(&name) {
                    for width in WIDTHS {
                        let file = name.replace([' ', '(', ')'], "-").replace("--", "-");
                        let file =
                            format!("{}-{width}-{scheme_name}.png", file.trim_end_matches('-'));
                        photograph(page, width, &folder.join(file)).await?;
                    }
                }
            }
        }
        page.session.set_viewport(1366, 900);
        eprintln!("screenshots: {}", folder.display());
        if !problems.is_empty() {
            bail!("{}", problems.join("\n"));
        }
        Ok(())
    });
}
