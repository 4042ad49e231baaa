//! Page stubs: `status: stub` marks a page that still needs writing (made from a search gap,
//! see [`crate::insights::stub`]); `created:` says since when. The marker is read with the
//! document, and its age is judged at assembly against a date passed in, so `check` and the
//! served diagnostics warn about the same stubs and tests choose "today".

use crate::model::diagnostic::{Diagnostic, Position};
use crate::parse::front_matter::FrontMatter;

use super::BuiltFile;

/// The `status:` value marking a stub.
pub const STUB_STATUS: &str = "stub";

/// A document marked as needing writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StubMarker {
    /// Where `status: stub` is written: the warning points there.
    pub position: Position,
    /// `created:`, when given and a date.
    pub created: Option<time::Date>,
}

/// Reads `status:` and `created:`; a status other than `stub` and a `created:` that is not a
/// date are warnings (the page is served either way).
pub fn read_marker(
    path: &str,
    front: &FrontMatter,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<StubMarker> {
    let raw = &front.raw;
    let created = raw.created.as_deref().and_then(|text| {
        let parsed = super::parse_date(text).ok();
        if parsed.is_none() {
            diagnostics.push(Diagnostic::warning(
                path,
                front.position_of("created"),
                format!(
                    "`created: {}` is not a date; write it as YYYY-MM-DD, such as 2026-10-01",
                    text.trim()
                ),
            ));
        }
        parsed
    });
    let status = raw.status.as_deref()?.trim();
    if !status.eq_ignore_ascii_case(STUB_STATUS) {
        diagnostics.push(Diagnostic::warning(
            path,
            front.position_of("status"),
            format!("`status: {status}` is ignored; the only status is `stub` (a page that still needs writing), so remove the key or write `status: stub`"),
        ));
        return None;
    }
    Some(StubMarker {
        position: front.position_of("status"),
        created,
    })
}

/// The warning for a stub older than `warn_days` on `today` (a stub without `created:` is
/// not dated, so it is always reported as one to write or date).
pub fn stub_age_warning(file: &BuiltFile, warn_days: u32, today: time::Date) -> Option<Diagnostic> {
    let marker = file.stub?;
    let path = &file.document.source_path;
    let message = match marker.created {
        None => "this page is a stub (`status: stub`) without a `created:` date; write the page and remove `status:`, or add `created: YYYY-MM-DD`".to_owned(),
        Some(created) => {
            let age = (today - created).whole_days();
            if age <= i64::from(warn_days) {
                return None;
            }
            format!(
                "this page has been a stub (`status: stub`) for {age} days, since {created}; write it and remove `status:` and `created:`, or delete the file ([insights] stub_warn_days = {warn_days})"
            )
        }
    };
    Some(Diagnostic::warning(path, marker.position, message))
}

/// Today's date in UTC, from the clock: what a build judges stubs against.
pub fn today_utc() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}
