//! HTTP caching for answers made once and served many times (cached pages, static files):
//! `HEAD` everywhere `GET` is routed, `Accept-Encoding` negotiation, and `If-None-Match`
//! answered with `304 Not Modified`.
//!
//! Compression is for those answers only. Pages rendered per request (signed-in pages,
//! search results) stay uncompressed on purpose: they carry secrets (CSRF tokens, names)
//! beside text the requester chose, the mix that compression leaks to an attacker who can
//! measure answer sizes (BREACH).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{HttpResponse, HttpResponseBuilder};

use crate::compression::Coding;

/// What cached pages send: any cache may keep them, but must ask (with the ETag) before
/// reusing them, so a live edit shows at once and a revalidation costs a 304.
pub const REVALIDATE: &str = "no-cache";

/// Middleware, outermost: a `HEAD` is routed and answered as a `GET`. actix-http's encoder
/// remembers the request was a `HEAD` (from the request line, before this runs) and sends
/// the answer's headers, `Content-Length` of the full body included, without the body. A
/// URL with no `GET` answers `HEAD` as it answers `GET` (a POST-only address: 404, as `GET`).
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
}

/// The coding to answer with, from the request's `Accept-Encoding`: the one with the highest
/// q-value among Brotli, gzip and the plain body, preferring Brotli, then gzip, on ties; the
/// plain body when the header is absent or nothing else is acceptable (also when it names
/// `identity;q=0`: an uncompressed answer beats a 406).
pub fn negotiate(headers: &HeaderMap) -> Coding {
    let Some(accept) = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|value| value.to_str().ok())
    else {
        return Coding::Identity;
    };
    preferred_coding(accept)
}

/// [`negotiate`] on the header's text.
pub fn preferred_coding(accept: &str) -> Coding {
    let (mut brotli, mut gzip, mut identity, mut any) = (None, None, None, None);
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or_default().trim();
        let Some(q) = quality(parts) else {
            // A malformed weight: ignore the item rather than guess.
            continue;
        };
        let slot = if name.eq_ignore_ascii_case("br") {
            &mut brotli
        } else if name.eq_ignore_ascii_case("gzip") || name.eq_ignore_ascii_case("x-gzip") {
            &mut gzip
        } else if name.eq_ignore_ascii_case("identity") {
            &mut identity
        } else if name == "*" {
            &mut any
        } else {
            continue;
        };
        *slot = Some(q);
    }
    // Weights in thousandths; an unnamed coding takes `*`'s weight, and the plain body is
    // acceptable unless excluded (RFC 9110 §12.5.3), ranked below anything named.
    let brotli = brotli.or(any).unwrap_or(0);
    let gzip = gzip.or(any).unwrap_or(0);
    let identity = identity.or(any.map(|q| q.max(1))).unwrap_or(1);
    let best = brotli.max(gzip);
    if best == 0 || identity > best {
        Coding::Identity
    } else if brotli == best {
        Coding::Brotli
    } else {
        Coding::Gzip
    }
}

/// The `q` parameter in thousandths (1000 when absent); `None` when it is not a weight.
fn quality<'a>(params: impl Iterator<Item = &'a str>) -> Option<u16> {
    for param in params {
        let Some((key, value)) = param.split_once('=') else {
            continue;
        };
        if !key.trim().eq_ignore_ascii_case("q") {
            continue;
        }
        let value = value.trim();
        let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
        if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let thousandths = format!("{fraction:0<3}").parse::<u16>().ok()?;
        return match whole {
            "0" => Some(thousandths),
            "1" if thousandths == 0 => Some(1000),
            _ => None,
        };
    }
    Some(1000)
}

/// Whether the request's `If-None-Match` names `etag` (or `*`): the client already holds
/// this representation. Compared weakly, as RFC 9110 §13.1.2 asks for this header.
pub fn client_has(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|tags| tags.split(','))
        .map(|tag| tag.trim())
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

/// One representation of a resource, ready to answer with.
#[derive(Debug)]
pub struct Representation<'a> {
    /// The body in `coding`.
    pub body: Bytes,
    /// Its coding (`Content-Encoding` unless plain).
    pub coding: Coding,
    /// Its strong entity tag, quoted.
    pub etag: &'a str,
    /// `Content-Type` (not sent on a 304).
    pub content_type: &'a str,
    /// `Cache-Control`, when the answer sets it (else left to the middleware).
    pub cache_control: Option<&'static str>,
    /// Whether other codings of it exist (then `Vary: Accept-Encoding`).
    pub negotiated: bool,
}

