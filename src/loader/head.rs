//! Stage 1 of the loader: decodes a file (UTF-8, no byte-order mark, LF line ends) and reads
//! its front matter, id and kind — enough to know where it is served before any body is
//! rendered.

use crate::digest::sha256_hex;

use crate::model::diagnostic::{Diagnostic, LineIndex, Position};
use crate::model::{DocId, Kind};
use crate::parse::front_matter::{self, FrontMatter};
use crate::source::SourceFile;

/// Stage 1 result: what a file is, before its body is rendered.
#[derive(Debug, Clone)]
pub struct FileHead {
    /// Content-relative path.
    pub rel_path: String,
    /// The text, BOM removed and CRLF turned into LF.
    pub text: String,
    /// Parsed front matter.
    pub front: FrontMatter,
    /// Where the Markdown body starts in `text`.
    pub body_offset: usize,
    /// The document's id.
    pub id: DocId,
    /// The document's kind.
    pub kind: Kind,
    /// Hex SHA-256 of the bytes on disk.
    pub content_hash: String,
    /// Problems found so far.
    pub diagnostics: Vec<Diagnostic>,
}

/// Stage 1: decodes a file and reads its front matter, id and kind.
pub fn read_head(file: &SourceFile) -> Result<FileHead, Diagnostic> {
    let path = file.rel_path.as_str();
    let content_hash = sha256_hex(&file.bytes);
    let text = std::str::from_utf8(&file.bytes).map_err(|err| not_utf8(path, &file.bytes, &err))?;
    head_from_text(path, normalize_text(text.to_owned()), content_hash)
}

/// [`read_head`] for a file that is not needed afterwards: its buffer becomes the text
/// without a copy, so a cold load never holds every file twice.
pub fn into_head(file: SourceFile) -> Result<FileHead, Diagnostic> {
    let SourceFile { rel_path, bytes } = file;
    let content_hash = sha256_hex(&bytes);
    let text = String::from_utf8(bytes)
        .map_err(|err| not_utf8(&rel_path, err.as_bytes(), &err.utf8_error()))?;
    head_from_text(&rel_path, normalize_text(text), content_hash)
}

fn not_utf8(path: &str, bytes: &[u8], err: &std::str::Utf8Error) -> Diagnostic {
    let valid = &bytes[..err.valid_up_to()];
    let pos = std::str::from_utf8(valid)
        .map(|v| LineIndex::new(v).position(v.len()))
        .unwrap_or(Position::START);
    Diagnostic::error(
        path,
        pos,
        "the file is not UTF-8 text (binary data or another encoding); save it as UTF-8 or move it out of the content folder",
    )
}

/// Drops a byte-order mark and turns CRLF and CR line ends into LF (copying only then).
fn normalize_text(mut text: String) -> String {
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    }
}

fn head_from_text(path: &str, text: String, content_hash: String) -> Result<FileHead, Diagnostic> {
    let mut diagnostics = Vec::new();
    if text.trim().is_empty() {
        diagnostics.push(Diagnostic::warning(
            path,
            Position::START,
            "the file is empty; write some content or delete it",
        ));
    }
    let (front, body_offset) = match front_matter::split(&text) {
        Ok(split) => match split.front {
            Some((format, block, offset)) => (
                front_matter::parse(path, &text, format, block, offset, &mut diagnostics),
                split.body_offset,
            ),
            None => (
                FrontMatter {
                    parsed: true,
                    ..FrontMatter::default()
                },
                0,
            ),
        },
        Err(err) => {
            diagnostics.push(Diagnostic::error(path, Position::START, err.message));
            (FrontMatter::default(), 0)
        }
    };
    let id = match front.raw.id.as_deref() {
        Some(raw) => match DocId::parse(raw) {
            Ok(id) => Some(id),
            Err(message) => {
                diagnostics.push(Diagnostic::error(path, front.position_of("id"), message));
                None
            }
        },
        None => None,
    };
    let id = match id {
        Some(id) => id,
        None => DocId::from_relative_path(path).map_err(|message| {
            Diagnostic::error(
                path,
                Position::START,
                format!("{message}; rename the file or set `id:` in its front matter"),
            )
        })?,
    };
    let kind = match front.raw.kind.as_deref() {
        Some(raw) => Kind::parse(raw).unwrap_or_else(|message| {
            diagnostics.push(Diagnostic::error(path, front.position_of("kind"), message));
            Kind::default_for_path(path)
        }),
        None => Kind::default_for_path(path),
    };
    Ok(FileHead {
        rel_path: path.to_owned(),
        text,
        front,
        body_offset,
        id,
        kind,
        content_hash,
        diagnostics,
    })
}
