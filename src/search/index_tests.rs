//! Tests of the index over small hand-made sites: grouping, filters, snippets, updates.

use std::sync::Arc;

use super::*;
use crate::model::{Body, Detail, Section, Tree, TreeNode};

fn section(anchor: Option<&str>, heading: &str, text: &str) -> Section {
    Section::sample(anchor, heading, text)
}

fn doc(id: &str, kind: Kind, title: &str, tags: &[&str], sections: Vec<Section>) -> Document {
    Document {
        title: title.to_owned(),
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        owner: Some("team-sre".into()),
        body: Body::new("", sections),
        ..Document::sample(id, kind)
    }
}

fn site(docs: Vec<Document>) -> Site {
    let mut site = Site::default();
    for d in docs {
        site.documents.insert(d.id.clone(), Arc::new(d));
    }
    site
}

fn sample() -> Site {
    let mut tree = doc(
        "troubleshooting/pod-crash",
        Kind::Troubleshooting,
        "My pod keeps restarting",
        &["kubernetes"],
        vec![section(None, "", "Answer the questions to find the cause.")],
    );
    tree.detail = Detail::Tree(Tree {
        intro_html: String::new(),
        nodes: vec![
            TreeNode {
                id: "start".into(),
                title: "Is the pod in CrashLoopBackOff?".into(),
                body_html: String::new(),
                text: "Run kubectl get pods and look at STATUS.".into(),
                choices: vec![],
                outcome: None,
            },
            TreeNode {
                id: "oom".into(),
                title: "Killed for memory".into(),
                body_html: String::new(),
                text: "The container was OOMKilled: raise the memory limit.".into(),
                choices: vec![],
                outcome: None,
            },
        ],
    });
    site(vec![
        doc(
            "guides/postgres/permissions",
            Kind::Guide,
            "Postgres permissions",
            &["postgres", "Database"],
            vec![
                section(None, "", "How roles and grants work."),
                section(
                    Some("denied"),
                    "Permission denied",
                    "ERROR: permission_denied for table users. Grant SELECT to the role.",
                ),
                section(
                    Some("vacuum"),
                    "Vacuum",
                    "Check pg_txid_xmin_age before vacuuming.",
                ),
            ],
        ),
        doc(
            "guides/sidekiq",
            Kind::Guide,
            "Sidekiq",
            &["queues"],
            (0..20)
                .map(|i| {
                    section(
                        Some(&format!("s{i}")),
                        &format!("Queue topic {i}"),
                        "The SidekiqQueueTooLarge alert fires when jobs pile up in a queue.",
                    )
                })
                .collect(),
        ),
        doc(
            "training/modules/xss",
            Kind::Module,
            "Escaping output",
            &[],
            vec![section(
                Some("why"),
                "Why",
                "Never render <script>alert('pwned')</script> from user input.",
            )],
        ),
        tree,
    ])
}

fn search(index: &SearchIndex, q: &str) -> SearchResults {
    index.search(&SearchRequest::new(q)).expect("search")
}

fn ids(r: &SearchResults) -> Vec<&str> {
    r.hits.iter().map(|h| h.id.as_str()).collect()
}

#[test]
fn hits_land_on_the_matching_section() {
    let index = SearchIndex::build(&sample());
    let r = search(&index, "permission denied");
    assert_eq!(ids(&r).first(), Some(&"guides/postgres/permissions"));
    assert_eq!(r.hits[0].url, "/docs/guides/postgres/permissions#denied");
    assert_eq!(r.hits[0].section.as_deref(), Some("Permission denied"));
    assert!(
        r.hits[0].snippet.contains("<mark>"),
        "{}",
        r.hits[0].snippet
    );
}

#[test]
fn one_page_does_not_fill_the_list() {
    let index = SearchIndex::build(&sample());
    let r = search(&index, "SidekiqQueueTooLarge");
    assert_eq!(r.total, 1);
    assert_eq!(ids(&r), vec!["guides/sidekiq"]);
    let r = search(&index, "sidekiq queue too large");
    assert_eq!(ids(&r).first(), Some(&"guides/sidekiq"));
}

#[test]
fn identifiers_match_in_every_spelling() {
    let index = SearchIndex::build(&sample());
    for q in [
        "pg_txid_xmin_age",
        "txid xmin age",
        "PermissionDenied",
        "permission-denied",
    ] {
        let r = search(&index, q);
        assert_eq!(ids(&r).first(), Some(&"guides/postgres/permissions"), "{q}");
    }
}

#[test]
fn tree_nodes_and_modules_are_found_where_they_are() {
    let index = SearchIndex::build(&sample());
    let r = search(&index, "OOMKilled");
    assert_eq!(r.hits[0].url, "/trees/troubleshooting/pod-crash#oom");
    assert_eq!(r.hits[0].kind, Kind::Troubleshooting);
    let r = search(&index, "crashloopbackoff");
    assert_eq!(r.hits[0].url, "/trees/troubleshooting/pod-crash#start");
    let r = search(&index, "escaping output");
    assert_eq!(r.hits[0].url, "/modules/training/modules/xss#why");
}

