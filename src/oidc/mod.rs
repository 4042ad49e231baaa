//! Sign-in through an OpenID provider: the authorization code flow with PKCE, a `state` and a
//! `nonce`, done by the `openidconnect` crate (discovery, the code exchange and every check
//! of the ID token: signature against the provider's published keys, issuer, audience, nonce,
//! expiry). Nothing here reads a JWT by hand. No actix and no database: `web::auth::oidc`
//! turns the outcome into a session, through the same account path as the SSO proxy.
//!
//! Calls to the provider block (the `ureq` client); the web layer runs them in `web::block`.

mod pending;
mod settings;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType,
    CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreRevocableToken, CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, Client, ClientId, ClientSecret, CsrfToken,
    EmptyExtraTokenFields, EndSessionUrl, EndpointMaybeSet, EndpointNotSet, EndpointSet,
    IdTokenFields, IssuerUrl, LogoutRequest, Nonce, PkceCodeChallenge, PkceCodeVerifier,
    PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, Scope, StandardErrorResponse,
    StandardTokenResponse, TokenResponse,
};
use serde::{Deserialize, Serialize};

pub use pending::{PENDING_TTL_SECONDS, PendingCodec, PendingLogin, PendingRefusal, same_secret};
pub use settings::{CALLBACK_PATH, OIDC_KEYS, OidcSettings};

/// How long discovered metadata (endpoints and signing keys) is used before it is fetched
/// again, so a provider's key rotation reaches selfserve without a restart.
const METADATA_TTL: Duration = Duration::from_secs(600);

/// How long one call to the provider may take.
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

/// The claims beyond the standard ones: every other claim, by name (the groups claim's name
/// is the operator's choice).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OtherClaims(serde_json::Map<String, serde_json::Value>);

impl AdditionalClaims for OtherClaims {}

type IdFields = IdTokenFields<
    OtherClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type TokenAnswer = StandardTokenResponse<IdFields, CoreTokenType>;
type OidcClient = Client<
    OtherClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    TokenAnswer,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Why a sign-in through the provider did not happen; each a sentence saying what to do.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// Discovery failed: the provider is down, or the issuer is wrong.
    #[error(
        "the OpenID provider at {issuer} cannot be used ({cause}); check oidc_issuer and that the provider is up"
    )]
    Unreachable {
        /// The configured issuer.
        issuer: String,
        /// What went wrong, from the HTTP client or the metadata checks.
        cause: String,
    },
    /// The token endpoint refused the code (used twice, too old, or not ours).
    #[error("the OpenID provider refused to complete this sign-in ({0})")]
    Exchange(String),
    /// The ID token failed a check: signature, issuer, audience, nonce or expiry.
    #[error("the ID token from the OpenID provider was refused ({0})")]
    TokenRefused(String),
    /// The ID token names no one this site can use as an account name.
    #[error("{0}")]
    NoName(String),
}

/// Who signed in, as the verified ID token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    /// The account name: `preferred_username`, else `email`.
    pub name: String,
    /// The e-mail address, when given.
    pub email: Option<String>,
    /// Admin or not per the groups claim; `None` when no admin group is configured.
    pub is_admin: Option<bool>,
    /// The raw ID token, kept only as the hint of a later sign-out at the provider.
    pub id_token: String,
}

/// A started sign-in: where to send the browser, and what to remember until it comes back.
#[derive(Debug, Clone)]
pub struct Started {
    /// The provider's authorization URL.
    pub url: String,
    /// For the signed cookie.
    pub pending: PendingLogin,
}

/// What a server needs to sign people in through one provider.
pub struct Oidc {
    settings: OidcSettings,
    http: openidconnect::ureq::Agent,
    codec: PendingCodec,
    discovered: Mutex<Option<(Instant, Arc<Discovered>)>>,
}

impl std::fmt::Debug for Oidc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Oidc")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// The provider as discovered: a configured client and the sign-out endpoint.
struct Discovered {
    client: OidcClient,
    end_session: Option<EndSessionUrl>,
    /// The provider lists a `groups` scope: ask for it, or the claim may never come.
    groups_scope: bool,
}

impl Oidc {
    /// A client for `settings`; nothing is fetched yet (see [`Oidc::discover`]).
    pub fn new(settings: OidcSettings) -> Self {
        let http = openidconnect::ureq::AgentBuilder::new()
            // Following redirects would let a provider's answer point selfserve anywhere.
            .redirects(0)
            .timeout(HTTP_TIMEOUT)
            .build();
        let codec = PendingCodec::from_secret(&settings.client_secret);
        Self {
            settings,
            http,
            codec,
            discovered: Mutex::new(None),
        }
    }

    /// The settings.
    pub fn settings(&self) -> &OidcSettings {
        &self.settings
    }

    /// Signs and reads pending sign-ins.
    pub fn codec(&self) -> &PendingCodec {
        &self.codec
    }

    /// Fetches the provider's metadata and keys now (at start, so a wrong issuer is
    /// reported at once), or answers from what was fetched less than [`METADATA_TTL`] ago.
    /// When fetching again fails, the last good metadata is used.
    pub fn discover(&self) -> Result<(), OidcError> {
        self.discovered().map(|_| ())
    }

