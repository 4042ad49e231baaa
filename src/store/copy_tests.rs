//! Tests of `copy`: the table list against the schema, and copies between backends.

use super::*;
use crate::store::db::args;
use crate::store::testing::{Scratch, postgres_url};

#[test]
fn the_table_list_matches_the_sqlite_schema() {
    let scratch = Scratch::sqlite().expect("scratch");
    let store = scratch.open().expect("store");
    store
        .read(|conn| {
            let mut names: Vec<String> = conn.query_map(
                "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT IN ('write_probe', 'rate_windows') ORDER BY name",
                &[],
                |r| r.get(0),
            )?;
            let mut listed: Vec<String> = TABLES.iter().map(|t| t.name.to_owned()).collect();
            names.sort();
            listed.sort();
            assert_eq!(listed, names, "every table with records is in copy::TABLES");
            for (position, table) in TABLES.iter().enumerate() {
                // cid, name, type, notnull, default, pk (1-based position in the key, 0 if not)
                let info = conn.query(&format!("PRAGMA table_info({})", table.name), &[])?;
                let columns: Vec<String> =
                    info.iter().map(|r| r.get(1)).collect::<Result<_, _>>()?;
                assert_eq!(table.columns, columns, "columns of {}", table.name);
                let mut key: Vec<(i64, String)> = info
                    .iter()
                    .map(|r| Ok((r.get::<i64>(5)?, r.get::<String>(1)?)))
                    .collect::<Result<Vec<_>>>()?;
                key.retain(|(pk, _)| *pk > 0);
                key.sort();
                let key: Vec<String> = key.into_iter().map(|(_, name)| name).collect();
                assert_eq!(table.key, key, "primary key of {}", table.name);
                let row_id = info.iter().any(|r| {
                    r.get::<i64>(5).is_ok_and(|pk| pk == 1)
                        && r.get::<String>(2).is_ok_and(|t| t == "INTEGER")
                }) && key.len() == 1;
                assert_eq!(table.identity, row_id, "identity of {}", table.name);
                let parents: Vec<String> = conn.query_map(
                    &format!("PRAGMA foreign_key_list({})", table.name),
                    &[],
                    |r| r.get(2),
                )?;
                for parent in parents {
                    let at = TABLES.iter().position(|t| t.name == parent);
                    assert!(
                        at.is_some_and(|at| at < position),
                        "{} refers to {parent}, which must be copied first",
                        table.name
                    );
                }
            }
            Ok(())
        })
        .expect("schema read");
}

/// One or two rows in every table, with NULLs, reals, non-ASCII text and keys whose order
/// differs between collations.
fn fill(store: &Store) {
    store
        .write(|c| {
            let rows: &[(&str, &[Value])] = &[
                (
                    "INSERT INTO users (id, name, display_name, email, password_hash, is_admin, disabled, source, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    args![3_i64, "ada", "Ada Lovelace", None::<String>, "$argon2id$x", 1_i64, 0_i64, "local", 1_700_000_000_i64],
                ),
                (
                    "INSERT INTO users (id, name, display_name, email, password_hash, is_admin, disabled, source, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    args![7_i64, "bob@example.com", "Bøb", "bob@example.com", None::<String>, 0_i64, 1_i64, "proxy", 1_700_000_100_i64],
                ),
                (
                    "INSERT INTO sessions VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    args!["b0", 3_i64, "csrf", 1_i64, 2_i64, 1_i64],
                ),
                (
                    "INSERT INTO sessions VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    args!["A9", 7_i64, "csrf2", 1_i64, 2_i64, 1_i64],
                ),
                (
                    "INSERT INTO api_tokens VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    args![5_i64, 3_i64, "ci", "f00d", 10_i64, None::<i64>, None::<i64>],
                ),
                (
                    "INSERT INTO login_failures VALUES (?1, ?2, ?3)",
                    args!["account:ada", 2_i64, 100_i64],
                ),
                (
                    "INSERT INTO attempts VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    args![11_i64, 3_i64, "k8s/basics", 2_i64, "[[0],[1,2]]", 100_i64, 1_i64, 50_i64],
                ),
                (
                    "INSERT INTO quiz_handouts VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    args!["h-1", 3_i64, "k8s/basics", "abc", "{\"q\":[1]}", 40_i64, 50_i64],
                ),
                (
                    "INSERT INTO tree_outcomes VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    args![4_i64, "oom", "v1", "[\"start\",\"oom\"]", "escalate", "ça plante", None::<i64>, 60_i64],
                ),
                (
                    "INSERT INTO help_requests VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                    args![9_i64, 4_i64, "oom", "[\"start\"]", "help", "ada@x", "answered", 3_i64, 60_i64, 61_i64, "[{\"question\":\"Crash?\",\"answer\":\"Oui, ça plante\"}]", "Raise the limit", 3_i64, 61_i64, "5eed"],
                ),
                (
                    "INSERT INTO search_queries VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    args![2_i64, 19_000_i64, "oom killed", 3_i64, 1_i64, 1_i64, 70_i64],
                ),
                (
                    "INSERT INTO click_queries VALUES (?1, ?2, ?3)",
                    args!["oom killed", 1.75_f64, 70_i64],
                ),
                (
                    "INSERT INTO click_queries VALUES (?1, ?2, ?3)",
                    args!["Oom-killed", 0.1_f64, 71_i64],
                ),
                (
                    "INSERT INTO click_pages VALUES (?1, ?2, ?3, ?4)",
                    args!["oom killed", "/guides/oom", 0.3_f64, 70_i64],
                ),
                (
                    "INSERT INTO page_feedback VALUES (?1, ?2, ?3, ?4, ?5)",
                    args![6_i64, "guides/oom", 0_i64, "Ça manque un exemple", 80_i64],
                ),
                (
                    "INSERT INTO page_feedback VALUES (?1, ?2, ?3, ?4, ?5)",
                    args![8_i64, "guides/oom", 1_i64, None::<String>, 81_i64],
                ),
            ];
            for (sql, params) in rows {
                c.execute(sql, params)?;
            }
            Ok(())
        })
        .expect("fixture rows");
}

