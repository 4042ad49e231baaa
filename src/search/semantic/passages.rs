//! What the model reads of a page: a short card (title, summary, aliases, symptoms), then
//! one passage per index entry with the page's title (and on the first, the card's words)
//! for context.
//!
//! Passages follow the lexical index's entries, so a semantic hit lands on the same section
//! and snippet a lexical one would (the card lands on the first). The card exists because
//! a short query matches a short text best: "dashboard panel shows no data" is closer to
//! the title "Grafana graph is empty" alone than to that title followed by its sections.

use sha2::{Digest, Sha256};

use crate::model::Document;
use crate::search::schema;

use super::model::{MAX_CHARS, MODEL_ID};
use super::vectors::PassageHash;

/// The passages of `doc`: `(entry number, text)`.
pub fn passages(doc: &Document) -> Vec<(u32, String)> {
    let body = doc.body.texts();
    let entries = schema::entries(doc, &body);
    let mut card = String::new();
    push(&mut card, &doc.title);
    if let Some(summary) = &doc.summary {
        push(&mut card, summary);
    }
    for phrase in doc.aliases.iter().chain(&doc.symptoms) {
        push(&mut card, phrase);
    }
    let card = (!entries.is_empty()).then_some((0, card));
    card.into_iter()
        .chain(entries.iter().enumerate().map(|(ord, entry)| {
            let mut text = String::with_capacity(MAX_CHARS);
            push(&mut text, &doc.title);
            if ord == 0 {
                if let Some(summary) = &doc.summary {
                    push(&mut text, summary);
                }
                for phrase in doc.aliases.iter().chain(&doc.symptoms) {
                    push(&mut text, phrase);
                }
            }
            push(&mut text, entry.heading);
            push(&mut text, &entry.text);
            (u32::try_from(ord).unwrap_or(u32::MAX), text)
        }))
        .collect()
}

/// Appends `part` as a sentence, collapsing whitespace, until the model's reading limit.
fn push(text: &mut String, part: &str) {
    let part = part.trim();
    if part.is_empty() || text.len() >= MAX_CHARS * 2 {
        return;
    }
    if !text.is_empty() {
        text.push_str(if text.ends_with(['.', '?', '!', ':']) {
            " "
        } else {
            ". "
        });
    }
    let mut space = false;
    for c in part.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !text.ends_with(' ') {
            text.push(' ');
        }
        space = false;
        text.push(c);
        if text.len() >= MAX_CHARS * 2 {
            break;
        }
    }
}

/// The cache key of a passage: its text and the model that reads it.
pub fn passage_hash(text: &str) -> PassageHash {
    let mut hasher = Sha256::new();
    hasher.update(MODEL_ID.as_bytes());
    hasher.update([0]);
    hasher.update(text.as_bytes());
    hasher.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_joins_sentences_and_collapses_whitespace() {
        let mut text = String::new();
        push(&mut text, "Title");
        push(&mut text, "  a\n\n b  ");
        push(&mut text, "");
        push(&mut text, "Ends?");
        push(&mut text, "next");
        assert_eq!(text, "Title. a b. Ends? next");
    }

    #[test]
    fn the_hash_depends_on_the_text() {
        assert_eq!(passage_hash("a"), passage_hash("a"));
        assert_ne!(passage_hash("a"), passage_hash("b"));
    }
}
