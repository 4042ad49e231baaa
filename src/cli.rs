//! Command-line interface (clap derive): the doc comments are the help text.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::check::CheckFormat;
use crate::server_config::{self, KEYS, LogFormat, Origin, Raw, RawSettings, ServerSettings};
use crate::store::DatabaseUrl;
use crate::web::{self, ServeOptions};

mod accounts;
pub mod address;
mod checking;
pub mod errors;
mod existing;
mod generated;
mod importing;
pub mod logging;
mod migrate_store;

use existing::Missing;

/// A knowledge base and learning platform for platform-engineering teams.
#[derive(Debug, Parser)]
#[command(name = "selfserve", version, about)]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
// One value, parsed once at start: `serve`'s many settings (the OpenID ones too) cost nothing
// worth boxing.
#[allow(clippy::large_enum_variant)]
pub enum Command {
    /// Serve the site (the default command).
    Serve(ServeArgs),
    /// Validate a content folder without serving it; exit 1 when it has errors, 2 when the
    /// folder cannot be read or holds no Markdown file. Problems go to stdout, one line each;
    /// a one-line summary to stderr.
    Check {
        /// The content folder (default `content`). A folder holding `site.toml` is the
        /// content root; a repository whose `content/site.toml` exists means its `content/`.
        dir: Option<PathBuf>,
        /// The content folder, as the other commands take it (same as DIR; give one).
        #[arg(long, value_name = "DIR")]
        content: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
    },
    /// Start a content repository in DIR (new or empty): site.toml, one example of each kind,
    /// CI jobs for GitLab and GitHub running `selfserve check`, a README. Never overwrites.
    Init {
        /// The folder to create or fill; it must be empty.
        dir: PathBuf,
    },
    /// Bring a site written for another tool into a new content folder (`import mkdocs`).
    Import(importing::ImportArgs),
    /// Print a shell completion script (e.g. `selfserve completions bash >
    /// /etc/bash_completion.d/selfserve`).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page in roff (e.g. `selfserve man > selfserve.1; man ./selfserve.1`).
    Man,
    /// Manage accounts: add, list, disable, enable, reset passwords, grant admin.
    User(UserArgs),
    /// Manage API tokens (for scripts and provisioning systems).
    Token(TokenArgs),
    /// Write a consistent copy of the database to FILE; safe while the server runs.
    Backup {
        /// Where to write the copy.
        file: PathBuf,
        /// Replace FILE when it exists.
        #[arg(long)]
        force: bool,
        /// Where the database lives.
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// The database, when not `selfserve.db` in --data (see `serve --help`). PostgreSQL
        /// is refused: back it up with pg_dump.
        #[arg(long, value_name = "URL")]
        database: Option<String>,
    },
    /// Export data for other systems, to stdout.
    Export(ExportArgs),
    /// Copy every record from one database to another (SQLite to PostgreSQL or back), then
    /// compare row counts and checksums per table. The target must hold no records.
    MigrateStore {
        /// The database to copy from: sqlite://PATH (must exist) or postgres://…
        #[arg(long, value_name = "URL")]
        from: String,
        /// The database to copy into: sqlite://PATH (created when missing) or postgres://…
        #[arg(long, value_name = "URL")]
        to: String,
    },
}

/// Options of `export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// What to export.
    #[command(subcommand)]
    pub command: ExportCommand,
}

/// The `export` subcommands.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// The learner × resource qualification matrix: one row per pair with status, expiry
    /// (RFC 3339) and the modules still missing.
    Qualifications {
        /// Output format.
        #[arg(long, value_enum, default_value_t = crate::export::Format::Csv)]
        format: crate::export::Format,
        /// Judge as of this date (YYYY-MM-DD, the end of that day in UTC) or RFC 3339 time,
        /// for audits; now when omitted.
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        /// Where the database lives.
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// The database, when not `selfserve.db` in --data (see `serve --help`).
        #[arg(long, value_name = "URL")]
        database: Option<String>,
        /// The content folder.
        #[arg(long, default_value = "content")]
        content: PathBuf,
    },
}

