//! The content model: typed documents and the site they form. Plain data, no I/O.
//!
//! A [`Site`] is built by [`crate::loader`] from parsed files and is immutable afterwards;
//! a content change builds the next one (sharing unchanged documents through `Arc`).

mod body;
pub mod diagnostic;
mod ids;
mod nav;
mod nav_config;
mod quiz;
pub mod walk;

use std::collections::BTreeMap;
use std::sync::Arc;

pub use body::{Body, SectionHead, SectionTexts};
pub use ids::{DocId, Kind, ValidFor};
pub use nav::{NavNode, branch_to, build_nav, find_folder, folder_title, folder_url, nav_entries};
pub use nav_config::configured_sidebar;
pub use quiz::{AttemptLimits, QuizSettings, Review};
pub use walk::{MAX_WALK, Walk, WalkError};

use crate::config::SiteConfig;
use diagnostic::Diagnostic;

/// One entry of a page's table of contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TocEntry {
    /// Heading level, 1 to 6.
    pub level: u8,
    /// The anchor (`id` attribute) of the heading.
    pub anchor: String,
    /// The heading's plain text.
    pub title: String,
}

/// A searchable slice of a document: the text under one heading, as the parser makes it
/// (a [`Document`] keeps its text packed in its [`Body`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The heading's level (1–4; deeper headings stay inside their section), 0 for text
    /// before the first heading.
    pub level: u8,
    /// The heading's anchor, `None` for text before the first heading.
    pub anchor: Option<String>,
    /// The heading's plain text (empty before the first heading).
    pub heading: String,
    /// Plain text of the section, code included, markup removed.
    pub text: String,
}

#[cfg(test)]
impl Section {
    /// A test section: under a level 2 heading with `anchor`, or (`None`) the text before
    /// the first heading.
    pub(crate) fn sample(anchor: Option<&str>, heading: &str, text: &str) -> Self {
        Self {
            level: if anchor.is_some() { 2 } else { 0 },
            anchor: anchor.map(str::to_owned),
            heading: heading.to_owned(),
            text: text.to_owned(),
        }
    }
}

/// How a troubleshooting leaf ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The reader fixed the problem.
    Resolved,
    /// The reader needs humans: the site offers a help request.
    Escalate,
}

impl Outcome {
    /// The name used in headings (`.resolved`), the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Resolved => "resolved",
            Outcome::Escalate => "escalate",
        }
    }
}

/// One answer a reader can pick at a tree node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// The link text.
    pub label: String,
    /// The node id it leads to.
    pub to: String,
}

/// One step of a troubleshooting tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeNode {
    /// The explicit heading id.
    pub id: String,
    /// The heading text: the question, or the outcome's title on a leaf.
    pub title: String,
    /// The node's body, rendered and sanitised, without its choice list.
    pub body_html: String,
    /// Plain text of the body, for search.
    pub text: String,
    /// The choices, in order; empty on a leaf.
    pub choices: Vec<Choice>,
    /// Set on leaves.
    pub outcome: Option<Outcome>,
}

#[cfg(test)]
impl TreeNode {
    /// A test node titled `title` with no body, a choice `Answer {to}` to each of `to`, and
    /// `outcome` when it is a leaf.
    pub(crate) fn sample(id: &str, title: &str, to: &[&str], outcome: Option<Outcome>) -> Self {
        Self {
            id: id.to_owned(),
            title: title.to_owned(),
            body_html: String::new(),
            text: String::new(),
            choices: to
                .iter()
                .map(|t| Choice {
                    label: format!("Answer {t}"),
                    to: (*t).to_owned(),
                })
                .collect(),
            outcome,
        }
    }
}

/// A parsed troubleshooting tree.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tree {
    /// Rendered text before the first node.
    pub intro_html: String,
    /// Nodes in file order; the first is the start.
    pub nodes: Vec<TreeNode>,
}

impl Tree {
    /// The start node's id.
    pub fn start(&self) -> Option<&str> {
        self.nodes.first().map(|n| n.id.as_str())
    }

    /// Looks a node up by id.
    pub fn node(&self, id: &str) -> Option<&TreeNode> {
        self.nodes.iter().find(|n| n.id == id)
    }
}

/// One quiz question. The answer key never leaves the server before grading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// The question text (Markdown inline source).
    pub prompt: String,
    /// The choices, in order.
    pub choices: Vec<String>,
    /// Indexes of the right choices, sorted, no duplicates, all in range.
    pub answer: Vec<usize>,
    /// True when the author wrote a list of answers ("select all that apply").
    pub multiple: bool,
    /// Shown after grading.
    pub explain: Option<String>,
    /// The heading anchor of the section it tests (`section:`), listed to re-read after a miss.
    pub section: Option<String>,
    /// The prompt, choices and explanation as HTML, rendered once when the module is loaded.
    pub html: QuestionHtml,
}

