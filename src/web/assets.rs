//! Files: the site's own stylesheet and icons (embedded with rust-embed: inside the release
//! binary, read from `static/` in debug builds) and content assets (images next to documents).
//!
//! Neither route ever builds a file path from the request: static files are looked up by name
//! in the embedded set, content assets only when the decoded path is in the snapshot's asset
//! list, which the content walk produced, and then read through the confined content root
//! (`source::ContentRoot`), which refuses at request time a file that has become a link out.
//! What a content asset is served as comes from an explicit allow-list ([`asset_type`]).

use std::borrow::Cow;

use actix_web::http::header::{self, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};

use super::{AppError, AppState};

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
    let etag = format!(
        "\"{}\"",
        crate::digest::hex(&file.metadata.sha256_hash()[..16])
    );
    let body = match file.data {
        Cow::Borrowed(bytes) => Bytes::from_static(bytes),
        Cow::Owned(bytes) => Bytes::from(bytes),
    };
    Ok(respond(&req, &name, &etag, "public, max-age=3600", body))
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
    let etag = format!("\"{}\"", crate::digest::sha256_hex_prefix(&bytes, 16));
    let mut response = respond(
        &req,
        &path,
        &etag,
        "public, max-age=300",
        Bytes::from(bytes),
    );
    let kind = asset_type(&path);
    let ok = response.status() == actix_web::http::StatusCode::OK;
    let headers = response.headers_mut();
    if ok {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind.mime));
    }
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

/// A 200 with type, cache headers and ETag, or a 304 when the client has this version.
fn respond(
    req: &HttpRequest,
    name: &str,
    etag: &str,
    cache: &'static str,
    body: Bytes,
) -> HttpResponse {
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .map(|t| t.trim().trim_start_matches("W/"))
                .any(|t| t == etag || t == "*")
        });
    let mut builder = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    builder
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::ETAG, etag));
    if fresh {
        return builder.finish();
    }
    builder.content_type(content_type(name)).body(body)
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