#[test]
fn snippets_escape_document_text() {
    let index = SearchIndex::build(&sample());
    let r = search(&index, "render script user input");
    let hit = &r.hits[0];
    assert_eq!(hit.id, "training/modules/xss");
    assert!(!hit.snippet.contains("<script"), "{}", hit.snippet);
    assert!(
        hit.snippet.contains("&lt;<mark>script</mark>&gt;"),
        "{}",
        hit.snippet
    );
}

#[test]
fn filters_and_facets_count_pages() {
    let index = SearchIndex::build(&sample());
    let mut req = SearchRequest::new("the");
    let all = index.search(&req).expect("search");
    assert!(all.total >= 3);
    req.kind = Some("troubleshooting".into());
    let trees = index.search(&req).expect("search");
    assert_eq!(ids(&trees), vec!["troubleshooting/pod-crash"]);
    // Kind counts ignore the kind filter so the page can offer the other kinds.
    assert_eq!(trees.facets.kinds, all.facets.kinds);
    req.kind = None;
    req.tag = Some("DATABASE".into());
    let tagged = index.search(&req).expect("search");
    assert_eq!(ids(&tagged), vec!["guides/postgres/permissions"]);
    req.kind = Some("blog".into());
    assert!(index.search(&req).is_err_and(|e| e.is_bad_request()));
}

#[test]
fn typos_are_tolerated_and_corrected() {
    let index = SearchIndex::build(&sample());
    let r = search(&index, "sidekick");
    assert_eq!(ids(&r).first(), Some(&"guides/sidekiq"));
    assert_eq!(r.did_you_mean.as_deref(), Some("sidekiq"));
    let r = search(&index, "permision");
    assert_eq!(ids(&r).first(), Some(&"guides/postgres/permissions"));
    assert_eq!(search(&index, "permission").did_you_mean, None);
}

#[test]
fn a_typo_made_of_known_words_is_still_corrected() {
    let mut docs = vec![
        doc(
            "guides/prometheus",
            Kind::Guide,
            "Prometheus memory",
            &[],
            vec![section(
                None,
                "",
                "Prometheus uses memory. Prometheus restarts.",
            )],
        ),
        doc(
            "guides/other",
            Kind::Guide,
            "Other",
            &[],
            vec![section(None, "", "The pro team met. Bright hues.")],
        ),
    ];
    docs.push(doc(
        "guides/loops",
        Kind::Guide,
        "Loops",
        &[],
        vec![section(None, "", "A CrashLoopBackOff again.")],
    ));
    let index = SearchIndex::build(&site(docs));
    // `pro met hues` are known words, but never together: still a typo.
    let r = search(&index, "promethues");
    assert_eq!(r.did_you_mean.as_deref(), Some("prometheus"));
    assert_eq!(ids(&r).first(), Some(&"guides/prometheus"));
    // `crash loop` stand together (in the identifier): a split, not a typo.
    let r = search(&index, "crashloop");
    assert_eq!(r.did_you_mean, None);
    assert_eq!(ids(&r), vec!["guides/loops"]);
}

#[test]
fn hostile_input_never_fails() {
    let index = SearchIndex::build(&sample());
    let long = "permission denied ".repeat(600);
    for q in [
        "",
        "   ",
        "\"",
        "((((",
        "a:b:c OR AND NOT -x +y ~z ^2 [1 TO 5] {x} \\ /regex/ *",
        "\u{0}\u{1}\u{7f}",
        long.as_str(),
    ] {
        let r = index.search(&SearchRequest::new(q));
        assert!(r.is_ok(), "{q:?}");
    }
    assert_eq!(search(&index, "").total, 0);
    assert_eq!(search(&index, "?!").hits.len(), 0);
    assert_eq!(
        search(&index, &long).hits[0].id,
        "guides/postgres/permissions"
    );
    let mut req = SearchRequest::new("queue");
    req.offset = Some(9_999_999);
    assert!(
        index
            .search(&req)
            .is_ok_and(|r| r.hits.is_empty() && r.offset == 10_000)
    );
}

#[test]
fn replace_and_remove_update_without_rebuilding() {
    let index = SearchIndex::build(&sample());
    let before = index.entry_count();
    assert_eq!(search(&index, "zanzibar").total, 0);
    let mut changed = doc(
        "guides/sidekiq",
        Kind::Guide,
        "Sidekiq",
        &[],
        vec![section(None, "", "Zanzibar workers")],
    );
    index
        .replace_document(&Arc::new(changed.clone()))
        .expect("replace");
    assert_eq!(ids(&search(&index, "zanzibar")), vec!["guides/sidekiq"]);
    assert_eq!(search(&index, "pile").total, 0);
    assert_eq!(index.entry_count(), before - 20 + 1);
    assert_eq!(index.page_count(), 4);

    changed.id = DocId::parse("guides/new").expect("id");
    index
        .replace_document(&Arc::new(changed.clone()))
        .expect("add");
    assert_eq!(search(&index, "zanzibar").total, 2);

    index.remove_document(&changed.id).expect("remove");
    assert_eq!(ids(&search(&index, "zanzibar")), vec!["guides/sidekiq"]);
    index
        .remove_document(&changed.id)
        .expect("removing twice is fine");
    assert_eq!(index.page_count(), 4);

    // A clone shares the index: live reload hands it to the next snapshot.
    let next = index.clone();
    next.remove_document(&DocId::parse("guides/sidekiq").expect("id"))
        .expect("remove");
    let r = search(&index, "zanzibar");
    assert_eq!(r.total, 0, "{:?}", r.hits);
}

