//! Search over HTTP: the JSON API's shape and limits, hostile input, the results page, the
//! click redirect.

use crate::support::TestApp;

#[test]
fn the_api_answers_the_documented_shape() {
    let app = TestApp::start("site-basic");
    let res = app.get("/api/v1/search?q=OOMKilled");
    assert_eq!(res.status, 200, "{}", res.body);
    let json = res.json();
    assert!(json["total"].as_u64().is_some_and(|t| t >= 1), "{json}");
    assert!(json["took_ms"].as_f64().is_some());
    assert_eq!(
        json["legs"],
        serde_json::json!(["lexical"]),
        "the legs that answered"
    );
    let hit = &json["hits"][0];
    for key in ["id", "title", "kind", "url", "summary", "snippet", "score"] {
        assert!(!hit[key].is_null(), "hit lacks {key}: {hit}");
    }
    assert_eq!(hit["id"], "troubleshooting/pod-crash");
    assert_eq!(hit["kind"], "troubleshooting");
    assert_eq!(
        hit["url"], "/trees/troubleshooting/pod-crash#start",
        "lands on the node"
    );
    assert!(
        hit["snippet"]
            .as_str()
            .is_some_and(|s| s.contains("<mark>")),
        "{hit}"
    );
}

#[test]
fn limits_are_clamped_and_bad_values_explained() {
    let app = TestApp::start("site-basic");
    let json = app.get("/api/v1/search?q=kubernetes&limit=-1").json();
    assert_eq!(json["hits"].as_array().map(Vec::len), Some(1));
    let res = app.get("/api/v1/search?q=kubernetes&limit=1000000&offset=99999999");
    assert_eq!(res.status, 200);
    assert_eq!(res.json()["hits"].as_array().map(Vec::len), Some(0));
    assert!(res.json()["total"].as_u64().is_some_and(|t| t > 0));

    let res = app.get("/api/v1/search?q=kubernetes&limit=ten");
    assert_eq!(res.status, 400);
    assert!(res.error().contains("limit"), "{}", res.body);
    let res = app.get("/api/v1/search?q=kubernetes&kind=blog");
    assert_eq!(res.status, 400);
    assert!(res.error().contains("unknown kind"), "{}", res.body);
    let res = app.get("/search?q=kubernetes&kind=blog");
    assert_eq!(res.status, 400);
}

#[test]
fn hostile_queries_never_fail() {
    let app = TestApp::start("site-basic");
    let long = "a%20".repeat(5_000);
    for q in [
        "",
        "%FF%FE%00",
        "%00%01%1b[31m",
        "%22((%5B%7B:*~^-%22",
        "NOT%20AND%20OR%20title:x%20-y%20+z",
        long.as_str(),
    ] {
        for route in ["/api/v1/search", "/search"] {
            let res = app.get(&format!("{route}?q={q}"));
            assert_eq!(
                res.status,
                200,
                "{route}?q={}: {}",
                &q[..q.len().min(40)],
                res.body
            );
        }
    }
    let json = app.get("/api/v1/search?q=").json();
    assert_eq!(json["total"], 0);
    assert_eq!(json["hits"].as_array().map(Vec::len), Some(0));
}

#[test]
fn the_results_page_escapes_the_query_and_shows_results() {
    let app = TestApp::start("site-basic");
    let res = app.get("/search?q=%3Cscript%3Ealert(1)%3C/script%3E%20kubectl");
    assert_eq!(res.status, 200);
    assert!(
        !res.body.contains("<script>alert(1)"),
        "the query reached the page unescaped"
    );
    assert!(res.body.contains("&lt;script&gt;alert(1)"));

    let res = app.get("/search?q=kubectl+rollout");
    assert_eq!(res.status, 200);
    assert!(res.body.contains("Deploying to Kubernetes"), "{}", res.body);
    assert!(res.body.contains("badge-guide"));
    assert!(res.body.contains("search-filters"));
    assert!(res.body.contains("<mark>"));
    assert!(!res.body.contains("<script>"), "no inline scripts");

    let res = app.get("/search?q=kubernetis");
    assert!(res.body.contains("Did you mean"), "{}", res.body);
}

#[test]
fn result_clicks_redirect_only_within_the_site() {
    let app = TestApp::start("site-basic");
    let res = app.get("/search?sid=not-a-uuid&open=%2Fdocs%2Fguides%2Fkubernetes%2Fdeploy");
    assert_eq!(res.status, 303);
    assert_eq!(
        res.header("location"),
        Some("/docs/guides/kubernetes/deploy")
    );
    let res = app.get("/search?open=%2F%2Fevil.example%2F");
    assert_eq!(res.header("location"), Some("/"));
    let res = app.get("/search?q=x&open=https%3A%2F%2Fevil.example%2F");
    assert_eq!(res.header("location"), Some("/"));
}

