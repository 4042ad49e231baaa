//! Sign-in, sign-out and the account page with its API tokens.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use serde::Deserialize;
use time::OffsetDateTime;

use super::request::{RequestMeta, removal_cookie, session_cookie};
use super::safe_next;
use super::{AuthMethod, RequireUser, SESSION_COOKIE, check_form_token};
use crate::render::account::{self, AccountView, SignInView};
use crate::store::{LoginKey, TokenId, UserName};
use crate::web::context::page_context;
use crate::web::error::blocking;
use crate::web::pages::html;
use crate::web::{AppError, AppState};

/// Registers the account routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/sign-in", web::get().to(sign_in_page))
        .route("/sign-in", web::post().to(sign_in))
        .route("/sign-out", web::post().to(sign_out))
        .route("/account", web::get().to(account_page))
        .route("/account/tokens", web::post().to(create_token))
        .route("/account/tokens/{id}/revoke", web::post().to(revoke_token));
}

/// `?next=` of the sign-in page.
#[derive(Debug, Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// The sign-in form as posted.
#[derive(Debug, Deserialize)]
struct SignInForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    csrf: Option<String>,
    next: Option<String>,
}

/// A form whose only field is the CSRF token.
#[derive(Debug, Deserialize)]
struct TokenOnlyForm {
    csrf: Option<String>,
}

/// The new-token form.
#[derive(Debug, Deserialize)]
struct NewTokenForm {
    csrf: Option<String>,
    #[serde(default)]
    label: String,
}

async fn sign_in_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<NextQuery>,
) -> HttpResponse {
    let next = safe_next(query.next.as_deref());
    render_sign_in(&req, &state, StatusCode::OK, &next, "", None)
}

fn render_sign_in(
    req: &HttpRequest,
    state: &AppState,
    status: StatusCode,
    next: &str,
    name: &str,
    error: Option<&str>,
) -> HttpResponse {
    let snapshot = state.snapshot.load_full();
    let ctx = page_context(req, &snapshot.site, "/sign-in");
    let view = SignInView { next, name, error };
    let mut res = html(account::sign_in(&ctx, &view));
    *res.status_mut() = status;
    res
}

/// What one sign-in attempt came to.
enum SignInOutcome {
    Success { token: String },
    Wrong,
    Limited,
}

async fn sign_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<SignInForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    check_form_token(&req, form.csrf.as_deref())?;
    let next = safe_next(form.next.as_deref());
    let meta = req.extensions().get::<RequestMeta>().copied();
    let secure = meta.is_some_and(|m| m.secure);
    let client = meta.and_then(|m| m.client_ip).map(LoginKey::Client);
    let account = LoginKey::Account(form.name.trim().to_owned());
    let old_session = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned());
    let name = UserName::parse(form.name.trim()).ok();
    let password = form.password;
    let store = state.store.clone();
    let now = OffsetDateTime::now_utc();
    let outcome = blocking(move || {
        let limited = !store.login_allowed(&account, now)?
            || match &client {
                Some(client) => !store.login_allowed(client, now)?,
                None => false,
            };
        if limited {
            // No verification while limited: a guesser learns nothing more.
            return Ok(SignInOutcome::Limited);
        }
        let user = match &name {
            Some(name) => store.verify_password(name, &password)?,
            None => None,
        };
        let Some(user) = user else {
            store.record_login_failure(&account, now)?;
            if let Some(client) = &client {
                store.record_login_failure(client, now)?;
            }
            return Ok(SignInOutcome::Wrong);
        };
        // Only the account's counter: clearing the client's would let one valid account
        // reset the limit on guessing others from the same address.
        store.clear_login_failures(&account)?;
        // Rotation: whatever session this browser had ends; a fixed session id planted
        // before sign-in is worth nothing after it.
        if let Some(old) = &old_session {
            store.delete_session(old)?;
        }
        let (token, _csrf) = store.create_session(user.id, now)?;
        Ok(SignInOutcome::Success { token })
    })
    .await?;
    let name = form.name.trim();
    Ok(match outcome {
        SignInOutcome::Success { token } => HttpResponse::SeeOther()
            .insert_header((header::LOCATION, next))
            .cookie(session_cookie(token, secure))
            .finish(),
        SignInOutcome::Wrong => render_sign_in(
            &req,
            &state,
            StatusCode::UNAUTHORIZED,
            &next,
            name,
            Some("The name or the password is wrong."),
        ),
        SignInOutcome::Limited => {
            let mut res = render_sign_in(
                &req,
                &state,
                StatusCode::TOO_MANY_REQUESTS,
                &next,
                name,
                Some(
                    "Too many failed sign-ins for this account or from this address; wait 15 minutes and try again.",
                ),
            );
            res.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("900"));
            res
        }
    })
}

async fn sign_out(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<TokenOnlyForm>,
) -> Result<HttpResponse, AppError> {
    check_form_token(&req, form.csrf.as_deref())?;
    let secure = req
        .extensions()
        .get::<RequestMeta>()
        .is_some_and(|m| m.secure);
    if let Some(token) = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned()) {
        let store = state.store.clone();
        blocking(move || store.delete_session(&token)).await?;
    }
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/"))
        .cookie(removal_cookie(SESSION_COOKIE, secure))
        .finish())
}

async fn account_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    RequireUser(me): RequireUser,
) -> Result<HttpResponse, AppError> {
    render_account(&req, &state, &me, None).await
}

async fn render_account(
    req: &HttpRequest,
    state: &AppState,
    me: &super::Identity,
    new_token: Option<&str>,
) -> Result<HttpResponse, AppError> {
    let store = state.store.clone();
    let name = me.user.name.clone();
    let tokens = blocking(move || store.list_tokens(&name)).await?;
    let snapshot = state.snapshot.load_full();
    let ctx = page_context(req, &snapshot.site, "/account");
    let view = AccountView {
        user: &me.user,
        tokens: &tokens,
        new_token,
        via_token: me.method == AuthMethod::Bearer,
    };
    Ok(html(account::account(&ctx, &view)))
}

async fn create_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    RequireUser(me): RequireUser,
    form: web::Form<NewTokenForm>,
) -> Result<HttpResponse, AppError> {
    check_form_token(&req, form.csrf.as_deref())?;
    let store = state.store.clone();
    let name = me.user.name.clone();
    let label = form.into_inner().label;
    let (_, token) = blocking(move || store.create_token(&name, &label)).await?;
    // Shown in this response only; a reload asks to resubmit rather than showing it again.
    render_account(&req, &state, &me, Some(&token)).await
}

async fn revoke_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    RequireUser(me): RequireUser,
    id: web::Path<String>,
    form: web::Form<TokenOnlyForm>,
) -> Result<HttpResponse, AppError> {
    check_form_token(&req, form.csrf.as_deref())?;
    let not_yours = || AppError::NotFound("You have no API token with this id.".into());
    let id = TokenId(id.parse::<i64>().map_err(|_| not_yours())?);
    let store = state.store.clone();
    let name = me.user.name.clone();
    let found = blocking(move || {
        // Only the owner's tokens: another user's id answers as if it did not exist.
        if !store.list_tokens(&name)?.iter().any(|t| t.id == id) {
            return Ok(false);
        }
        store.revoke_token(id)?;
        Ok(true)
    })
    .await?;
    if !found {
        return Err(not_yours());
    }
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/account"))
        .finish())
}