#[test]
fn a_batch_replaces_adds_and_removes_in_one_commit() {
    let index = SearchIndex::build(&sample());
    let page = |id: &str, text: &str| {
        Arc::new(doc(
            id,
            Kind::Guide,
            "T",
            &[],
            vec![section(None, "", text)],
        ))
    };
    let removed = DocId::parse("guides/sidekiq").expect("id");
    index
        .replace_documents(
            &[
                page("guides/a", "quokka first"),
                page("guides/b", "quokka"),
                page("guides/a", "quokka second"),
            ],
            std::slice::from_ref(&removed),
        )
        .expect("batch");
    let r = search(&index, "quokka");
    assert_eq!(r.total, 2, "{:?}", r.hits);
    assert_eq!(
        search(&index, "first").total,
        0,
        "only the last version counts"
    );
    assert_eq!(search(&index, "pile").total, 0, "the removed page is gone");
    assert_eq!(index.page_count(), 5);
}

#[test]
fn an_index_on_disk_answers_as_one_in_ram_and_takes_edits() {
    let data = tempfile::tempdir().expect("temp dir");
    let storage = IndexStorage::in_folder(&data.path().join("search")).expect("storage");
    let on_disk = SearchIndex::build_in(&sample(), &storage);
    let in_ram = SearchIndex::build(&sample());
    assert_eq!(on_disk.storage(), storage);
    assert_eq!(in_ram.storage(), IndexStorage::Memory);
    for q in [
        "permission denied",
        "sidekiq queue",
        "OOMKilled",
        "crashlop",
        "script",
    ] {
        assert_eq!(search(&on_disk, q).hits, search(&in_ram, q).hits, "{q}");
    }
    let changed = doc(
        "guides/sidekiq",
        Kind::Guide,
        "Sidekiq",
        &[],
        vec![section(None, "", "Zanzibar workers")],
    );
    on_disk
        .replace_document(&Arc::new(changed))
        .expect("an edit on disk");
    assert_eq!(ids(&search(&on_disk, "zanzibar")), vec!["guides/sidekiq"]);
    let folders = || {
        std::fs::read_dir(data.path().join("search"))
            .expect("dir")
            .count()
    };
    assert_eq!(folders(), 1);
    drop(on_disk);
    assert_eq!(folders(), 0, "the index's folder goes with it");
}

#[test]
fn a_stopping_server_removes_its_folders_and_a_start_removes_a_previous_runs() {
    let data = tempfile::tempdir().expect("temp dir");
    let parent = data.path().join("search");
    let storage = IndexStorage::in_folder(&parent).expect("storage");
    let held = SearchIndex::build_in(&sample(), &storage);
    // A previous run of a server with this process id (a container's PID 1) left one.
    let previous = parent.join(format!("{}-previous", std::process::id()));
    std::fs::create_dir(&previous).expect("mkdir");
    let again = IndexStorage::in_folder(&parent).expect("storage");
    assert!(
        !previous.exists(),
        "a folder this process did not make is stale"
    );
    let folders = || std::fs::read_dir(&parent).expect("dir").count();
    assert_eq!(folders(), 1, "the index in use stays");
    again.remove_created_folders();
    assert_eq!(folders(), 0, "removed while the index is still held");
    assert!(
        search(&held, "sidekiq").total > 0,
        "a late reader still reads"
    );
}

#[test]
fn an_empty_site_answers_nothing() {
    let index = SearchIndex::default();
    assert_eq!(search(&index, "anything").total, 0);
}

fn shared_index() -> &'static SearchIndex {
    static INDEX: std::sync::OnceLock<SearchIndex> = std::sync::OnceLock::new();
    INDEX.get_or_init(|| SearchIndex::build(&sample()))
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

    #[test]
    fn any_query_answers_without_error_and_with_safe_snippets(
        q in "\\PC{0,120}|[-+:\"'()\\[\\]{}!&|^~*?/\\\\ a-zA-Z_.0-9<>]{0,80}"
    ) {
        let r = shared_index().search(&SearchRequest::new(q.clone()));
        proptest::prop_assert!(r.is_ok(), "{:?} failed", q);
        for hit in r.map(|r| r.hits).unwrap_or_default() {
            let bare = hit.snippet.replace("<mark>", "").replace("</mark>", "");
            proptest::prop_assert!(!bare.contains('<') && !bare.contains('>'));
        }
    }
}
