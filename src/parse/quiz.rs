//! Quiz fences: a YAML list of questions with choices, answer index(es) and an explanation.
//!
//! Each question is checked on its own, so one bad question is reported at its line and
//! the others still count. YAML lines are mapped to file lines through the block's offset.

use serde::Deserialize;
use serde::de::{self, IgnoredAny, Visitor};
use serde_saphyr::{Location, Spanned};

use crate::model::{Question, QuestionHtml};

use super::front_matter::yaml_sentence;
use super::inline::inline_html;
use super::markdown::QuizBlock;
use crate::model::diagnostic::{Diagnostic, LineIndex, Position};

/// Parses one quiz block of the file at `path` whose whole text is `file_text`. Problems
/// (YAML syntax, missing keys, fewer than two choices, answer out of range) become
/// diagnostics at their line; questions that parse are returned.
pub fn parse_quiz(
    path: &str,
    file_text: &str,
    block: &QuizBlock,
) -> (Vec<Question>, Vec<Diagnostic>) {
    let index = LineIndex::new(file_text);
    let mut ctx = Ctx {
        path,
        start: index.position(block.offset),
        diags: Vec::new(),
    };
    let questions = ctx.parse(&block.yaml);
    (questions, ctx.diags)
}

/// One question as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    question: Option<String>,
    choices: Option<Spanned<Vec<String>>>,
    answer: Option<Spanned<RawAnswer>>,
    explain: Option<String>,
    section: Option<String>,
}

/// `answer: 1` or `answer: [0, 2]`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawAnswer {
    One(i64),
    Many(Vec<i64>),
}

/// The top-level shape of a block, to say "not a list" instead of a serde type error.
enum Shape {
    List(usize),
    Other(&'static str),
}

impl<'de> Deserialize<'de> for Shape {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ShapeVisitor;
        impl<'de> Visitor<'de> for ShapeVisitor {
            type Value = Shape;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any YAML value")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Shape, A::Error> {
                let mut n = 0;
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    n += 1;
                }
                Ok(Shape::List(n))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Shape::Other("a mapping"))
            }
            fn visit_unit<E>(self) -> Result<Shape, E> {
                Ok(Shape::Other("empty"))
            }
            fn visit_none<E>(self) -> Result<Shape, E> {
                Ok(Shape::Other("empty"))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Shape, E> {
                Ok(Shape::Other("a single value"))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Shape, E> {
                Ok(Shape::Other("a single value"))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Shape, E> {
                Ok(Shape::Other("a single value"))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Shape, E> {
                Ok(Shape::Other("a single value"))
            }
            fn visit_str<E>(self, _: &str) -> Result<Shape, E> {
                Ok(Shape::Other("a single value"))
            }
        }
        deserializer.deserialize_any(ShapeVisitor)
    }
}

struct Ctx<'a> {
    path: &'a str,
    /// Where the YAML starts in the file.
    start: Position,
    diags: Vec<Diagnostic>,
}

const HINT: &str = "write a YAML list of questions, each starting with `- question:`";