/// Options of `user`.
#[derive(Debug, clap::Args)]
pub struct UserArgs {
    /// Where the database lives.
    #[arg(long, default_value = "data", global = true)]
    pub data: PathBuf,
    /// The database, when not `selfserve.db` in --data (see `serve --help`).
    #[arg(long, value_name = "URL", global = true)]
    pub database: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: UserCommand,
}

/// The `user` subcommands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a learner account. Without --password-stdin it has no password and signs in
    /// through the single-sign-on proxy or with API tokens.
    Add {
        /// The user name: letters, digits, `.`, `_`, `-`, `@`, `+` (e-mail addresses work);
        /// stored lowercased, so `Alice` and `alice` are the same account.
        name: String,
        /// Make the account an admin (sees every learner, the qualification matrix, insights).
        #[arg(long)]
        admin: bool,
        /// Read the password from standard input (one line; the trailing newline is dropped).
        #[arg(long)]
        password_stdin: bool,
    },
    /// List every account.
    List,
    /// Stop an account from signing in; ends its sessions and revokes its API tokens.
    Disable {
        /// The user name.
        name: String,
    },
    /// Let a disabled account sign in again (its revoked tokens stay revoked).
    Enable {
        /// The user name.
        name: String,
    },
    /// Set a new password (read from standard input); ends the account's sessions.
    Passwd {
        /// The user name.
        name: String,
        /// Read the password from standard input (required: passwords never go in arguments).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Grant the admin role, or take it away with --revoke.
    Admin {
        /// The user name.
        name: String,
        /// Take the role away instead.
        #[arg(long)]
        revoke: bool,
    },
}

/// Options of `token`.
#[derive(Debug, clap::Args)]
pub struct TokenArgs {
    /// Where the database lives.
    #[arg(long, default_value = "data", global = true)]
    pub data: PathBuf,
    /// The database, when not `selfserve.db` in --data (see `serve --help`).
    #[arg(long, value_name = "URL", global = true)]
    pub database: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: TokenCommand,
}

/// The `token` subcommands.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token for an account and print it on stdout, alone; it is shown only once.
    Create {
        /// The account the token acts as.
        name: String,
        /// A label to recognise the token by in `token list`.
        #[arg(long, default_value = "cli")]
        label: String,
    },
    /// List an account's tokens (never the tokens themselves).
    List {
        /// The user name.
        name: String,
    },
    /// Revoke a token by the id `token list` shows.
    Revoke {
        /// The token's id.
        id: i64,
    },
}

