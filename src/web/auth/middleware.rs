//! The authentication middleware: one user resolution per request, before routing.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::cookie::Cookie;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, web};
use time::OffsetDateTime;

use super::request::{RequestMeta, csrf_cookie, header_str, removal_cookie};
use super::{AuthMethod, CSRF_COOKIE, Identity, SESSION_COOKIE, is_cross_site, sign_in_url};
use crate::render::Viewer;
use crate::store::{Store, User, UserName, UserSource};
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
    /// The trusted peer sent the SSO header more than once: which one names the user?
    proxy_name_repeated: bool,
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
    if creds.proxy_name_repeated {
        let header = config.auth.proxy_header.as_deref().unwrap_or_default();
        let err = AppError::BadRequest(format!(
            "The request carries the sign-in header {header} more than once, so it names no one user; send it once (check the proxy's configuration)."
        ));
        return Ok(reject(req, err));
    }

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
    let link_local = config.auth.link_local_accounts;
    let resolved = match resolve(state.store.clone(), creds, meta, link_local, now).await {
        Ok(resolved) => resolved,
        Err(err) => return Ok(reject(req, err)),
    };
    if session_only_path(&path)
        && resolved
            .identity
            .as_ref()
            .is_some_and(|i| i.method == AuthMethod::Bearer)
    {
        return Ok(reject(req, AppError::Forbidden(BEARER_ON_ACCOUNT.into())));
    }

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
                sees_insights: identity.user.is_admin,
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

/// Why an API token cannot use the account pages.
pub(super) const BEARER_ON_ACCOUNT: &str = "An API token cannot manage the account: creating or revoking tokens and changing the password need a signed-in browser session, so sign in on the site and use the Account page.";

/// Paths for a person in a browser only: the account page, its token forms, and everything
/// added under `/account` later. An API token is refused there, so a leaked token cannot
/// mint tokens that outlive its revocation.
fn session_only_path(path: &str) -> bool {
    path == "/account" || path.starts_with("/account/")
}

/// Pages that stay reachable when `require_sign_in` is on (`/robots.txt` tells crawlers to
/// keep out, which they must be able to read).
fn open_path(path: &str) -> bool {
    path == "/sign-in"
        || path == "/sign-in/oidc"
        || path == "/sign-in/oidc/callback"
        || path == "/healthz"
        || path == "/robots.txt"
        || path.starts_with("/static/")
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
        AppError::InvalidToken => Some(r#"Bearer realm="selfserve", error="invalid_token""#),
        AppError::Unauthorized => Some(super::CHALLENGE),
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
    let proxy_header = proxy_header.as_deref().filter(|_| trusted_peer);
    let proxy_name_repeated =
        proxy_header.is_some_and(|name| headers.get_all(name).nth(1).is_some());
    let proxy_name = proxy_header
        .and_then(|name| header_str(headers, name))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned);
    let cookie = |name: &str| req.cookie(name).map(|c| c.value().to_owned());
    Credentials {
        bearer,
        proxy_name,
        proxy_name_repeated,
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
    link_local: bool,
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
        let proxy = ProxyRequest {
            raw,
            session: creds.session,
            csrf_cookie: creds.csrf_cookie,
            link_local,
        };
        return proxy_sign_in(store, proxy, meta, now).await;
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

/// What a request behind the SSO proxy brought.
struct ProxyRequest {
    /// The header's value, trimmed.
    raw: String,
    /// The session cookie, if any.
    session: Option<String>,
    /// The anonymous CSRF cookie, if well-formed.
    csrf_cookie: Option<String>,
    /// `auth.link_local_accounts`.
    link_local: bool,
}

/// What the store said about the proxy's user.
enum ProxyUser {
    /// Signed in; `csrf` is the browser's session's token when it had one of this user.
    Ok {
        user: User,
        csrf: Option<String>,
        forget_session: bool,
    },
    /// The account is disabled.
    Disabled,
    /// A local account with a password, and site.toml does not link local accounts.
    Unlinked(UserName),
}

/// The trusted proxy names the user: find or create the account and authenticate this
/// request alone. No session row is written (the proxy vouches for every request); forms
/// carry the browser's session token when it has a session of this user, else the
/// double-submit CSRF cookie, as before sign-in.
async fn proxy_sign_in(
    store: Store,
    proxy: ProxyRequest,
    meta: RequestMeta,
    now: OffsetDateTime,
) -> Result<Resolved, AppError> {
    let name = UserName::parse(&proxy.raw).map_err(|e| {
        AppError::Forbidden(format!(
            "The sign-in proxy sent a user name selfserve cannot use: {e}."
        ))
    })?;
    let (session, link_local) = (proxy.session, proxy.link_local);
    let found = blocking(move || {
        let email = name.as_str().contains('@').then(|| name.to_string());
        let user = store.ensure_proxy_user(&name, email.as_deref())?;
        if user.disabled {
            return Ok(ProxyUser::Disabled);
        }
        // A password means someone set this account up to sign in here; the proxy's word
        // that a person of the same name is at the door is not enough unless the admin said so.
        if user.source == UserSource::Local && user.has_password && !link_local {
            return Ok(ProxyUser::Unlinked(name));
        }
        let mut csrf = None;
        let mut forget_session = false;
        if let Some(token) = &session {
            match store.session_user(token, now)? {
                Some(s) if s.user.id == user.id => csrf = Some(s.csrf),
                // Another user's session in this browser: the proxy's word wins.
                Some(_) => {
                    store.delete_session(token)?;
                    forget_session = true;
                }
                None => forget_session = true,
            }
        }
        Ok(ProxyUser::Ok {
            user,
            csrf,
            forget_session,
        })
    })
    .await?;
    let (user, csrf, forget_session) = match found {
        ProxyUser::Ok {
            user,
            csrf,
            forget_session,
        } => (user, csrf, forget_session),
        ProxyUser::Disabled => {
            return Err(AppError::Forbidden(
                "This account is disabled; ask an admin to enable it.".into(),
            ));
        }
        ProxyUser::Unlinked(name) => {
            return Err(AppError::Forbidden(format!(
                "The sign-in proxy names {name}, but {name} is a local account with a password on this site, so the proxy may not sign in to it; sign in with the password, or ask an admin to link proxy and local accounts (link_local_accounts in site.toml) or to rename the local account."
            )));
        }
    };
    let mut resolved = match csrf {
        Some(csrf) => Resolved {
            csrf: Some(csrf),
            ..Resolved::default()
        },
        None => anonymous(proxy.csrf_cookie)?,
    };
    if forget_session {
        resolved
            .cookies
            .push(removal_cookie(SESSION_COOKIE, meta.secure));
    }
    resolved.identity = Some(Identity {
        user,
        method: AuthMethod::Session,
    });
    Ok(resolved)
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
    fn the_account_area_is_for_browser_sessions() {
        assert!(session_only_path("/account"));
        assert!(session_only_path("/account/tokens"));
        assert!(session_only_path("/account/tokens/3/revoke"));
        assert!(session_only_path("/account/password"));
        assert!(!session_only_path("/accounts"));
        assert!(!session_only_path("/api/v1/modules/x"));
    }

    #[test]
    fn only_sign_in_static_and_health_stay_open() {
        assert!(open_path("/sign-in"));
        assert!(open_path("/static/style.css"));
        assert!(open_path("/healthz"));
        assert!(open_path("/robots.txt"));
        assert!(!open_path("/sitemap.xml"));
        assert!(!open_path("/"));
        assert!(!open_path("/api/v1/docs/x"));
        assert!(!open_path("/sign-in/../account"));
    }
}
