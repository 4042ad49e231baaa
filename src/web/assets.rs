//! Files: the site's own stylesheet and icons (embedded with rust-embed: inside the release
//! binary, read from `static/` in debug builds) and content assets (images next to documents).
//!
//! Neither route ever builds a file path from the request: static files are looked up by name
//! in the embedded set, content assets only when the decoded path is in the snapshot's asset
//! list, which the content walk produced, and then read through the confined content root
//! (`source::ContentRoot`), which refuses at request time a file that has become a link out.
//! What a content asset is served as comes from an explicit allow-list ([`asset_type`]).
//!
//! Both carry a strong ETag and answer `If-None-Match` with 304. Static files are also
//! served Brotli or gzip, compressed once per file (at its first request) and kept for the
//! life of the process.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use actix_web::http::header::{self, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};

use super::http_cache::{self, Representation};
use super::{AppError, AppState};
use crate::compression::{self, Coding};

/// The `static/` folder.
#[derive(rust_embed::RustEmbed)]
#[folder = "static/"]
struct StaticFiles;

/// Registers `/static/{file}` and `/assets/{path}`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/static/{file}", web::get().to(static_file))
        .route("/assets/{path:.*}", web::get().to(content_asset));
}

/// The policy on content assets: a document opened from one runs no script, loads nothing
/// but itself, and is a unique origin (`sandbox`), so an SVG or a file served as text cannot
/// act as a page of this site. Images and media opened directly still show (`'self'`).
pub const ASSET_CSP: &str = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; media-src 'self'";

/// How a content asset is served, decided by its extension from an explicit allow-list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssetType {
    /// The `Content-Type` sent.
    pub mime: &'static str,
    /// Shown in the browser; `false` sends `Content-Disposition: attachment` (a download).
    pub inline: bool,
    /// Sent with [`ASSET_CSP`]. Only PDF goes without: browsers' PDF viewers refuse to run
    /// in a sandboxed document, and run no script with the site's origin anyway.
    pub sandboxed: bool,
}

impl AssetType {
    const fn shown(mime: &'static str) -> Self {
        Self {
            mime,
            inline: true,
            sandboxed: true,
        }
    }

    /// Anything not on the list, and every type a browser would run as a page (HTML, XHTML,
    /// XML, XSLT…): a download of opaque bytes.
    pub const DOWNLOAD: Self = Self {
        mime: "application/octet-stream",
        inline: false,
        sandboxed: true,
    };
}

/// The allow-list: images, SVG (sandboxed), PDF, audio and video, and text formats (source
/// files and configuration are shown as plain text, so no content file is ever served as a
/// script or a stylesheet a page could load).
pub fn asset_type(name: &str) -> AssetType {
    let extension = name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    let text = AssetType::shown("text/plain; charset=utf-8");
    match extension.as_str() {
        "png" => AssetType::shown("image/png"),
        "jpg" | "jpeg" => AssetType::shown("image/jpeg"),
        "gif" => AssetType::shown("image/gif"),
        "webp" => AssetType::shown("image/webp"),
        "avif" => AssetType::shown("image/avif"),
        "bmp" => AssetType::shown("image/bmp"),
        "ico" => AssetType::shown("image/x-icon"),
        "svg" => AssetType::shown("image/svg+xml; charset=utf-8"),
        "pdf" => AssetType {
            mime: "application/pdf",
            inline: true,
            sandboxed: false,
        },
        "mp4" => AssetType::shown("video/mp4"),
        "webm" => AssetType::shown("video/webm"),
        "mp3" => AssetType::shown("audio/mpeg"),
        "ogg" => AssetType::shown("audio/ogg"),
        "wav" => AssetType::shown("audio/wav"),
        "csv" => AssetType::shown("text/csv; charset=utf-8"),
        "json" => AssetType::shown("application/json"),
        "txt" | "text" | "log" | "diff" | "patch" | "yaml" | "yml" | "toml" | "ini" | "conf"
        | "cfg" | "env" | "properties" | "sql" | "sh" | "bash" | "ps1" | "py" | "rb" | "go"
        | "rs" | "java" | "js" | "ts" | "css" | "tf" | "hcl" | "dockerfile" => text,
        _ => AssetType::DOWNLOAD,
    }
}

fn not_found() -> AppError {
    AppError::NotFound("There is no file at this address.".into())
}

/// `GET /static/{file}`.
async fn static_file(req: HttpRequest, file: web::Path<String>) -> Result<HttpResponse, AppError> {
    let name = file.into_inner();
    // Plain names only: rust-embed reads from disk in debug builds, so never hand it a path.
    if !is_plain_file_name(&name) {
        return Err(not_found());
    }
    let file = StaticFiles::get(&name).ok_or_else(not_found)?;
    let encoded = static_encoded(&name, file);
    let mut coding = http_cache::negotiate(req.headers());
    let body = match coding {
        Coding::Identity => encoded.plain.clone(),
        Coding::Brotli => encoded.brotli.clone().unwrap_or_default(),
        Coding::Gzip => encoded.gzip.clone().unwrap_or_default(),
    };
    let body = if body.is_empty() && !encoded.plain.is_empty() {
        // Not smaller compressed (or an empty file): the plain body for everyone.
        coding = Coding::Identity;
        encoded.plain.clone()
    } else {
        body
    };
    Ok(Representation {
        body,
        coding,
        etag: &coding.entity_tag(&encoded.hash),
        content_type: &encoded.content_type,
        cache_control: Some("public, max-age=3600"),
        negotiated: encoded.brotli.is_some() || encoded.gzip.is_some(),
    }
    .respond(req.headers()))
}

