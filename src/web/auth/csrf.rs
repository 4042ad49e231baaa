//! Cross-site request forgery defences, in three layers (no maintained crate fits actix-web 4):
//!
//! 1. the session cookie is `SameSite=Lax`, so other sites' posts do not carry it;
//! 2. [`is_cross_site`]: a browser's post whose `Sec-Fetch-Site` or `Origin` names another
//!    site is refused before any handler runs (API-token requests are exempt: a browser never
//!    adds an `Authorization` header on another site's behalf);
//! 3. [`check_form_token`]: every state-changing form echoes the per-session token (or, before
//!    sign-in, the `selfserve_csrf` cookie's value), compared in constant time.

use actix_web::http::header::{self, HeaderMap};
use actix_web::{HttpMessage, HttpRequest};

use super::request::header_str;
use super::{AuthMethod, Identity};
use crate::web::AppError;
use crate::web::context::CsrfToken;

/// The sentence for a refused form.
const STALE_FORM: &str =
    "This form has expired or did not come from this site; reload the page and try again.";

/// True when a browser says the request comes from another site. `host` is this site's
/// authority as the browser sees it (the `Host` header, or a trusted proxy's
/// `X-Forwarded-Host`); `base_url` is site.toml's public URL, also accepted.
///
/// Requests without either header (curl, scripts, old browsers) pass: for them the form
/// token and SameSite cookies are the defence.
pub fn is_cross_site(headers: &HeaderMap, hosts: &[&str], base_url: Option<&str>) -> bool {
    if let Some(site) = header_str(headers, "sec-fetch-site") {
        // `none`: the user typed the address or used a bookmark, which is not forgery.
        return !matches!(site, "same-origin" | "none");
    }
    let Some(origin) = header_str(headers, header::ORIGIN.as_str()) else {
        return false;
    };
    let Some(authority) = authority_of(origin) else {
        // `Origin: null` (sandboxed frames, data: URLs) or garbage: never this site.
        return true;
    };
    let matches_host = hosts.iter().any(|h| h.eq_ignore_ascii_case(authority));
    let matches_base = base_url
        .and_then(authority_of)
        .is_some_and(|b| b.eq_ignore_ascii_case(authority));
    !(matches_host || matches_base)
}

/// `host[:port]` of `scheme://host[:port][/…]`.
fn authority_of(url: &str) -> Option<&str> {
    let (scheme, rest) = url.split_once("://")?;
    if !matches!(scheme, "http" | "https") {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    (!authority.is_empty()).then_some(authority)
}

/// Checks the token a form sent back. API-token requests pass without one.
pub fn check_form_token(req: &HttpRequest, submitted: Option<&str>) -> Result<(), AppError> {
    if Identity::of(req).is_some_and(|i| i.method == AuthMethod::Bearer) {
        return Ok(());
    }
    let extensions = req.extensions();
    let expected = extensions.get::<CsrfToken>().map(|t| t.0.as_str());
    match (expected, submitted) {
        (Some(expected), Some(submitted))
            if !expected.is_empty() && constant_time_eq(expected, submitted) =>
        {
            Ok(())
        }
        _ => Err(AppError::Forbidden(STALE_FORM.into())),
    }
}

/// Compares without stopping at the first difference, so timing reveals nothing of the token.
fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (n, v) in pairs {
            map.insert(HeaderName::from_static(n), HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        let hosts = ["kb.example.com"];
        assert!(!is_cross_site(
            &headers(&[("sec-fetch-site", "same-origin")]),
            &hosts,
            None
        ));
        assert!(is_cross_site(
            &headers(&[("sec-fetch-site", "cross-site")]),
            &hosts,
            None
        ));
        assert!(is_cross_site(
            &headers(&[("sec-fetch-site", "same-site")]),
            &hosts,
            None
        ));
    }

    #[test]
    fn origin_must_be_this_host_or_the_base_url() {
        let hosts = ["kb.example.com"];
        let same = headers(&[("origin", "https://kb.example.com")]);
        assert!(!is_cross_site(&same, &hosts, None));
        let other = headers(&[("origin", "https://evil.example")]);
        assert!(is_cross_site(&other, &hosts, None));
        assert!(!is_cross_site(
            &other,
            &hosts,
            Some("https://evil.example/kb")
        ));
        assert!(is_cross_site(&headers(&[("origin", "null")]), &hosts, None));
        assert!(!is_cross_site(&headers(&[]), &hosts, None), "no headers");
    }

    #[test]
    fn tokens_compare_exactly() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
    }
}