impl Ctx<'_> {
    /// The file position of a YAML location, `line_offset` lines into the block.
    fn at(&self, location: Option<Location>, line_offset: usize) -> Position {
        let Some(loc) = location.filter(|l| l.line() > 0) else {
            return self.start;
        };
        let line = u64::from(self.start.line) + to_u64(line_offset) + loc.line() - 1;
        let column = u64::from(self.start.column) + loc.column().max(1) - 1;
        Position::new(to_u32(line), to_u32(column))
    }

    fn error(&mut self, at: Position, message: String) {
        self.diags.push(Diagnostic::error(self.path, at, message));
    }

    fn parse(&mut self, yaml: &str) -> Vec<Question> {
        match serde_saphyr::from_str::<Shape>(yaml) {
            Err(e) => {
                let at = self.at(e.location(), 0);
                self.error(
                    at,
                    format!(
                        "quiz block is not valid YAML: {}",
                        syntax_hint(&yaml_sentence(&e))
                    ),
                );
                return Vec::new();
            }
            Ok(Shape::Other(what)) => {
                self.error(
                    self.start,
                    format!(
                        "a quiz block must be a list of questions, but this one is {what}; {HINT}"
                    ),
                );
                return Vec::new();
            }
            Ok(Shape::List(0)) => {
                self.error(
                    self.start,
                    format!("this quiz block has no questions; {HINT}"),
                );
                return Vec::new();
            }
            Ok(Shape::List(_)) => {}
        }
        match serde_saphyr::from_str::<Vec<Spanned<RawQuestion>>>(yaml) {
            Ok(items) => items.into_iter().filter_map(|q| self.check(q, 0)).collect(),
            Err(whole) => self.salvage(yaml, &whole),
        }
    }

    /// Parses the questions one by one after the block as a whole failed, so every bad
    /// question is reported and the good ones still count.
    fn salvage(&mut self, yaml: &str, whole: &serde_saphyr::Error) -> Vec<Question> {
        let errors_before = self.diags.len();
        let mut questions = Vec::new();
        for (line_offset, item) in split_items(yaml) {
            match serde_saphyr::from_str::<Vec<Spanned<RawQuestion>>>(&item) {
                Ok(items) => {
                    questions.extend(items.into_iter().filter_map(|q| self.check(q, line_offset)))
                }
                Err(e) => {
                    let at = self.at(e.location(), line_offset);
                    self.error(at, question_error(&e));
                }
            }
        }
        if !self
            .diags
            .iter()
            .skip(errors_before)
            .any(Diagnostic::is_error)
        {
            // Each question parses alone but not together (e.g. an alias to another one).
            let at = self.at(whole.location(), 0);
            self.error(at, question_error(whole));
            return Vec::new();
        }
        questions
    }

    /// Checks one question; `None` when it cannot be used.
    fn check(&mut self, item: Spanned<RawQuestion>, line_offset: usize) -> Option<Question> {
        let at = self.at(Some(item.referenced), line_offset);
        let raw = item.value;
        let Some(prompt) = raw.question.filter(|q| !q.trim().is_empty()) else {
            self.error(at, "this question has no `question:` text".to_owned());
            return None;
        };
        let short = shorten(&prompt);
        let Some(choices) = raw.choices else {
            self.error(at, format!("question \"{short}\" has no `choices:` list"));
            return None;
        };
        let choices_at = self.at(Some(choices.referenced), line_offset);
        let choices = choices.value;
        if choices.len() < 2 {
            self.error(
                choices_at,
                format!(
                    "question \"{short}\" needs at least two choices; it has {}",
                    choices.len()
                ),
            );
            return None;
        }
        let Some(answer) = raw.answer else {
            self.error(
                at,
                format!(
                    "question \"{short}\" has no `answer:`; give the index of the right choice (0 for \
                     the first) or a list of indexes"
                ),
            );
            return None;
        };
        let answer_at = self.at(Some(answer.referenced), line_offset);
        let (written, multiple) = match answer.value {
            RawAnswer::One(n) => (vec![n], false),
            RawAnswer::Many(list) => (list, true),
        };
        if written.is_empty() {
            self.error(
                answer_at,
                format!("question \"{short}\" has an empty answer list; list the indexes of the right choices"),
            );
            return None;
        }
        let last = choices.len() - 1;
        let mut answer: Vec<usize> = Vec::new();
        let mut ok = true;
        for n in written {
            match usize::try_from(n).ok().filter(|i| *i <= last) {
                Some(i) if answer.contains(&i) => self.diags.push(Diagnostic::warning(
                    self.path,
                    answer_at,
                    format!("question \"{short}\" lists answer {i} twice"),
                )),
                Some(i) => answer.push(i),
                None => {
                    ok = false;
                    self.error(
                        answer_at,
                        format!(
                            "answer {n} of question \"{short}\" is out of range: the choices are \
                             numbered 0 to {last}"
                        ),
                    );
                }
            }
        }
        answer.sort_unstable();
        if !ok {
            return None;
        }
        let explain = raw.explain.filter(|e| !e.trim().is_empty());
        let html = QuestionHtml {
            prompt: inline_html(&prompt),
            choices: choices.iter().map(|c| inline_html(c)).collect(),
            explain: explain.as_deref().map(inline_html),
        };
        Some(Question {
            prompt,
            choices,
            answer,
            multiple,
            explain,
            // `#anchor` and `anchor` mean the same; the loader checks it names a heading.
            section: raw
                .section
                .map(|s| s.trim().trim_start_matches('#').to_owned())
                .filter(|s| !s.is_empty()),
            html,
        })
    }
}

