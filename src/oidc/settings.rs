//! The operator's OpenID Connect settings (server config keys `oidc_*`, variables
//! `SELFSERVE_OIDC_*`), checked once at start: a missing or malformed one is a sentence naming
//! where it was written, never a failure at the first sign-in.

#[cfg(test)]
use crate::server_config::Origin;
use crate::server_config::{Raw, ServerConfigError};

/// The path of the callback; the redirect URL registered at the provider must end with it.
pub const CALLBACK_PATH: &str = "/sign-in/oidc/callback";

/// Sign-in through an OpenID provider, as configured.
#[derive(Clone, PartialEq, Eq)]
pub struct OidcSettings {
    /// The issuer URL (discovery is `<issuer>/.well-known/openid-configuration`).
    pub issuer: String,
    /// The client id registered at the provider.
    pub client_id: String,
    /// The client secret registered at the provider (never logged).
    pub client_secret: String,
    /// This server's callback as registered at the provider (ends with [`CALLBACK_PATH`]).
    pub redirect_url: String,
    /// Members of this group are admins and others are not, decided at every sign-in;
    /// `None` leaves admin status to `selfserve user`.
    pub admin_group: Option<String>,
    /// The ID token claim listing the user's groups.
    pub groups_claim: String,
    /// The button's label: "Sign in with <name>".
    pub provider_name: String,
}

impl std::fmt::Debug for OidcSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret stays out of every log and panic message.
        f.debug_struct("OidcSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("redirect_url", &self.redirect_url)
            .field("admin_group", &self.admin_group)
            .field("groups_claim", &self.groups_claim)
            .field("provider_name", &self.provider_name)
            .finish_non_exhaustive()
    }
}

/// The keys this module reads, in `server_config::KEYS`.
pub const OIDC_KEYS: [&str; 7] = [
    "oidc_issuer",
    "oidc_client_id",
    "oidc_client_secret",
    "oidc_redirect_url",
    "oidc_admin_group",
    "oidc_groups_claim",
    "oidc_provider_name",
];

impl OidcSettings {
    /// Reads the `oidc_*` settings through `pick` (the merged sources). `None` when
    /// `oidc_issuer` is unset or empty and no other `oidc_*` key is given.
    pub fn resolve(
        pick: &mut dyn FnMut(&str) -> Option<Raw>,
    ) -> Result<Option<Self>, ServerConfigError> {
        let mut take = |name: &str| pick(name).filter(|raw| !raw.text.trim().is_empty());
        let issuer = take("oidc_issuer");
        let client_id = take("oidc_client_id");
        let client_secret = take("oidc_client_secret");
        let redirect_url = take("oidc_redirect_url");
        let admin_group = take("oidc_admin_group");
        let groups_claim = take("oidc_groups_claim");
        let provider_name = take("oidc_provider_name");
        let Some(issuer) = issuer else {
            let given = [
                &client_id,
                &client_secret,
                &redirect_url,
                &admin_group,
                &groups_claim,
                &provider_name,
            ]
            .into_iter()
            .flatten()
            .next();
            return match given {
                None => Ok(None),
                Some(raw) => Err(ServerConfigError::Incomplete(format!(
                    "{} is set but oidc_issuer (SELFSERVE_OIDC_ISSUER) is not; set the OpenID provider's issuer URL too, or remove the oidc_ settings",
                    raw.origin
                ))),
            };
        };
        let issuer_url = web_url(
            &issuer,
            "the provider's issuer URL, such as https://login.example.com/realms/staff",
        )?;
        let missing = |key: &str, var: &str, what: &str| {
            ServerConfigError::Incomplete(format!(
                "sign-in through an OpenID provider needs {key} ({var}) as well as oidc_issuer; set it to {what}"
            ))
        };
        let client_id = client_id.ok_or_else(|| {
            missing(
                "oidc_client_id",
                "SELFSERVE_OIDC_CLIENT_ID",
                "the client id registered at the provider",
            )
        })?;
        let client_secret = client_secret.ok_or_else(|| {
            missing(
                "oidc_client_secret",
                "SELFSERVE_OIDC_CLIENT_SECRET",
                "the client secret registered at the provider",
            )
        })?;
        let redirect_url = redirect_url.ok_or_else(|| {
            missing(
                "oidc_redirect_url",
                "SELFSERVE_OIDC_REDIRECT_URL",
                &format!("this server's public address followed by {CALLBACK_PATH}"),
            )
        })?;
        let redirect = web_url(
            &redirect_url,
            &format!("this server's public address followed by {CALLBACK_PATH}"),
        )?;
        if redirect.path() != CALLBACK_PATH || redirect.query().is_some() {
            return Err(bad(
                &redirect_url,
                format!("write this server's public address followed by {CALLBACK_PATH}"),
            ));
        }
        let provider_name = provider_name.map_or_else(
            || issuer_url.host_str().unwrap_or("single sign-on").to_owned(),
            |raw| raw.text.trim().to_owned(),
        );
        Ok(Some(OidcSettings {
            issuer: issuer.text.trim().trim_end_matches('/').to_owned(),
            client_id: client_id.text.trim().to_owned(),
            client_secret: client_secret.text,
            redirect_url: redirect.to_string(),
            admin_group: admin_group.map(|raw| raw.text.trim().to_owned()),
            groups_claim: groups_claim
                .map_or_else(|| "groups".to_owned(), |raw| raw.text.trim().to_owned()),
            provider_name,
        }))
    }

