//! Facts about the connection that only a trusted proxy may vouch for (the client's address,
//! whether the browser used HTTPS), safe redirect targets, and the cookies the layer sets.

use std::net::IpAddr;

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::ServiceRequest;
use actix_web::http::header::{self, HeaderMap};

use crate::config::AuthConfig;
use crate::render::urls::safe_next;
use crate::store::sessions::SESSION_IDLE;

/// What the middleware learned about the connection, for handlers (in request extensions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestMeta {
    /// The client's address: the peer, or what a trusted proxy says in `X-Forwarded-For`.
    pub client_ip: Option<IpAddr>,
    /// True when the browser talks HTTPS (to us or to a trusted proxy): cookies get `Secure`.
    pub secure: bool,
    /// True when the peer is one of `auth.trusted_proxies`.
    pub trusted_peer: bool,
}

impl RequestMeta {
    /// Reads the connection. Forwarding headers count only from a trusted peer: anyone else
    /// could claim to be any client, or to use HTTPS.
    pub fn of(req: &ServiceRequest, auth: &AuthConfig) -> Self {
        let peer = req.peer_addr().map(|a| a.ip());
        let trusted_peer = peer.is_some_and(|ip| auth.trusts(ip));
        let headers = req.headers();
        let forwarded_client = trusted_peer
            .then(|| forwarded_client(headers, auth))
            .flatten();
        let forwarded_https = trusted_peer
            && header_str(headers, "x-forwarded-proto").is_some_and(|proto| {
                proto
                    .split(',')
                    .next()
                    .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"))
            });
        Self {
            client_ip: forwarded_client.or(peer),
            secure: req.app_config().secure() || forwarded_https,
            trusted_peer,
        }
    }
}

/// The client per `X-Forwarded-For`: the right-most entry that is not itself a trusted proxy.
/// Entries further left were written by the client and prove nothing.
fn forwarded_client(headers: &HeaderMap, auth: &AuthConfig) -> Option<IpAddr> {
    let hops: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|s| s.trim().parse::<IpAddr>().ok())
        .collect();
    hops.iter()
        .rev()
        .find(|ip| !auth.trusts(**ip))
        .or(hops.first())
        .copied()
}

/// A header's value as text, when present and readable.
pub fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The path of the `Referer` when it is a page of this site.
pub fn same_site_referer_path(req: &HttpRequest) -> Option<String> {
    let referer = header_str(req.headers(), header::REFERER.as_str())?;
    let host = header_str(req.headers(), header::HOST.as_str())?;
    let rest = referer
        .strip_prefix("https://")
        .or_else(|| referer.strip_prefix("http://"))?;
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    (authority.eq_ignore_ascii_case(host) && !path.is_empty()).then(|| safe_next(Some(path)))
}

/// The session cookie: HttpOnly (scripts cannot read it), SameSite=Lax (other sites' posts do
/// not carry it), Secure over HTTPS, living as long as an idle session.
pub fn session_cookie(token: String, secure: bool) -> Cookie<'static> {
    let mut cookie = base_cookie(super::SESSION_COOKIE, token, secure);
    cookie.set_max_age(actix_web::cookie::time::Duration::seconds(
        SESSION_IDLE.whole_seconds(),
    ));
    cookie
}

/// The anonymous CSRF cookie; it lives for the browser session.
pub fn csrf_cookie(token: String, secure: bool) -> Cookie<'static> {
    base_cookie(super::CSRF_COOKIE, token, secure)
}

/// A cookie that makes the browser forget `name`.
pub fn removal_cookie(name: &'static str, secure: bool) -> Cookie<'static> {
    let mut cookie = base_cookie(name, String::new(), secure);
    cookie.make_removal();
    cookie
}

fn base_cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    let mut cookie = Cookie::new(name, value);
    cookie.set_http_only(true);
    cookie.set_same_site(SameSite::Lax);
    cookie.set_path("/");
    cookie.set_secure(secure);
    cookie
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    #[test]
    fn the_client_is_the_last_untrusted_forwarded_hop() {
        let auth = AuthConfig {
            trusted_proxies: vec!["10.0.0.0/8".into()],
            ..AuthConfig::default()
        };
        let mut headers = HeaderMap::new();
        headers.insert(
            HeaderName::from_static("x-forwarded-for"),
            HeaderValue::from_static("1.1.1.1, 203.0.113.5, 10.0.0.2"),
        );
        let ip = |s: &str| s.parse::<IpAddr>().expect("ip");
        assert_eq!(forwarded_client(&headers, &auth), Some(ip("203.0.113.5")));
        headers.insert(
            HeaderName::from_static("x-forwarded-for"),
            HeaderValue::from_static("10.0.0.3"),
        );
        assert_eq!(forwarded_client(&headers, &auth), Some(ip("10.0.0.3")));
        assert_eq!(forwarded_client(&HeaderMap::new(), &auth), None);
    }

    #[test]
    fn cookies_carry_the_security_attributes() {
        let c = session_cookie("abc".into(), true).to_string();
        for part in ["HttpOnly", "SameSite=Lax", "Path=/", "Secure", "Max-Age="] {
            assert!(c.contains(part), "{c}");
        }
        assert!(
            !session_cookie("abc".into(), false)
                .to_string()
                .contains("Secure")
        );
        assert!(
            removal_cookie(super::super::SESSION_COOKIE, false)
                .to_string()
                .contains("Max-Age=0")
        );
    }
}