/// Options of `serve`. Each also comes from its `SELFSERVE_*` variable or the config file;
/// a flag wins over its variable, a variable over the file, the file over the default.
/// Values stay text here so a bad one is a sentence naming its flag, variable or file line
/// (see `server_config`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ServeArgs {
    /// A server config file: TOML with the keys content, data, database, addr, watch,
    /// log_format, semantic, metrics, metrics_token, webhook_url, webhook_secret (separate from the content's site.toml).
    #[arg(long, env = "SELFSERVE_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The content folder [default: content].
    #[arg(long, env = "SELFSERVE_CONTENT", value_name = "DIR")]
    pub content: Option<String>,
    /// Where the database and other state live (the search index and the semantic cache
    /// stay here when --database names another database) [default: data].
    #[arg(long, env = "SELFSERVE_DATA", value_name = "DIR")]
    pub data: Option<String>,
    /// The database: sqlite://PATH or postgres://USER:PASSWORD@HOST/NAME (several servers
    /// can share one PostgreSQL database) [default: sqlite://DATA/selfserve.db].
    #[arg(long, env = DATABASE_ENV, value_name = "URL")]
    pub database: Option<String>,
    /// Address to listen on: IP:PORT or HOST:PORT (a host name is resolved; the server
    /// listens on its first IPv4 address, else its first address) [default: 127.0.0.1:8080].
    #[arg(long, env = "SELFSERVE_ADDR", value_name = "HOST:PORT")]
    pub addr: Option<String>,
    /// Reload content when files change (`--watch`, or `--watch=off` over the variable or
    /// the file).
    #[arg(
        long,
        env = "SELFSERVE_WATCH",
        value_name = "on|off",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "on"
    )]
    pub watch: Option<String>,
    /// Log lines as `text` or `json` (one JSON object per line, the start-up lines and the
    /// access log too) [default: text].
    #[arg(long, env = "SELFSERVE_LOG_FORMAT", value_name = "text|json")]
    pub log_format: Option<String>,
    /// The semantic search leg (`off` keeps search lexical) [default: on].
    #[arg(long, env = "SELFSERVE_SEMANTIC", value_name = "on|off")]
    pub semantic: Option<String>,
    /// Sign-in through an OpenID provider: its issuer URL (turns the sign-in button on).
    #[arg(long, env = "SELFSERVE_OIDC_ISSUER", value_name = "URL")]
    pub oidc_issuer: Option<String>,
    /// The client id registered at the OpenID provider.
    #[arg(long, env = "SELFSERVE_OIDC_CLIENT_ID", value_name = "ID")]
    pub oidc_client_id: Option<String>,
    /// The client secret registered at the OpenID provider (prefer the variable or the
    /// config file: a flag is visible to other users of the machine).
    #[arg(
        long,
        env = "SELFSERVE_OIDC_CLIENT_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    pub oidc_client_secret: Option<String>,
    /// This server's callback as registered at the provider: its public address followed
    /// by /sign-in/oidc/callback.
    #[arg(long, env = "SELFSERVE_OIDC_REDIRECT_URL", value_name = "URL")]
    pub oidc_redirect_url: Option<String>,
    /// Members of this group (in the groups claim) are admins, others are not, at each
    /// sign-in through the provider [default: admin status is left to `selfserve user`].
    #[arg(long, env = "SELFSERVE_OIDC_ADMIN_GROUP", value_name = "GROUP")]
    pub oidc_admin_group: Option<String>,
    /// The ID token claim listing the user's groups [default: groups].
    #[arg(long, env = "SELFSERVE_OIDC_GROUPS_CLAIM", value_name = "CLAIM")]
    pub oidc_groups_claim: Option<String>,
    /// The provider's name on the sign-in button [default: the issuer's host].
    #[arg(long, env = "SELFSERVE_OIDC_PROVIDER_NAME", value_name = "NAME")]
    pub oidc_provider_name: Option<String>,
    /// Count requests for GET /metrics (`off` leaves the counting out) [default: on].
    #[arg(long, env = "SELFSERVE_METRICS", value_name = "on|off")]
    pub metrics: Option<String>,
    /// The token a Prometheus scraper sends to GET /metrics as `Authorization: Bearer`
    /// (16 characters or more); prefer the variable or the config file, which `ps` does not show.
    #[arg(
        long,
        env = "SELFSERVE_METRICS_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub metrics_token: Option<String>,
    /// Where webhook messages are POSTed (qualifications granted, expiring and expired, help
    /// requests created and answered); needs --webhook-secret.
    #[arg(long, env = "SELFSERVE_WEBHOOK_URL", value_name = "URL")]
    pub webhook_url: Option<String>,
    /// The webhook signing secret, `whsec_` and base64 (Standard Webhooks); prefer the
    /// variable or the config file to the flag, which other users can see.
    #[arg(
        long,
        env = "SELFSERVE_WEBHOOK_SECRET",
        value_name = "whsec_…",
        hide_env_values = true
    )]
    pub webhook_secret: Option<String>,
    /// The settings clap took from their environment variables (named in error sentences).
    #[arg(skip)]
    pub from_environment: Vec<&'static str>,
}

