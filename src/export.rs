//! The qualification export: one row per learner × resource (learner, resource, status,
//! expires, missing), as CSV or JSON. `selfserve export qualifications` writes it to stdout;
//! the admin matrix page offers the same bytes as downloads.
//!
//! Dates are RFC 3339 in UTC, as in the JSON API. In CSV the missing modules are one cell,
//! separated by spaces: ids cannot contain whitespace, so the cell splits back unambiguously.

use std::io::Write;
use std::path::Path;

use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, Time};

use crate::qualify::Status;
use crate::qualify::matrix::{Catalog, Matrix, matrix_of};
use crate::store::{DatabaseUrl, Store, StoreError};

/// The export's formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Comma-separated values with a header line.
    #[default]
    Csv,
    /// A JSON array of objects.
    Json,
}

impl Format {
    /// The HTTP content type of this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Json => "application/json",
        }
    }

    /// The file extension of this format.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

/// Why an export failed. Each message is a sentence for the person who ran it.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The content folder cannot be read.
    #[error(transparent)]
    Content(#[from] crate::source::SourceError),
    /// The database cannot be opened or read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Writing the output failed (a closed pipe, a full disk).
    #[error("cannot write the export: {0}")]
    Write(String),
}

/// One line of the export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportRow<'a> {
    /// The account name.
    pub learner: &'a str,
    /// The resource id.
    pub resource: &'a str,
    /// Where the learner stands.
    pub status: Status,
    /// When the qualification lapses or lapsed (RFC 3339), if it does.
    pub expires: Option<String>,
    /// Modules never passed at their current version, then modules whose pass expired.
    pub missing: Vec<&'a str>,
    /// The account is disabled (it may not sign in); last, so existing CSV columns keep
    /// their places.
    pub disabled: bool,
}

/// RFC 3339 in UTC (`2026-12-26T10:00:00Z`): the one way the API and exports write times.
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

/// Reads `--as-of` / `?as_of=`: a plain date means the END of that day in UTC, so passes
/// made on the day count ("who was qualified on 1 March?"); a full RFC 3339 time is exact.
pub fn parse_as_of(raw: &str) -> Result<OffsetDateTime, String> {
    let raw = raw.trim();
    if let Ok(t) = OffsetDateTime::parse(raw, &Rfc3339) {
        return Ok(t);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = Date::parse(raw, &format).map_err(|_| {
        format!("“{raw}” is not a date; write it as YYYY-MM-DD (for example 2026-03-01)")
    })?;
    let end = Time::from_hms(23, 59, 59).unwrap_or(Time::MIDNIGHT);
    Ok(date.with_time(end).assume_utc())
}

/// The matrix as export rows, learner by learner, resources in column order.
pub fn rows(matrix: &Matrix) -> impl Iterator<Item = ExportRow<'_>> {
    matrix.rows.iter().flat_map(|row| {
        row.decisions.iter().map(move |d| ExportRow {
            learner: &row.name,
            resource: d.resource.as_str(),
            status: d.status,
            expires: d.expires.map(rfc3339),
            missing: d.missing.iter().map(|m| m.as_str()).collect(),
            disabled: row.disabled,
        })
    })
}

/// Writes the matrix in `format`.
pub fn write(matrix: &Matrix, format: Format, out: impl Write) -> Result<(), ExportError> {
    match format {
        Format::Csv => write_csv(matrix, out),
        Format::Json => write_json(matrix, out),
    }
}

fn write_csv(matrix: &Matrix, out: impl Write) -> Result<(), ExportError> {
    let fail = |e: csv::Error| ExportError::Write(e.to_string());
    let mut writer = csv::Writer::from_writer(out);
    writer
        .write_record([
            "learner", "resource", "status", "expires", "missing", "disabled",
        ])
        .map_err(fail)?;
    for row in rows(matrix) {
        let expires = row.expires.unwrap_or_default();
        let missing = row.missing.join(" ");
        writer
            .write_record([
                row.learner,
                row.resource,
                row.status.as_str(),
                &expires,
                &missing,
                if row.disabled { "true" } else { "false" },
            ])
            .map_err(fail)?;
    }
    writer
        .flush()
        .map_err(|e| ExportError::Write(e.to_string()))
}

