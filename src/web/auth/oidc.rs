//! Sign-in through an OpenID provider (`crate::oidc` speaks the protocol): `GET /sign-in/oidc`
//! sends the browser to the provider with a pending sign-in in a signed cookie, and
//! `GET /sign-in/oidc/callback` checks the answer against it, has the ID token verified, and
//! starts a session exactly as the password form does. The account is found or made through
//! the SSO proxy's path (`ensure_proxy_user`), so a local account with a password is never
//! taken over unless site.toml says `link_local_accounts = true`; with an admin group
//! configured, admin status follows the groups claim at every sign-in.

use std::sync::Arc;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use serde::Deserialize;
use time::OffsetDateTime;

use super::request::{RequestMeta, session_cookie};
use super::{SESSION_COOKIE, safe_next};
use crate::oidc::{
    Oidc, OidcError, OidcSettings, PENDING_TTL_SECONDS, PendingRefusal, SignedIn, same_secret,
};
use crate::store::{UserName, UserSource};
use crate::web::error::blocking;
use crate::web::{AppError, AppState};

/// The pending sign-in's cookie (only sent back to the callback).
const LOGIN_COOKIE: &str = "selfserve_oidc_login";
/// The ID token of the last sign-in, sent only to `/sign-out` as the provider's logout hint.
pub(super) const HINT_COOKIE: &str = "selfserve_oidc_hint";
const LOGIN_PATH: &str = "/sign-in/oidc";

/// Registers `/sign-in/oidc` and its callback.
pub fn routes(cfg: &mut web::ServiceConfig) {
    // Literal paths: tests/it/routes.rs reads them here (the callback is `CALLBACK_PATH`).
    cfg.route("/sign-in/oidc", web::get().to(start))
        .route("/sign-in/oidc/callback", web::get().to(callback));
}

/// Makes the server's OpenID client and discovers the provider now, so a wrong issuer or a
/// provider that is down is in the log at start; sign-ins retry discovery until it works.
pub fn start_oidc(settings: OidcSettings) -> Arc<Oidc> {
    let oidc = Oidc::new(settings);
    match oidc.discover() {
        Ok(()) => tracing::info!(
            "signing in through the OpenID provider {} (client {})",
            oidc.settings().issuer,
            oidc.settings().client_id
        ),
        Err(err) => tracing::warn!("{err}; sign-ins through it will try again"),
    }
    Arc::new(oidc)
}

/// `?next=` of the start.
#[derive(Debug, Deserialize)]
struct StartQuery {
    next: Option<String>,
}

/// What the provider sends back (RFC 6749 4.1.2 and 4.1.2.1, RFC 9207's `iss`).
#[derive(Debug, Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
    iss: Option<String>,
}

fn configured(state: &AppState) -> Result<Arc<Oidc>, AppError> {
    state.oidc.clone().ok_or_else(|| {
        AppError::NotFound(
            "This site does not sign in through an OpenID provider; sign in with your user name and password."
                .into(),
        )
    })
}

fn unix_now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

fn secure(req: &HttpRequest) -> bool {
    req.extensions()
        .get::<RequestMeta>()
        .is_some_and(|m| m.secure)
}

/// A cookie with the session cookie's attributes on `path`. SameSite=Lax: the provider
/// brings the browser back with a top-level GET, which carries Lax cookies.
fn cookie(name: &'static str, value: String, path: &'static str, secure: bool) -> Cookie<'static> {
    let mut cookie = Cookie::new(name, value);
    cookie.set_http_only(true);
    cookie.set_same_site(SameSite::Lax);
    cookie.set_path(path);
    cookie.set_secure(secure);
    cookie
}

/// A cookie that makes the browser forget `name` on `path`.
pub(super) fn forget(name: &'static str, path: &'static str, secure: bool) -> Cookie<'static> {
    let mut c = cookie(name, String::new(), path, secure);
    c.make_removal();
    c
}

/// The sentence for a failed exchange or check, with what to do.
fn refused(err: OidcError) -> AppError {
    tracing::warn!("OpenID sign-in failed: {err}");
    let again =
        "start again from the sign-in page, and tell the site's admin if it keeps happening";
    match err {
        OidcError::Unreachable { .. } => AppError::Unavailable(format!(
            "Signing in through the provider is not possible right now: {err}. Try again in a few minutes, or sign in with a password."
        )),
        OidcError::Exchange(_) => AppError::BadRequest(format!("Sign-in failed: {err}; {again}.")),
        OidcError::TokenRefused(_) => {
            AppError::Forbidden(format!("Sign-in failed: {err}; {again}."))
        }
        OidcError::NoName(sentence) => AppError::Forbidden(sentence),
    }
}

async fn run<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, OidcError> + Send + 'static,
) -> Result<T, AppError> {
    web::block(work)
        .await
        .map_err(|e| AppError::Internal(format!("blocking task failed: {e}")))?
        .map_err(refused)
}

/// `GET /sign-in/oidc`: to the provider, with a fresh state, nonce and PKCE challenge.
async fn start(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<StartQuery>,
) -> Result<HttpResponse, AppError> {
    let oidc = configured(&state)?;
    let next = safe_next(query.next.as_deref());
    let client = Arc::clone(&oidc);
    let started = run(move || client.start(&next, unix_now())).await?;
    let mut pending = cookie(
        LOGIN_COOKIE,
        oidc.codec().encode(&started.pending),
        LOGIN_PATH,
        secure(&req),
    );
    pending.set_max_age(actix_web::cookie::time::Duration::seconds(
        PENDING_TTL_SECONDS,
    ));
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, started.url))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .cookie(pending)
        .finish())
}

