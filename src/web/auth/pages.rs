//! Sign-in (with its rate limits), sign-out, and the account page with its API tokens and
//! the change-password form.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use serde::Deserialize;
use time::{Duration, OffsetDateTime};

use super::request::{RequestMeta, removal_cookie, session_cookie};
use super::safe_next;
use super::{RequireSession, SESSION_COOKIE, check_form_token};
use crate::render::account::{self, AccountView, PasswordNotice, SignInView};
use crate::store::accounts::{MAX_PASSWORD_BYTES, MIN_CHOSEN_PASSWORD_CHARS, PasswordChange};
use crate::store::sessions::account_delay;
use crate::store::{LoginKey, Store, StoreError, TokenId, UserName};
use crate::web::context::{html, page_context};
use crate::web::error::blocking;
use crate::web::{AppError, AppState};

/// Registers the account routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/sign-in", web::get().to(sign_in_page))
        .route("/sign-in", web::post().to(sign_in))
        .route("/sign-out", web::post().to(sign_out))
        .route("/account", web::get().to(account_page))
        .route("/account/password", web::post().to(change_password))
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

/// The change-password form.
#[derive(Debug, Deserialize)]
struct PasswordForm {
    csrf: Option<String>,
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

/// `?password=changed` on the account page, after a change redirected there.
#[derive(Debug, Deserialize)]
struct AccountQuery {
    password: Option<String>,
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
    let provider = state
        .oidc
        .as_ref()
        .map(|oidc| oidc.settings().provider_name.as_str());
    let view = SignInView {
        next,
        name,
        error,
        provider,
    };
    let mut res = html(account::sign_in(&ctx, &view));
    *res.status_mut() = status;
    res
}

/// What one sign-in attempt came to.
enum SignInOutcome {
    Success { token: String },
    Wrong,
    Limited(Duration),
}

/// What the rate limits say before the password is checked.
enum Gate {
    /// Refused without checking the password, for this long.
    Limited(Duration),
    /// Checked after this delay (the gentle per-account slow-down).
    Proceed(std::time::Duration),
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
    let client = meta.and_then(|m| m.client_ip);
    // Parsed once: every spelling of a name (case, surrounding spaces) is one account and
    // one counter. A name that cannot exist still counts against the client.
    let name = UserName::parse(&form.name).ok();
    let keys = LoginKeys {
        pair: name
            .clone()
            .zip(client)
            .map(|(n, ip)| LoginKey::AccountFromClient(n, ip)),
        client: client.map(LoginKey::Client),
        account: name.clone().map(LoginKey::Account),
    };
    let now = OffsetDateTime::now_utc();

    let store = state.store.clone();
    let gate_keys = keys.clone();
    let gate = blocking(move || {
        // Refusals are per client: the pair (this account from this address) and the
        // address's guesses at any account. Nothing here refuses the owner elsewhere.
        for key in [&gate_keys.pair, &gate_keys.client].into_iter().flatten() {
            if let Some(wait) = store.login_retry_after(key, now)? {
                return Ok(Gate::Limited(wait));
            }
        }
        let failures = match &gate_keys.account {
            Some(key) => store.login_failures(key, now)?,
            None => 0,
        };
        Ok(Gate::Proceed(account_delay(failures)))
    })
    .await?;
    let outcome = match gate {
        // No verification while limited: a guesser learns nothing more.
        Gate::Limited(wait) => SignInOutcome::Limited(wait),
        Gate::Proceed(delay) => {
            if !delay.is_zero() {
                // Async: the wait holds no worker thread and no database connection.
                actix_web::rt::time::sleep(delay).await;
            }
            let old_session = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned());
            let store = state.store.clone();
            let password = form.password;
            blocking(move || verify(&store, name, &password, &keys, old_session, now)).await?
        }
    };
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
            form.name.trim(),
            Some("The name or the password is wrong."),
        ),
        SignInOutcome::Limited(wait) => {
            let seconds = wait.whole_seconds().max(1);
            let minutes = (seconds + 59) / 60;
            let message = format!(
                "Too many failed sign-ins from this address; wait {} and try again.",
                if minutes == 1 {
                    "a minute".to_owned()
                } else {
                    format!("{minutes} minutes")
                }
            );
            let mut res = render_sign_in(
                &req,
                &state,
                StatusCode::TOO_MANY_REQUESTS,
                &next,
                form.name.trim(),
                Some(&message),
            );
            if let Ok(value) = header::HeaderValue::from_str(&seconds.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, value);
            }
            res
        }
    })
}

