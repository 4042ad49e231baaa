//! `--database` / `SELFSERVE_DATABASE` on the commands that open the database, and
//! `selfserve migrate-store` as an operator runs it: SQLite → PostgreSQL → SQLite with
//! counts and checksums equal and tokens still working; a filled target refused.
//! The PostgreSQL parts need `SELFSERVE_TEST_POSTGRES` and are skipped with a notice without.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Instant;

use selfserve::model::Outcome;
use selfserve::store::testing::{Scratch, postgres_url};
use selfserve::store::{
    DatabaseUrl, NewAttempt, NewOutcome, SearchLogEntry, SearchLogLimits, Store, UserName,
};

use crate::support::{run_to_end, user_named};

/// Runs `selfserve ARGS` with `env` set, feeding `stdin` when given.
fn run(args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_selfserve"));
    cmd.args(args)
        .env_remove("SELFSERVE_DATABASE")
        .env_remove("RUST_BACKTRACE")
        .envs(env.iter().copied());
    run_to_end(cmd, stdin)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_ok(out: &Output) {
    assert!(out.status.success(), "stderr: {}", text(&out.stderr));
}

/// Exit 1 and `needle` in the last stderr line, which is the one `error:` sentence.
fn assert_fails_with(out: &Output, needle: &str) {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {err}");
    let last = err.trim_end().lines().last().unwrap_or_default();
    assert!(
        last.starts_with("error: ") && last.contains(needle),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

fn sqlite_url(folder: &Path) -> String {
    format!("sqlite://{}", folder.join("selfserve.db").display())
}

fn url_text(url: &DatabaseUrl) -> String {
    match url {
        DatabaseUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
        DatabaseUrl::Postgres(url) => url.clone(),
    }
}

#[test]
fn database_names_the_file_instead_of_the_data_folder() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    let elsewhere = dir.path().join("records");
    let url = sqlite_url(&elsewhere);
    std::fs::create_dir(&elsewhere).expect("mkdir");
    assert_ok(&run(
        &[
            "user",
            "add",
            "ada",
            "--data",
            data.to_str().expect("utf-8"),
            "--database",
            &url,
        ],
        &[],
        None,
    ));
    assert!(elsewhere.join("selfserve.db").is_file());
    assert!(
        !data.join("selfserve.db").exists(),
        "--data holds no database"
    );
    // The environment variable works the same, and --database beats it.
    let env = [("SELFSERVE_DATABASE", url.as_str())];
    let list = run(&["user", "list"], &env, None);
    assert_ok(&list);
    assert!(
        text(&list.stdout).contains("ada "),
        "{}",
        text(&list.stdout)
    );
    let other = sqlite_url(&dir.path().join("other"));
    let list = run(&["user", "list", "--database", &other], &env, None);
    assert_fails_with(&list, "There is no database at");
    // Backup reads the named file and never creates one.
    let copy = dir.path().join("copy.db");
    assert_ok(&run(
        &["backup", copy.to_str().expect("utf-8"), "--database", &url],
        &[],
        None,
    ));
    assert!(copy.is_file());
    let missing = sqlite_url(&dir.path().join("nowhere"));
    let out = run(
        &[
            "backup",
            dir.path().join("b.db").to_str().expect("utf-8"),
            "--database",
            &missing,
        ],
        &[],
        None,
    );
    assert_fails_with(&out, "There is no database");
    assert!(!dir.path().join("nowhere/selfserve.db").exists());
}

#[test]
fn a_bad_database_is_one_sentence_and_backup_points_postgres_to_pg_dump() {
    let dir = tempfile::tempdir().expect("dir");
    let out = run(
        &["user", "list", "--database", "mysql://root:pw@db/x"],
        &[],
        None,
    );
    assert_fails_with(&out, "give sqlite://PATH or postgres://USER@HOST/NAME");
    assert!(
        !text(&out.stderr).contains("pw@"),
        "the password stays hidden"
    );
    let env = [("SELFSERVE_DATABASE", "nonsense")];
    assert_fails_with(
        &run(&["token", "list", "ada"], &env, None),
        "not a database",
    );
    let dest = dir.path().join("b.db");
    let out = run(
        &[
            "backup",
            dest.to_str().expect("utf-8"),
            "--database",
            "postgres://ada:secret@127.0.0.1:1/x",
        ],
        &[],
        None,
    );
    assert_fails_with(&out, "pg_dump");
    assert!(!text(&out.stderr).contains("secret"));
    assert!(!dest.exists());
}

/// Users and a token through the binary; attempts, a tree walk with a help request and the
/// search log through the store.
fn fill(folder: &Path) -> String {
    // `user add` creates the database, but only in a folder that exists.
    std::fs::create_dir_all(folder).expect("data folder");
    let data = folder.to_str().expect("utf-8");
    assert_ok(&run(
        &[
            "user",
            "add",
            "ada",
            "--admin",
            "--password-stdin",
            "--data",
            data,
        ],
        &[],
        Some("s3cret-enough\n"),
    ));
    assert_ok(&run(
        &["user", "add", "bob@example.com", "--data", data],
        &[],
        None,
    ));
    let token = run(&["token", "create", "ada", "--data", data], &[], None);
    assert_ok(&token);
    let store = Store::open(folder).expect("open");
    let ada = user_named(&store, "ada");
    for (module, score) in [("basics", 100), ("reading", 40), ("reading", 100)] {
        let attempt = NewAttempt {
            user_id: ada.id,
            module_id: module,
            module_version: 1,
            answers_json: "[[0],[1,2]]",
            score,
            passed: score >= 50,
        };
        store.record_attempt(&attempt).expect("attempt");
    }
    let trail = ["start".to_owned(), "oom".to_owned()];
    store
        .record_outcome(&NewOutcome {
            tree_id: "pods",
            tree_version: "abc",
            trail: &trail,
            outcome: Outcome::Escalate,
            note: Some("still crashing, ça plante"),
            contact: Some("ada@example.com"),
            user_id: Some(ada.id),
            answers: &[],
        })
        .expect("outcome");
    let limits = SearchLogLimits {
        retention_days: 30,
        max_rows: 1000,
    };
    let searches: Vec<SearchLogEntry> = ["OOM killed", "oom  killed", "CrashLoopBackOff", "zzz"]
        .iter()
        .map(|q| SearchLogEntry::new(q, u64::from(*q != "zzz")))
        .collect();
    store.log_searches(&searches, limits).expect("search log");
    text(&token.stdout).trim().to_owned()
}

/// `migrate-store`'s table as (table, source rows, target rows, checksum), checked "ok".
fn copy(from: &str, to: &str) -> Vec<(String, u64, u64, String)> {
    let started = Instant::now();
    let out = run(&["migrate-store", "--from", from, "--to", to], &[], None);
    assert_ok(&out);
    let table = text(&out.stdout);
    eprintln!(
        "{}{}({:.2} s)",
        text(&out.stderr),
        table,
        started.elapsed().as_secs_f64()
    );
    let mut lines = table.lines();
    assert!(
        lines.next().is_some_and(|h| h.starts_with("TABLE")),
        "{table}"
    );
    lines
        .map(|line| {
            let cells: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(cells.len(), 5, "{line}");
            assert_eq!(cells[4], "ok", "{line}");
            let number = |s: &str| s.parse::<u64>().expect("a count");
            (
                cells[0].to_owned(),
                number(cells[1]),
                number(cells[2]),
                cells[3].to_owned(),
            )
        })
        .collect()
}

#[test]
fn migrate_store_copies_sqlite_to_postgres_and_back_and_refuses_a_filled_target() {
    let Some(server) = postgres_url() else {
        eprintln!(
            "notice: SELFSERVE_TEST_POSTGRES is unset; skipping the migrate-store round trip"
        );
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let first = dir.path().join("first");
    let token = fill(&first);
    let pg = Scratch::postgres(&server).expect("a schema on the test server");
    let pg_url = url_text(&pg.url);

    let there = copy(&sqlite_url(&first), &pg_url);
    let count = |name: &str| there.iter().find(|t| t.0 == name).map_or(0, |t| t.2);
    assert_eq!(count("users"), 2);
    assert_eq!(count("api_tokens"), 1);
    assert_eq!(count("attempts"), 3);
    assert_eq!(count("tree_outcomes"), 1);
    assert_eq!(count("help_requests"), 1);
    assert_eq!(
        count("search_queries"),
        3,
        "two spellings of one query are one row"
    );

    let second = dir.path().join("second");
    let back = copy(&pg_url, &sqlite_url(&second));
    assert_eq!(there, back, "the same rows and checksums on every hop");

    // The token authenticates on both copies, and new rows get fresh ids.
    let now = time::OffsetDateTime::now_utc();
    for url in [&pg.url, &DatabaseUrl::in_data_dir(&second)] {
        let store = Store::connect(url).expect("the copy opens");
        let user = store
            .token_user(&token, now)
            .expect("lookup")
            .expect("the token works");
        assert_eq!(user.name.to_string(), "ada");
        assert!(
            store
                .verify_password(&UserName::parse("ada").expect("name"), "s3cret-enough")
                .expect("verify")
                .is_some()
        );
        store
            .create_user(&UserName::parse("carol").expect("name"), false, None)
            .expect("a new account after the copy");
    }

    let again = run(
        &[
            "migrate-store",
            "--from",
            &sqlite_url(&first),
            "--to",
            &pg_url,
        ],
        &[],
        None,
    );
    assert_fails_with(&again, "already holds records in users (3 rows)");
    let list = run(&["user", "list", "--database", &pg_url], &[], None);
    assert_ok(&list);
    assert_eq!(
        text(&list.stdout).lines().count(),
        4,
        "nothing more was written"
    );
}