/// What the store said about the signed-in person.
enum Account {
    Session(String),
    Disabled,
    Unlinked(UserName),
}

/// `GET /sign-in/oidc/callback`: the provider's answer.
async fn callback(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<CallbackQuery>,
) -> Result<HttpResponse, AppError> {
    let oidc = configured(&state)?;
    let query = query.into_inner();
    let again = "start again from the sign-in page";
    if let Some(error) = &query.error {
        let detail = query
            .error_description
            .as_deref()
            .map(|d| format!(": {d}"))
            .unwrap_or_default();
        return Err(AppError::Forbidden(format!(
            "The sign-in provider did not sign you in ({error}{detail}); {again}, or ask the provider's admin whether you may use this site."
        )));
    }
    let value = req.cookie(LOGIN_COOKIE).map(|c| c.value().to_owned());
    let Some(value) = value else {
        return Err(AppError::BadRequest(format!(
            "This browser has no sign-in under way: it took longer than {} minutes, or it was started in another browser; {again}.",
            PENDING_TTL_SECONDS / 60
        )));
    };
    let pending = match oidc.codec().decode(&value, unix_now()) {
        Ok(pending) => pending,
        Err(PendingRefusal::Expired) => {
            return Err(AppError::BadRequest(format!(
                "This sign-in took longer than {} minutes and has expired; {again}.",
                PENDING_TTL_SECONDS / 60
            )));
        }
        Err(PendingRefusal::Forged) => {
            return Err(AppError::BadRequest(format!(
                "This browser's sign-in under way cannot be read (it was changed, or the site's settings changed since); {again}."
            )));
        }
    };
    let (Some(code), Some(returned_state)) = (query.code, query.state) else {
        return Err(AppError::BadRequest(format!(
            "The answer from the sign-in provider lacks its code or state; {again}."
        )));
    };
    if !same_secret(&returned_state, &pending.state) {
        return Err(AppError::BadRequest(format!(
            "This answer does not belong to the sign-in this browser started (its state differs), so it was refused; {again}."
        )));
    }
    // RFC 9207: a provider that names itself must be the one configured (mix-up defence).
    if let Some(iss) = &query.iss
        && iss.trim_end_matches('/') != oidc.settings().issuer
    {
        return Err(AppError::BadRequest(format!(
            "This answer comes from another sign-in provider ({iss}), so it was refused; {again}."
        )));
    }
    let client = Arc::clone(&oidc);
    let finish_pending = pending.clone();
    let signed: SignedIn = run(move || client.finish(&finish_pending, &code)).await?;

    let name = UserName::parse(&signed.name).map_err(|e| {
        AppError::Forbidden(format!(
            "The sign-in provider names you {}, which cannot be a user name here ({e}); ask the site's admin.",
            signed.name
        ))
    })?;
    let link_local = state.snapshot.load().site.config.auth.link_local_accounts;
    let old_session = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned());
    let store = state.store.clone();
    let (email, is_admin) = (signed.email.clone(), signed.is_admin);
    let now = OffsetDateTime::now_utc();
    let account = blocking(move || {
        let user = store.ensure_proxy_user(&name, email.as_deref())?;
        if user.disabled {
            return Ok(Account::Disabled);
        }
        // A password means someone set this account up to sign in here; the provider's
        // word that a person of the same name is at the door is not enough unless the admin
        // said so (as for the SSO proxy).
        if user.source == UserSource::Local && user.has_password && !link_local {
            return Ok(Account::Unlinked(name));
        }
        if let Some(admin) = is_admin
            && admin != user.is_admin
        {
            store.set_admin(&user.name, admin)?;
        }
        // Rotation, as at the password form: whatever session this browser had ends.
        if let Some(old) = &old_session {
            store.delete_session(old)?;
        }
        let (token, _csrf) = store.create_session(user.id, now)?;
        Ok(Account::Session(token))
    })
    .await?;
    let token = match account {
        Account::Session(token) => token,
        Account::Disabled => {
            return Err(AppError::Forbidden(
                "This account is disabled; ask an admin to enable it.".into(),
            ));
        }
        Account::Unlinked(name) => {
            return Err(AppError::Forbidden(format!(
                "The sign-in provider names {name}, but {name} is a local account with a password on this site, so the provider may not sign in to it; sign in with the password, or ask an admin to link single sign-on and local accounts (link_local_accounts in site.toml) or to rename the local account."
            )));
        }
    };
    let secure = secure(&req);
    let mut hint = cookie(HINT_COOKIE, signed.id_token, "/sign-out", secure);
    hint.set_max_age(actix_web::cookie::time::Duration::seconds(
        crate::store::sessions::SESSION_IDLE.whole_seconds(),
    ));
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, safe_next(Some(&pending.next))))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .cookie(session_cookie(token, secure))
        .cookie(forget(LOGIN_COOKIE, LOGIN_PATH, secure))
        .cookie(hint)
        .finish())
}

/// After the local session has ended: where the browser goes to end the provider's session
/// too, when this browser signed in through it and the provider offers an end-session
/// endpoint. `None` otherwise (the home page).
pub(super) async fn provider_sign_out(req: &HttpRequest, state: &AppState) -> Option<String> {
    let oidc = state.oidc.clone()?;
    let hint = req.cookie(HINT_COOKIE)?.value().to_owned();
    web::block(move || oidc.logout_url(Some(&hint)))
        .await
        .ok()
        .flatten()
}