impl ServeArgs {
    /// The command line's layer of the server settings.
    fn raw_settings(&self) -> RawSettings {
        let mut raw = RawSettings::default();
        let given = [
            ("content", &self.content),
            ("data", &self.data),
            ("database", &self.database),
            ("addr", &self.addr),
            ("watch", &self.watch),
            ("log_format", &self.log_format),
            ("semantic", &self.semantic),
            ("oidc_issuer", &self.oidc_issuer),
            ("oidc_client_id", &self.oidc_client_id),
            ("oidc_client_secret", &self.oidc_client_secret),
            ("oidc_redirect_url", &self.oidc_redirect_url),
            ("oidc_admin_group", &self.oidc_admin_group),
            ("oidc_groups_claim", &self.oidc_groups_claim),
            ("oidc_provider_name", &self.oidc_provider_name),
            ("metrics", &self.metrics),
            ("metrics_token", &self.metrics_token),
            ("webhook_url", &self.webhook_url),
            ("webhook_secret", &self.webhook_secret),
        ];
        for (name, value) in given {
            let (Some(text), Some(key)) = (value, KEYS.iter().find(|k| k.name == name)) else {
                continue;
            };
            let origin = if self.from_environment.contains(&name) {
                Origin::Env(key.env)
            } else {
                Origin::Flag(key.flag)
            };
            raw.set(
                name,
                Raw {
                    text: text.clone(),
                    origin,
                },
            );
        }
        raw
    }

    /// Merges the flags and variables with the config file and the defaults.
    pub fn settings(&self) -> anyhow::Result<ServerSettings> {
        let file = match &self.config {
            Some(path) => server_config::read_file(path)?,
            None => RawSettings::default(),
        };
        Ok(server_config::resolve(self.raw_settings(), file)?)
    }
}

/// Parses the command line; no command means `serve`, its variables read all the same.
pub fn parse() -> Cli {
    use clap::{CommandFactory, FromArgMatches};
    let mut matches = match Cli::command().try_get_matches() {
        Ok(matches) => matches,
        Err(err) => refuse_arguments(err),
    };
    if matches.subcommand().is_none() {
        matches = Cli::command().get_matches_from(["selfserve", "serve"]);
    }
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|err| err.exit());
    if let (Some(Command::Serve(args)), Some(("serve", serve))) =
        (&mut cli.command, matches.subcommand())
    {
        args.from_environment = KEYS
            .iter()
            .filter(|k| serve.value_source(k.name) == Some(clap::parser::ValueSource::EnvVariable))
            .map(|k| k.name)
            .collect();
    }
    cli
}

/// Ends the program for arguments clap refused. Help and the version are for people and are
/// printed as clap prints them; a mistake is one JSON error line when the logs are JSON (so a
/// log collector sees why the server never started), else clap's own text. Exit code 2.
fn refuse_arguments(err: clap::Error) -> ! {
    use clap::error::ErrorKind;
    let for_people = matches!(
        err.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    );
    let variable = std::env::var("SELFSERVE_LOG_FORMAT").ok();
    let args: Vec<String> = std::env::args().collect();
    if for_people || !logs_are_json(&args, variable.as_deref()) {
        err.exit();
    }
    logging::init(LogFormat::Json);
    let text = err.render().to_string();
    // The error and its tip; the usage lines after them are for a terminal.
    let sentence = text
        .lines()
        .map(str::trim)
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    logging::failure(sentence.trim_start_matches("error: "));
    std::process::exit(2)
}

/// Whether the command line or `SELFSERVE_LOG_FORMAT` asks for JSON logs, judged without
/// clap (which has just refused the arguments): the flag wins over the variable.
fn logs_are_json(args: &[String], variable: Option<&str>) -> bool {
    let mut flag = None;
    let mut words = args.iter().skip(1);
    while let Some(word) = words.next() {
        if let Some(value) = word.strip_prefix("--log-format=") {
            flag = Some(value.to_owned());
        } else if word == "--log-format" {
            flag = words.next().cloned();
        }
    }
    flag.as_deref()
        .or(variable)
        .is_some_and(|f| f.trim() == "json")
}

/// The environment variable naming the database when `--database` is not given.
pub const DATABASE_ENV: &str = "SELFSERVE_DATABASE";