    fn discovered(&self) -> Result<Arc<Discovered>, OidcError> {
        let cached = self
            .discovered
            .lock()
            .map(|guard| guard.clone())
            .unwrap_or_default();
        if let Some((at, found)) = &cached
            && at.elapsed() < METADATA_TTL
        {
            return Ok(Arc::clone(found));
        }
        match self.fetch() {
            Ok(found) => {
                let found = Arc::new(found);
                if let Ok(mut guard) = self.discovered.lock() {
                    *guard = Some((Instant::now(), Arc::clone(&found)));
                }
                Ok(found)
            }
            Err(err) => match cached {
                Some((_, found)) => {
                    tracing::warn!("{err}; signing in with the metadata fetched before");
                    Ok(found)
                }
                None => Err(err),
            },
        }
    }

    fn fetch(&self) -> Result<Discovered, OidcError> {
        let unreachable = |cause: String| OidcError::Unreachable {
            issuer: self.settings.issuer.clone(),
            cause,
        };
        let issuer =
            IssuerUrl::new(self.settings.issuer.clone()).map_err(|e| unreachable(e.to_string()))?;
        let metadata = ProviderMetadataWithLogout::discover(&issuer, &self.http)
            .map_err(|e| unreachable(chain(&e)))?;
        let end_session = metadata.additional_metadata().end_session_endpoint.clone();
        let groups_scope = metadata
            .scopes_supported()
            .is_some_and(|scopes| scopes.iter().any(|s| s.as_str() == "groups"));
        let redirect = RedirectUrl::new(self.settings.redirect_url.clone())
            .map_err(|e| unreachable(e.to_string()))?;
        let client = OidcClient::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            Some(ClientSecret::new(self.settings.client_secret.clone())),
        )
        .set_redirect_uri(redirect);
        Ok(Discovered {
            client,
            end_session,
            groups_scope,
        })
    }

    /// Starts a sign-in that returns to `next` (already checked to be local), at `now`
    /// (Unix seconds).
    pub fn start(&self, next: &str, now: i64) -> Result<Started, OidcError> {
        let found = self.discovered()?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = found
            .client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("profile".into()))
            .add_scope(Scope::new("email".into()))
            .set_pkce_challenge(challenge);
        if found.groups_scope {
            request = request.add_scope(Scope::new("groups".into()));
        }
        let (url, state, nonce) = request.url();
        Ok(Started {
            url: url.to_string(),
            pending: PendingLogin {
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                verifier: verifier.secret().clone(),
                next: next.to_owned(),
                started: now,
            },
        })
    }

    /// Finishes a sign-in: exchanges `code` (with the PKCE verifier) and checks the ID token
    /// against the provider's keys, this client, and the pending sign-in's nonce. The caller
    /// has already matched the `state`.
    pub fn finish(&self, pending: &PendingLogin, code: &str) -> Result<SignedIn, OidcError> {
        let found = self.discovered()?;
        let answer = found
            .client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| OidcError::Exchange(chain(&e)))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
            .request(&self.http)
            .map_err(|e| OidcError::Exchange(chain(&e)))?;
        let id_token = answer.id_token().ok_or_else(|| {
            OidcError::TokenRefused(
                "the provider sent no ID token; is `openid` allowed for this client?".into(),
            )
        })?;
        let verifier = found.client.id_token_verifier();
        let claims = id_token
            .claims(&verifier, &Nonce::new(pending.nonce.clone()))
            .map_err(|e| OidcError::TokenRefused(chain(&e)))?;
        let email = claims.email().map(|e| e.as_str().to_owned());
        let name = claims
            .preferred_username()
            .map(|n| n.as_str().to_owned())
            .or_else(|| email.clone())
            .ok_or_else(|| {
                OidcError::NoName(
                    "The sign-in provider did not say who you are (its ID token has neither preferred_username nor email); ask its admin to release one of them to this site.".into(),
                )
            })?;
        let groups = groups(&claims.additional_claims().0, &self.settings.groups_claim);
        let is_admin = self
            .settings
            .admin_group
            .as_ref()
            .map(|admin| groups.iter().any(|g| g == admin));
        Ok(SignedIn {
            name,
            email,
            is_admin,
            id_token: id_token.to_string(),
        })
    }

    /// Where to send the browser to end the provider's session too (RP-initiated logout),
    /// when the provider offers it: with the ID token as the hint and this site's home page
    /// to come back to. `None` when it does not, or discovery fails (the local session has
    /// ended anyway).
    pub fn logout_url(&self, id_token: Option<&str>) -> Option<String> {
        let found = self.discovered().ok()?;
        let endpoint = found.end_session.clone()?;
        let back = PostLogoutRedirectUrl::new(self.settings.post_logout_url()).ok()?;
        let mut request = LogoutRequest::from(endpoint)
            .set_client_id(ClientId::new(self.settings.client_id.clone()))
            .set_post_logout_redirect_uri(back);
        if let Some(hint) = id_token.and_then(|t| t.parse::<HintToken>().ok()) {
            request = request.set_id_token_hint(&hint);
        }
        Some(request.http_get_url().to_string())
    }
}

/// An ID token only carried back as a hint; never trusted for anything.
type HintToken = openidconnect::IdToken<
    OtherClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

/// The groups in `claim`: an array of strings, or one string.
fn groups(claims: &serde_json::Map<String, serde_json::Value>, claim: &str) -> Vec<String> {
    match claims.get(claim) {
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        Some(serde_json::Value::String(one)) => vec![one.clone()],
        _ => Vec::new(),
    }
}

/// An error and its causes as one clause.
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_read_from_an_array_or_a_string() {
        let claims: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(r#"{"groups": ["staff", 3, "kb-admins"], "role": "ops"}"#)
                .expect("json");
        assert_eq!(groups(&claims, "groups"), ["staff", "kb-admins"]);
        assert_eq!(groups(&claims, "role"), ["ops"]);
        assert!(groups(&claims, "missing").is_empty());
    }
}
