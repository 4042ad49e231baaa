//! Fenced and indented code as HTML: plain escaped text at build time (Mermaid as a labelled
//! source block), highlighted when a page is shown ([`highlight_rendered`]) if the fence names
//! a language the bundled grammars know.
//!
//! Highlighting is not done at build time because it costs far more than the rest of parsing
//! (2.6 s of CPU for the real corpora's 4,000 blocks, ten times that at 10×, all before the
//! server answers); done on output, a block is highlighted the first time a page holding it is
//! shown and remembered after, so no page pays for it twice and a start pays nothing.
//!
//! Highlighting writes classes, never colours: the CSP (`style-src 'self'`) refuses inline
//! styles, and `static/highlight.css` colours the classes for both colour schemes. Each run of
//! text is one flat `<span>` (never nested, so a long block adds no depth for the sanitiser)
//! named after the innermost scope that says what the text is, its atoms prefixed with `hl-`
//! (`keyword.control.rust` → `hl-keyword hl-control hl-rust`); scopes that only group
//! (`meta.*`, `source.*`, `punctuation.*`) write nothing. The sanitiser keeps `class` on every
//! element and nothing else on `<span>` but `id`.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use syntect::parsing::{ParseState, Scope, ScopeStack, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

use crate::escape::{escape_html, push_escaped_html};

/// The prefix of every highlighting class (`static/highlight.css` styles these).
pub const CLASS_PREFIX: &str = "hl-";

/// The label shown above a Mermaid block: no renderer runs under the site's CSP.
pub const MERMAID_LABEL: &str = "Mermaid diagram (shown as source)";

/// Blocks longer than this are shown plain: past it highlighting costs more build time than
/// anyone reading such a block gains.
const MAX_HIGHLIGHTED_BYTES: usize = 64 * 1024;

/// A block with a longer line (minified JSON, a pasted log) is shown plain: grammar regexes
/// can take time that grows faster than the line.
const MAX_HIGHLIGHTED_LINE: usize = 2_000;

/// Sublime Text's bundled grammars, loaded on the first highlighted block and kept.
static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);

/// Fence names authors use that the grammars know by another name.
fn canonical(lang: &str) -> &str {
    match lang {
        "shell" | "console" | "shell-session" | "zsh" => "bash",
        "golang" => "go",
        "py" | "python3" => "python",
        "patch" => "diff",
        "c++" => "cpp",
        other => other,
    }
}

/// The grammar for a fence's language name, if one is bundled. Plain text is no grammar.
fn syntax_for(lang: &str) -> Option<&'static SyntaxReference> {
    let lower = lang.to_ascii_lowercase();
    SYNTAXES
        .find_syntax_by_token(canonical(&lower))
        .filter(|s| s.name != "Plain Text")
}

/// The first atoms of the scopes worth a class: what a reader tells apart in code.
const NAMED: &[&str] = &[
    "comment", "string", "constant", "keyword", "storage", "entity", "support", "variable",
    "markup",
];

/// `code` as highlighted HTML (the inside of `<code>`), or `None` when the language is not
/// bundled, the block is too large, or the grammar fails on it.
pub fn highlight(lang: &str, code: &str) -> Option<String> {
    if code.len() > MAX_HIGHLIGHTED_BYTES
        || code.lines().any(|line| line.len() > MAX_HIGHLIGHTED_LINE)
    {
        return None;
    }
    let syntax = syntax_for(lang)?;
    let mut state = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    let mut out = Spans::default();
    for line in LinesWithEndings::from(code) {
        let ops = state.parse_line(line, &SYNTAXES).ok()?;
        let mut from = 0;
        for (at, op) in ops {
            out.push(line.get(from..at)?, &stack);
            stack.apply(&op).ok()?;
            from = at;
        }
        out.push(line.get(from..)?, &stack);
    }
    Some(out.finish())
}

/// Highlighted HTML being written: runs of text sharing a class are merged into one span.
#[derive(Default)]
struct Spans {
    html: String,
    /// The class of the run being collected and its text.
    run: Option<(Option<String>, String)>,
    /// Each scope's class (`None` for grouping scopes), worked out once per block.
    classes: HashMap<Scope, Option<String>>,
}

impl Spans {
    fn push(&mut self, text: &str, stack: &ScopeStack) {
        if text.is_empty() {
            return;
        }
        let class = self.class_of(stack);
        match &mut self.run {
            Some((current, run)) if *current == class => run.push_str(text),
            _ => {
                self.flush();
                self.run = Some((class, text.to_owned()));
            }
        }
    }