/// The database a command uses: `--database`, else `SELFSERVE_DATABASE`, else
/// `selfserve.db` in the data folder (as before there was a choice).
fn database_url(flag: Option<&str>, data: &Path) -> anyhow::Result<DatabaseUrl> {
    let from_env = std::env::var(DATABASE_ENV).ok();
    match flag.or(from_env.as_deref()).map(str::trim) {
        Some(text) if !text.is_empty() => DatabaseUrl::parse(text).map_err(anyhow::Error::msg),
        _ => Ok(DatabaseUrl::in_data_dir(data)),
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let command = cli.command.unwrap_or(Command::Serve(ServeArgs::default()));
    if !matches!(command, Command::Serve(_)) {
        logging::init(LogFormat::Text);
    }
    match command {
        Command::Serve(args) => {
            let settings = args.settings()?;
            logging::init(settings.log_format);
            web::serve(ServeOptions {
                content: settings.content,
                data: settings.data,
                database: settings.database,
                addr: settings.addr,
                watch: settings.watch,
                semantic: settings.semantic,
                oidc: settings.oidc,
                metrics: settings.metrics,
                metrics_token: settings.metrics_token,
                webhook: settings.webhook,
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Check {
            dir,
            content,
            format,
        } => checking::run(dir, content, format),
        Command::Init { dir } => {
            let written = crate::init::scaffold(&dir)?;
            eprintln!(
                "created a content repository in {} ({} files); try `selfserve check {}` and `selfserve serve --content {}`",
                dir.display(),
                written.len(),
                dir.display(),
                dir.display(),
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(args) => importing::run(args),
        Command::Completions { shell } => generated::completions(shell),
        Command::Man => generated::man_page(),
        Command::User(args) => accounts::run_user(args),
        Command::Token(args) => accounts::run_token(args),
        Command::Backup {
            file,
            force,
            data,
            database,
        } => {
            let url = existing::require(
                database_url(database.as_deref(), &data)?,
                &data,
                Missing::Refuse,
            )?;
            crate::store::backup::backup_database(&url, &file, force)?;
            eprintln!("wrote a backup of {url} to {}", file.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Export(args) => run_export(args),
        Command::MigrateStore { from, to } => migrate_store::run(&from, &to),
    }
}

fn run_export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        ExportCommand::Qualifications {
            format,
            as_of,
            data,
            database,
            content,
        } => {
            let database = existing::require(
                database_url(database.as_deref(), &data)?,
                &data,
                Missing::Refuse,
            )?;
            // Parsed here rather than by clap so a bad date is one sentence and exit 1, like
            // every other input error of the command line.
            let as_of = as_of
                .as_deref()
                .map(crate::export::parse_as_of)
                .transpose()
                .map_err(anyhow::Error::msg)?;
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            crate::export::export_qualifications(&content, &database, format, as_of, &mut out)?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Prints left-aligned columns separated by two spaces.
fn print_table<const N: usize>(header: [&str; N], rows: &[[String; N]]) -> std::io::Result<()> {
    let mut widths = header.map(str::len);
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = std::io::stdout().lock();
    let mut line = |cells: [&str; N]| -> std::io::Result<()> {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        writeln!(out, "{}", padded.join("  ").trim_end())
    };
    line(header)?;
    for row in rows {
        line(row.each_ref().map(String::as_str))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn json_logs_are_asked_by_the_flag_or_else_the_variable() {
        let args = |words: &[&str]| -> Vec<String> {
            std::iter::once("selfserve")
                .chain(words.iter().copied())
                .map(str::to_owned)
                .collect()
        };
        assert!(logs_are_json(
            &args(&["serve", "--log-format", "json", "--bogus"]),
            None
        ));
        assert!(logs_are_json(&args(&["--log-format=json"]), Some("text")));
        assert!(logs_are_json(&args(&["serve", "--bogus"]), Some("json")));
        assert!(!logs_are_json(
            &args(&["--log-format", "text"]),
            Some("json")
        ));
        assert!(!logs_are_json(&args(&["serve", "--log-format"]), None));
        assert!(!logs_are_json(&args(&["serve"]), None));
    }
}
