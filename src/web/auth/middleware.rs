//! The authentication middleware: one user resolution per request, before routing.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::cookie::Cookie;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, web};
use time::OffsetDateTime;

use super::request::{RequestMeta, csrf_cookie, header_str, removal_cookie, session_cookie};
use super::{AuthMethod, CSRF_COOKIE, Identity, SESSION_COOKIE, is_cross_site, sign_in_url};
use crate::render::Viewer;
use crate::store::{Store, UserName};
use crate::web::context::CsrfToken;
use crate::web::error::blocking;
use crate::web::{AppError, AppState};

/// What a request presented, read before any awaiting (the request is moved on later).
#[derive(Debug, Default)]
struct Credentials {
    /// `Authorization: Bearer …`; `Some("")` for a Bearer header without a token.
    bearer: Option<String>,
    /// The SSO proxy's header, only when the peer is trusted.
    proxy_name: Option<String>,
    /// The session cookie.
    session: Option<String>,
    /// The anonymous CSRF cookie.
    csrf_cookie: Option<String>,
}

/// Who the request is, and what to tell the browser afterwards.
#[derive(Debug, Default)]
struct Resolved {
    identity: Option<Identity>,
    /// The token this request's forms must carry (none for API-token requests).
    csrf: Option<String>,
    /// Cookies to set unless the handler sets its own of the same name.
    cookies: Vec<Cookie<'static>>,
    /// Set the anonymous CSRF cookie on an HTML answer (it was missing or malformed).
    fresh_csrf: bool,
}

/// Middleware: resolves the user, refuses cross-site posts, enforces `require_sign_in`, and
/// fills the request's extensions ([`Identity`], [`Viewer`], [`CsrfToken`], [`RequestMeta`]).
pub async fn authenticate(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let path = req.path().to_owned();
    // Files and the health check never depend on the user; skip the database for them.
    if path.starts_with("/static/") || path == "/healthz" {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let snapshot = state.snapshot.load_full();
    let config = &snapshot.site.config;
    let meta = RequestMeta::of(&req, &config.auth);
    let creds = credentials(&req, &config.auth.proxy_header, meta.trusted_peer);

    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method && creds.bearer.is_none() {
        let mut hosts: Vec<&str> = header_str(req.headers(), header::HOST.as_str())
            .into_iter()
            .collect();
        if meta.trusted_peer {
            hosts.extend(header_str(req.headers(), "x-forwarded-host"));
        }
        if is_cross_site(req.headers(), &hosts, config.base_url.as_deref()) {
            let err = AppError::Forbidden(
                "This request came from another site, so it was refused; submit the form on this site instead.".into(),
            );
            return Ok(reject(req, err));
        }
    }

    let now = OffsetDateTime::now_utc();
    let resolved = match resolve(state.store.clone(), creds, meta, now).await {
        Ok(resolved) => resolved,
        Err(err) => return Ok(reject(req, err)),
    };

    if resolved.identity.is_none() && config.auth.require_sign_in && !open_path(&path) {
        if path.starts_with("/api/") {
            return Ok(reject(req, AppError::Unauthorized));
        }
        let next_url = match (req.method(), req.query_string()) {
            (&Method::GET | &Method::HEAD, "") => path.clone(),
            (&Method::GET | &Method::HEAD, q) => format!("{path}?{q}"),
            _ => "/".to_owned(),
        };
        let redirect = HttpResponse::SeeOther()
            .insert_header((header::LOCATION, sign_in_url(&next_url)))
            .finish();
        return Ok(req.into_response(redirect));
    }

    {
        let mut ext = req.extensions_mut();
        if let Some(identity) = &resolved.identity {
            ext.insert(Viewer {
                name: identity.user.name.to_string(),
                is_admin: identity.user.is_admin,
            });
            ext.insert(identity.clone());
        }
        if let Some(csrf) = &resolved.csrf {
            ext.insert(CsrfToken(csrf.clone()));
        }
        ext.insert(meta);
    }

    let mut res = next.call(req).await?.map_into_boxed_body();
    let set_by_handler: Vec<String> = res
        .response()
        .cookies()
        .map(|c| c.name().to_owned())
        .collect();
    let mut cookies = resolved.cookies;
    if resolved.fresh_csrf
        && is_html(&res)
        && let Some(csrf) = resolved.csrf
    {
        cookies.push(csrf_cookie(csrf, meta.secure));
    }
    let personal = resolved.identity.is_some() || !cookies.is_empty() || !set_by_handler.is_empty();
    for cookie in cookies {
        if !set_by_handler.iter().any(|n| n == cookie.name()) {
            res.response_mut().add_cookie(&cookie)?;
        }
    }
    // A page rendered for someone (their name in the header, their token, their progress)
    // or carrying a cookie must never be served to someone else by a shared cache.
    if personal && !res.headers().contains_key(header::CACHE_CONTROL) {
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
    }
    Ok(res)
}

/// Pages that stay reachable when `require_sign_in` is on.
fn open_path(path: &str) -> bool {
    path == "/sign-in" || path == "/healthz" || path.starts_with("/static/")
}

fn is_html(res: &ServiceResponse<BoxBody>) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"))
}

