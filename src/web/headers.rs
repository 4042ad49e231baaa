//! Security headers on every response: a restrictive Content-Security-Policy on HTML (no inline
//! scripts or styles anywhere on the site, so none are allowed), no MIME sniffing, no referrer
//! leaking to other sites, no framing, no powerful browser features, HSTS over HTTPS, and a
//! `WWW-Authenticate` challenge on every 401.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;

use super::AppState;
use super::auth::{CHALLENGE, RequestMeta};

/// The policy for the site's own pages: only same-origin files, images may be data URLs.
pub const HTML_CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'";

/// Browser features no page of the site uses, denied to it and to anything it embeds.
pub const PERMISSIONS_POLICY: &str = "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), publickey-credentials-get=(), screen-wake-lock=(), serial=(), usb=(), xr-spatial-tracking=()";

/// Over HTTPS: browsers use nothing else for a year (not `includeSubDomains`: other hosts of
/// the domain are not ours to decide for).
pub const HSTS: &str = "max-age=31536000";

/// Middleware: adds the headers. A handler that set its own CSP (content assets) or its own
/// challenge keeps it.
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    // Decided as the session cookie's `Secure` flag is: HTTPS to us, or a trusted proxy's
    // `X-Forwarded-Proto: https`. Read here, before routing: cached pages and static files
    // never reach the authentication layer that records it.
    let secure = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|state| RequestMeta::of(&req, &state.snapshot.load().site.config.auth).secure);
    let mut res = next.call(req).await?;
    let unauthorized = res.status() == StatusCode::UNAUTHORIZED;
    // A 304 carries no Content-Type, but the browser shows the page it revalidated under the
    // policy of this answer: it gets the strict one (files with their own keep theirs).
    let not_modified = res.status() == StatusCode::NOT_MODIFIED;
    let headers = res.headers_mut();
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"));
    if (is_html || not_modified) && !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(HTML_CSP),
        );
    }
    if unauthorized && !headers.contains_key(header::WWW_AUTHENTICATE) {
        headers.insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(CHALLENGE),
        );
    }
    if secure {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    headers.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static(PERMISSIONS_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    Ok(res)
}
