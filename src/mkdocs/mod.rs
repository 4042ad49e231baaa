//! `selfserve import mkdocs`: reads a MkDocs site's `mkdocs.yml` (its `nav:`, `docs_dir`,
//! names and repository) into typed values here; `import.rs` copies the pages into a new
//! content folder with a `site.toml` whose `[[nav]]` keeps MkDocs' sidebar.
//!
//! Real `mkdocs.yml` files carry Python-specific tags (`!!python/name:…`, `!ENV [VAR, …]`);
//! only the keys read here are looked at, and a tagged value among them counts as unset.

mod import;
mod pages;

use std::fmt;

use serde::Deserialize;
use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Tagged;

pub use import::{ImportError, ImportReport, import};

/// What `mkdocs.yml` says that selfserve can use, and the names of what it cannot.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MkDocsConfig {
    /// `site_name`.
    pub site_name: Option<String>,
    /// `site_description`.
    pub site_description: Option<String>,
    /// `site_url`, when it is a plain `http(s)://` address.
    pub site_url: Option<String>,
    /// `docs_dir` (MkDocs' default is `docs`).
    pub docs_dir: String,
    /// `repo_url`.
    pub repo_url: Option<String>,
    /// `edit_uri`.
    pub edit_uri: Option<String>,
    /// `nav:` flattened in order; empty when the file has none (MkDocs then lists every page).
    pub nav: Vec<NavItem>,
    /// `theme.name` (or `theme: name`).
    pub theme: Option<String>,
    /// `plugins` by name.
    pub plugins: Vec<String>,
    /// `markdown_extensions` by name.
    pub markdown_extensions: Vec<String>,
    /// Other top-level keys that mean something to MkDocs but not here (`extra_css`, …).
    pub other_keys: Vec<String>,
}

/// One entry of `nav:`, with the titles of the sections around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavItem {
    /// Enclosing section titles, outermost first.
    pub section: Vec<String>,
    /// The title given in `nav:`; `None` for a bare path (the page's own title is used).
    pub title: Option<String>,
    /// The path (relative to `docs_dir`) or address as written.
    pub target: String,
    /// The line of `mkdocs.yml` that names it (1-based), for reports.
    pub line: usize,
}

impl NavItem {
    /// True for an address outside the site rather than a file.
    pub fn is_link(&self) -> bool {
        self.target.contains("://") || self.target.starts_with("mailto:")
    }
}

/// Why `mkdocs.yml` could not be read: a sentence and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlProblem {
    /// 1-based line, 0 when unknown.
    pub line: u64,
    /// 1-based column, 0 when unknown.
    pub column: u64,
    /// What is wrong.
    pub message: String,
}

/// Keys MkDocs knows that the import reads; every other key is reported as not carried over.
const READ_KEYS: &[&str] = &[
    "site_name",
    "site_description",
    "site_url",
    "docs_dir",
    "repo_url",
    "edit_uri",
    "nav",
    "theme",
    "plugins",
    "markdown_extensions",
];

/// Keys that have no effect on what is served (build and tooling settings).
const QUIET_KEYS: &[&str] = &[
    "strict",
    "site_dir",
    "use_directory_urls",
    "dev_addr",
    "watch",
    "validation",
    "exclude_docs",
    "draft_docs",
    "not_in_nav",
    "repo_name",
    "site_author",
    "copyright",
    "remote_branch",
    "remote_name",
    "INHERIT",
];

#[derive(Deserialize)]
struct Raw {
    site_name: Option<Tagged<Text>>,
    site_description: Option<Tagged<Text>>,
    site_url: Option<Tagged<Text>>,
    docs_dir: Option<Tagged<Text>>,
    repo_url: Option<Tagged<Text>>,
    edit_uri: Option<Tagged<Text>>,
    nav: Option<Vec<RawNav>>,
    theme: Option<Theme>,
    plugins: Option<Names>,
    markdown_extensions: Option<Names>,
}

/// A nav item: `path.md`, `https://…`, or `Title: path-or-list`.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawNav {
    Bare(String),
    Titled(std::collections::BTreeMap<String, RawNavValue>),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawNavValue {
    Target(String),
    Section(Vec<RawNav>),
}

