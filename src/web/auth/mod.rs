//! Who is asking, and what they may do.
//!
//! [`authenticate`] (middleware, wrapped around the whole app) resolves the user once per
//! request, from the first of: an `Authorization: Bearer` API token, the trusted single-sign-on
//! proxy's header, the session cookie. It puts an [`Identity`], a [`Viewer`] and a
//! [`CsrfToken`] into the request's extensions, refuses cross-site posts, and enforces
//! `auth.require_sign_in`. Handlers then ask for [`CurrentUser`], [`RequireUser`],
//! [`RequireSession`] or [`RequireAdmin`]; a form handler also calls [`check_form_token`].
//!
//! Access rules, one place to read them: reading (guides, trees, modules, paths, search, the
//! read-only API) is open unless site.toml says `require_sign_in`; taking a quiz and "my
//! training" need a user; the account page and its token forms need a browser (a session or
//! the SSO proxy), never an API token; another learner's pages need an admin.
//!
//! Sign-in guessing is limited per client, never by locking an account: 5 failures for one
//! account from one address refuse that address (429, `Retry-After`) for the rest of a
//! 15-minute window, 20 failures from one address refuse it for any account, and failures
//! against an account from everywhere only slow its sign-ins (a capped delay), so its owner
//! can always sign in from another address.
//!
//! Sign-in through an OpenID provider (`oidc.rs`, when the server is configured for one)
//! ends in the same session as the password form; its accounts are made as the proxy's are.
//!
//! The SSO proxy's header (from `trusted_proxies` only) authenticates each request on its
//! own; it names proxy-made accounts and local accounts without a password, and a local
//! account with a password only when site.toml says `link_local_accounts = true`.
//!
//! [`Viewer`]: crate::render::Viewer
//! [`CsrfToken`]: crate::web::context::CsrfToken

mod csrf;
mod middleware;
mod oidc;
mod pages;
mod request;

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::{Method, header};
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, web};

use super::AppError;
use crate::store::{User, UserName};

pub use crate::render::urls::{safe_next, sign_in_url};
pub use csrf::{check_form_token, is_cross_site};
pub use middleware::authenticate;
pub use oidc::start_oidc;
pub use request::RequestMeta;

/// The challenge of a 401 that does not name its own: an API token (`Authorization: Bearer`)
/// is what a client can send; browsers sign in through the form, and a Bearer challenge, unlike
/// Basic, opens no password dialog.
pub const CHALLENGE: &str = r#"Bearer realm="selfserve""#;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "selfserve_session";

/// The cookie that carries an anonymous visitor's CSRF token (double-submit: the sign-in
/// form echoes it, so a sign-in cannot be forged from another site either).
pub const CSRF_COOKIE: &str = "selfserve_csrf";

/// Registers `/sign-in`, `/sign-out`, `/account` and the token routes, and
/// `/sign-in/oidc` with its callback.
pub fn routes(cfg: &mut web::ServiceConfig) {
    pages::routes(cfg);
    oidc::routes(cfg);
}

/// How a request proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    /// A browser: the session cookie set at sign-in, or the trusted SSO proxy's header
    /// (checked on every request; no session is stored for it).
    Session,
    /// An `Authorization: Bearer` API token: scripts, which need no CSRF token.
    Bearer,
}

/// The signed-in user of a request (in its extensions when there is one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The account.
    pub user: User,
    /// How it was authenticated.
    pub method: AuthMethod,
}

impl Identity {
    /// True for admins.
    pub fn is_admin(&self) -> bool {
        self.user.is_admin
    }

    /// True when this user may see `name`'s records: their own, or anyone's as an admin.
    pub fn may_see(&self, name: &UserName) -> bool {
        self.is_admin() || self.user.name.as_str().eq_ignore_ascii_case(name.as_str())
    }

    /// The identity of a request, if it has one.
    pub fn of(req: &HttpRequest) -> Option<Identity> {
        req.extensions().get::<Identity>().cloned()
    }
}

/// Extractor: the user when signed in, `None` otherwise. Never fails.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub Option<Identity>);

impl FromRequest for CurrentUser {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(CurrentUser(Identity::of(req))))
    }
}

/// Extractor: a signed-in user. Anonymous requests get 401 JSON under `/api/` and a redirect
/// to the sign-in page elsewhere.
#[derive(Debug, Clone)]
pub struct RequireUser(pub Identity);

impl FromRequest for RequireUser {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match Identity::of(req) {
            Some(identity) => Ok(RequireUser(identity)),
            None => Err(need_sign_in(req)),
        })
    }
}

/// Extractor: a person signed in through a browser (a session cookie or the SSO proxy), for
/// managing the account and its tokens. An API token gets 403: a token must not mint tokens
/// that would outlive its own revocation. (The middleware refuses tokens on every `/account`
/// path as well; this keeps a handler safe wherever it is mounted.)
#[derive(Debug, Clone)]
pub struct RequireSession(pub Identity);

impl FromRequest for RequireSession {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match Identity::of(req) {
            Some(identity) if identity.method == AuthMethod::Bearer => {
                Err(AppError::Forbidden(middleware::BEARER_ON_ACCOUNT.into()).into())
            }
            Some(identity) => Ok(RequireSession(identity)),
            None => Err(need_sign_in(req)),
        })
    }
}

/// Extractor: a signed-in admin; a signed-in learner gets 403.
#[derive(Debug, Clone)]
pub struct RequireAdmin(pub Identity);

impl FromRequest for RequireAdmin {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match Identity::of(req) {
            Some(identity) if identity.is_admin() => Ok(RequireAdmin(identity)),
            Some(_) => Err(AppError::Forbidden("Only admins may do this.".into()).into()),
            None => Err(need_sign_in(req)),
        })
    }
}

/// The answer to an anonymous request for something that needs a user.
pub fn need_sign_in(req: &HttpRequest) -> actix_web::Error {
    if req.path().starts_with("/api/") {
        return AppError::Unauthorized.into();
    }
    let next = if matches!(*req.method(), Method::GET | Method::HEAD) {
        match req.query_string() {
            "" => req.path().to_owned(),
            q => format!("{}?{q}", req.path()),
        }
    } else {
        // After signing in, a browser can only GET: go back to the page the form was on.
        request::same_site_referer_path(req).unwrap_or_else(|| "/".to_owned())
    };
    let redirect = HttpResponse::SeeOther()
        .insert_header((header::LOCATION, sign_in_url(&next)))
        .finish();
    actix_web::error::InternalError::from_response("sign in first", redirect).into()
}