    /// The class of the innermost named scope on the stack.
    fn class_of(&mut self, stack: &ScopeStack) -> Option<String> {
        stack.as_slice().iter().rev().find_map(|scope| {
            self.classes
                .entry(*scope)
                .or_insert_with(|| {
                    let name = scope.build_string();
                    let first = name.split('.').next().unwrap_or("");
                    NAMED.contains(&first).then(|| {
                        name.split('.')
                            .map(|atom| format!("{CLASS_PREFIX}{atom}"))
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                })
                .clone()
        })
    }

    fn flush(&mut self) {
        match self.run.take() {
            Some((Some(class), text)) => {
                self.html.push_str("<span class=\"");
                push_escaped_html(&mut self.html, &class);
                self.html.push_str("\">");
                push_escaped_html(&mut self.html, &text);
                self.html.push_str("</span>");
            }
            Some((None, text)) => push_escaped_html(&mut self.html, &text),
            None => {}
        }
    }

    fn finish(mut self) -> String {
        self.flush();
        self.html
    }
}

/// The HTML of one code block; `lang` is the fence's first word, if any. `tabindex="0"`: a
/// block wider than the column scrolls, and keyboards must reach it.
pub fn code_html(lang: Option<&str>, code: &str) -> String {
    match lang {
        Some(lang) if lang.eq_ignore_ascii_case("mermaid") => format!(
            "<figure class=\"mermaid-source\"><figcaption>{MERMAID_LABEL}</figcaption>\
             <pre tabindex=\"0\"><code class=\"language-mermaid\">{}</code></pre></figure>\n",
            escape_html(code)
        ),
        Some(lang) => format!(
            "<pre tabindex=\"0\"><code class=\"{LANGUAGE_CLASS}{}\">{}</code></pre>\n",
            escape_html(lang),
            escape_html(code)
        ),
        None => format!(
            "<pre tabindex=\"0\"><code>{}</code></pre>\n",
            escape_html(code)
        ),
    }
}

/// How a code block with a language starts in rendered HTML (after the sanitiser too).
const LANGUAGE_CLASS: &str = "language-";
const BLOCK_START: &str = "<code class=\"language-";
const BLOCK_END: &str = "</code>";

/// Highlighted blocks already worked out, by language and the block's escaped text; `None`
/// for a block that stays plain. Emptied when it holds more than [`MEMO_MAX_BYTES`] of text.
type Memo = HashMap<Box<str>, HashMap<Box<str>, Option<Arc<str>>>>;
static MEMO: LazyLock<Mutex<(Memo, usize)>> = LazyLock::new(Mutex::default);
const MEMO_MAX_BYTES: usize = 32 * 1024 * 1024;

/// Writes `html` (sanitised, rendered Markdown) to `out` with every `<code class="language-…">`
/// block's text highlighted. A block whose text is not plain escaped text (it holds a tag or
/// an entity other than the ones the sanitiser writes) is copied as it is.
pub fn highlight_rendered(html: &str, out: &mut String) {
    let mut rest = html;
    while let Some(at) = rest.find(BLOCK_START) {
        let after_class = &rest[at + BLOCK_START.len()..];
        let Some((lang, inner_and_rest)) = after_class
            .split_once("\">")
            .filter(|(lang, _)| !lang.contains(['"', '<', '>', ' ']))
        else {
            out.push_str(&rest[..at + BLOCK_START.len()]);
            rest = after_class;
            continue;
        };
        let Some(end) = inner_and_rest.find(BLOCK_END) else {
            break;
        };
        let inner = &inner_and_rest[..end];
        out.push_str(&rest[..rest.len() - inner_and_rest.len()]);
        match memoised(lang, inner) {
            Some(highlighted) => out.push_str(&highlighted),
            None => out.push_str(inner),
        }
        rest = &inner_and_rest[end..];
    }
    out.push_str(rest);
}

fn memoised(lang: &str, escaped: &str) -> Option<Arc<str>> {
    // Looked up by borrowed text: a page shown again copies nothing.
    if let Some(found) = MEMO
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .0
        .get(lang)
        .and_then(|blocks| blocks.get(escaped))
    {
        return found.clone();
    }
    let highlighted = unescape(escaped)
        .and_then(|code| highlight(lang, &code))
        .map(Arc::from);
    let mut memo = MEMO.lock().unwrap_or_else(PoisonError::into_inner);
    let size = escaped.len() + highlighted.as_ref().map_or(0, |h: &Arc<str>| h.len());
    if memo.1 + size > MEMO_MAX_BYTES {
        memo.0.clear();
        memo.1 = 0;
    }
    memo.1 += size;
    memo.0
        .entry(Box::from(lang))
        .or_default()
        .insert(Box::from(escaped), highlighted.clone());
    highlighted
}

/// The text of escaped HTML text, or `None` when it holds a tag or an entity the sanitiser
/// does not write (then the block is left as it is).
fn unescape(escaped: &str) -> Option<String> {
    if escaped.contains('<') {
        return None;
    }
    let mut text = String::with_capacity(escaped.len());
    let mut rest = escaped;
    while let Some(at) = rest.find('&') {
        text.push_str(&rest[..at]);
        let entity = &rest[at..];
        let (name, ch) = [
            ("&amp;", '&'),
            ("&lt;", '<'),
            ("&gt;", '>'),
            ("&quot;", '"'),
            ("&#39;", '\''),
            ("&#x27;", '\''),
            ("&nbsp;", '\u{a0}'),
        ]
        .into_iter()
        .find(|(name, _)| entity.starts_with(name))?;
        text.push(ch);
        rest = &entity[name.len()..];
    }
    text.push_str(rest);
    Some(text)
}

#[cfg(test)]
#[path = "code_block_tests.rs"]
mod tests;
