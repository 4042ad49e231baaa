//! `selfserve user` and `selfserve token`: accounts and API tokens from the command line.

use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

use super::existing::{self, Missing};
use super::{TokenArgs, TokenCommand, UserArgs, UserCommand, database_url, print_table};
use crate::store::accounts::MIN_CHOSEN_PASSWORD_CHARS;
use crate::store::{Store, TokenId, UserName};

fn parse_name(raw: &str) -> anyhow::Result<UserName> {
    UserName::parse(raw).map_err(anyhow::Error::msg)
}

/// The database of `user` and `token`: it must exist (see [`existing`]), and is brought up
/// to date when an older version made it.
fn open_store(data: &Path, database: Option<&str>) -> anyhow::Result<Store> {
    open_store_or(data, database, Missing::Refuse)
}

fn open_store_or(data: &Path, database: Option<&str>, missing: Missing) -> anyhow::Result<Store> {
    let url = existing::require(database_url(database, data)?, data, missing)?;
    Ok(Store::connect(&url)?)
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
    check_length(password)?;
    Ok(password.to_owned())
}

/// The same minimum as the account page's form: one rule wherever a password is set.
fn check_length(password: &str) -> anyhow::Result<()> {
    if password.chars().count() < MIN_CHOSEN_PASSWORD_CHARS {
        anyhow::bail!(
            "the password is too short; choose one of at least {MIN_CHOSEN_PASSWORD_CHARS} characters"
        );
    }
    Ok(())
}

pub(super) fn run_user(args: UserArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        UserCommand::Add {
            name,
            admin,
            password_stdin,
        } => {
            let name = parse_name(&name)?;
            // Read stdin before touching the database, so a bad password changes nothing.
            let password = password_stdin.then(password_from_stdin).transpose()?;
            let store = open_store_or(
                &args.data,
                args.database.as_deref(),
                Missing::CreateInExistingFolder,
            )?;
            let user = store.create_user(&name, admin, password.as_deref())?;
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

pub(super) fn run_token(args: TokenArgs) -> anyhow::Result<ExitCode> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_shorter_than_the_web_forms_minimum_are_refused() {
        assert!(check_length("1234567").is_err_and(|e| e.to_string().contains("at least 8")));
        assert!(check_length("12345678").is_ok());
        assert!(check_length("ééééééé").is_err(), "characters, not bytes");
    }
}