/// An error answer built here; the error-page middleware outside turns it into HTML or JSON.
fn reject(req: ServiceRequest, err: AppError) -> ServiceResponse<BoxBody> {
    let challenge = match err {
        AppError::InvalidToken => Some(r#"Bearer error="invalid_token""#),
        AppError::Unauthorized => Some("Bearer"),
        _ => None,
    };
    let mut response = HttpResponse::from_error(err);
    if let Some(challenge) = challenge {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(challenge),
        );
    }
    // `into_response` would drop the error from the response; the error-page middleware
    // needs it to keep the sentence.
    let (request, _) = req.into_parts();
    ServiceResponse::new(request, response)
}

fn credentials(
    req: &ServiceRequest,
    proxy_header: &Option<String>,
    trusted_peer: bool,
) -> Credentials {
    let headers = req.headers();
    let bearer = header_str(headers, header::AUTHORIZATION.as_str()).and_then(|value| {
        let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
        // Other schemes (Basic for a proxy in front) are not ours to judge.
        scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| token.trim().to_owned())
    });
    // From an untrusted peer the header is ignored outright: anyone can send it.
    let proxy_name = proxy_header
        .as_deref()
        .filter(|_| trusted_peer)
        .and_then(|name| header_str(headers, name))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned);
    let cookie = |name: &str| req.cookie(name).map(|c| c.value().to_owned());
    Credentials {
        bearer,
        proxy_name,
        session: cookie(SESSION_COOKIE).filter(|v| !v.is_empty()),
        csrf_cookie: cookie(CSRF_COOKIE).filter(|v| is_token_shaped(v)),
    }
}

/// 64 lowercase hex digits: what the store's random tokens look like.
fn is_token_shaped(value: &str) -> bool {
    value.len() == 64
        && value
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

async fn resolve(
    store: Store,
    creds: Credentials,
    meta: RequestMeta,
    now: OffsetDateTime,
) -> Result<Resolved, AppError> {
    if let Some(token) = creds.bearer {
        let user = blocking(move || store.token_user(&token, now)).await?;
        let user = user.ok_or(AppError::InvalidToken)?;
        return Ok(Resolved {
            identity: Some(Identity {
                user,
                method: AuthMethod::Bearer,
            }),
            ..Resolved::default()
        });
    }
    if let Some(raw) = creds.proxy_name {
        return proxy_sign_in(store, &raw, creds.session, meta, now).await;
    }
    if let Some(token) = creds.session {
        let session = blocking(move || store.session_user(&token, now)).await?;
        if let Some(session) = session {
            return Ok(Resolved {
                identity: Some(Identity {
                    user: session.user,
                    method: AuthMethod::Session,
                }),
                csrf: Some(session.csrf),
                ..Resolved::default()
            });
        }
        // Expired, signed out elsewhere, or the account was disabled: forget the cookie.
        let mut anonymous = anonymous(creds.csrf_cookie)?;
        anonymous
            .cookies
            .push(removal_cookie(SESSION_COOKIE, meta.secure));
        return Ok(anonymous);
    }
    anonymous(creds.csrf_cookie)
}

fn anonymous(csrf_cookie: Option<String>) -> Result<Resolved, AppError> {
    let fresh = csrf_cookie.is_none();
    let csrf = match csrf_cookie {
        Some(token) => token,
        None => crate::store::random_hex(32)?,
    };
    Ok(Resolved {
        csrf: Some(csrf),
        fresh_csrf: fresh,
        ..Resolved::default()
    })
}

/// The trusted proxy names the user: find or create the account, and reuse the browser's
/// session when it belongs to that user, else start one (forms need its CSRF token).
async fn proxy_sign_in(
    store: Store,
    raw: &str,
    session: Option<String>,
    meta: RequestMeta,
    now: OffsetDateTime,
) -> Result<Resolved, AppError> {
    let name = UserName::parse(raw).map_err(|e| {
        AppError::Forbidden(format!(
            "The sign-in proxy sent a user name selfserve cannot use: {e}."
        ))
    })?;
    let (user, fresh_token, csrf) = blocking(move || {
        let email = name.as_str().contains('@').then(|| name.to_string());
        let user = store.ensure_proxy_user(&name, email.as_deref())?;
        if user.disabled {
            return Ok((user, None, String::new()));
        }
        if let Some(token) = &session {
            match store.session_user(token, now)? {
                Some(s) if s.user.id == user.id => return Ok((user, None, s.csrf)),
                // Another user's session in this browser: the proxy's word wins.
                Some(_) => store.delete_session(token)?,
                None => {}
            }
        }
        let (token, csrf) = store.create_session(user.id, now)?;
        Ok((user, Some(token), csrf))
    })
    .await?;
    if user.disabled {
        return Err(AppError::Forbidden(
            "This account is disabled; ask an admin to enable it.".into(),
        ));
    }
    Ok(Resolved {
        identity: Some(Identity {
            user,
            method: AuthMethod::Session,
        }),
        csrf: Some(csrf),
        cookies: fresh_token
            .map(|t| session_cookie(t, meta.secure))
            .into_iter()
            .collect(),
        fresh_csrf: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_shape_is_checked_before_use() {
        assert!(is_token_shaped(&"a1".repeat(32)));
        assert!(!is_token_shaped("short"));
        assert!(!is_token_shaped(&"A1".repeat(32)));
    }

    #[test]
    fn only_sign_in_static_and_health_stay_open() {
        assert!(open_path("/sign-in"));
        assert!(open_path("/static/style.css"));
        assert!(open_path("/healthz"));
        assert!(!open_path("/"));
        assert!(!open_path("/api/v1/docs/x"));
        assert!(!open_path("/sign-in/../account"));
    }
}