    /// Where the provider sends the browser after signing out: this server's home page.
    pub fn post_logout_url(&self) -> String {
        match openidconnect::url::Url::parse(&self.redirect_url) {
            Ok(mut url) => {
                url.set_path("/");
                url.to_string()
            }
            Err(_) => "/".to_owned(),
        }
    }
}

/// An absolute `http(s)` URL.
fn web_url(raw: &Raw, expected: &str) -> Result<openidconnect::url::Url, ServerConfigError> {
    match openidconnect::url::Url::parse(raw.text.trim()) {
        Ok(url) if matches!(url.scheme(), "https" | "http") && url.host_str().is_some() => Ok(url),
        _ => Err(bad(raw, format!("write {expected}"))),
    }
}

fn bad(raw: &Raw, expected: String) -> ServerConfigError {
    ServerConfigError::BadValue {
        origin: raw.origin.clone(),
        text: raw.text.clone(),
        expected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> Raw {
        Raw {
            text: text.into(),
            origin: Origin::Env("SELFSERVE_TEST"),
        }
    }

    fn resolve(pairs: &[(&str, &str)]) -> Result<Option<OidcSettings>, ServerConfigError> {
        let mut pick = |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| raw(v));
        OidcSettings::resolve(&mut pick)
    }

    const FULL: [(&str, &str); 4] = [
        ("oidc_issuer", "https://login.example.com/realms/staff/"),
        ("oidc_client_id", "selfserve"),
        ("oidc_client_secret", "s3cret"),
        (
            "oidc_redirect_url",
            "https://kb.example.com/sign-in/oidc/callback",
        ),
    ];

    #[test]
    fn nothing_set_means_no_oidc() {
        assert_eq!(resolve(&[]).expect("ok"), None);
        assert_eq!(resolve(&[("oidc_issuer", " ")]).expect("ok"), None);
    }

    #[test]
    fn a_full_setting_is_read_with_defaults() {
        let s = resolve(&FULL).expect("ok").expect("configured");
        assert_eq!(s.issuer, "https://login.example.com/realms/staff");
        assert_eq!(s.groups_claim, "groups");
        assert_eq!(s.admin_group, None);
        assert_eq!(s.provider_name, "login.example.com");
        assert_eq!(s.post_logout_url(), "https://kb.example.com/");
        assert!(
            !format!("{s:?}").contains("s3cret"),
            "the secret is never printed"
        );
    }

    #[test]
    fn missing_and_malformed_settings_are_sentences() {
        let no_secret: Vec<_> = FULL
            .iter()
            .copied()
            .filter(|(k, _)| *k != "oidc_client_secret")
            .collect();
        let err = resolve(&no_secret).expect_err("refused").to_string();
        assert!(err.contains("SELFSERVE_OIDC_CLIENT_SECRET"), "{err}");
        let err = resolve(&[("oidc_client_id", "x")])
            .expect_err("refused")
            .to_string();
        assert!(err.contains("oidc_issuer"), "{err}");
        let mut wrong = FULL.to_vec();
        wrong[3] = ("oidc_redirect_url", "https://kb.example.com/callback");
        let err = resolve(&wrong).expect_err("refused").to_string();
        assert!(err.contains(CALLBACK_PATH), "{err}");
        wrong[3] = FULL[3];
        wrong[0] = ("oidc_issuer", "login.example.com");
        let err = resolve(&wrong).expect_err("refused").to_string();
        assert!(err.contains("issuer URL"), "{err}");
    }
}