/// The counters one sign-in touches.
#[derive(Debug, Clone)]
struct LoginKeys {
    /// This account from this client: refuses after a few failures.
    pair: Option<LoginKey>,
    /// This client, any account: refuses after more.
    client: Option<LoginKey>,
    /// This account, any client: only slows down.
    account: Option<LoginKey>,
}

/// Checks the password and starts the session, or counts the failure.
fn verify(
    store: &Store,
    name: Option<UserName>,
    password: &str,
    keys: &LoginKeys,
    old_session: Option<String>,
    now: OffsetDateTime,
) -> Result<SignInOutcome, StoreError> {
    let user = match &name {
        Some(name) => store.verify_password(name, password)?,
        None => None,
    };
    let Some(user) = user else {
        for key in [&keys.pair, &keys.client, &keys.account]
            .into_iter()
            .flatten()
        {
            store.record_login_failure(key, now)?;
        }
        return Ok(SignInOutcome::Wrong);
    };
    // Not the client's counter: clearing it would let one valid account reset the limit on
    // guessing others from the same address.
    for key in [&keys.pair, &keys.account].into_iter().flatten() {
        store.clear_login_failures(key)?;
    }
    // Rotation: whatever session this browser had ends; a fixed session id planted before
    // sign-in is worth nothing after it.
    if let Some(old) = &old_session {
        store.delete_session(old)?;
    }
    let (token, _csrf) = store.create_session(user.id, now)?;
    Ok(SignInOutcome::Success { token })
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
    // Signed in through an OpenID provider: end its session too when it offers that.
    let provider = super::oidc::provider_sign_out(&req, &state).await;
    let mut res = HttpResponse::SeeOther();
    res.insert_header((header::LOCATION, provider.as_deref().unwrap_or("/")))
        .cookie(removal_cookie(SESSION_COOKIE, secure));
    if req.cookie(super::oidc::HINT_COOKIE).is_some() {
        res.cookie(super::oidc::forget(
            super::oidc::HINT_COOKIE,
            "/sign-out",
            secure,
        ));
    }
    Ok(res.finish())
}

async fn account_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    RequireSession(me): RequireSession,
    query: web::Query<AccountQuery>,
) -> Result<HttpResponse, AppError> {
    let notice = (query.password.as_deref() == Some("changed")).then_some(PasswordNotice::Changed(
        "Your password is changed. Every other session of your account is signed out.",
    ));
    render_account(&req, &state, &me, None, notice).await
}

async fn render_account(
    req: &HttpRequest,
    state: &AppState,
    me: &super::Identity,
    new_token: Option<&str>,
    password: Option<PasswordNotice<'_>>,
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
        password,
        min_password_chars: MIN_CHOSEN_PASSWORD_CHARS,
    };
    Ok(html(account::account(&ctx, &view)))
}

async fn create_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    RequireSession(me): RequireSession,
    form: web::Form<NewTokenForm>,
) -> Result<HttpResponse, AppError> {
    check_form_token(&req, form.csrf.as_deref())?;
    let store = state.store.clone();
    let name = me.user.name.clone();
    let label = form.into_inner().label;
    let (_, token) = blocking(move || store.create_token(&name, &label)).await?;
    // Shown in this response only; a reload asks to resubmit rather than showing it again.
    render_account(&req, &state, &me, Some(&token), None).await
}

async fn revoke_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    RequireSession(me): RequireSession,
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

