//! The server's settings (`selfserve serve`) and where each comes from: a flag, else a
//! `SELFSERVE_*` environment variable, else the server config file (`--config FILE`), else
//! the default. The config file is the operator's, separate from the content's `site.toml`
//! (a content repository is written by authors and must not choose ports or databases).
//! Parsing and merging only; the command line collects the raw values, `web::serve` uses them.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::store::DatabaseUrl;

/// How the server writes its log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// Human-readable lines (the listening line alone and unprefixed, as scripts expect).
    #[default]
    Text,
    /// One JSON object per line, on stdout and stderr alike.
    Json,
}

/// One setting: its key in the config file, its flag, its environment variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    /// The config file's key (also the clap argument id).
    pub name: &'static str,
    /// The flag.
    pub flag: &'static str,
    /// The environment variable.
    pub env: &'static str,
}

/// Every server setting, in the order `--help` lists them.
pub const KEYS: [Key; 18] = [
    key("content", "--content", "SELFSERVE_CONTENT"),
    key("data", "--data", "SELFSERVE_DATA"),
    key("database", "--database", "SELFSERVE_DATABASE"),
    key("addr", "--addr", "SELFSERVE_ADDR"),
    key("watch", "--watch", "SELFSERVE_WATCH"),
    key("log_format", "--log-format", "SELFSERVE_LOG_FORMAT"),
    key("semantic", "--semantic", "SELFSERVE_SEMANTIC"),
    // Sign-in through an OpenID provider (src/oidc/settings.rs).
    key("oidc_issuer", "--oidc-issuer", "SELFSERVE_OIDC_ISSUER"),
    key(
        "oidc_client_id",
        "--oidc-client-id",
        "SELFSERVE_OIDC_CLIENT_ID",
    ),
    key(
        "oidc_client_secret",
        "--oidc-client-secret",
        "SELFSERVE_OIDC_CLIENT_SECRET",
    ),
    key(
        "oidc_redirect_url",
        "--oidc-redirect-url",
        "SELFSERVE_OIDC_REDIRECT_URL",
    ),
    key(
        "oidc_admin_group",
        "--oidc-admin-group",
        "SELFSERVE_OIDC_ADMIN_GROUP",
    ),
    key(
        "oidc_groups_claim",
        "--oidc-groups-claim",
        "SELFSERVE_OIDC_GROUPS_CLAIM",
    ),
    key(
        "oidc_provider_name",
        "--oidc-provider-name",
        "SELFSERVE_OIDC_PROVIDER_NAME",
    ),
    key("metrics", "--metrics", "SELFSERVE_METRICS"),
    key(
        "metrics_token",
        "--metrics-token",
        "SELFSERVE_METRICS_TOKEN",
    ),
    key("webhook_url", "--webhook-url", "SELFSERVE_WEBHOOK_URL"),
    key(
        "webhook_secret",
        "--webhook-secret",
        "SELFSERVE_WEBHOOK_SECRET",
    ),
];

const fn key(name: &'static str, flag: &'static str, env: &'static str) -> Key {
    Key { name, flag, env }
}

/// Where a raw value came from, named in error sentences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A flag on the command line.
    Flag(&'static str),
    /// An environment variable.
    Env(&'static str),
    /// A key of the config file, at this line and column (1-based).
    File {
        /// The config file.
        path: PathBuf,
        /// Line of the value.
        line: usize,
        /// Column of the value.
        column: usize,
        /// The key.
        key: &'static str,
    },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag(flag) => write!(f, "{flag}"),
            Origin::Env(var) => write!(f, "{var}"),
            Origin::File {
                path,
                line,
                column,
                key,
            } => write!(f, "{}:{line}:{column}: `{key}`", path.display()),
        }
    }
}

/// A value as written, not yet checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raw {
    /// The text (a TOML boolean or number as its text).
    pub text: String,
    /// Where it was written.
    pub origin: Origin,
}

/// One source's values, keyed like [`KEYS`]; `None` where the source says nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawSettings {
    values: [Option<Raw>; KEYS.len()],
}

