//! Tests of the learner × resource service over small in-memory sites.

use super::*;
use crate::qualify::test_support::{module, sample_site, site, t0};
use crate::records::{UserName, UserSource};
use proptest::prelude::*;
use time::Duration;

fn sample() -> Site {
    sample_site()
}

fn id(s: &str) -> DocId {
    DocId::parse(s).expect("valid id")
}

fn user(n: i64, name: &str) -> User {
    User {
        id: UserId(n),
        name: UserName::parse(name).expect("name"),
        display_name: None,
        email: None,
        is_admin: false,
        disabled: false,
        has_password: false,
        source: UserSource::Local,
        created_at: t0(),
    }
}

fn pass(user: i64, module: &str, version: u32, day: i64) -> Pass {
    Pass {
        user_id: UserId(user),
        module_id: module.to_owned(),
        version,
        at: t0() + Duration::days(day),
    }
}

#[test]
fn prerequisite_paths_count_first_and_modules_once() {
    let site = sample();
    let req = Requirements::of(&site, &id("db")).expect("a resource");
    assert_eq!(req.paths, vec![id("base"), id("ops")]);
    let modules: Vec<(&str, u32)> = req.modules.iter().map(|(m, v)| (m.as_str(), *v)).collect();
    assert_eq!(modules, [("a", 1), ("b", 2), ("c", 1)]);
    assert_eq!(req.valid_for_days, Some(100));
    assert!(Requirements::of(&site, &id("base")).is_none(), "a path");
}

#[test]
fn a_cycle_between_paths_does_not_loop() {
    let site = site(&[
        ("training/modules/a.md", &module("a", 1)),
        (
            "training/paths/p.md",
            "---\nid: p\ntitle: P\nmodules: [a]\nrequires: [q]\n---\nx\n",
        ),
        (
            "training/paths/q.md",
            "---\nid: q\ntitle: Q\nmodules: [a]\nrequires: [p]\n---\nx\n",
        ),
        (
            "resources/r.md",
            "---\nid: r\ntitle: R\nrequires: [p]\n---\nx\n",
        ),
    ]);
    let req = Requirements::of(&site, &id("r")).expect("a resource");
    assert_eq!(req.paths, vec![id("q"), id("p")]);
    assert_eq!(req.modules.len(), 1);
}

#[test]
fn the_matrix_decides_every_pair_and_as_of_ignores_later_passes() {
    let site = sample();
    let catalog = Catalog::of(&site);
    assert_eq!(catalog.module_ids(), ["a", "b", "c"]);
    let users = [user(1, "ada"), user(2, "bob")];
    let passes = [
        pass(1, "a", 1, 0),
        pass(1, "b", 2, 5),
        pass(1, "c", 1, 10),
        pass(2, "a", 1, 50),
        pass(2, "b", 1, 50), // an old version: does not count
        pass(9, "a", 1, 0),  // not a listed user
    ];
    let m = matrix(&catalog, &users, &passes, t0() + Duration::days(75), 30);
    assert_eq!(m.resources, vec![id("db"), id("ns")]);
    let ada = &m.rows[0];
    assert_eq!(ada.name, "ada");
    assert_eq!(
        ada.decisions[0].status,
        Status::Expiring,
        "lapses on day 100"
    );
    assert_eq!(ada.decisions[0].expires, Some(t0() + Duration::days(100)));
    assert_eq!(ada.decisions[1].status, Status::Qualified);
    assert_eq!(ada.qualified_count(), 2);
    let bob = &m.rows[1];
    assert_eq!(bob.decisions[0].status, Status::Missing);
    assert_eq!(bob.decisions[0].missing, vec![id("b"), id("c")]);
    assert_eq!(bob.decisions[1].status, Status::Qualified);

    let earlier = matrix(&catalog, &users, &passes, t0() + Duration::days(7), 30);
    assert_eq!(earlier.rows[0].decisions[0].missing, vec![id("c")]);
    assert_eq!(earlier.rows[1].decisions[1].status, Status::Missing);
    let later = matrix(&catalog, &users, &passes, t0() + Duration::days(100), 30);
    assert_eq!(later.rows[0].decisions[0].status, Status::Expired);
    assert_eq!(later.rows[0].decisions[0].missing, vec![id("a")]);
}

