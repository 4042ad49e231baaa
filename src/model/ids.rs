//! Typed identifiers and small values parsed once at the edge (document ids, kinds, durations).

use std::fmt;

use serde::Serialize;

/// A document id: its path relative to the content root without `.md`, or the front matter `id:`.
///
/// Parsing rejects what would make an ambiguous or unsafe URL: empty segments, `.`/`..`,
/// backslashes, whitespace, control characters, `?` and `#`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct DocId(String);

impl DocId {
    /// Parses an id, explaining in a sentence what is wrong with a bad one.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("an id must not be empty".into());
        }
        if raw.len() > 200 {
            return Err("an id must be at most 200 characters long".into());
        }
        for segment in raw.split('/') {
            if segment.is_empty() || segment == "." || segment == ".." {
                return Err(format!(
                    "the id `{raw}` has an empty, `.` or `..` segment; use plain names separated by `/`"
                ));
            }
        }
        if let Some(bad) = raw
            .chars()
            .find(|c| c.is_whitespace() || c.is_control() || matches!(c, '\\' | '?' | '#' | '%'))
        {
            return Err(format!(
                "the id `{raw}` contains {bad:?}; ids may use letters, digits, `-`, `_`, `.` and `/`"
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The id a file gets when its front matter sets none: its relative path without `.md`.
    pub fn from_relative_path(rel_path: &str) -> Result<Self, String> {
        let without_ext = rel_path
            .strip_suffix(".md")
            .or_else(|| rel_path.strip_suffix(".markdown"))
            .unwrap_or(rel_path);
        Self::parse(without_ext)
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The five kinds of document the content format knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Plain Markdown documentation.
    Guide,
    /// An interactive troubleshooting tree.
    Troubleshooting,
    /// A training module with optional quizzes.
    Module,
    /// A training path: an ordered list of modules.
    Path,
    /// A self-service resource that requires training paths.
    Resource,
}

impl Kind {
    /// All kinds, in the order the site presents them.
    pub const ALL: [Kind; 5] = [
        Kind::Guide,
        Kind::Troubleshooting,
        Kind::Module,
        Kind::Path,
        Kind::Resource,
    ];

    /// Parses the `kind:` front matter value.
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "guide" => Ok(Kind::Guide),
            "troubleshooting" | "tree" => Ok(Kind::Troubleshooting),
            "module" => Ok(Kind::Module),
            "path" => Ok(Kind::Path),
            "resource" => Ok(Kind::Resource),
            other => Err(format!(
                "unknown kind `{other}`; use one of guide, troubleshooting, module, path, resource"
            )),
        }
    }

    /// The kind a file gets from the folder it lives in.
    pub fn default_for_path(rel_path: &str) -> Self {
        if rel_path.starts_with("troubleshooting/") {
            Kind::Troubleshooting
        } else if rel_path.starts_with("training/modules/") {
            Kind::Module
        } else if rel_path.starts_with("training/paths/") {
            Kind::Path
        } else if rel_path.starts_with("resources/") {
            Kind::Resource
        } else {
            Kind::Guide
        }
    }

    /// The lowercase name used in front matter, the API and URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Guide => "guide",
            Kind::Troubleshooting => "troubleshooting",
            Kind::Module => "module",
            Kind::Path => "path",
            Kind::Resource => "resource",
        }
    }

    /// A human label, singular, for the badge naming a document's kind.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Guide => "Guide",
            Kind::Troubleshooting => "Troubleshooting",
            Kind::Module => "Module",
            Kind::Path => "Training path",
            Kind::Resource => "Resource",
        }
    }

    /// A human label, plural, for navigation and filters.
    pub fn plural_label(self) -> &'static str {
        match self {
            Kind::Guide => "Guides",
            Kind::Troubleshooting => "Troubleshooting",
            Kind::Module => "Training modules",
            Kind::Path => "Training paths",
            Kind::Resource => "Resources",
        }
    }

    /// The first URL segment for documents of this kind.
    pub fn url_prefix(self) -> &'static str {
        match self {
            Kind::Guide => "/docs/",
            Kind::Troubleshooting => "/trees/",
            Kind::Module => "/modules/",
            Kind::Path => "/paths/",
            Kind::Resource => "/resources/",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How long a qualification stays valid after its oldest pass (`valid_for: 365d`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ValidFor {
    days: u32,
}

impl ValidFor {
    /// Parses `N` followed by `d` (days), `w` (weeks) or `y` (years of 365 days).
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let hint = "write a number followed by d, w or y, such as `365d`, `26w` or `1y`";
        let (number, unit) =
            raw.split_at(raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len()));
        let count: u32 = number
            .parse()
            .map_err(|_| format!("`{raw}` is not a duration; {hint}"))?;
        let per_unit = match unit.trim() {
            "d" | "day" | "days" => 1,
            "w" | "week" | "weeks" => 7,
            "y" | "year" | "years" => 365,
            _ => return Err(format!("`{raw}` has an unknown unit; {hint}")),
        };
        let days = count
            .checked_mul(per_unit)
            .filter(|d| *d > 0 && *d <= 36_500)
            .ok_or_else(|| format!("`{raw}` must be between 1 day and 100 years"))?;
        Ok(Self { days })
    }

    /// Builds a duration from a number of days.
    pub fn from_days(days: u32) -> Self {
        Self { days }
    }

    /// The number of days.
    pub fn days(self) -> u32 {
        self.days
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_reject_traversal_and_whitespace() {
        assert!(DocId::parse("guides/../etc").is_err());
        assert!(DocId::parse("a b").is_err());
        assert!(DocId::parse("/abs").is_err());
        assert!(DocId::parse("").is_err());
        assert_eq!(
            DocId::parse("ops/README").map(|i| i.to_string()),
            Ok("ops/README".into())
        );
    }

    #[test]
    fn ids_from_paths_drop_the_extension() {
        assert_eq!(
            DocId::from_relative_path("guides/k8s/deploy.md").map(|i| i.to_string()),
            Ok("guides/k8s/deploy".to_owned())
        );
    }

    #[test]
    fn kinds_default_by_folder() {
        assert_eq!(
            Kind::default_for_path("troubleshooting/x.md"),
            Kind::Troubleshooting
        );
        assert_eq!(
            Kind::default_for_path("training/modules/x.md"),
            Kind::Module
        );
        assert_eq!(Kind::default_for_path("ops/README.md"), Kind::Guide);
        assert!(Kind::parse("blog").is_err());
    }

    #[test]
    fn durations_parse_units() {
        assert_eq!(ValidFor::parse("365d").map(ValidFor::days), Ok(365));
        assert_eq!(ValidFor::parse("2w").map(ValidFor::days), Ok(14));
        assert_eq!(ValidFor::parse("1y").map(ValidFor::days), Ok(365));
        assert!(ValidFor::parse("soon").is_err());
        assert!(ValidFor::parse("0d").is_err());
        assert!(ValidFor::parse("99999999999d").is_err());
    }
}