/// A scalar read as text; anything else (a list such as `!ENV [A, b]`, a map) is `None`.
struct Text(Option<String>);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(Some(v.to_owned())))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Text, E> {
                Ok(Text(None))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(Some(v.to_string())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(Some(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
                Ok(Text(Some(v.to_string())))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Text, E> {
                Ok(Text(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Text, E> {
                Ok(Text(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Text, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Text, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// The text of an untagged (or `!!str`) scalar.
fn tagged_text(value: Option<Tagged<Text>>) -> Option<String> {
    let Tagged(Text(text), tag) = value?;
    match tag.as_deref() {
        None | Some("!!str" | "tag:yaml.org,2002:str") => text,
        Some(_) => None,
    }
}

/// `theme: material` or `theme: {name: material, …}`.
struct Theme(Option<String>);

impl<'de> Deserialize<'de> for Theme {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Theme;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a theme name or settings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Theme, E> {
                Ok(Theme(Some(v.to_owned())))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Theme, E> {
                Ok(Theme(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Theme, A::Error> {
                let mut name = None;
                while let Some(key) = map.next_key::<String>()? {
                    if key == "name" {
                        name = tagged_text(map.next_value::<Option<Tagged<Text>>>()?);
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(Theme(name))
            }
        }
        d.deserialize_any(V)
    }
}

/// The names in a `plugins` or `markdown_extensions` list (`- name` or `- name: {…}`) or
/// map (`name: {…}`); their settings are skipped, whatever tags they carry.
struct Names(Vec<String>);

impl<'de> Deserialize<'de> for Names {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Item(Vec<String>);
        impl<'de> Deserialize<'de> for Item {
            fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_any(NamesVisitor).map(|n| Item(n.0))
            }
        }
        struct NamesVisitor;
        impl<'de> Visitor<'de> for NamesVisitor {
            type Value = Names;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of names")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Names, E> {
                Ok(Names(vec![v.to_owned()]))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Names, E> {
                Ok(Names(Vec::new()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Names, A::Error> {
                let mut names = Vec::new();
                while let Some(Item(more)) = seq.next_element::<Item>()? {
                    names.extend(more);
                }
                Ok(Names(names))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Names, A::Error> {
                let mut names = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    map.next_value::<IgnoredAny>()?;
                    names.push(key);
                }
                Ok(Names(names))
            }
        }
        d.deserialize_any(NamesVisitor)
    }
}

impl MkDocsConfig {
    /// Parses the text of `mkdocs.yml`.
    pub fn parse(text: &str) -> Result<Self, YamlProblem> {
        let raw: Raw = serde_saphyr::from_str(text).map_err(|err| {
            let (line, column) = err
                .location()
                .map_or((0, 0), |loc| (loc.line(), loc.column()));
            YamlProblem {
                line,
                column,
                message: format!(
                    "mkdocs.yml is not valid YAML: {}",
                    crate::parse::front_matter::yaml_sentence(&err)
                ),
            }
        })?;
        let mut nav = Vec::new();
        let mut lines = NavLines::new(text);
        flatten(raw.nav.unwrap_or_default(), &[], &mut nav, &mut lines);
        // Read apart: a flattened map would buffer every value and lose the tags `Text` needs.
        let keys: std::collections::BTreeMap<String, IgnoredAny> =
            serde_saphyr::from_str(text).unwrap_or_default();
        let other_keys = keys
            .keys()
            .filter(|k| !READ_KEYS.contains(&k.as_str()) && !QUIET_KEYS.contains(&k.as_str()))
            .cloned()
            .collect();
        Ok(Self {
            site_name: text_of(raw.site_name),
            site_description: text_of(raw.site_description),
            site_url: text_of(raw.site_url)
                .filter(|u| u.starts_with("https://") || u.starts_with("http://")),
            docs_dir: text_of(raw.docs_dir).unwrap_or_else(|| "docs".to_owned()),
            repo_url: text_of(raw.repo_url),
            edit_uri: tagged_text(raw.edit_uri),
            nav,
            theme: raw.theme.and_then(|t| t.0),
            plugins: raw.plugins.map(|n| n.0).unwrap_or_default(),
            markdown_extensions: raw.markdown_extensions.map(|n| n.0).unwrap_or_default(),
            other_keys,
        })
    }

    /// The `edit_url` template: `repo_url` + `edit_uri` + `{path}`. MkDocs defaults
    /// `edit_uri` to `edit/master/<docs_dir>/` for GitHub and `-/edit/master/<docs_dir>/` for
    /// GitLab repositories, and to nothing (no edit links) for others.
    pub fn edit_url(&self) -> Option<String> {
        let repo = self.repo_url.as_deref()?.trim_end_matches('/');
        let uri = match &self.edit_uri {
            Some(uri) if uri.is_empty() => return None,
            Some(uri) => uri.clone(),
            None if repo.contains("github.com") => format!("edit/master/{}/", self.docs_dir),
            None if repo.contains("gitlab.com") => format!("-/edit/master/{}/", self.docs_dir),
            None => return None,
        };
        let base = if uri.starts_with("http://") || uri.starts_with("https://") {
            uri.trim_end_matches('/').to_owned()
        } else {
            format!("{repo}/{}", uri.trim_matches('/'))
        };
        Some(format!("{base}/{{path}}"))
    }
}

/// Non-empty text.
fn text_of(value: Option<Tagged<Text>>) -> Option<String> {
    tagged_text(value)
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}

fn flatten(items: Vec<RawNav>, section: &[String], out: &mut Vec<NavItem>, lines: &mut NavLines) {
    for item in items {
        match item {
            RawNav::Bare(target) => {
                let line = lines.find(&target);
                out.push(NavItem {
                    section: section.to_vec(),
                    title: None,
                    target,
                    line,
                });
            }
            RawNav::Titled(map) => {
                for (title, value) in map {
                    match value {
                        RawNavValue::Target(target) => {
                            let line = lines.find(&target);
                            out.push(NavItem {
                                section: section.to_vec(),
                                title: Some(title),
                                target,
                                line,
                            });
                        }
                        RawNavValue::Section(children) => {
                            lines.find(&title);
                            let mut inner = section.to_vec();
                            inner.push(title);
                            flatten(children, &inner, out, lines);
                        }
                    }
                }
            }
        }
    }
}

/// Finds the lines nav entries sit on by reading `nav:` forward: each target is looked for
/// from the line after the previous one (the parsed values carry no positions).
struct NavLines<'a> {
    lines: Vec<&'a str>,
    next: usize,
}

impl<'a> NavLines<'a> {
    fn new(text: &'a str) -> Self {
        let lines: Vec<&str> = text.lines().collect();
        let next = lines
            .iter()
            .position(|l| l.trim_end() == "nav:" || l.starts_with("nav:"))
            .unwrap_or(0);
        Self { lines, next }
    }

    /// The 1-based line of the next mention of `needle`, or 0.
    fn find(&mut self, needle: &str) -> usize {
        match self.lines[self.next..]
            .iter()
            .position(|l| l.contains(needle))
        {
            Some(i) => {
                self.next += i;
                self.next + 1
            }
            None => 0,
        }
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