impl RawSettings {
    /// Sets the value of `name` (one of [`KEYS`]; others are ignored).
    pub fn set(&mut self, name: &str, raw: Raw) {
        if let Some(i) = KEYS.iter().position(|k| k.name == name) {
            self.values[i] = Some(raw);
        }
    }

    fn take(&mut self, name: &str) -> Option<Raw> {
        KEYS.iter()
            .position(|k| k.name == name)
            .and_then(|i| self.values[i].take())
    }
}

/// The settings `serve` runs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerSettings {
    /// The content folder.
    pub content: PathBuf,
    /// The data folder.
    pub data: PathBuf,
    /// The database.
    pub database: DatabaseUrl,
    /// The listen address.
    pub addr: SocketAddr,
    /// Reload content on edits.
    pub watch: bool,
    /// How log lines are written.
    pub log_format: LogFormat,
    /// The semantic search leg's switch.
    pub semantic: bool,
    /// Where webhook messages go, when a receiver is configured.
    pub webhook: Option<crate::webhooks::Endpoint>,
    /// Sign-in through an OpenID provider, when configured.
    pub oidc: Option<crate::oidc::OidcSettings>,
    /// Count requests for `/metrics` (`off` leaves the middleware out, for comparison).
    pub metrics: bool,
    /// The token a scraper sends to `/metrics` as `Authorization: Bearer`.
    pub metrics_token: Option<Secret>,
}

/// A secret setting: its `Debug` never shows it, so settings can be logged.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The fewest characters a token may have (`openssl rand -hex 32` makes 64).
    pub const MIN_LEN: usize = 16;

    /// The secret, for comparing with what a request presents.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// Why the settings cannot be used; each a sentence naming the file, flag or variable.
#[derive(Debug, thiserror::Error)]
pub enum ServerConfigError {
    /// `--config` names no file.
    #[error(
        "the server config file {0} does not exist; create it or leave out --config and SELFSERVE_CONFIG"
    )]
    Missing(PathBuf),
    /// The file cannot be read.
    #[error("cannot read the server config file {path} ({source}); check its permissions")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Not TOML, an unknown key, or a value of the wrong kind.
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Line of the problem.
        line: usize,
        /// Column of the problem.
        column: usize,
        /// What is wrong (toml's own sentence names an unknown key and the keys taken).
        message: String,
    },
    /// A value that does not parse.
    #[error("{origin} is `{text}`; {expected}")]
    BadValue {
        /// Where it was written.
        origin: Origin,
        /// The value.
        text: String,
        /// What to write instead.
        expected: String,
    },
    /// A token too short to resist guessing (its text is left out: it is a secret).
    #[error(
        "{origin} is shorter than {min} characters; use a long random token, such as the output of `openssl rand -hex 32`",
        min = Secret::MIN_LEN
    )]
    ShortToken {
        /// Where it was written.
        origin: Origin,
    },
    /// A webhook secret that does not parse (its text is left out: it is a secret).
    #[error("{origin} is not a usable webhook secret; {message}")]
    BadSecret {
        /// Where it was written.
        origin: Origin,
        /// What to write instead.
        message: String,
    },
    /// Half of a webhook receiver's settings.
    #[error("{origin} names a webhook receiver but {missing} is not set; set both or neither")]
    WebhookIncomplete {
        /// Where the half that is set was written.
        origin: Origin,
        /// The other half.
        missing: &'static str,
    },
    /// A database URL that does not parse (its text is left out: it may hold a password).
    #[error("{origin}: {message}")]
    BadDatabase {
        /// Where it was written.
        origin: Origin,
        /// The parser's sentence.
        message: String,
    },
    /// Settings that only work together, given in part (the sentence names what is missing).
    #[error("{0}")]
    Incomplete(String),
}