#[test]
fn the_batching_log_writes_searches_and_clicks_in_the_background() {
    use selfserve::store::{SearchLogEntry, SearchLogLimits, Store};
    use selfserve::web::search::{BatchingSearchLog, SearchLogSink};

    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open store");
    let limits = SearchLogLimits {
        retention_days: 180,
        max_rows: 200_000,
    };
    let log = BatchingSearchLog::start(store.clone(), move || limits);
    let entry = SearchLogEntry::new("Pod OOM", 3);
    let id = entry.id;
    let started = std::time::Instant::now();
    log.searched(entry);
    log.searched(SearchLogEntry::new("pod  oom", 0));
    log.opened(id);
    log.opened(id);
    assert!(
        started.elapsed() < std::time::Duration::from_millis(50),
        "logging blocked the caller"
    );
    drop(log);
    let since = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
    let mut top = Vec::new();
    for _ in 0..50 {
        top = store.top_queries(since, 10).expect("top queries");
        if top.first().is_some_and(|q| q.opened == 1) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(top.len(), 1, "{top:?}");
    assert_eq!(
        (top[0].query.as_str(), top[0].count, top[0].opened),
        ("pod oom", 2, 1),
        "one row for both spellings; a repeated click counts once"
    );
    assert_eq!(store.search_log_rows().expect("rows"), 1);
}

#[test]
fn pages_are_served_while_the_index_builds_and_search_says_to_wait() {
    let app = TestApp::start_without_index("site-basic");
    assert_eq!(app.get("/healthz").status, 200);
    assert_eq!(app.get("/").status, 200);

    let api = app.get("/api/v1/search?q=OOMKilled");
    assert_eq!(api.status, 503, "{}", api.body);
    assert_eq!(api.header("retry-after"), Some("2"));
    assert!(api.error().contains("still being built"), "{}", api.body);
    let page = app.get("/search?q=OOMKilled");
    assert_eq!(page.status, 503);
    assert!(page.body.contains("still being built"), "{}", page.body);

    app.state
        .spawn_search_index()
        .expect("spawn the index build");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let res = app.get("/api/v1/search?q=OOMKilled");
        if res.status == 200 {
            assert_eq!(res.json()["hits"][0]["id"], "troubleshooting/pod-crash");
            break;
        }
        assert_eq!(res.status, 503, "{}", res.body);
        assert!(
            std::time::Instant::now() < deadline,
            "the index never became ready"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Issue 13: every search added a row and nothing pruned them (20 s of `wrk` added 147 MB).
#[test]
fn a_flood_of_unique_searches_stays_within_the_row_cap() {
    let app = TestApp::start_with("site-basic", |content| {
        let path = content.join("site.toml");
        let mut config = std::fs::read_to_string(&path).expect("site.toml");
        config.push_str("\n[search_log]\nmax_rows = 50\n");
        std::fs::write(&path, config).expect("write site.toml");
    });
    let store = &app.state.store;
    for _ in 0..20 {
        assert_eq!(app.get("/api/v1/search?q=Pod+OOM").status, 200);
    }
    let long = "k".repeat(600);
    assert_eq!(app.get(&format!("/api/v1/search?q={long}")).status, 200);
    for i in 0..300 {
        let res = app.get(&format!("/api/v1/search?q=flood-{i}"));
        assert_eq!(res.status, 200, "{}", res.body);
    }
    let since = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let top = loop {
        let top = store.top_queries(since, 1000).expect("top queries");
        if top.iter().any(|q| q.query == "flood-299") {
            break top;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the last search was never logged"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let rows = store.search_log_rows().expect("rows");
    assert!(rows <= 50, "{rows} rows for a cap of 50");
    assert_eq!(rows, 50, "the newest searches are kept");
    assert!(
        top.iter().all(|q| q.query.starts_with("flood-")),
        "the oldest rows went first: {top:?}"
    );
    assert!(top.iter().all(|q| q.count == 1));
}

#[test]
fn identical_searches_share_a_row_and_long_ones_are_cut() {
    let app = TestApp::start("site-basic");
    let store = &app.state.store;
    for q in ["Pod+OOM", "pod++oom", "POD%09OOM"] {
        for _ in 0..10 {
            assert_eq!(app.get(&format!("/api/v1/search?q={q}")).status, 200);
        }
    }
    let long = "%C3%A9".repeat(400);
    assert_eq!(app.get(&format!("/search?q={long}")).status, 200);
    let since = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let top = store.top_queries(since, 10).expect("top queries");
        if top.len() == 2 {
            let counts: Vec<_> = top.iter().map(|q| q.count).collect();
            assert_eq!(counts, [30, 1], "{top:?}");
            assert_eq!(top[0].query, "pod oom");
            assert_eq!(top[1].query, "é".repeat(200), "cut to 200 characters");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{top:?}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(store.search_log_rows().expect("rows"), 2);
}

/// The ids of the hits of `q`, best first.
/// Asserts that `q`'s first hit is the document `id`, showing every hit when it is not.
fn assert_first_hit(app: &TestApp, q: &str, id: &str) {
    let ids = hit_ids(app, q);
    assert_eq!(ids.first().map(String::as_str), Some(id), "{q}: {ids:?}");
}

fn hit_ids(app: &TestApp, q: &str) -> Vec<String> {
    let json = app
        .get(&format!(
            "/api/v1/search?limit=50&q={}",
            q.replace(' ', "+")
        ))
        .json();
    json["hits"]
        .as_array()
        .map(|hits| {
            hits.iter()
                .filter_map(|h| h["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn write(content: &std::path::Path, rel: &str, text: &str) {
    let path = content.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write fixture page");
}

#[test]
fn parts_of_compound_identifiers_typed_together_find_the_identifier() {
    let app = TestApp::start_with("site-basic", |content| {
        write(
            content,
            "guides/postgres/split-brain.md",
            "---\ntitle: Two primaries\n---\nThe `PostgresSplitBrain` alert fires when two nodes accept writes.\n",
        );
        write(
            content,
            "guides/registry.md",
            "---\ntitle: Registry\n---\nA pod in `ImagePullBackOff` cannot fetch its image.\n",
        );
    });
    for (q, id) in [
        ("crashloop", "troubleshooting/pod-crash"),
        ("CrashLoop", "troubleshooting/pod-crash"),
        ("imagepull", "guides/registry"),
        ("splitbrain", "guides/postgres/split-brain"),
        ("splitbrain alert", "guides/postgres/split-brain"),
    ] {
        assert_first_hit(&app, q, id);
    }
    // The word is understood: no "did you mean".
    let json = app.get("/api/v1/search?q=splitbrain").json();
    assert!(json["did_you_mean"].is_null(), "{json}");
}

#[test]
fn did_you_mean_draws_on_titles_and_tags() {
    let app = TestApp::start_with("site-basic", |content| {
        write(
            content,
            "guides/vault.md",
            "---\ntitle: Zookeeper quorum\ntags: [vaultwarden]\n---\nWhen fewer than half the members answer.\n",
        );
    });
    for (q, meant) in [("zookeepr", "zookeeper"), ("vaultwardn", "vaultwarden")] {
        let json = app.get(&format!("/api/v1/search?q={q}")).json();
        assert_eq!(json["did_you_mean"].as_str(), Some(meant), "{q}: {json}");
        assert!(
            json["hits"][0]["id"].as_str() == Some("guides/vault"),
            "{q}: {json}"
        );
    }
}

#[test]
fn a_folders_landing_page_wins_a_one_word_query_naming_the_folder() {
    let app = TestApp::start_with("site-basic", |content| {
        write(
            content,
            "guides/gitaly/README.md",
            "---\ntitle: Gitaly service\n---\nThe Gitaly service stores repositories. Start here.\n",
        );
        write(
            content,
            "guides/mimir-rules-jsonnet/README.md",
            "---\ntitle: Mimir rules\n---\nRecording rules, generated from jsonnet.\n",
        );
        write(
            content,
            "guides/jsonnet.md",
            "---\ntitle: Templates\n---\nJsonnet templates: how jsonnet files become manifests.\n",
        );
        for (file, title) in [
            ("version-mismatch", "Gitaly version mismatch"),
            ("latency", "Gitaly latency"),
            ("corruption", "Gitaly repository corruption"),
        ] {
            write(
                content,
                &format!("guides/gitaly/{file}.md"),
                &format!(
                    "---\ntitle: {title}\n---\n## Gitaly nodes\n\nGitaly on one node and gitaly on another: \
                     restart gitaly, check the gitaly logs, then the gitaly config of each Gitaly node.\n"
                ),
            );
        }
    });
    for q in ["gitaly", "Gitaly", "GITALY"] {
        let ids = hit_ids(&app, q);
        assert_eq!(
            ids.first().map(String::as_str),
            Some("guides/gitaly/README"),
            "{q}: {ids:?}"
        );
        assert_eq!(ids.len(), 4, "{ids:?}");
    }
    // A word inside a folder's name is not its name: `jsonnet` does not name
    // `mimir-rules-jsonnet`, so the page about jsonnet wins.
    assert_first_hit(&app, "jsonnet", "guides/jsonnet");
    // Two words are not a folder's name: the sub-page about both wins.
    assert_first_hit(&app, "gitaly latency", "guides/gitaly/latency");
}

#[test]
fn aliases_and_symptoms_find_a_page_in_the_words_people_use() {
    let app = TestApp::start_with("site-basic", |content| {
        write(
            content,
            "guides/inodes.md",
            "---\ntitle: Inode exhaustion\naliases: [out of inodes, ENOSPC]\nsymptoms:\n  - disk has free space but cannot create new files\n---\nCount inodes with `df -i`; remove the many small files.\n",
        );
        write(
            content,
            "guides/disk.md",
            "---\ntitle: Disk usage\n---\nWhen a disk is full, free space by removing old logs. Files and space.\n",
        );
    });
    assert_first_hit(
        &app,
        "disk has free space but cannot create files",
        "guides/inodes",
    );
    assert_first_hit(&app, "enospc", "guides/inodes");
    assert_first_hit(&app, "out of inodes", "guides/inodes");
}

/// The sample site (`content/`) loaded and indexed in process, once.
fn sample_site() -> &'static (selfserve::model::Site, selfserve::search::SearchIndex) {
    static SITE: std::sync::OnceLock<(selfserve::model::Site, selfserve::search::SearchIndex)> =
        std::sync::OnceLock::new();
    SITE.get_or_init(|| {
        let content = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        let (site, _) = selfserve::loader::load_site(&content).expect("sample site loads");
        let index = selfserve::search::SearchIndex::build(&site);
        (site, index)
    })
}

fn sample_ids(q: &str) -> Vec<String> {
    let (_, index) = sample_site();
    let mut request = selfserve::search::SearchRequest::new(q);
    request.limit = Some(50);
    index
        .search(&request)
        .map(|r| r.hits.iter().map(|h| h.id.to_string()).collect())
        .unwrap_or_default()
}

/// The title of the sample site's page listed first in `ids`.
fn first_title(ids: &[String]) -> Option<String> {
    let (site, _) = sample_site();
    ids.first()
        .and_then(|id| site.get_str(id))
        .map(|d| d.title.clone())
}

#[test]
fn on_the_sample_site_crashloop_and_imagepull_find_their_pages() {
    let (site, _) = sample_site();
    let ids = sample_ids("crashloop");
    assert_eq!(
        first_title(&ids).as_deref(),
        Some("Pod stuck in CrashLoopBackOff"),
        "{ids:?}"
    );
    let ids = sample_ids("imagepull");
    let found = ids.iter().filter_map(|id| site.get_str(id)).any(|d| {
        (0..d.body.sections().len()).any(|i| d.body.section_text(i).contains("ImagePullBackOff"))
    });
    assert!(found, "{ids:?}");
    // The folder's landing page first, although every page in it is tagged `kubernetes`.
    let ids = sample_ids("kubernetes");
    assert_eq!(
        ids.first().map(String::as_str),
        Some("guides/kubernetes/README"),
        "{ids:?}"
    );
    // A symptom written in the page's front matter.
    let ids = sample_ids("restart count keeps going up");
    assert_eq!(
        first_title(&ids).as_deref(),
        Some("Pod stuck in CrashLoopBackOff"),
        "{ids:?}"
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// `CrashLoopBackOff`, `crashloopbackoff` and `CRASHLOOPBACKOFF` give the same hits in
    /// the same order: queries are the sample site's titles in mixed case.
    #[test]
    fn case_never_changes_results(pick in 0usize..1000, flips in proptest::collection::vec(proptest::bool::ANY, 64)) {
        let (site, _) = sample_site();
        let titles: Vec<&str> = site.documents.values().map(|d| d.title.as_str()).collect();
        let title = titles[pick % titles.len()];
        let mixed: String = title
            .chars()
            .enumerate()
            .map(|(i, c)| if flips[i % flips.len()] { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() })
            .collect();
        let expected = sample_ids(title);
        proptest::prop_assert!(!expected.is_empty(), "{title}");
        for q in [mixed, title.to_lowercase(), title.to_uppercase()] {
            proptest::prop_assert_eq!(&sample_ids(&q), &expected, "{} vs {}", q, title);
        }
    }
}