#[test]
fn views_filter_columns_and_rows_and_sort() {
    let site = sample();
    let catalog = Catalog::of(&site);
    let users = [user(1, "carol"), user(2, "ada"), user(3, "bob")];
    let passes = [pass(1, "a", 1, 0), pass(3, "a", 1, 0)];
    let m = matrix(&catalog, &users, &passes, t0() + Duration::days(1), 30);
    let names = |m: &Matrix| m.rows.iter().map(|r| r.name.clone()).collect::<Vec<_>>();

    let by_name = m.clone().view(&View::default());
    assert_eq!(names(&by_name), ["ada", "bob", "carol"]);
    let most_first = m.clone().view(&View {
        sort: SortKey::Qualified,
        descending: true,
        ..View::default()
    });
    assert_eq!(names(&most_first), ["bob", "carol", "ada"], "ties by name");

    let only_ns = m.clone().view(&View {
        resource: Some(id("ns")),
        status: Some(Status::Missing),
        ..View::default()
    });
    assert_eq!(only_ns.resources, vec![id("ns")]);
    assert_eq!(names(&only_ns), ["ada"]);
    assert!(only_ns.rows.iter().all(|r| r.decisions.len() == 1));
    let counts = m.counts();
    assert_eq!(counts[0], (Status::Qualified, 2));
    assert_eq!(counts[3], (Status::Missing, 4));
}

#[test]
fn passes_with_ids_no_content_could_have_are_skipped() {
    let passes = [pass(1, "bad id", 1, 0), pass(1, "a", 1, 0)];
    let h = History::new(&passes, None);
    assert!(h.latest_pass(&id("a"), 1, t0()).is_some());
}

#[test]
fn only_resources_show_a_status() {
    let site = sample();
    let history = History::new(&[pass(1, "a", 1, 0)], None);
    let now = t0() + Duration::days(1);
    let status = |doc_id: &str| {
        let doc = site.get(&id(doc_id)).expect("document");
        document_status(&site, &history, doc, now)
    };
    assert_eq!(status("ns"), Some(Status::Qualified));
    assert_eq!(
        status("guides/ns-howto"),
        None,
        "a guide about it is open to all"
    );
    assert_eq!(status("db"), Some(Status::Missing));
    assert_eq!(status("a"), None, "a module is about no resource");
}

fn arb_matrix() -> impl Strategy<Value = (Vec<Pass>, i64)> {
    let one = (1i64..5, 0usize..3, 1u32..3, 0i64..200);
    (prop::collection::vec(one, 0..30), 0i64..250).prop_map(|(raw, day)| {
        let names = ["a", "b", "c"];
        let passes = raw
            .into_iter()
            .map(|(u, m, v, d)| pass(u, names[m], v, d))
            .collect();
        (passes, day)
    })
}

proptest! {
    #[test]
    fn each_cell_is_the_learners_own_decision((passes, day) in arb_matrix()) {
        // Deciding everyone at once must not let one learner's passes leak into another's row.
        let site = sample();
        let catalog = Catalog::of(&site);
        let users: Vec<User> = (1..5).map(|n| user(n, &format!("u{n}"))).collect();
        let at = t0() + Duration::days(day);
        let m = matrix(&catalog, &users, &passes, at, 30);
        for row in &m.rows {
            let own: Vec<&Pass> = passes.iter().filter(|p| p.user_id == row.user).collect();
            let history = History::new(own, None);
            prop_assert_eq!(&row.decisions, &decide_all(&catalog, &history, at, 30));
        }
    }

    #[test]
    fn an_audit_as_of_a_past_moment_sees_only_what_was_passed_by_then(
        (passes, _) in arb_matrix(),
        back in 0i64..250,
    ) {
        // Stored passes made after the audited moment must not change its answer: judging at
        // `at` with everything equals judging at `at` with only the passes made by then.
        let site = sample();
        let catalog = Catalog::of(&site);
        let at = t0() + Duration::days(back);
        let everything = History::new(&passes, None);
        let by_then = History::new(passes.iter().filter(|p| p.at <= at), None);
        prop_assert_eq!(
            decide_all(&catalog, &everything, at, 30),
            decide_all(&catalog, &by_then, at, 30)
        );
    }

    #[test]
    fn a_status_filter_keeps_exactly_the_rows_with_that_status(
        (passes, day) in arb_matrix(),
        which in 0usize..4,
        desc in any::<bool>(),
    ) {
        let statuses = [Status::Qualified, Status::Expiring, Status::Expired, Status::Missing];
        let site = sample();
        let catalog = Catalog::of(&site);
        let users: Vec<User> = (1..5).map(|n| user(n, &format!("u{n}"))).collect();
        let m = matrix(&catalog, &users, &passes, t0() + Duration::days(day), 30);
        let status = statuses[which];
        let expected = m.rows.iter().filter(|r| r.decisions.iter().any(|d| d.status == status)).count();
        let v = m.view(&View { status: Some(status), sort: SortKey::Qualified, descending: desc, ..View::default() });
        prop_assert_eq!(v.rows.len(), expected);
        let counts: Vec<usize> = v.rows.iter().map(Row::qualified_count).collect();
        let mut sorted = counts.clone();
        sorted.sort_unstable();
        if desc {
            sorted.reverse();
        }
        prop_assert_eq!(counts, sorted);
    }
}