/// The config file as TOML: every key optional, any other key refused.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileKeys {
    content: Option<toml::Spanned<toml::Value>>,
    data: Option<toml::Spanned<toml::Value>>,
    database: Option<toml::Spanned<toml::Value>>,
    addr: Option<toml::Spanned<toml::Value>>,
    watch: Option<toml::Spanned<toml::Value>>,
    log_format: Option<toml::Spanned<toml::Value>>,
    semantic: Option<toml::Spanned<toml::Value>>,
    oidc_issuer: Option<toml::Spanned<toml::Value>>,
    oidc_client_id: Option<toml::Spanned<toml::Value>>,
    oidc_client_secret: Option<toml::Spanned<toml::Value>>,
    oidc_redirect_url: Option<toml::Spanned<toml::Value>>,
    oidc_admin_group: Option<toml::Spanned<toml::Value>>,
    oidc_groups_claim: Option<toml::Spanned<toml::Value>>,
    oidc_provider_name: Option<toml::Spanned<toml::Value>>,
    metrics: Option<toml::Spanned<toml::Value>>,
    metrics_token: Option<toml::Spanned<toml::Value>>,
    webhook_url: Option<toml::Spanned<toml::Value>>,
    webhook_secret: Option<toml::Spanned<toml::Value>>,
}

/// Reads the config file at `path`.
pub fn read_file(path: &Path) -> Result<RawSettings, ServerConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            ServerConfigError::Missing(path.to_path_buf())
        } else {
            ServerConfigError::Unreadable {
                path: path.to_path_buf(),
                source,
            }
        }
    })?;
    parse_file(path, &text)
}

/// Parses the config file's text; `path` only names it in sentences.
pub fn parse_file(path: &Path, text: &str) -> Result<RawSettings, ServerConfigError> {
    let invalid = |offset: usize, message: String| {
        let (line, column) = line_column(text, offset);
        ServerConfigError::Invalid {
            path: path.to_path_buf(),
            line,
            column,
            message,
        }
    };
    let keys: FileKeys = toml::from_str(text).map_err(|err| {
        let offset = err.span().map_or(0, |s| s.start);
        invalid(offset, err.message().trim_end_matches('\n').to_owned())
    })?;
    let mut settings = RawSettings::default();
    let given = [
        ("content", keys.content),
        ("data", keys.data),
        ("database", keys.database),
        ("addr", keys.addr),
        ("watch", keys.watch),
        ("log_format", keys.log_format),
        ("semantic", keys.semantic),
        ("oidc_issuer", keys.oidc_issuer),
        ("oidc_client_id", keys.oidc_client_id),
        ("oidc_client_secret", keys.oidc_client_secret),
        ("oidc_redirect_url", keys.oidc_redirect_url),
        ("oidc_admin_group", keys.oidc_admin_group),
        ("oidc_groups_claim", keys.oidc_groups_claim),
        ("oidc_provider_name", keys.oidc_provider_name),
        ("metrics", keys.metrics),
        ("metrics_token", keys.metrics_token),
        ("webhook_url", keys.webhook_url),
        ("webhook_secret", keys.webhook_secret),
    ];
    for (name, value) in given {
        let Some(value) = value else { continue };
        let offset = value.span().start;
        let (line, column) = line_column(text, offset);
        let value_text = match value.into_inner() {
            toml::Value::String(s) => s,
            toml::Value::Boolean(b) => b.to_string(),
            toml::Value::Integer(i) => i.to_string(),
            other => {
                return Err(invalid(
                    offset,
                    format!("`{name}` is a {}; write a string", other.type_str()),
                ));
            }
        };
        let key = KEYS.iter().find(|k| k.name == name).map_or("", |k| k.name);
        settings.set(
            name,
            Raw {
                text: value_text,
                origin: Origin::File {
                    path: path.to_path_buf(),
                    line,
                    column,
                    key,
                },
            },
        );
    }
    Ok(settings)
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(0, |tail| tail.chars().count())
        + 1;
    (line, column)
}

