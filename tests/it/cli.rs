//! The account, token and backup commands as an operator's script runs them: the real
//! binary, a temporary data folder, stdout and stderr checked separately.

use std::path::Path;
use std::process::{Command, Output};

use crate::support::run_to_end;

/// Runs `selfserve ARGS --data DATA`, feeding `stdin` when given.
fn run(data: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_selfserve"));
    cmd.args(args)
        .arg("--data")
        .arg(data)
        .env_remove("RUST_BACKTRACE");
    run_to_end(cmd, stdin)
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts exit 1 with one `error:` sentence containing `needle` as the last line of
/// stderr (log lines, such as a first migration, may come before it), and no panic.
fn assert_fails_with(out: &Output, needle: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "stderr: {err}");
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(errors.len(), 1, "one error line: {err}");
    assert_eq!(err.trim_end().lines().last(), Some(errors[0]), "{err}");
    assert!(errors[0].contains(needle), "expected {needle:?} in {err:?}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
}

fn assert_ok(out: &Output) {
    assert!(out.status.success(), "stderr: {}", stderr(out));
}

#[test]
fn user_add_and_list() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    assert_fails_with(
        &run(&data, &["user", "add", "ada"], None),
        "There is no database in",
    );
    assert!(!data.exists(), "a mistyped folder is not created");
    std::fs::create_dir(&data).expect("mkdir");
    assert_ok(&run(
        &data,
        &["user", "add", "ada", "--admin", "--password-stdin"],
        Some("s3cret-enough\n"),
    ));
    let bob = run(&data, &["user", "add", "bob@example.com"], None);
    assert_ok(&bob);
    assert!(
        stderr(&bob).contains("without a password"),
        "{}",
        stderr(&bob)
    );
    assert!(
        data.join("selfserve.db").is_file(),
        "the first user add creates the database in an existing folder"
    );

    let list = run(&data, &["user", "list"], None);
    assert_ok(&list);
    let text = stdout(&list);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[0].starts_with("NAME") && lines[0].contains("ADMIN"),
        "{text}"
    );
    assert!(
        lines[1].starts_with("ada ") && lines[1].contains("yes"),
        "{text}"
    );
    assert!(
        lines[2].starts_with("bob@example.com ") && lines[2].contains("local"),
        "{text}"
    );

    // The password from stdin works, newline dropped.
    let store = selfserve::store::Store::open(&data).expect("open");
    let ada = selfserve::store::UserName::parse("ada").expect("name");
    assert!(
        store
            .verify_password(&ada, "s3cret-enough")
            .expect("verify")
            .is_some()
    );
}

#[test]
fn duplicate_users_are_refused_with_a_sentence() {
    let dir = tempfile::tempdir().expect("dir");
    assert_ok(&run(dir.path(), &["user", "add", "ada"], None));
    let again = run(dir.path(), &["user", "add", "ADA"], None);
    assert_fails_with(&again, "a user named ada already exists");
}

#[test]
fn names_are_trimmed_and_case_folded_into_one_account() {
    let dir = tempfile::tempdir().expect("dir");
    let added = run(dir.path(), &["user", "add", " Alice "], None);
    assert_ok(&added);
    assert!(
        stderr(&added).contains("created learner alice"),
        "{}",
        stderr(&added)
    );
    assert_fails_with(
        &run(dir.path(), &["user", "add", "alice"], None),
        "a user named alice already exists (user names ignore case and surrounding spaces)",
    );
    assert_ok(&run(dir.path(), &["user", "admin", "ALICE"], None));
    let list = stdout(&run(dir.path(), &["user", "list"], None));
    assert_eq!(list.lines().count(), 2, "{list}");
    assert!(
        list.lines().nth(1).is_some_and(|l| l.starts_with("alice ")),
        "{list}"
    );
}

