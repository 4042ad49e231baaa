//! `site.toml`: the site's settings, parsed once into one validated struct.

use std::collections::BTreeMap;
use std::net::IpAddr;

use ipnet::IpNet;
use serde::Deserialize;

/// Settings from `site.toml` at the content root. Every key is optional.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SiteConfig {
    /// The site's name, in the header and the browser tab.
    pub title: String,
    /// One or two sentences for the home page.
    pub description: String,
    /// The public base URL, when the site sits behind a proxy (used for absolute links).
    pub base_url: Option<String>,
    /// An "edit this page" link template; `{path}` becomes the file's path under the root.
    pub edit_url: Option<String>,
    /// Days after `reviewed` when a page shows "needs review".
    pub review_days: u32,
    /// Days before expiry when a qualification counts as expiring.
    pub expiring_days: u32,
    /// Reload content on edits (same as `serve --watch`).
    pub watch: bool,
    /// Sign-in settings.
    pub auth: AuthConfig,
    /// How much of the search log is kept.
    pub search_log: SearchLogConfig,
    /// What ranks search results besides the words.
    pub search: SearchConfig,
    /// Who answers for an `owner:` value: `team-platform = ["ada", "grace"]` lets those
    /// accounts see the insights of pages owned by `team-platform`. An account also owns
    /// the pages whose `owner:` is its own name.
    pub owners: BTreeMap<String, Vec<String>>,
    /// The knowledge loop's settings.
    pub insights: InsightsConfig,
    /// `[[nav]]`: a hand-written sidebar; empty means the sidebar follows the folders.
    pub nav: Vec<crate::config_nav::NavEntry>,
}

/// `[insights]` in `site.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InsightsConfig {
    /// `selfserve check` warns about a page stub (written from a search gap) still marked
    /// as needing writing this many days after it was made.
    pub stub_warn_days: u32,
}

impl Default for InsightsConfig {
    fn default() -> Self {
        Self { stub_warn_days: 14 }
    }
}

/// Search ranking switches (`[search]` in `site.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SearchConfig {
    /// Rank by meaning too (the semantic leg: a ~90 MB model in memory and a background
    /// embedding pass after each start and edit). The server can also turn it off for
    /// every site with `SELFSERVE_SEMANTIC=off`.
    pub semantic: bool,
    /// Lift pages that searchers of the same query keep choosing.
    pub click_feedback: bool,
}

impl Default for SearchConfig {
    fn default() -> Self {
        Self {
            semantic: true,
            click_feedback: true,
        }
    }
}

/// Bounds on the search log, so anonymous searching cannot fill the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SearchLogConfig {
    /// Days a logged query is kept.
    pub retention_days: u32,
    /// Most rows kept (one row per distinct query per day); the oldest go first.
    pub max_rows: u32,
}

impl Default for SearchLogConfig {
    fn default() -> Self {
        Self {
            retention_days: 180,
            max_rows: 200_000,
        }
    }
}

/// How people sign in.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// When true, every page and API call needs a signed-in user.
    pub require_sign_in: bool,
    /// A header set by a trusted single-sign-on proxy that names the user (e.g. `X-Forwarded-Email`).
    pub proxy_header: Option<String>,
    /// Addresses of proxies whose `proxy_header` is believed; from any other peer it is ignored.
    pub trusted_proxies: Vec<String>,
    /// When true, a name from `proxy_header` signs in to the local account of that name even
    /// when it has a password. Off by default: the proxy's `alice` is then refused rather
    /// than becoming the local (perhaps admin) `alice`.
    pub link_local_accounts: bool,
}

impl AuthConfig {
    /// True when `ip` is one of `trusted_proxies` (an address or a CIDR range). IPv4 peers
    /// seen as IPv4-mapped IPv6 addresses match their IPv4 entries.
    pub fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        // An IPv4 peer also matches an entry written as an IPv4-mapped IPv6 range.
        let mapped = match ip {
            IpAddr::V4(v4) => Some(IpAddr::V6(v4.to_ipv6_mapped())),
            IpAddr::V6(_) => None,
        };
        self.trusted_proxies
            .iter()
            .filter_map(|p| parse_network(p))
            .any(|net| net.contains(&ip) || mapped.is_some_and(|m| net.contains(&m)))
    }
}