/// Merges the sources, first found wins: the command line (flags and environment variables,
/// which clap has already ranked), then the config file, then the defaults; then checks
/// every value.
pub fn resolve(
    mut command_line: RawSettings,
    mut file: RawSettings,
) -> Result<ServerSettings, ServerConfigError> {
    let mut pick = |name: &str| command_line.take(name).or_else(|| file.take(name));
    let path = |raw: Option<Raw>, default: &str| {
        PathBuf::from(raw.map_or_else(|| default.to_owned(), |r| r.text))
    };
    let content = path(pick("content"), "content");
    let data = path(pick("data"), "data");
    let database = match pick("database") {
        Some(raw) if !raw.text.trim().is_empty() => {
            DatabaseUrl::parse(&raw.text).map_err(|message| ServerConfigError::BadDatabase {
                origin: raw.origin,
                message,
            })?
        }
        _ => DatabaseUrl::in_data_dir(&data),
    };
    let addr = match pick("addr") {
        Some(raw) => crate::cli::address::listen_address(&raw.text).map_err(|expected| {
            ServerConfigError::BadValue {
                origin: raw.origin,
                text: raw.text,
                expected,
            }
        })?,
        None => SocketAddr::from(([127, 0, 0, 1], 8080)),
    };
    let watch = switch(pick("watch"), false)?;
    let semantic = switch(pick("semantic"), true)?;
    let oidc = crate::oidc::OidcSettings::resolve(&mut pick)?;
    let metrics = switch(pick("metrics"), true)?;
    let metrics_token = match pick("metrics_token") {
        Some(raw) if !raw.text.trim().is_empty() => {
            let token = raw.text.trim();
            if token.chars().count() < Secret::MIN_LEN {
                return Err(ServerConfigError::ShortToken { origin: raw.origin });
            }
            Some(Secret(token.to_owned()))
        }
        _ => None,
    };
    let log_format = match pick("log_format") {
        None => LogFormat::Text,
        Some(raw) => match raw.text.trim().to_ascii_lowercase().as_str() {
            "" | "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            _ => {
                return Err(ServerConfigError::BadValue {
                    origin: raw.origin,
                    text: raw.text,
                    expected: "write `text` or `json`".into(),
                });
            }
        },
    };
    let webhook = webhook(pick("webhook_url"), pick("webhook_secret"))?;
    Ok(ServerSettings {
        content,
        data,
        database,
        addr,
        watch,
        log_format,
        semantic,
        oidc,
        metrics,
        metrics_token,
        webhook,
    })
}

/// The webhook receiver: both the URL and the secret, or neither (empty means unset).
fn webhook(
    url: Option<Raw>,
    secret: Option<Raw>,
) -> Result<Option<crate::webhooks::Endpoint>, ServerConfigError> {
    let given = |raw: Option<Raw>| raw.filter(|r| !r.text.trim().is_empty());
    match (given(url), given(secret)) {
        (None, None) => Ok(None),
        (Some(url), Some(secret)) => {
            let text = crate::webhooks::Endpoint::parse_url(&url.text).map_err(|expected| {
                ServerConfigError::BadValue {
                    origin: url.origin,
                    text: url.text,
                    expected,
                }
            })?;
            let key = crate::webhooks::Secret::parse(&secret.text).map_err(|message| {
                ServerConfigError::BadSecret {
                    origin: secret.origin,
                    message,
                }
            })?;
            Ok(Some(crate::webhooks::Endpoint {
                url: text,
                secret: key,
            }))
        }
        (Some(url), None) => Err(ServerConfigError::WebhookIncomplete {
            origin: url.origin,
            missing: "the signing secret (SELFSERVE_WEBHOOK_SECRET, --webhook-secret or `webhook_secret`)",
        }),
        (None, Some(secret)) => Err(ServerConfigError::WebhookIncomplete {
            origin: secret.origin,
            missing: "the receiver's URL (SELFSERVE_WEBHOOK_URL, --webhook-url or `webhook_url`)",
        }),
    }
}

/// An on/off setting; empty means the default (as an unset variable does).
fn switch(raw: Option<Raw>, default: bool) -> Result<bool, ServerConfigError> {
    let Some(raw) = raw else { return Ok(default) };
    match raw.text.trim().to_ascii_lowercase().as_str() {
        "" => Ok(default),
        "on" | "true" | "1" | "yes" => Ok(true),
        "off" | "false" | "0" | "no" => Ok(false),
        _ => Err(ServerConfigError::BadValue {
            origin: raw.origin,
            text: raw.text,
            expected: "write `on` or `off`".into(),
        }),
    }
}

#[cfg(test)]
#[path = "server_config_tests.rs"]
mod tests;