#[test]
fn disable_revokes_sessions_and_tokens_and_enable_restores_none() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    assert_ok(&run(
        d,
        &["user", "add", "alice", "--password-stdin"],
        Some("password\n"),
    ));
    let mut tokens = Vec::new();
    for label in ["ci", "laptop", "deploy"] {
        let out = run(d, &["token", "create", "alice", "--label", label], None);
        assert_ok(&out);
        tokens.push(stdout(&out).trim_end().to_owned());
    }
    let store = selfserve::store::Store::open(d).expect("open");
    let alice = selfserve::store::UserName::parse("alice").expect("name");
    let user = store.find_user(&alice).expect("q").expect("exists");
    let now = time::OffsetDateTime::now_utc();
    let sessions: Vec<String> = (0..2)
        .map(|_| store.create_session(user.id, now).expect("session").0)
        .collect();

    let disabled = run(d, &["user", "disable", "alice"], None);
    assert_ok(&disabled);
    assert!(
        stderr(&disabled).contains("disabled alice; revoked 2 sessions and 3 API tokens"),
        "{}",
        stderr(&disabled)
    );
    let enabled = run(d, &["user", "enable", "alice"], None);
    assert_ok(&enabled);
    assert!(
        stderr(&enabled).contains("new tokens must be created"),
        "{}",
        stderr(&enabled)
    );
    // Enabled again, the account signs in with its password, but nothing old is back.
    assert!(
        store
            .verify_password(&alice, "password")
            .expect("v")
            .is_some()
    );
    for token in &tokens {
        assert!(
            store.token_user(token, now).expect("q").is_none(),
            "{token}"
        );
    }
    for session in &sessions {
        assert!(store.session_user(session, now).expect("q").is_none());
    }
    let list = stdout(&run(d, &["token", "list", "alice"], None));
    assert_eq!(
        list.lines()
            .skip(1)
            .filter(|l| l.trim_end().ends_with('-'))
            .count(),
        0,
        "{list}"
    );
    // Disabling again revokes nothing more.
    let again = run(d, &["user", "disable", "alice"], None);
    assert!(
        stderr(&again).contains("revoked 0 sessions and 0 API tokens"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn bad_names_and_empty_passwords_are_refused() {
    let dir = tempfile::tempdir().expect("dir");
    assert_fails_with(&run(dir.path(), &["user", "add", "a b"], None), "user name");
    let empty = run(
        dir.path(),
        &["user", "add", "ada", "--password-stdin"],
        Some("\n"),
    );
    assert_fails_with(&empty, "password on standard input is empty");
    let short = run(
        dir.path(),
        &["user", "add", "ada", "--password-stdin"],
        Some("1234567\n"),
    );
    assert_fails_with(&short, "at least 8 characters");
    assert_fails_with(
        &run(dir.path(), &["user", "list"], None),
        "There is no database",
    );
}

#[test]
fn token_create_prints_only_the_token() {
    let dir = tempfile::tempdir().expect("dir");
    assert_ok(&run(dir.path(), &["user", "add", "ci-bot"], None));
    let out = run(
        dir.path(),
        &["token", "create", "ci-bot", "--label", "pipeline"],
        None,
    );
    assert_ok(&out);
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "{text:?}");
    let token = text.trim_end();
    assert!(token.starts_with("ss_") && token.len() == 67, "{token}");
    assert!(stderr(&out).contains("shown only this once"));

    let store = selfserve::store::Store::open(dir.path()).expect("open");
    let user = store
        .token_user(token, time::OffsetDateTime::now_utc())
        .expect("lookup")
        .expect("the printed token authenticates");
    assert_eq!(user.name.as_str(), "ci-bot");

    let list = run(dir.path(), &["token", "list", "ci-bot"], None);
    assert_ok(&list);
    assert!(stdout(&list).contains("pipeline"));
    assert!(!stdout(&list).contains(token), "the secret is never listed");

    let id = stdout(&list)
        .lines()
        .nth(1)
        .and_then(|l| l.split_whitespace().next())
        .map(str::to_owned);
    let id = id.expect("a token row");
    assert_ok(&run(dir.path(), &["token", "revoke", &id], None));
    let store = selfserve::store::Store::open(dir.path()).expect("open");
    assert!(
        store
            .token_user(token, time::OffsetDateTime::now_utc())
            .expect("q")
            .is_none()
    );
}

#[test]
fn unknown_users_and_tokens_are_sentences() {
    let dir = tempfile::tempdir().expect("dir");
    assert_ok(&run(dir.path(), &["user", "add", "ada"], None));
    assert_fails_with(
        &run(dir.path(), &["token", "create", "ghost"], None),
        "there is no user named ghost",
    );
    assert_fails_with(
        &run(dir.path(), &["user", "disable", "ghost"], None),
        "there is no user named ghost",
    );
    assert_fails_with(
        &run(dir.path(), &["token", "revoke", "42"], None),
        "there is no API token with id 42",
    );
}

#[test]
fn disable_enable_passwd_and_admin() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    assert_ok(&run(d, &["user", "add", "ada"], None));
    assert_ok(&run(
        d,
        &["user", "passwd", "ada", "--password-stdin"],
        Some("password\r\n"),
    ));
    assert_ok(&run(d, &["user", "admin", "ada"], None));
    assert_ok(&run(d, &["user", "disable", "ada"], None));
    let store = selfserve::store::Store::open(d).expect("open");
    let ada = selfserve::store::UserName::parse("ada").expect("name");
    let user = store.find_user(&ada).expect("q").expect("exists");
    assert!(user.is_admin && user.disabled && user.has_password);
    assert!(
        store
            .verify_password(&ada, "password")
            .expect("v")
            .is_none(),
        "disabled"
    );

    assert_ok(&run(d, &["user", "enable", "ada"], None));
    assert_ok(&run(d, &["user", "admin", "ada", "--revoke"], None));
    let user = store.find_user(&ada).expect("q").expect("exists");
    assert!(!user.is_admin && !user.disabled);
    assert!(
        store
            .verify_password(&ada, "password")
            .expect("v")
            .is_some(),
        "CRLF dropped"
    );
    // passwd never takes a password from anywhere but stdin.
    let no_flag = run(d, &["user", "passwd", "ada"], None);
    assert_eq!(no_flag.status.code(), Some(2), "a usage error");
}

