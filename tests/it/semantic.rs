//! The semantic search leg through the server: it joins when ready, finds pages by meaning,
//! follows live edits, reuses its vector cache after a restart, and can be switched off.

use std::fs;
use std::time::{Duration, Instant};

use selfserve::search::semantic::SemanticStatus;

use crate::support::TestApp;

/// Embedding the fixture takes a few seconds; a loaded CI machine gets a margin.
const READY_WITHIN: Duration = Duration::from_secs(120);

/// Words that appear in no fixture page, about a page of it (the expired certificate).
const BY_MEANING: &str = "ssl cert out of date";

fn ids(app: &TestApp, q: &str) -> (Vec<String>, Vec<String>) {
    let body = app
        .get(&format!("/api/v1/search?q={}", q.replace(' ', "+")))
        .json();
    let hits = body["hits"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|h| h["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let legs = body["legs"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|l| l.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    (hits, legs)
}

#[test]
fn the_semantic_leg_joins_when_ready_and_finds_pages_the_words_miss() {
    let app = TestApp::start_semantic("semantic", None);
    assert!(
        app.state.semantic.wait_idle(READY_WITHIN),
        "embedding finished"
    );
    assert_eq!(app.state.semantic.status(), SemanticStatus::Ready);
    let (hits, legs) = ids(&app, BY_MEANING);
    assert_eq!(legs, ["lexical", "semantic"]);
    assert_eq!(
        hits.first().map(String::as_str),
        Some("guides/certificate-renewal"),
        "{hits:?}"
    );
    // The words alone find nothing: the hit came from the semantic leg.
    let index = app.state.snapshot.load_full();
    let lexical = index
        .search
        .as_ref()
        .expect("index")
        .search(&selfserve::search::SearchRequest::new(BY_MEANING))
        .expect("search");
    assert_eq!(lexical.total, 0);
    // A pasted command still lands on its page first.
    let (hits, _) = ids(&app, "kubectl scale deployment");
    assert_eq!(hits.first().map(String::as_str), Some("guides/scaling"));
}

#[test]
fn a_restart_reuses_cached_vectors_and_embeds_nothing_again() {
    let data = tempfile::tempdir().expect("tempdir");
    {
        let app = TestApp::start_semantic("semantic", Some(data.path()));
        assert!(app.state.semantic.wait_idle(READY_WITHIN));
        assert!(app.state.semantic.embedded_count() > 0);
    }
    let app = TestApp::start_semantic("semantic", Some(data.path()));
    assert!(app.state.semantic.wait_idle(READY_WITHIN));
    assert_eq!(
        app.state.semantic.embedded_count(),
        0,
        "every vector came from the cache"
    );
    assert!(data.path().join("semantic/vectors.bin").exists());
    let (hits, legs) = ids(&app, BY_MEANING);
    assert_eq!(legs, ["lexical", "semantic"]);
    assert_eq!(
        hits.first().map(String::as_str),
        Some("guides/certificate-renewal")
    );
}

#[test]
fn a_live_edit_is_found_by_meaning_within_two_seconds() {
    let app = TestApp::start_semantic("semantic", None);
    selfserve::web::live::spawn_watcher(&app.state).expect("watcher starts");
    assert!(app.state.semantic.wait_idle(READY_WITHIN));
    let query = "messages backing up in kafka topic";
    let (before, _) = ids(&app, query);
    assert!(!before.iter().any(|id| id == "guides/consumer-lag"));
    fs::write(
        app.content.join("guides/consumer-lag.md"),
        "---\ntitle: Kafka consumer group lag\n---\n# Kafka consumer group lag\n\n\
         When a consumer group falls behind the producers, its lag grows: add consumers \
         or partitions.\n",
    )
    .expect("write");
    let started = Instant::now();
    // First lexically (the live reload), then by meaning.
    loop {
        let (hits, _) = ids(&app, "kafka");
        if hits.iter().any(|id| id == "guides/consumer-lag") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the edit never reached search"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let lexical_at = started.elapsed();
    let id = selfserve::model::DocId::parse("guides/consumer-lag").expect("id");
    while app.state.semantic.vectors().page(&id).is_none() {
        assert!(
            started.elapsed() < lexical_at + Duration::from_secs(10),
            "the edit never got vectors"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let semantic_at = started.elapsed();
    eprintln!(
        "live edit: searchable lexically after {lexical_at:?}, by meaning after {semantic_at:?}"
    );
    let (hits, legs) = ids(&app, query);
    assert_eq!(legs, ["lexical", "semantic"]);
    assert_eq!(
        hits.first().map(String::as_str),
        Some("guides/consumer-lag"),
        "{hits:?}"
    );

    // An edit to an existing page re-embeds only that page's new passage; the pages left
    // alone keep theirs without being read again.
    let scaling = selfserve::model::DocId::parse("guides/scaling").expect("id");
    let untouched = app
        .state
        .semantic
        .vectors()
        .page(&scaling)
        .cloned()
        .expect("vectors");
    let embedded = app.state.semantic.embedded_count();
    let cert = selfserve::model::DocId::parse("guides/certificate-renewal").expect("id");
    let old_cert = app
        .state
        .semantic
        .vectors()
        .page(&cert)
        .cloned()
        .expect("vectors");
    let path = app.content.join("guides/certificate-renewal.md");
    let mut text = fs::read_to_string(&path).expect("read");
    text.push_str("\n## Wildcard names\n\nOne certificate can cover every subdomain.\n");
    fs::write(&path, text).expect("write");
    let edited = Instant::now();
    while app
        .state
        .semantic
        .vectors()
        .page(&cert)
        .is_some_and(|p| p.hashes == old_cert.hashes)
    {
        assert!(
            edited.elapsed() < Duration::from_secs(10),
            "the edit never got vectors"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        app.state.semantic.embedded_count(),
        embedded + 1,
        "only the new section"
    );
    let now = app.state.semantic.vectors();
    assert!(std::sync::Arc::ptr_eq(
        now.page(&scaling).expect("kept"),
        &untouched
    ));
}

#[test]
fn the_site_can_switch_the_semantic_leg_off() {
    let app = TestApp::start_semantic_with("semantic", |content| {
        let mut toml = fs::read_to_string(content.join("site.toml")).expect("read");
        toml.push_str("\n[search]\nsemantic = false\n");
        fs::write(content.join("site.toml"), toml).expect("write");
    });
    assert_eq!(app.state.semantic.status(), SemanticStatus::Off);
    let (hits, legs) = ids(&app, BY_MEANING);
    assert_eq!(legs, ["lexical"]);
    assert!(hits.is_empty());
    assert!(
        !app.data.join("semantic").exists(),
        "nothing was embedded or cached"
    );
}
