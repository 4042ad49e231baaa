//! Files: the site's own stylesheet and icons (embedded with rust-embed: inside the release
//! binary, read from `static/` in debug builds) and content assets (images next to documents).
//!
//! Neither route ever builds a file path from the request: static files are looked up by name
//! in the embedded set, content assets only when the decoded path is in the snapshot's asset
//! list, which the content walk produced.

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

/// A restrictive policy for content files a browser could run code in (SVG, HTML, XML).
const ASSET_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'";

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
    let bytes = web::block(move || crate::source::read_asset(&root, &rel))
        .await
        .map_err(|err| AppError::Internal(format!("asset reader stopped: {err}")))?
        .map_err(|err| match err.kind() {
            // Deleted since the snapshot was built: the watcher will catch up.
            std::io::ErrorKind::NotFound => not_found(),
            _ => AppError::Internal(format!("cannot read asset {path}: {err}")),
        })?;
    let etag = format!("\"{}\"", crate::digest::sha256_hex_prefix(&bytes, 16));
    let mut response = respond(
        &req,
        &path,
        &etag,
        "public, max-age=300",
        Bytes::from(bytes),
    );
    let mime = mime_guess::from_path(&path).first_or_octet_stream();
    let active = match (mime.type_().as_str(), mime.subtype().as_str()) {
        ("image", "svg") => Some(false),
        ("text", "html") | ("application", "xhtml") | ("text", "xml") | ("application", "xml") => {
            Some(true)
        }
        _ => None,
    };
    if let Some(download) = active {
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(ASSET_CSP),
        );
        if download {
            // An HTML file in the content folder must not run as a page of this site.
            headers.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment"),
            );
        }
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
    fn text_types_carry_a_charset() {
        assert_eq!(content_type("style.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("a.png"), "image/png");
        assert_eq!(content_type("a.svg"), "image/svg+xml; charset=utf-8");
        assert_eq!(content_type("noext"), "application/octet-stream");
    }
}