/// `10.0.0.1` (a whole address) or `10.0.0.0/8`; spaces around either part are allowed.
fn parse_network(text: &str) -> Option<IpNet> {
    let (addr, len) = match text.split_once('/') {
        Some((addr, len)) => (addr, Some(len)),
        None => (text, None),
    };
    let addr: IpAddr = addr.trim().parse().ok()?;
    match len {
        Some(len) => IpNet::new(addr, len.trim().parse::<u8>().ok()?).ok(),
        None => Some(IpNet::from(addr)),
    }
}

impl Default for SiteConfig {
    fn default() -> Self {
        Self {
            title: "selfserve".into(),
            description: "Answers, troubleshooting and training for the platform.".into(),
            base_url: None,
            edit_url: None,
            review_days: 180,
            expiring_days: 30,
            watch: false,
            auth: AuthConfig::default(),
            search_log: SearchLogConfig::default(),
            search: SearchConfig::default(),
            owners: BTreeMap::new(),
            insights: InsightsConfig::default(),
            nav: Vec::new(),
        }
    }
}

/// Why `site.toml` was refused: a message and the byte offset it points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// A sentence saying what to change.
    pub message: String,
    /// Byte offset in the file, when known.
    pub offset: usize,
}

impl SiteConfig {
    /// Parses and validates the text of `site.toml`.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let mut config: SiteConfig = toml::from_str(text).map_err(|err| {
            let offset = err.span().map_or(0, |s| s.start);
            ConfigError {
                message: crate::config_errors::explain(text, offset, err.message()),
                offset,
            }
        })?;
        config
            .validate()
            .map_err(|message| ConfigError { message, offset: 0 })?;
        crate::config_nav::locate(&mut config.nav, text);
        Ok(config)
    }

    fn validate(&self) -> Result<(), String> {
        if self.review_days == 0 {
            return Err("review_days in site.toml must be at least 1".into());
        }
        if self.search_log.retention_days == 0 || self.search_log.max_rows == 0 {
            return Err(
                "search_log.retention_days and search_log.max_rows in site.toml must be at least 1"
                    .into(),
            );
        }
        if let Some(url) = &self.edit_url
            && !url.contains("{path}")
        {
            {
                return Err(
                    "edit_url in site.toml must contain `{path}`, which becomes the file's path"
                        .into(),
                );
            }
        }
        for proxy in &self.auth.trusted_proxies {
            if parse_network(proxy).is_none() {
                return Err(format!(
                    "trusted_proxies in site.toml lists `{proxy}`, which is not an IP address or a CIDR range such as 10.0.0.0/8"
                ));
            }
        }
        if self.auth.proxy_header.is_some() && self.auth.trusted_proxies.is_empty() {
            return Err(
                "auth.proxy_header is set but auth.trusted_proxies is empty; list the proxy's address so the header can be trusted".into(),
            );
        }
        Ok(())
    }

    /// The `owner:` values `user` answers for: its own name and every `[owners]` entry that
    /// lists it (names compare without case, as account names do).
    pub fn owner_names_of(&self, user: &str) -> Vec<String> {
        let mut names = vec![user.to_owned()];
        names.extend(
            self.owners
                .iter()
                .filter(|(_, members)| members.iter().any(|m| m.eq_ignore_ascii_case(user)))
                .map(|(owner, _)| owner.clone()),
        );
        names
    }

    /// The "edit this page" link for a source file.
    pub fn edit_link(&self, source_path: &str) -> Option<String> {
        self.edit_url
            .as_ref()
            .map(|template| template.replace("{path}", source_path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_defaults() {
        assert_eq!(SiteConfig::parse(""), Ok(SiteConfig::default()));
    }

    #[test]
    fn unknown_keys_are_refused_with_their_offset() {
        let err = SiteConfig::parse("title = \"x\"\ncolour = 1\n").expect_err("unknown key");
        assert!(err.message.contains("colour"), "{}", err.message);
        assert_eq!(err.offset, 12);
    }

    #[test]
    fn proxy_header_needs_trusted_proxies() {
        assert!(SiteConfig::parse("[auth]\nproxy_header = \"X-Forwarded-Email\"\n").is_err());
        let ok = SiteConfig::parse(
            "[auth]\nproxy_header = \"X-Forwarded-Email\"\ntrusted_proxies = [\"127.0.0.1\"]\n",
        )
        .expect("valid");
        assert_eq!(ok.auth.trusted_proxies, ["127.0.0.1"]);
    }

    #[test]
    fn trusted_proxies_are_addresses_or_cidr_ranges() {
        let c = SiteConfig::parse(
            "[auth]\nproxy_header = \"X-User\"\ntrusted_proxies = [\"10.0.0.0/8\", \"192.0.2.7\", \"fd00::/8\"]\n",
        )
        .expect("valid");
        let trusts = |ip: &str| c.auth.trusts(ip.parse().expect("ip"));
        assert!(trusts("10.200.3.4"));
        assert!(trusts("::ffff:10.1.1.1"), "IPv4-mapped");
        assert!(trusts("192.0.2.7"));
        assert!(!trusts("192.0.2.8"));
        assert!(trusts("fd12::1"));
        assert!(!trusts("11.0.0.1"));
        assert!(SiteConfig::parse("[auth]\ntrusted_proxies = [\"10.0.0.0/33\"]\n").is_err());
        assert!(SiteConfig::parse("[auth]\ntrusted_proxies = [\"proxy.local\"]\n").is_err());
        let everyone =
            SiteConfig::parse("[auth]\ntrusted_proxies = [\"0.0.0.0/0\"]\n").expect("valid");
        assert!(everyone.auth.trusts("203.0.113.9".parse().expect("ip")));
    }

    #[test]
    fn mapped_and_spaced_entries_match_only_their_addresses() {
        let c = SiteConfig::parse(
            "[auth]\ntrusted_proxies = [\"::ffff:10.0.0.1\", \"::ffff:192.0.2.0/120\", \" 198.51.100.0 / 24 \"]\n",
        )
        .expect("valid");
        let trusts = |ip: &str| c.auth.trusts(ip.parse().expect("ip"));
        assert!(trusts("10.0.0.1") && trusts("::ffff:10.0.0.1"));
        assert!(trusts("192.0.2.200") && trusts("198.51.100.7"));
        // A mapped single address once matched every peer (a prefix of 128 on an IPv4 network).
        assert!(!trusts("10.0.0.2") && !trusts("203.0.113.9") && !trusts("2001:db8::1"));
    }

    #[test]
    fn search_switches_default_on_and_unknown_keys_are_refused() {
        let d = SiteConfig::default().search;
        assert!(d.semantic && d.click_feedback);
        let c = SiteConfig::parse("[search]\nsemantic = false\n").expect("parses");
        assert!(!c.search.semantic && c.search.click_feedback);
        let err = SiteConfig::parse("[search]\nsemantics = false\n").expect_err("unknown key");
        assert!(err.message.contains("semantics"), "{}", err.message);
    }

    #[test]
    fn search_log_bounds_default_and_are_checked() {
        let d = SiteConfig::default().search_log;
        assert_eq!((d.retention_days, d.max_rows), (180, 200_000));
        let c = SiteConfig::parse("[search_log]\nretention_days = 30\nmax_rows = 500\n")
            .expect("valid");
        assert_eq!(
            (c.search_log.retention_days, c.search_log.max_rows),
            (30, 500)
        );
        assert!(SiteConfig::parse("[search_log]\nmax_rows = 0\n").is_err());
        assert!(SiteConfig::parse("[search_log]\nkeep = 1\n").is_err());
    }

    #[test]
    fn edit_link_fills_in_the_path() {
        let c = SiteConfig::parse("edit_url = \"https://git/x/{path}\"").expect("valid");
        assert_eq!(
            c.edit_link("guides/a.md").as_deref(),
            Some("https://git/x/guides/a.md")
        );
    }
}