impl Representation<'_> {
    /// A 200 with the body, or a 304 with the same validators and caching headers and no
    /// body when the request's `If-None-Match` names it.
    pub fn respond(self, request: &HeaderMap) -> HttpResponse {
        let fresh = client_has(request, self.etag);
        let mut builder = if fresh {
            HttpResponse::NotModified()
        } else {
            HttpResponse::Ok()
        };
        self.common_headers(&mut builder);
        if fresh {
            return builder.finish();
        }
        if let Ok(value) = HeaderValue::from_str(self.content_type) {
            builder.insert_header((header::CONTENT_TYPE, value));
        }
        if let Some(token) = self.coding.token() {
            builder.insert_header((header::CONTENT_ENCODING, HeaderValue::from_static(token)));
        }
        builder.body(self.body)
    }

    fn common_headers(&self, builder: &mut HttpResponseBuilder) {
        if let Ok(value) = HeaderValue::from_str(self.etag) {
            builder.insert_header((header::ETAG, value));
        }
        if let Some(cache) = self.cache_control {
            builder.insert_header((header::CACHE_CONTROL, HeaderValue::from_static(cache)));
        }
        if self.negotiated {
            builder.insert_header((header::VARY, HeaderValue::from_static("accept-encoding")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_highest_weight_wins_and_brotli_wins_ties() {
        assert_eq!(preferred_coding("gzip, deflate, br, zstd"), Coding::Brotli);
        assert_eq!(preferred_coding("gzip, deflate"), Coding::Gzip);
        assert_eq!(preferred_coding("br;q=0.5, gzip"), Coding::Gzip);
        assert_eq!(preferred_coding("br;q=0.8, gzip;q=0.9"), Coding::Gzip);
        assert_eq!(preferred_coding("BR ; Q=1.0"), Coding::Brotli);
        assert_eq!(preferred_coding("x-gzip"), Coding::Gzip);
        assert_eq!(preferred_coding("*"), Coding::Brotli);
        assert_eq!(preferred_coding("*;q=0.5, br;q=0"), Coding::Gzip);
    }

    #[test]
    fn the_plain_body_when_asked_for_or_nothing_else_fits() {
        assert_eq!(preferred_coding(""), Coding::Identity);
        assert_eq!(preferred_coding("identity"), Coding::Identity);
        assert_eq!(preferred_coding("identity;q=1, br;q=0"), Coding::Identity);
        assert_eq!(preferred_coding("br;q=0.5, identity"), Coding::Identity);
        assert_eq!(preferred_coding("deflate, zstd"), Coding::Identity);
        assert_eq!(preferred_coding("br;q=0, gzip;q=0"), Coding::Identity);
        // Excluding the plain body too leaves nothing: still answered plain, not 406.
        assert_eq!(preferred_coding("*;q=0"), Coding::Identity);
        assert_eq!(negotiate(&HeaderMap::new()), Coding::Identity);
    }

    #[test]
    fn malformed_weights_are_ignored() {
        assert_eq!(preferred_coding("br;q=2, gzip"), Coding::Gzip);
        assert_eq!(
            preferred_coding("br;q=0.0001, gzip;q=abc"),
            Coding::Identity
        );
        assert_eq!(preferred_coding("br;q=0.001"), Coding::Brotli);
        assert_eq!(preferred_coding("br;level=3"), Coding::Brotli);
    }

    #[test]
    fn if_none_match_matches_any_listed_tag_weakly_or_a_star() {
        let with = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::IF_NONE_MATCH, HeaderValue::from_static(value));
            headers
        };
        assert!(client_has(&with("\"a\""), "\"a\""));
        assert!(client_has(&with("\"x\", W/\"a\""), "\"a\""));
        assert!(client_has(&with("*"), "\"a\""));
        assert!(!client_has(&with("\"a-br\""), "\"a\""));
        assert!(!client_has(&HeaderMap::new(), "\"a\""));
    }
}