/// A static file with its compressed forms.
struct StaticEncoded {
    /// rust-embed's SHA-256 of the file: the memo's check and the ETag's source.
    sha256: [u8; 32],
    /// Its first 16 bytes in hex.
    hash: String,
    content_type: String,
    plain: Bytes,
    brotli: Option<Bytes>,
    gzip: Option<Bytes>,
}

/// Static files compressed so far, by name. In release builds a file never changes; in debug
/// builds rust-embed reads `static/` afresh, so an entry is remade when the file's hash moves.
static STATIC_ENCODED: LazyLock<Mutex<HashMap<String, Arc<StaticEncoded>>>> =
    LazyLock::new(Mutex::default);

fn static_encoded(name: &str, file: rust_embed::EmbeddedFile) -> Arc<StaticEncoded> {
    let sha256 = file.metadata.sha256_hash();
    let memo = |found: &Arc<StaticEncoded>| found.sha256 == sha256;
    if let Some(found) = lock_static().get(name).filter(|found| memo(found)) {
        return Arc::clone(found);
    }
    let plain = match file.data {
        Cow::Borrowed(bytes) => Bytes::from_static(bytes),
        Cow::Owned(bytes) => Bytes::from(bytes),
    };
    // Outside the lock: two first readers may both compress; either result is the same.
    let made = Arc::new(StaticEncoded {
        sha256,
        hash: crate::digest::hex(&sha256[..16]),
        content_type: content_type(name),
        brotli: compression::compress(Coding::Brotli, &plain),
        gzip: compression::compress(Coding::Gzip, &plain),
        plain,
    });
    lock_static().insert(name.to_owned(), Arc::clone(&made));
    made
}

fn lock_static() -> std::sync::MutexGuard<'static, HashMap<String, Arc<StaticEncoded>>> {
    // Entries are whole values swapped in at once: a panic elsewhere cannot leave one torn.
    STATIC_ENCODED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// `GET /assets/{path}`: a non-Markdown file of the content folder.
async fn content_asset(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let path = path.into_inner();
    let snapshot = state.snapshot.load_full();
    if !snapshot.site.assets.contains(&path) {
        return Err(not_found());
    }
    let root = state.content_root.clone();
    let rel = path.clone();
    // Checked again now: a listed file may have become a symlink since the walk.
    let bytes = web::block(move || crate::source::read_asset(&root, &rel))
        .await
        .map_err(|err| AppError::Internal(format!("asset reader stopped: {err}")))?
        .map_err(|err| {
            if !err.is_not_found() {
                tracing::warn!(path = %path, error = %err, "content asset refused");
            }
            not_found()
        })?;
    // Hashed per request: the file is read per request too (see the module doc), and may have
    // changed on disk since the last one without a new snapshot (a server not watching).
    let etag = Coding::Identity.entity_tag(&compression::body_hash(&bytes));
    let kind = asset_type(&path);
    let mut response = Representation {
        body: Bytes::from(bytes),
        coding: Coding::Identity,
        etag: &etag,
        content_type: kind.mime,
        cache_control: Some("public, max-age=300"),
        negotiated: false,
    }
    .respond(req.headers());
    let headers = response.headers_mut();
    if kind.sandboxed {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(ASSET_CSP),
        );
    }
    if !kind.inline {
        headers.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("attachment"),
        );
    }
    Ok(response)
}

/// The MIME type from the file name; text types say they are UTF-8.
fn content_type(name: &str) -> String {
    let mime = mime_guess::from_path(name).first_or_octet_stream();
    let essence = mime.essence_str();
    if mime.type_() == "text" || essence == "application/javascript" || essence == "image/svg+xml" {
        format!("{essence}; charset=utf-8")
    } else {
        essence.to_owned()
    }
}

/// `style.css` yes; `../x`, `.hidden`, `a/b`, `a\b` no.
fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_reach_the_embedded_files() {
        assert!(is_plain_file_name("style.css"));
        assert!(!is_plain_file_name("../Cargo.toml"));
        assert!(!is_plain_file_name(".env"));
        assert!(!is_plain_file_name("a/b.css"));
        assert!(!is_plain_file_name("a\\b.css"));
        assert!(!is_plain_file_name(""));
    }

    #[test]
    fn script_capable_and_unknown_types_are_downloads_and_the_rest_sandboxed() {
        for name in [
            "a.html", "a.HTM", "a.xhtml", "a.xml", "a.xsl", "a.svgz", "a.mhtml", "a.swf", "a.exe",
            "noext", "a.db", "a.sqlite",
        ] {
            assert_eq!(asset_type(name), AssetType::DOWNLOAD, "{name}");
        }
        let svg = asset_type("d/diagram.SVG");
        assert!(svg.inline && svg.sandboxed);
        assert_eq!(asset_type("a.png").mime, "image/png");
        assert_eq!(asset_type("deploy.sh").mime, "text/plain; charset=utf-8");
        assert_eq!(asset_type("app.js").mime, "text/plain; charset=utf-8");
        assert!(!asset_type("manual.pdf").sandboxed);
        assert!(ASSET_CSP.starts_with("sandbox;"));
    }

    #[test]
    fn text_types_carry_a_charset() {
        assert_eq!(content_type("style.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("a.png"), "image/png");
        assert_eq!(content_type("a.svg"), "image/svg+xml; charset=utf-8");
        assert_eq!(content_type("noext"), "application/octet-stream");
    }
}