/// A question's text as HTML, rendered from its inline Markdown by `parse::inline` (all text
/// escaped, only emphasis, strikethrough and code tags kept); pages show it through
/// `render::TrustedHtml` and the API keeps answering the Markdown.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QuestionHtml {
    /// The question text.
    pub prompt: String,
    /// The choices, in the question's order.
    pub choices: Vec<String>,
    /// Shown after grading.
    pub explain: Option<String>,
}

/// A training module's settings and questions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    /// Raising it means earlier passes no longer count.
    pub version: u32,
    /// Percent of questions right needed to pass.
    pub pass_percent: u8,
    /// Estimated time to complete.
    pub minutes: Option<u32>,
    /// All questions of all quiz blocks, in order.
    pub questions: Vec<Question>,
    /// Review policy, attempt limits, drawing and shuffling.
    pub settings: QuizSettings,
}

/// A training path.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PathDef {
    /// Modules in order.
    pub modules: Vec<DocId>,
    /// Paths to finish first.
    pub requires: Vec<DocId>,
}

/// A self-service resource.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResourceDef {
    /// Paths that qualify a learner.
    pub requires: Vec<DocId>,
    /// How long a qualification lasts after its oldest pass; `None` never lapses.
    pub valid_for: Option<ValidFor>,
    /// Where a qualified learner self-serves it.
    pub self_serve: Option<String>,
}

/// What a document is, beyond the fields all kinds share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    /// A guide has nothing more.
    Guide,
    /// A troubleshooting tree.
    Tree(Tree),
    /// A training module.
    Module(Module),
    /// A training path.
    Path(PathDef),
    /// A resource.
    Resource(ResourceDef),
}

/// The "needs writing" marker of a page stub (front matter `status: stub`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StubMark {
    /// `created:`, when given and a date.
    pub created: Option<time::Date>,
}

/// One document of any kind, parsed and rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Stable id (path or front matter `id:`).
    pub id: DocId,
    /// The kind.
    pub kind: Kind,
    /// The file's path relative to the content root, `/`-separated.
    pub source_path: String,
    /// Title from front matter, the first `#` heading, or the file name.
    pub title: String,
    /// One line for search results and cards.
    pub summary: Option<String>,
    /// Tags, as written.
    pub tags: Vec<String>,
    /// Other names people use for this page (front matter `aliases:`), searched with a boost.
    pub aliases: Vec<String>,
    /// How people describe the problem this page solves (front matter `symptoms:`), searched
    /// with a boost.
    pub symptoms: Vec<String>,
    /// Who keeps it current.
    pub owner: Option<String>,
    /// The last review date.
    pub reviewed: Option<time::Date>,
    /// `status: stub`: a page started from a search gap that still needs writing.
    pub stub: Option<StubMark>,
    /// Resource ids this document is about.
    pub resources: Vec<DocId>,
    /// Sidebar order within its folder (lower first).
    pub order: Option<i64>,
    /// The rendered, sanitised body (for trees: the introduction; for modules: the lesson)
    /// and its searchable sections, compressed: the model holds every document at once.
    pub body: Body,
    /// Kind-specific data.
    pub detail: Detail,
    /// Hex SHA-256 of the file's bytes: the document's version for stored outcomes.
    pub content_hash: String,
}

impl Document {
    /// The site URL of the document.
    pub fn url(&self) -> String {
        doc_url(self.kind, &self.id)
    }

    /// The tree, when the document is one.
    pub fn tree(&self) -> Option<&Tree> {
        match &self.detail {
            Detail::Tree(t) => Some(t),
            _ => None,
        }
    }

    /// The module, when the document is one.
    pub fn module(&self) -> Option<&Module> {
        match &self.detail {
            Detail::Module(m) => Some(m),
            _ => None,
        }
    }

    /// The path definition, when the document is one.
    pub fn path_def(&self) -> Option<&PathDef> {
        match &self.detail {
            Detail::Path(p) => Some(p),
            _ => None,
        }
    }

    /// The resource definition, when the document is one.
    pub fn resource(&self) -> Option<&ResourceDef> {
        match &self.detail {
            Detail::Resource(r) => Some(r),
            _ => None,
        }
    }
}