fn write_json(matrix: &Matrix, mut out: impl Write) -> Result<(), ExportError> {
    let all: Vec<ExportRow<'_>> = rows(matrix).collect();
    serde_json::to_writer_pretty(&mut out, &all).map_err(|e| ExportError::Write(e.to_string()))?;
    writeln!(out).map_err(|e| ExportError::Write(e.to_string()))
}

/// `selfserve export qualifications`: reads the content and the database, judges every
/// learner × resource at `as_of` (now when `None`) and writes the rows to `out`.
pub fn export_qualifications(
    content: &Path,
    database: &DatabaseUrl,
    format: Format,
    as_of: Option<OffsetDateTime>,
    out: impl Write,
) -> Result<(), ExportError> {
    // Content with errors still exports: broken documents are left out, as the server does.
    let (site, _) = crate::loader::load_site(content)?;
    // An existing database only: a mistyped --data must not leave an empty one behind.
    let store = Store::connect_existing(database)?;
    let at = as_of.unwrap_or_else(OffsetDateTime::now_utc);
    let catalog = Catalog::of(&site);
    let m = matrix_of(&store, &catalog, at, site.config.expiring_days)?;
    write(&m, format, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DocId;
    use crate::qualify::Decision;
    use crate::qualify::matrix::Row;
    use crate::records::UserId;
    use time::macros::datetime;

    fn sample() -> Matrix {
        let id = |s: &str| DocId::parse(s).expect("id");
        let at = datetime!(2026-03-01 12:00 UTC);
        Matrix {
            at,
            resources: vec![id("db"), id("ns")],
            rows: vec![
                Row {
                    user: UserId(1),
                    name: "ada".into(),
                    disabled: false,
                    decisions: vec![
                        Decision {
                            resource: id("db"),
                            status: Status::Expiring,
                            expires: Some(datetime!(2026-03-10 08:30 UTC)),
                            missing: Vec::new(),
                        },
                        Decision {
                            resource: id("ns"),
                            status: Status::Missing,
                            expires: None,
                            missing: vec![id("a"), id("k8s/b")],
                        },
                    ],
                },
                Row {
                    user: UserId(2),
                    name: "bob".into(),
                    disabled: true,
                    decisions: ["db", "ns"]
                        .map(|r| Decision {
                            resource: id(r),
                            status: Status::Missing,
                            expires: None,
                            missing: vec![id("a")],
                        })
                        .into(),
                },
            ],
        }
    }

    #[test]
    fn csv_has_a_header_and_one_line_per_pair() {
        let mut out = Vec::new();
        write(&sample(), Format::Csv, &mut out).expect("write");
        let text = String::from_utf8(out).expect("utf-8");
        assert_eq!(
            text,
            "learner,resource,status,expires,missing,disabled\n\
             ada,db,expiring,2026-03-10T08:30:00Z,,false\n\
             ada,ns,missing,,a k8s/b,false\n\
             bob,db,missing,,a,true\n\
             bob,ns,missing,,a,true\n"
        );
    }

    #[test]
    fn json_rows_match_the_api_shape_plus_the_learner() {
        let mut out = Vec::new();
        write(&sample(), Format::Json, &mut out).expect("write");
        let value: serde_json::Value = serde_json::from_slice(&out).expect("json");
        assert_eq!(
            value,
            serde_json::json!([
                {"learner": "ada", "resource": "db", "status": "expiring",
                 "expires": "2026-03-10T08:30:00Z", "missing": [], "disabled": false},
                {"learner": "ada", "resource": "ns", "status": "missing",
                 "expires": null, "missing": ["a", "k8s/b"], "disabled": false},
                {"learner": "bob", "resource": "db", "status": "missing",
                 "expires": null, "missing": ["a"], "disabled": true},
                {"learner": "bob", "resource": "ns", "status": "missing",
                 "expires": null, "missing": ["a"], "disabled": true},
            ])
        );
    }

    #[test]
    fn as_of_takes_a_date_as_its_whole_day_or_an_exact_time() {
        assert_eq!(
            parse_as_of("2026-03-01").expect("date"),
            datetime!(2026-03-01 23:59:59 UTC)
        );
        assert_eq!(
            parse_as_of("2026-03-01T10:00:00+02:00").expect("time"),
            datetime!(2026-03-01 08:00 UTC)
        );
        let err = parse_as_of("1 March").expect_err("bad");
        assert!(err.contains("YYYY-MM-DD"), "{err}");
        assert!(parse_as_of("2026-02-30").is_err());
    }
}