/// `POST /account/password`: a signed-in person changes their own password. The current one
/// is checked first (a borrowed or stolen session must not lock the owner out), wrong guesses
/// count against the sign-in limit of this account from this address, and on success every
/// other session of the account ends while this one stays signed in.
async fn change_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    RequireSession(me): RequireSession,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    check_form_token(&req, form.csrf.as_deref())?;
    let form = form.into_inner();
    let refuse = |status: StatusCode, text: String| {
        let (req, state, me) = (&req, &state, &me);
        async move {
            let mut res =
                render_account(req, state, me, None, Some(PasswordNotice::Refused(&text))).await?;
            *res.status_mut() = status;
            Ok::<_, AppError>(res)
        }
    };
    if !me.user.has_password {
        return refuse(
            StatusCode::CONFLICT,
            "Your account has no password here: it signs in through single sign-on or API tokens."
                .into(),
        )
        .await;
    }
    if form.new.chars().count() < MIN_CHOSEN_PASSWORD_CHARS {
        return refuse(
            StatusCode::BAD_REQUEST,
            format!(
                "The new password is too short; choose one of at least {MIN_CHOSEN_PASSWORD_CHARS} characters."
            ),
        )
        .await;
    }
    if form.new.len() > MAX_PASSWORD_BYTES {
        return refuse(
            StatusCode::BAD_REQUEST,
            format!(
                "The new password is too long; choose one of at most {MAX_PASSWORD_BYTES} bytes."
            ),
        )
        .await;
    }
    if form.new != form.confirm {
        return refuse(
            StatusCode::BAD_REQUEST,
            "The two new passwords differ; type the same new password in both fields.".into(),
        )
        .await;
    }
    let client = req
        .extensions()
        .get::<RequestMeta>()
        .and_then(|m| m.client_ip);
    // The sign-in counters: guessing the current password through a session is guessing a
    // password, limited per account and address like the sign-in form.
    let pair = client.map(|ip| LoginKey::AccountFromClient(me.user.name.clone(), ip));
    let account = LoginKey::Account(me.user.name.clone());
    let now = OffsetDateTime::now_utc();
    let keep = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned());
    let store = state.store.clone();
    let user_id = me.user.id;
    let outcome = blocking(move || {
        if let Some(key) = &pair
            && let Some(wait) = store.login_retry_after(key, now)?
        {
            return Ok(Err(wait));
        }
        let change =
            store.change_own_password(user_id, &form.current, &form.new, keep.as_deref())?;
        match change {
            PasswordChange::WrongCurrent => {
                for key in pair.iter().chain([&account]) {
                    store.record_login_failure(key, now)?;
                }
            }
            PasswordChange::Changed { .. } => {
                if let Some(key) = &pair {
                    store.clear_login_failures(key)?;
                }
            }
            PasswordChange::NoPassword => {}
        }
        Ok(Ok(change))
    })
    .await?;
    match outcome {
        Err(wait) => {
            let minutes = (wait.whole_seconds().max(1) + 59) / 60;
            let mut res = refuse(
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "Too many wrong passwords from this address; wait {} and try again.",
                    if minutes == 1 {
                        "a minute".to_owned()
                    } else {
                        format!("{minutes} minutes")
                    }
                ),
            )
            .await?;
            if let Ok(value) =
                header::HeaderValue::from_str(&wait.whole_seconds().max(1).to_string())
            {
                res.headers_mut().insert(header::RETRY_AFTER, value);
            }
            Ok(res)
        }
        Ok(PasswordChange::WrongCurrent) => {
            refuse(
                StatusCode::FORBIDDEN,
                "The current password is wrong; type the password you sign in with.".into(),
            )
            .await
        }
        Ok(PasswordChange::NoPassword) => refuse(
            StatusCode::CONFLICT,
            "Your account has no password here: it signs in through single sign-on or API tokens."
                .into(),
        )
        .await,
        // Redirected, so reloading the page does not post the form again.
        Ok(PasswordChange::Changed { .. }) => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, "/account?password=changed"))
            .finish()),
    }
}