fn checksums(report: &CopyReport) -> Vec<(String, u64, String)> {
    report
        .tables
        .iter()
        .map(|t| (t.table.to_owned(), t.target_rows, t.target_checksum.clone()))
        .collect()
}

#[test]
fn a_copy_round_trips_through_every_backend_and_refuses_a_filled_target() {
    let first = Scratch::sqlite().expect("scratch");
    fill(&first.open().expect("source"));
    let mut hops = Vec::new();
    let postgres = postgres_url().map(|server| Scratch::postgres(&server).expect("pg scratch"));
    if postgres.is_none() {
        eprintln!("notice: SELFSERVE_TEST_POSTGRES is unset; copying SQLite to SQLite only");
    }
    hops.extend(postgres);
    hops.push(Scratch::sqlite().expect("scratch"));

    let mut from = &first;
    let mut expected = None;
    for to in &hops {
        let report = copy_store(&from.url, &to.url).expect("copy");
        assert!(report.verified(), "{report:?}");
        assert_eq!(report.rows(), 16);
        let figures = checksums(&report);
        if let Some(expected) = &expected {
            assert_eq!(&figures, expected, "the same records on every backend");
        }
        expected = Some(figures);
        // New rows after the copy get ids past the copied ones (identity sequences moved).
        let store = to.open().expect("target");
        let id: i64 = store
            .write(|c| {
                Ok(c.query_value(
                    "INSERT INTO users (name, created_at) VALUES (?1, ?2) RETURNING id",
                    args!["new", 1_i64],
                )?)
            })
            .expect("a new user");
        assert!(id > 7, "id {id} collides with a copied one");
        store
            .write(|c| Ok(c.execute("DELETE FROM users WHERE name = 'new'", &[])?))
            .expect("delete");
        from = to;
    }

    let again = copy_store(&first.url, &hops[0].url).expect_err("refused");
    assert!(matches!(again, StoreError::Conflict(_)), "{again:?}");
    assert!(again.to_string().contains("users (2 rows)"), "{again}");
    let same = copy_store(&first.url, &first.url).expect_err("refused");
    assert!(matches!(same, StoreError::Invalid(_)), "{same:?}");
}

#[test]
fn a_missing_source_is_refused_and_not_created() {
    let dir = tempfile::tempdir().expect("dir");
    let missing = DatabaseUrl::in_data_dir(dir.path());
    let target = Scratch::sqlite().expect("scratch");
    let err = copy_store(&missing, &target.url).expect_err("refused");
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    assert!(!dir.path().join(crate::store::DB_FILE).exists());
}

#[test]
fn digests_follow_key_order_not_read_order() {
    let table = &TABLES[9];
    let row = |k: &str, n: f64| Row(vec![Value::from(k), Value::from(n), Value::from(1_i64)]);
    let a = digest_rows(table, vec![row("b", 1.0), row("A", 2.0)]);
    let b = digest_rows(table, vec![row("A", 2.0), row("b", 1.0)]);
    assert_eq!(a, b);
    assert_ne!(a, digest_rows(table, vec![row("A", 2.0), row("b", 1.5)]));
    assert_eq!(a.0, 2);
}
