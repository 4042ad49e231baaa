//! Unit tests of the server settings: the precedence of the four sources, the config file's
//! refusals with line and column, and sentences naming where a bad value was written.

use super::*;

fn flag(name: &'static str, text: &str) -> (&'static str, Raw) {
    let key = KEYS.iter().find(|k| k.name == name).expect("a key");
    (
        name,
        Raw {
            text: text.into(),
            origin: Origin::Flag(key.flag),
        },
    )
}

fn env(name: &'static str, text: &str) -> (&'static str, Raw) {
    let key = KEYS.iter().find(|k| k.name == name).expect("a key");
    (
        name,
        Raw {
            text: text.into(),
            origin: Origin::Env(key.env),
        },
    )
}

fn layer(values: &[(&'static str, Raw)]) -> RawSettings {
    let mut settings = RawSettings::default();
    for (name, raw) in values {
        settings.set(name, raw.clone());
    }
    settings
}

fn file(text: &str) -> RawSettings {
    parse_file(Path::new("server.toml"), text).expect("parses")
}

/// What the command line carries, the config file's text, the expected address.
type Case = (Vec<(&'static str, Raw)>, &'static str, &'static str);

#[test]
fn the_first_source_that_says_something_wins() {
    // (what the command line carries — clap puts a flag before its variable —, the file, the
    // expected address)
    let cases: [Case; 5] = [
        (vec![], "", "127.0.0.1:8080"),
        (vec![], "addr = \"127.0.0.1:9001\"", "127.0.0.1:9001"),
        (
            vec![env("addr", "127.0.0.1:9002")],
            "addr = \"127.0.0.1:9001\"",
            "127.0.0.1:9002",
        ),
        (
            vec![flag("addr", "127.0.0.1:9003")],
            "addr = \"127.0.0.1:9001\"",
            "127.0.0.1:9003",
        ),
        (vec![flag("addr", "127.0.0.1:9003")], "", "127.0.0.1:9003"),
    ];
    for (command_line, text, expected) in cases {
        let settings = resolve(layer(&command_line), file(text)).expect("valid");
        assert_eq!(
            settings.addr.to_string(),
            expected,
            "{command_line:?} {text}"
        );
    }
}

#[test]
fn each_setting_falls_back_on_its_own() {
    let settings = resolve(
        layer(&[env("log_format", "json"), flag("watch", "on")]),
        file("data = \"/srv/data\"\nwatch = false\nsemantic = false\ncontent = \"/srv/content\"\n"),
    )
    .expect("valid");
    assert_eq!(settings.log_format, LogFormat::Json);
    assert!(settings.watch, "the flag beats the file");
    assert!(!settings.semantic);
    assert_eq!(settings.content, PathBuf::from("/srv/content"));
    assert_eq!(settings.data, PathBuf::from("/srv/data"));
    assert_eq!(
        settings.database,
        DatabaseUrl::in_data_dir(Path::new("/srv/data")),
        "the database follows the data folder"
    );
}

#[test]
fn defaults_are_the_documented_ones() {
    let settings = resolve(RawSettings::default(), RawSettings::default()).expect("valid");
    assert_eq!(settings.content, PathBuf::from("content"));
    assert_eq!(settings.data, PathBuf::from("data"));
    assert_eq!(settings.addr.to_string(), "127.0.0.1:8080");
    assert!(!settings.watch);
    assert!(settings.semantic);
    assert_eq!(settings.log_format, LogFormat::Text);
}

#[test]
fn a_bad_value_names_its_variable_flag_or_line() {
    let bad = |command_line: RawSettings, text: &str| {
        resolve(command_line, file(text))
            .expect_err("refused")
            .to_string()
    };
    let said = bad(layer(&[env("addr", "nowhere")]), "");
    assert!(said.starts_with("SELFSERVE_ADDR is `nowhere`;"), "{said}");
    assert!(said.contains("HOST:PORT"), "{said}");
    let said = bad(layer(&[env("log_format", "yaml")]), "");
    assert_eq!(
        said,
        "SELFSERVE_LOG_FORMAT is `yaml`; write `text` or `json`"
    );
    let said = bad(layer(&[flag("watch", "maybe")]), "");
    assert_eq!(said, "--watch is `maybe`; write `on` or `off`");
    let said = bad(layer(&[env("semantic", "sometimes")]), "");
    assert!(
        said.starts_with("SELFSERVE_SEMANTIC is `sometimes`"),
        "{said}"
    );
    let said = bad(RawSettings::default(), "\n\nlog_format = \"xml\"\n");
    assert_eq!(
        said,
        "server.toml:3:14: `log_format` is `xml`; write `text` or `json`"
    );
    let said = bad(layer(&[env("database", "mysql://u:secret@h/db")]), "");
    assert!(said.starts_with("SELFSERVE_DATABASE: "), "{said}");
    assert!(!said.contains("secret"), "no password in a message: {said}");
}

#[test]
fn unknown_keys_and_wrong_kinds_are_refused_with_line_and_column() {
    let refused = |text: &str| {
        parse_file(Path::new("/etc/selfserve.toml"), text)
            .expect_err("refused")
            .to_string()
    };
    let said = refused("addr = \"127.0.0.1:80\"\nadress = \"x\"\n");
    assert!(said.starts_with("/etc/selfserve.toml:2:1: "), "{said}");
    assert!(said.contains("`adress`"), "the key is named: {said}");
    assert!(said.contains("`addr`"), "the keys it takes: {said}");
    let said = refused("watch = [1]\n");
    assert!(said.starts_with("/etc/selfserve.toml:1:9: "), "{said}");
    assert!(said.contains("write a string"), "{said}");
    let said = refused("addr = \n");
    assert!(said.starts_with("/etc/selfserve.toml:1:"), "{said}");
}

#[test]
fn a_missing_file_is_a_sentence_naming_it() {
    let said = read_file(Path::new("/no/such/selfserve.toml"))
        .expect_err("missing")
        .to_string();
    assert!(
        said.starts_with("the server config file /no/such/selfserve.toml does not exist"),
        "{said}"
    );
}

#[test]
fn every_key_has_its_flag_and_variable() {
    for key in KEYS {
        assert_eq!(key.flag, format!("--{}", key.name.replace('_', "-")));
        assert_eq!(
            key.env,
            format!("SELFSERVE_{}", key.name.to_ascii_uppercase())
        );
    }
}

#[test]
fn metrics_are_on_without_a_token_by_default() {
    let settings = resolve(RawSettings::default(), RawSettings::default()).expect("defaults");
    assert!(settings.metrics);
    assert_eq!(settings.metrics_token, None);
}

#[test]
fn a_metrics_token_comes_from_the_file_and_is_never_shown() {
    let token = "0123456789abcdef0123";
    let settings = resolve(
        RawSettings::default(),
        file(&format!("metrics = false\nmetrics_token = \"{token}\"\n")),
    )
    .expect("valid");
    assert!(!settings.metrics);
    assert_eq!(
        settings.metrics_token.as_ref().map(Secret::expose),
        Some(token)
    );
    assert!(!format!("{settings:?}").contains(token));
}

#[test]
fn a_short_metrics_token_is_refused_without_echoing_it() {
    let said = resolve(
        layer(&[env("metrics_token", "hunter2")]),
        RawSettings::default(),
    )
    .expect_err("refused")
    .to_string();
    assert!(
        said.starts_with("SELFSERVE_METRICS_TOKEN is shorter than 16"),
        "{said}"
    );
    assert!(!said.contains("hunter2"), "{said}");
}

#[test]
fn a_webhook_receiver_needs_a_url_and_a_secret_in_the_specification_form() {
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let none = resolve(RawSettings::default(), RawSettings::default()).expect("valid");
    assert_eq!(none.webhook, None);
    let set = resolve(
        layer(&[env("webhook_url", "https://hooks.example.com/s")]),
        file(&format!("webhook_secret = \"{SECRET}\"\n")),
    )
    .expect("valid");
    let endpoint = set.webhook.expect("a receiver");
    assert_eq!(endpoint.url, "https://hooks.example.com/s");
    assert_eq!(
        endpoint.secret,
        crate::webhooks::Secret::parse(SECRET).expect("secret")
    );

    let bad = |command_line: RawSettings, text: &str| {
        resolve(command_line, file(text))
            .expect_err("refused")
            .to_string()
    };
    let said = bad(
        layer(&[
            env("webhook_url", "https://hooks.example.com/s"),
            env("webhook_secret", "hunter2-not-base64!"),
        ]),
        "",
    );
    assert!(
        said.starts_with("SELFSERVE_WEBHOOK_SECRET is not a usable webhook secret; "),
        "{said}"
    );
    assert!(
        said.contains("whsec_") && !said.contains("hunter2"),
        "{said}"
    );
    let said = bad(
        layer(&[env("webhook_secret", SECRET)]),
        "webhook_url = \"hooks.example.com\"\n",
    );
    assert!(
        said.starts_with("server.toml:1:15: `webhook_url` is `hooks.example.com`; write the receiver's address as an http:// or https:// URL"),
        "{said}"
    );
    let said = bad(
        layer(&[env("webhook_url", "https://hooks.example.com/s")]),
        "",
    );
    assert!(
        said.starts_with("SELFSERVE_WEBHOOK_URL names a webhook receiver but the signing secret"),
        "{said}"
    );
    assert!(said.contains("SELFSERVE_WEBHOOK_SECRET"), "{said}");
}