/// The block cut into its top-level `- ` items: (line offset, item text).
fn split_items(yaml: &str) -> Vec<(usize, String)> {
    let lines: Vec<&str> = yaml.split_inclusive('\n').collect();
    let first = lines.iter().find(|l| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with('#')
    });
    let Some(indent) = first.map(|l| l.len() - l.trim_start_matches(' ').len()) else {
        return Vec::new();
    };
    let starts_item = |line: &str| {
        let rest = line.get(indent..).unwrap_or("");
        line.get(..indent)
            .is_some_and(|p| p.bytes().all(|b| b == b' '))
            && rest.starts_with('-')
            && rest
                .get(1..)
                .is_some_and(|r| r.is_empty() || r.starts_with([' ', '\t', '\n', '\r']))
    };
    let starts: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| starts_item(l))
        .map(|(i, _)| i)
        .collect();
    starts
        .iter()
        .enumerate()
        .map(|(k, &s)| {
            let end = starts.get(k + 1).copied().unwrap_or(lines.len());
            (s, lines.get(s..end).unwrap_or(&[]).concat())
        })
        .collect()
}

/// A serde error inside a question, in the author's terms.
fn question_error(err: &serde_saphyr::Error) -> String {
    let message = yaml_sentence(err);
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let key = rest.split('`').next().unwrap_or(rest);
        return format!(
            "unknown key `{key}` in a quiz question; the keys are `question`, `choices`, `answer`, `explain` and `section`"
        );
    }
    if message.contains("untagged enum RawAnswer") {
        return "`answer` must be the index of the right choice (0 for the first) or a list of indexes".to_owned();
    }
    if message.starts_with("cannot deserialize null into string") {
        return "a choice is empty (`null`, `~` or a `-` with nothing after it); write the \
                choice's text, in quotes if it is the word itself: `\"null\"`"
            .to_owned();
    }
    let plain = match message.as_str() {
        "expected sequence start" => "expected a list (`[a, b]`, or one `- item` per line)",
        "expected string scalar" => {
            "`question`, each choice and `explain` must be text; quote a value that starts with `[` or `{`"
        }
        other => return format!("quiz question is not valid: {}", syntax_hint(other)),
    };
    format!("quiz question is not valid: {plain}")
}

/// YAML's syntax messages that have a usual cause in quiz text, with what to do.
fn syntax_hint(message: &str) -> String {
    if message.contains("mapping values are not allowed") {
        "a value contains `: `, which YAML reads as another key; quote the value, such as \
         `question: \"Which one: A or B?\"`"
            .to_owned()
    } else if let Some(rest) = message.strip_prefix("unexpected character: `") {
        let c = rest.trim_end_matches('\'');
        format!("a value starts with `{c}`, which YAML reserves; put the value in quotes")
    } else {
        message.to_owned()
    }
}

/// A question's first words, for messages.
fn shorten(prompt: &str) -> String {
    let prompt = prompt.trim();
    match prompt.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", prompt.get(..cut).unwrap_or(prompt)),
        None => prompt.to_owned(),
    }
}

fn to_u32(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn to_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

#[cfg(test)]
#[path = "quiz_tests.rs"]
mod tests;