#[cfg(test)]
impl Document {
    /// A test document: `id` parsed, at `{id}.md`, titled by its id, with an empty body and
    /// no front matter beyond its kind; tests override the fields they look at.
    pub(crate) fn sample(id: &str, kind: Kind) -> Self {
        Self {
            id: DocId::parse(id).expect("test id"),
            kind,
            source_path: format!("{id}.md"),
            title: id.to_owned(),
            summary: None,
            tags: vec![],
            aliases: vec![],
            symptoms: vec![],
            owner: None,
            reviewed: None,
            stub: None,
            resources: vec![],
            order: None,
            body: Body::default(),
            detail: Detail::Guide,
            content_hash: String::new(),
        }
    }
}

/// The URL of a document of `kind` with `id`.
pub fn doc_url(kind: Kind, id: &DocId) -> String {
    let mut url = String::from(kind.url_prefix());
    for (i, segment) in id.as_str().split('/').enumerate() {
        if i > 0 {
            url.push('/');
        }
        url.extend(percent_encoding::utf8_percent_encode(segment, URL_SEGMENT));
    }
    url
}

/// Characters escaped in a URL path segment.
const URL_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'%');

/// The whole site at one moment: configuration, documents, assets, diagnostics, navigation.
#[derive(Debug, Clone, Default)]
pub struct Site {
    /// site.toml, validated.
    pub config: SiteConfig,
    /// Every loaded document by id.
    pub documents: BTreeMap<DocId, Arc<Document>>,
    /// Source path → id, for link resolution and live reload.
    pub by_path: BTreeMap<String, DocId>,
    /// Non-Markdown files under the content root that may be served (relative paths).
    pub assets: std::collections::BTreeSet<String>,
    /// Every problem found, sorted by path and position.
    pub diagnostics: Vec<Diagnostic>,
    /// The folder tree: the sidebar, folder listings and the sitemap.
    pub nav: Vec<NavNode>,
    /// The sidebar `site.toml`'s `[[nav]]` writes by hand, when it has one (see
    /// [`Site::sidebar`]).
    pub configured_nav: Option<Vec<NavNode>>,
    /// Counts content reloads: 0 for the first build, +1 for each live update.
    pub generation: u64,
}

impl Site {
    /// The sidebar: `[[nav]]` from `site.toml` when it has entries, else the folder tree.
    pub fn sidebar(&self) -> &[NavNode] {
        self.configured_nav.as_deref().unwrap_or(&self.nav)
    }

    /// Looks a document up by id.
    pub fn get(&self, id: &DocId) -> Option<&Arc<Document>> {
        self.documents.get(id)
    }

    /// Looks a document up by id text.
    pub fn get_str(&self, id: &str) -> Option<&Arc<Document>> {
        DocId::parse(id).ok().and_then(|id| self.documents.get(&id))
    }

    /// The document with this id text, or else the README (or index) page of the folder it
    /// names, so a folder's address (`guides/k8s/`) lands on its landing page.
    pub fn get_or_folder_index(&self, id: &str) -> Option<&Arc<Document>> {
        if let Some(doc) = self.get_str(id) {
            return Some(doc);
        }
        let folder = id.trim_end_matches('/');
        if folder.is_empty() {
            return None;
        }
        ["README", "readme", "index"]
            .iter()
            .find_map(|name| self.get_str(&format!("{folder}/{name}")))
    }

    /// Documents of one kind, in id order.
    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = &Arc<Document>> {
        self.documents.values().filter(move |d| d.kind == kind)
    }

    /// All tags with the documents carrying them.
    pub fn tags(&self) -> BTreeMap<&str, Vec<&Arc<Document>>> {
        let mut tags: BTreeMap<&str, Vec<&Arc<Document>>> = BTreeMap::new();
        for doc in self.documents.values() {
            for tag in &doc.tags {
                tags.entry(tag.as_str()).or_default().push(doc);
            }
        }
        tags
    }

    /// Diagnostics of one source file.
    pub fn diagnostics_for<'a>(
        &'a self,
        source_path: &'a str,
    ) -> impl Iterator<Item = &'a Diagnostic> {
        self.diagnostics
            .iter()
            .filter(move |d| d.path == source_path)
    }

    /// Number of errors (not warnings).
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_address_finds_its_readme_or_index_page() {
        let mut site = Site::default();
        for id in ["guides/k8s/README", "ops/index", "ops/db"] {
            let doc = Document::sample(id, Kind::Guide);
            site.documents.insert(doc.id.clone(), Arc::new(doc));
        }
        let found = |id: &str| site.get_or_folder_index(id).map(|d| d.id.as_str());
        assert_eq!(found("ops/db"), Some("ops/db"));
        assert_eq!(found("guides/k8s/"), Some("guides/k8s/README"));
        assert_eq!(found("guides/k8s"), Some("guides/k8s/README"));
        assert_eq!(found("ops/"), Some("ops/index"));
        assert_eq!(found("guides/"), None);
        assert_eq!(found("/"), None);
    }
}
