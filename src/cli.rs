//! Command-line interface (clap derive): the doc comments are the help text.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::check::{self, CheckFormat};
use crate::store::{DatabaseUrl, Store, TokenId, UserName};
use crate::web::{self, ServeOptions};

mod migrate_store;

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
pub enum Command {
    /// Serve the site (the default command).
    Serve(ServeArgs),
    /// Validate a content folder without serving it; exit 1 when it has errors.
    Check {
        /// The content folder.
        #[arg(default_value = "content")]
        dir: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
    },
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

/// Options of `serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// The content folder.
    #[arg(long, default_value = "content")]
    pub content: PathBuf,
    /// Where the database and other state live (the search index and the semantic cache
    /// stay here when --database names another database).
    #[arg(long, default_value = "data")]
    pub data: PathBuf,
    /// The database: sqlite://PATH or postgres://USER:PASSWORD@HOST/NAME (several servers
    /// can share one PostgreSQL database). Also read from SELFSERVE_DATABASE; by default
    /// sqlite://DATA/selfserve.db.
    #[arg(long, value_name = "URL")]
    pub database: Option<String>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Reload content when files change.
    #[arg(long)]
    pub watch: bool,
}

impl Default for ServeArgs {
    fn default() -> Self {
        Self {
            content: PathBuf::from("content"),
            data: PathBuf::from("data"),
            database: None,
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            watch: false,
        }
    }
}