#[test]
fn an_unusable_data_folder_is_a_sentence() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").expect("write");
    assert_fails_with(&run(&file, &["user", "list"], None), "There is no database");
}

#[test]
fn commands_other_than_user_add_never_create_a_database() {
    let dir = tempfile::tempdir().expect("dir");
    let typo = dir.path().join("typo");
    for args in [
        &["user", "list"][..],
        &["token", "create", "ada"],
        &["export", "qualifications"],
    ] {
        let out = run(&typo, args, None);
        assert_fails_with(&out, "There is no database in");
        assert!(stderr(&out).contains("selfserve serve --data"), "{args:?}");
    }
    assert!(!typo.exists());
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    assert_fails_with(
        &run(&empty, &["user", "list"], None),
        "There is no database",
    );
    assert!(!empty.join("selfserve.db").exists());
}

#[test]
fn a_backup_into_a_missing_folder_names_the_folder() {
    let dir = tempfile::tempdir().expect("dir");
    assert_ok(&run(dir.path(), &["user", "add", "ada"], None));
    let dest = dir.path().join("missing-dir/b.db");
    let out = run(dir.path(), &["backup", dest.to_str().expect("utf-8")], None);
    assert_fails_with(&out, "missing-dir does not exist");
    assert!(!stderr(&out).contains("code 14"), "{}", stderr(&out));
}

#[test]
fn backup_copies_the_database_and_keeps_existing_files() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    std::fs::create_dir(&data).expect("mkdir");
    assert_ok(&run(&data, &["user", "add", "ada"], None));
    let dest = dir.path().join("backup.db");
    let dest_arg = dest.to_str().expect("utf-8 path");
    let out = run(&data, &["backup", dest_arg], None);
    assert_ok(&out);
    assert!(stdout(&out).is_empty());

    let conn = rusqlite::Connection::open(&dest).expect("the backup opens");
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("check");
    assert_eq!(check, "ok");
    let users: i64 = conn
        .query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))
        .expect("n");
    assert_eq!(users, 1);
    drop(conn);

    assert_fails_with(
        &run(&data, &["backup", dest_arg], None),
        "already exists; pass --force",
    );
    assert_ok(&run(&data, &["backup", dest_arg, "--force"], None));

    let nowhere = dir.path().join("nowhere");
    let missing = run(&nowhere, &["backup", dest_arg, "--force"], None);
    assert_fails_with(&missing, "There is no database");
    assert!(!nowhere.exists(), "backup never creates a data folder");
}
