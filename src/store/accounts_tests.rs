//! Tests of the account store.

use super::*;
use crate::store::db::Database;
use crate::store::db::migrate;
use crate::store::db::sqlite::SqliteDatabase;
use crate::store::migrations::VERSIONS;
use crate::store::test_support::stores;

fn name(s: &str) -> UserName {
    UserName::parse(s).expect("valid name")
}

#[test]
fn names_are_parsed() {
    assert!(UserName::parse("ada.lovelace@example.com").is_ok());
    assert_eq!(UserName::parse(" ALICE ").expect("n").as_str(), "alice");
    assert_eq!(
        UserName::parse("\tAlice\n"),
        UserName::parse("alice"),
        "one value for every spelling"
    );
    assert!(UserName::parse("   ").is_err());
    assert!(UserName::parse(&format!(" {} ", "x".repeat(64))).is_ok());
    assert!(UserName::parse("a_b-c+d").is_ok());
    assert!(UserName::parse("").is_err());
    assert!(UserName::parse("has space").is_err());
    assert!(UserName::parse("аdmin").is_err(), "Cyrillic a");
    assert!(UserName::parse(&"x".repeat(64)).is_ok());
    assert!(UserName::parse(&"x".repeat(65)).is_err());
}

#[test]
fn create_find_and_list() {
    for (store, _db) in stores() {
        let ada = store
            .create_user(&name("Ada"), true, Some("pw"))
            .expect("create");
        assert!(ada.is_admin && ada.has_password && !ada.disabled);
        assert_eq!(ada.source, UserSource::Local);
        store
            .create_user(&name("bob"), false, None)
            .expect("create");
        let found = store
            .find_user(&name("ADA"))
            .expect("find")
            .expect("exists");
        assert_eq!(found.id, ada.id);
        assert_eq!(found.name.as_str(), "ada", "stored case-folded");
        let names: Vec<_> = store
            .list_users()
            .expect("list")
            .into_iter()
            .map(|u| u.name.to_string())
            .collect();
        assert_eq!(names, ["ada", "bob"]);
        assert!(store.find_user(&name("carol")).expect("find").is_none());
    }
}

#[test]
fn duplicate_names_conflict_case_insensitively() {
    for (store, _db) in stores() {
        store
            .create_user(&name("ada"), false, None)
            .expect("create");
        let err = store
            .create_user(&name("ADA"), false, None)
            .expect_err("dup");
        assert!(matches!(err, StoreError::Conflict(_)));
        assert_eq!(
            err.to_string(),
            "a user named ada already exists (user names ignore case and surrounding spaces)"
        );
    }
}

#[test]
fn empty_passwords_are_refused() {
    for (store, _db) in stores() {
        let err = store
            .create_user(&name("ada"), false, Some(""))
            .expect_err("empty");
        assert!(matches!(err, StoreError::Invalid(_)));
        assert!(store.list_users().expect("list").is_empty());
    }
}

#[test]
fn passwords_verify_right_and_wrong() {
    for (store, _db) in stores() {
        store
            .create_user(&name("ada"), false, Some("correct horse"))
            .expect("create");
        let hash: String = store
            .read(|c| Ok(c.query_value("SELECT password_hash FROM users", &[])?))
            .expect("hash");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(
            store
                .verify_password(&name("ada"), "correct horse")
                .expect("v")
                .is_some()
        );
        assert!(
            store
                .verify_password(&name("Ada"), "correct horse")
                .expect("v")
                .is_some()
        );
        assert!(
            store
                .verify_password(&name("ada"), "wrong")
                .expect("v")
                .is_none()
        );
        assert!(
            store
                .verify_password(&name("nobody"), "x")
                .expect("v")
                .is_none()
        );
        let long = "x".repeat(MAX_PASSWORD_BYTES + 1);
        assert!(
            store
                .verify_password(&name("ada"), &long)
                .expect("v")
                .is_none()
        );
    }
}

#[test]
fn password_less_and_disabled_accounts_cannot_verify() {
    for (store, _db) in stores() {
        store
            .create_user(&name("sso"), false, None)
            .expect("create");
        assert!(
            store
                .verify_password(&name("sso"), "")
                .expect("v")
                .is_none()
        );
        store
            .create_user(&name("ada"), false, Some("pw"))
            .expect("create");
        store.disable_user(&name("ada")).expect("disable");
        assert!(
            store
                .verify_password(&name("ada"), "pw")
                .expect("v")
                .is_none()
        );
        let back = store.enable_user(&name("ada")).expect("enable");
        assert!(!back.disabled);
        assert!(
            store
                .verify_password(&name("ada"), "pw")
                .expect("v")
                .is_some()
        );
    }
}

#[test]
fn password_reset_and_admin_role() {
    for (store, _db) in stores() {
        store
            .create_user(&name("ada"), false, None)
            .expect("create");
        let ada = store.set_password(&name("ada"), "new").expect("reset");
        assert!(ada.has_password);
        assert!(
            store
                .verify_password(&name("ada"), "new")
                .expect("v")
                .is_some()
        );
        assert!(store.set_admin(&name("ada"), true).expect("admin").is_admin);
        assert!(
            store
                .find_user(&name("ada"))
                .expect("f")
                .expect("e")
                .is_admin
        );
        assert!(
            !store
                .set_admin(&name("ada"), false)
                .expect("revoke")
                .is_admin
        );
        let err = store.set_admin(&name("ghost"), true).expect_err("unknown");
        assert_eq!(err.to_string(), "there is no user named ghost");
        assert!(store.set_password(&name("ada"), "").is_err());
    }
}