/// The server's semantic-search switch from `SELFSERVE_SEMANTIC` (unset: on).
fn semantic_switch(raw: Option<&str>) -> anyhow::Result<bool> {
    match raw.map(|r| r.trim().to_ascii_lowercase()).as_deref() {
        None | Some("" | "on" | "1" | "true") => Ok(true),
        Some("off" | "0" | "false") => Ok(false),
        Some(other) => anyhow::bail!(
            "SELFSERVE_SEMANTIC is `{other}`; set it to `on` or `off` (or leave it unset for on)"
        ),
    }
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

/// Starts logging to stderr; `RUST_LOG` overrides the default `info` level.
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command.unwrap_or(Command::Serve(ServeArgs::default())) {
        Command::Serve(args) => {
            let database = database_url(args.database.as_deref(), &args.data)?;
            web::serve(ServeOptions {
                content: args.content,
                data: args.data,
                database,
                addr: args.addr,
                watch: args.watch,
                semantic: semantic_switch(std::env::var("SELFSERVE_SEMANTIC").ok().as_deref())?,
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { dir, format } => match check::check(&dir) {
            Ok(report) => {
                let stdout = std::io::stdout();
                let stderr = std::io::stderr();
                check::write_report(&report, format, &mut stdout.lock(), &mut stderr.lock())?;
                Ok(if report.errors() > 0 {
                    ExitCode::from(1)
                } else {
                    ExitCode::SUCCESS
                })
            }
            Err(err) => {
                let _ = writeln!(std::io::stderr(), "error: {err}");
                Ok(ExitCode::from(2))
            }
        },
        Command::User(args) => run_user(args),
        Command::Token(args) => run_token(args),
        Command::Backup {
            file,
            force,
            data,
            database,
        } => {
            let url = database_url(database.as_deref(), &data)?;
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
            let database = database_url(database.as_deref(), &data)?;
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

fn parse_name(raw: &str) -> anyhow::Result<UserName> {
    UserName::parse(raw).map_err(anyhow::Error::msg)
}

/// The database of `user` and `token`, created when missing (the first `user add` before
/// the first `serve` sets a site up).
fn open_store(data: &Path, database: Option<&str>) -> anyhow::Result<Store> {
    Ok(Store::connect(&database_url(database, data)?)?)
}

/// Reads a password from stdin: everything up to the end, minus one trailing line break.
fn password_from_stdin() -> anyhow::Result<String> {
    let mut raw = String::new();
    std::io::stdin()
        .read_to_string(&mut raw)
        .context("cannot read the password from standard input")?;
    let password = raw
        .strip_suffix('\n')
        .map(|p| p.strip_suffix('\r').unwrap_or(p))
        .unwrap_or(&raw);
    if password.is_empty() {
        anyhow::bail!(
            "the password on standard input is empty; pipe one in, e.g. `printf %s \"$PW\" | selfserve user add NAME --password-stdin`"
        );
    }
    Ok(password.to_owned())
}

fn run_user(args: UserArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        UserCommand::Add {
            name,
            admin,
            password_stdin,
        } => {
            let name = parse_name(&name)?;
            // Read stdin before touching the database, so a bad password changes nothing.
            let password = password_stdin.then(password_from_stdin).transpose()?;
            let user = open_store(&args.data, args.database.as_deref())?.create_user(
                &name,
                admin,
                password.as_deref(),
            )?;
            let role = if user.is_admin { "admin" } else { "learner" };
            if user.has_password {
                eprintln!("created {role} {}", user.name);
            } else {
                eprintln!(
                    "created {role} {} without a password: it signs in through the single-sign-on proxy or with an API token (selfserve token create {})",
                    user.name, user.name
                );
            }
        }
        UserCommand::List => {
            let users = open_store(&args.data, args.database.as_deref())?.list_users()?;
            let rows: Vec<[String; 5]> = users
                .iter()
                .map(|u| {
                    [
                        u.name.to_string(),
                        yes_no(u.is_admin),
                        yes_no(u.disabled),
                        u.source.as_str().to_owned(),
                        format_time(u.created_at),
                    ]
                })
                .collect();
            print_table(["NAME", "ADMIN", "DISABLED", "SOURCE", "CREATED"], &rows)?;
        }
        UserCommand::Disable { name } => {
            let done = open_store(&args.data, args.database.as_deref())?
                .disable_user(&parse_name(&name)?)?;
            eprintln!(
                "disabled {}; revoked {} and {}",
                done.user.name,
                plural(done.sessions, "session", "sessions"),
                plural(done.tokens, "API token", "API tokens"),
            );
        }
        UserCommand::Enable { name } => {
            let user = open_store(&args.data, args.database.as_deref())?
                .enable_user(&parse_name(&name)?)?;
            eprintln!(
                "enabled {name}; the sessions and API tokens revoked when it was disabled stay revoked: it signs in again, and new tokens must be created (selfserve token create {name})",
                name = user.name
            );
        }
        UserCommand::Passwd { name, .. } => {
            let name = parse_name(&name)?;
            let password = password_from_stdin()?;
            let user =
                open_store(&args.data, args.database.as_deref())?.set_password(&name, &password)?;
            eprintln!(
                "set a new password for {}; its sessions are ended",
                user.name
            );
        }
        UserCommand::Admin { name, revoke } => {
            let user = open_store(&args.data, args.database.as_deref())?
                .set_admin(&parse_name(&name)?, !revoke)?;
            let now = if user.is_admin {
                "an admin"
            } else {
                "a learner"
            };
            eprintln!("{} is now {now}", user.name);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn run_token(args: TokenArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        TokenCommand::Create { name, label } => {
            let name = parse_name(&name)?;
            let (id, token) =
                open_store(&args.data, args.database.as_deref())?.create_token(&name, &label)?;
            // stdout carries the token and nothing else, so `TOKEN=$(selfserve token create x)`
            // works; everything for people goes to stderr.
            let mut stdout = std::io::stdout().lock();
            writeln!(stdout, "{token}")?;
            stdout.flush()?;
            eprintln!("created API token {id} for {name}; it is shown only this once");
        }
        TokenCommand::List { name } => {
            let tokens = open_store(&args.data, args.database.as_deref())?
                .list_tokens(&parse_name(&name)?)?;
            let never = || "never".to_owned();
            let rows: Vec<[String; 5]> = tokens
                .iter()
                .map(|t| {
                    [
                        t.id.to_string(),
                        t.label.clone(),
                        format_time(t.created_at),
                        t.last_used.map_or_else(never, format_time),
                        t.revoked_at.map_or_else(|| "-".to_owned(), format_time),
                    ]
                })
                .collect();
            print_table(["ID", "LABEL", "CREATED", "LAST USED", "REVOKED"], &rows)?;
        }
        TokenCommand::Revoke { id } => {
            if open_store(&args.data, args.database.as_deref())?.revoke_token(TokenId(id))? {
                eprintln!("revoked API token {id}");
            } else {
                eprintln!("API token {id} was already revoked");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `1 session`, `2 sessions`.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_owned()
}

/// A time as `YYYY-MM-DD HH:MM` UTC: enough for a table, sortable as text.
fn format_time(t: time::OffsetDateTime) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    t.format(&format).unwrap_or_else(|_| t.to_string())
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
}
