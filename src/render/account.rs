//! Account views: the sign-in form and the account page with its API tokens and the
//! change-password form.

use maud::{Markup, html};

use crate::records::{ApiToken, User, UserSource};

use super::layout::{self, Crumb, Page, PageContext, csrf_field, sign_out_form};

/// What the sign-in page shows besides the form.
#[derive(Debug, Clone, Copy)]
pub struct SignInView<'a> {
    /// Where to go afterwards (already checked to be local).
    pub next: &'a str,
    /// The name typed last time, to keep it in the field.
    pub name: &'a str,
    /// Why the last try failed.
    pub error: Option<&'a str>,
    /// The OpenID provider's name, when the server signs in through one.
    pub provider: Option<&'a str>,
}

/// The sign-in page.
pub fn sign_in(ctx: &PageContext<'_>, view: &SignInView<'_>) -> Markup {
    let main = html! {
        section class="sign-in" {
            h1 { "Sign in" }
            @if let Some(viewer) = &ctx.viewer {
                p class="notice" { "You are signed in as " strong { (viewer.name) } ". Signing in again replaces that session." }
            }
            @if let Some(error) = view.error {
                p class="notice notice-danger" role="alert" { (error) }
            }
            form class="stacked-form" method="post" action="/sign-in" {
                (csrf_field(ctx))
                input type="hidden" name="next" value=(view.next);
                label for="sign-in-name" { "User name" }
                input id="sign-in-name" name="name" type="text" value=(view.name)
                    autocomplete="username" required maxlength="64" autofocus;
                label for="sign-in-password" { "Password" }
                input id="sign-in-password" name="password" type="password"
                    autocomplete="current-password" required maxlength="1024";
                button class="button" type="submit" { "Sign in" }
            }
            @if let Some(provider) = view.provider {
                p class="sign-in-provider" {
                    a class="button" href=(provider_sign_in_url(view.next)) {
                        "Sign in with " (provider)
                    }
                }
            }
            p class="muted" {
                "No account yet? An admin creates one with "
                code { "selfserve user add NAME --password-stdin" } "."
            }
        }
    };
    layout::render(
        ctx,
        Page {
            title: "Sign in".into(),
            crumbs: vec![Crumb::link("Home", "/"), Crumb::text("Sign in")],
            main,
            ..Page::default()
        },
    )
}

/// `/sign-in/oidc`, returning to `next`.
fn provider_sign_in_url(next: &str) -> String {
    if next == "/" {
        return "/sign-in/oidc".to_owned();
    }
    format!(
        "/sign-in/oidc?next={}",
        percent_encoding::utf8_percent_encode(next, percent_encoding::NON_ALPHANUMERIC)
    )
}

/// What the account page shows.
#[derive(Debug, Clone, Copy)]
pub struct AccountView<'a> {
    /// The signed-in user.
    pub user: &'a User,
    /// Their tokens, newest first.
    pub tokens: &'a [ApiToken],
    /// A token just created: shown this once.
    pub new_token: Option<&'a str>,
    /// How the last password change went.
    pub password: Option<PasswordNotice<'a>>,
    /// The shortest new password accepted (the store's rule, shown beside the field).
    pub min_password_chars: usize,
}