#[test]
fn proxy_users_are_created_once() {
    for (store, _db) in stores() {
        let n = name("ada@example.com");
        let first = store
            .ensure_proxy_user(&n, Some("ada@example.com"))
            .expect("first");
        assert_eq!(first.source, UserSource::Proxy);
        assert!(!first.has_password);
        assert_eq!(first.email.as_deref(), Some("ada@example.com"));
        let again = store.ensure_proxy_user(&n, None).expect("again");
        assert_eq!(again.id, first.id);
        assert_eq!(store.list_users().expect("list").len(), 1);
    }
}

#[test]
fn disabling_revokes_sessions_and_tokens_and_enabling_restores_none() {
    for (store, _db) in stores() {
        let ada = store
            .create_user(&name("ada"), false, Some("pw"))
            .expect("create");
        let now = OffsetDateTime::now_utc();
        store.create_session(ada.id, now).expect("s");
        store.create_session(ada.id, now).expect("s");
        let (_, a) = store.create_token(&name("ada"), "a").expect("t");
        let (old, _) = store.create_token(&name("ada"), "b").expect("t");
        store.revoke_token(old).expect("revoke");
        let (_, c) = store.create_token(&name("ada"), "c").expect("t");
        let disabled = store.disable_user(&name(" ADA ")).expect("disable");
        assert!(disabled.user.disabled);
        assert_eq!((disabled.sessions, disabled.tokens), (2, 2));
        store.enable_user(&name("ada")).expect("enable");
        for token in [a, c] {
            assert!(store.token_user(&token, now).expect("q").is_none());
        }
        assert!(
            store
                .list_tokens(&name("ada"))
                .expect("list")
                .iter()
                .all(|t| t.revoked_at.is_some())
        );
    }
}

/// A SQLite database at schema version 1, as a server from before version 2 left it. The
/// migration tests are SQLite-only: versions 2 and 3 do not run on PostgreSQL.
fn sqlite_at_version_1() -> (SqliteDatabase, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = SqliteDatabase::open(dir.path().join("old.db"), rusqlite::OpenFlags::default())
        .expect("db");
    migrate::to_latest(&mut *db.connect().expect("conn"), &VERSIONS[..1]).expect("v1");
    (db, dir)
}

/// The stored names, oldest account first.
fn stored_names(raw: &rusqlite::Connection) -> Vec<String> {
    let mut stmt = raw
        .prepare("SELECT name FROM users ORDER BY id")
        .expect("q");
    stmt.query_map([], |r| r.get(0))
        .expect("rows")
        .collect::<rusqlite::Result<_>>()
        .expect("names")
}

#[test]
fn the_migration_folds_stored_names() {
    let (db, _dir) = sqlite_at_version_1();
    let raw = db.raw().expect("raw");
    for name in ["Ada", "bob", "CAROL@Example.com"] {
        raw.execute(
            "INSERT INTO users (name, created_at) VALUES (?1, 0)",
            [name],
        )
        .expect("insert");
    }
    raw.execute(
        "INSERT INTO login_failures VALUES ('account:ada', 5, 0)",
        [],
    )
    .expect("counter");
    migrate::to_latest(&mut *db.connect().expect("conn"), VERSIONS).expect("latest");
    assert_eq!(stored_names(&raw), ["ada", "bob", "carol@example.com"]);
}

#[test]
fn colliding_names_do_not_stop_the_migration() {
    let (db, _dir) = sqlite_at_version_1();
    let raw = db.raw().expect("raw");
    // Only a hand-edited database can hold this: drop the unique constraint's effect by
    // rebuilding the table without it.
    raw.execute_batch(
        "PRAGMA foreign_keys = OFF;
         CREATE TABLE u2 AS SELECT * FROM users;
         DROP TABLE users;
         CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL COLLATE NOCASE,
             display_name TEXT, email TEXT, password_hash TEXT,
             is_admin INTEGER NOT NULL DEFAULT 0, disabled INTEGER NOT NULL DEFAULT 0,
             source TEXT NOT NULL DEFAULT 'local', created_at INTEGER NOT NULL);
         INSERT INTO users (name, created_at) VALUES ('Ada', 0), ('ADA', 0), ('Bob', 0);",
    )
    .expect("hand-edited");
    migrate::to_latest(&mut *db.connect().expect("conn"), VERSIONS)
        .expect("start-up does not fail");
    assert_eq!(stored_names(&raw), ["Ada", "ADA", "bob"]);
}

#[test]
fn changing_ones_own_password_keeps_this_session_only() {
    for (store, _db) in stores() {
        let ada = store
            .create_user(&name("ada"), false, Some("old password"))
            .expect("create");
        let now = OffsetDateTime::now_utc();
        let (mine, _) = store.create_session(ada.id, now).expect("session");
        let (other, _) = store.create_session(ada.id, now).expect("session");
        assert_eq!(
            store
                .change_own_password(ada.id, "wrong", "new password", Some(&mine))
                .expect("change"),
            PasswordChange::WrongCurrent
        );
        assert_eq!(
            store
                .change_own_password(ada.id, "old password", "new password", Some(&mine))
                .expect("change"),
            PasswordChange::Changed { other_sessions: 1 }
        );
        assert!(store.session_user(&mine, now).expect("read").is_some());
        assert!(store.session_user(&other, now).expect("read").is_none());
        let ada_name = name("ada");
        assert!(
            store
                .verify_password(&ada_name, "old password")
                .expect("verify")
                .is_none()
        );
        assert!(
            store
                .verify_password(&ada_name, "new password")
                .expect("verify")
                .is_some()
        );
        let sso = store
            .create_user(&name("sso"), false, None)
            .expect("create");
        assert_eq!(
            store
                .change_own_password(sso.id, "", "new password", None)
                .expect("change"),
            PasswordChange::NoPassword
        );
    }
}
