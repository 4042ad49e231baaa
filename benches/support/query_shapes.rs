//! The query shapes people type, one example each: the search and pipeline benches time the
//! same list, so their figures compare.

/// `(shape, query)` pairs.
pub const SHAPES: &[(&str, &str)] = &[
    ("one_word", "pgbouncer"),
    ("two_words", "sync windows"),
    ("symptom", "postgres server ran out of disk space"),
    ("alert_name", "SidekiqQueueTooLarge"),
    ("snake_identifier", "pg_txid_xmin_age"),
    ("typo", "promethues high memroy"),
    (
        "pasted_error",
        r#"psql: error: could not connect to server: Connection refused Is the server running on host "localhost" (::1)"#,
    ),
    (
        "long_log_line",
        "2024-09-09T11:12:31Z level=error msg=\"Cannot get current offset of topic __consumer_offsets partition 46: x509: certificate has expired or is not yet valid: current time 2024-09-09T11:12:31Z is after 2024-09-01T00:00:00Z\" component=kafka-consumer retry=5",
    ),
    ("common_words", "how to check the status of the service"),
    ("no_match", "zzqxv wqpxz"),
];