/// The sentence shown above the change-password form after a submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordNotice<'a> {
    /// The password was changed.
    Changed(&'a str),
    /// It was not: why, and what to do.
    Refused(&'a str),
}

/// The account page: who you are, your API tokens, sign out.
pub fn account(ctx: &PageContext<'_>, view: &AccountView<'_>) -> Markup {
    let user = view.user;
    let main = html! {
        h1 { "Your account" }
        dl class="facts" {
            div { dt { "Name" } dd { (user.name) } }
            div { dt { "Role" } dd { @if user.is_admin { "admin" } @else { "learner" } } }
            @if let Some(email) = &user.email {
                div { dt { "E-mail" } dd { (email) } }
            }
        }
        p { a href="/my/training" { "My training" } " · " a href="/my/requests" { "My help requests" } }
        section aria-labelledby="tokens-title" {
            h2 id="tokens-title" { "API tokens" }
            p class="muted" {
                "Scripts send a token as " code { "Authorization: Bearer TOKEN" }
                "; it acts as you on every page and API route except this one: "
                "tokens are created and revoked here, in a signed-in browser only."
            }
            @if let Some(token) = view.new_token {
                div class="notice notice-success" role="status" {
                    p class="notice-title" { "Your new token (copy it now: it is shown only once)" }
                    p { code class="new-token" { (token) } }
                }
            }
            @if view.tokens.is_empty() {
                p { "You have no API tokens." }
            } @else {
                table class="token-table" {
                    thead { tr { th { "Label" } th { "Created" } th { "Last used" } th { "State" } } }
                    tbody {
                        @for token in view.tokens {
                            tr {
                                td { (token.label) }
                                td { (super::format_date(token.created_at.date())) }
                                td { @match token.last_used {
                                    Some(t) => (super::format_date(t.date())),
                                    None => "never",
                                } }
                                td {
                                    @if token.revoked_at.is_some() {
                                        span class="badge badge-missing" { "revoked" }
                                    } @else {
                                        form class="inline-form" method="post"
                                            action={ "/account/tokens/" (token.id) "/revoke" } {
                                            (csrf_field(ctx))
                                            button class="button button-quiet" type="submit" { "Revoke" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            form class="stacked-form" method="post" action="/account/tokens" {
                (csrf_field(ctx))
                label for="token-label" { "New token's label" }
                input id="token-label" name="label" type="text" required maxlength="100"
                    placeholder="e.g. laptop, CI job";
                button class="button" type="submit" { "Create token" }
            }
        }
        (password_section(ctx, view))
        section aria-labelledby="sign-out-title" {
            h2 id="sign-out-title" { "Sign out" }
            (sign_out_form(ctx))
        }
    };
    layout::render(
        ctx,
        Page {
            title: "Your account".into(),
            crumbs: vec![Crumb::link("Home", "/"), Crumb::text("Account")],
            main,
            ..Page::default()
        },
    )
}

/// "Change password": the form for accounts with a local password; accounts that sign in
/// through single sign-on (or tokens only) have none to change here.
fn password_section(ctx: &PageContext<'_>, view: &AccountView<'_>) -> Markup {
    let local = view.user.has_password && view.user.source == UserSource::Local;
    html! {
        section class="change-password" aria-labelledby="password-title" {
            h2 id="password-title" { "Change password" }
            @match view.password {
                Some(PasswordNotice::Changed(text)) => {
                    p class="notice notice-success" role="status" { (text) }
                },
                Some(PasswordNotice::Refused(text)) => {
                    p class="notice notice-danger" role="alert" { (text) }
                },
                None => {},
            }
            @if local {
                form class="stacked-form" method="post" action="/account/password" {
                    (csrf_field(ctx))
                    label for="password-current" { "Current password" }
                    input id="password-current" name="current" type="password"
                        autocomplete="current-password" required maxlength="1024";
                    label for="password-new" { "New password" }
                    input id="password-new" name="new" type="password" autocomplete="new-password"
                        required minlength=(view.min_password_chars) maxlength="1024"
                        aria-describedby="password-rule";
                    p id="password-rule" class="muted" {
                        "At least " (view.min_password_chars) " characters. "
                        "Changing it signs you out everywhere else."
                    }
                    label for="password-confirm" { "New password again" }
                    input id="password-confirm" name="confirm" type="password"
                        autocomplete="new-password" required maxlength="1024";
                    button class="button" type="submit" { "Change password" }
                }
            } @else {
                p class="muted" {
                    "Your account signs in through single sign-on or API tokens and has no password here; "
                    "change it where you sign in."
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> PageContext<'static> {
        PageContext::for_tests(
            "/sign-in",
            Some("tok<en>"),
            time::macros::date!(2026 - 01 - 01),
        )
    }

    #[test]
    fn the_sign_in_form_carries_the_token_and_escapes_values() {
        let view = SignInView {
            next: "/a\"b",
            name: "<ada>",
            error: Some("wrong"),
            provider: Some("Corp <Login>"),
        };
        let page = sign_in(&ctx(), &view).into_string();
        assert!(
            page.contains(r#"href="/sign-in/oidc?next=%2Fa%22b""#),
            "{page}"
        );
        assert!(page.contains("Sign in with Corp &lt;Login&gt;"), "{page}");
        assert!(
            page.contains(r#"name="csrf" value="tok&lt;en&gt;""#),
            "{page}"
        );
        assert!(page.contains(r#"value="/a&quot;b""#), "{page}");
        assert!(page.contains("&lt;ada&gt;"));
        assert!(page.contains(r#"role="alert""#));
    }
}
