//! Tests for the batching search log: recent searches, clicks, counting and click lifts.

use super::*;

#[test]
fn recent_searches_are_bounded_and_clicked_once() {
    let mut recent = Recent::default();
    let key = |i: i64| QueryKey {
        day: i,
        normalized: "q".into(),
    };
    let first = Uuid::now_v7();
    recent.remember(first, key(0));
    for i in 1..=REMEMBERED as i64 {
        recent.remember(Uuid::now_v7(), key(i));
    }
    assert_eq!(recent.searches.len(), REMEMBERED);
    assert_eq!(recent.click(first, None), None, "the oldest is forgotten");
    let last = *recent.order.back().expect("remembered");
    let click = recent.click(last, None).expect("remembered");
    assert_eq!(click.opened, Some(key(REMEMBERED as i64)));
    assert_eq!(click.choice, None, "no page, no choice");
    let again = recent.click(last, None).expect("remembered");
    assert_eq!(
        again.opened, None,
        "a second click does not count as opened"
    );
}

#[test]
fn each_page_counts_once_per_search_and_only_the_first_counts_the_search() {
    let mut recent = Recent::default();
    let id = Uuid::now_v7();
    recent.remember(
        id,
        QueryKey {
            day: 1,
            normalized: "disk full".into(),
        },
    );
    let ada = Searcher::User(1);
    let page = |p: &str| Some((DocId::parse(p).expect("id"), ada.clone()));
    let first = recent.click(id, page("a")).expect("click");
    let choice = first.choice.expect("a choice");
    assert!(first.opened.is_some());
    assert_eq!(
        (
            choice.query.as_str(),
            choice.page.as_str(),
            choice.first_of_search
        ),
        ("disk full", "a", true)
    );
    let same = recent.click(id, page("a")).expect("click");
    assert_eq!(same.choice, None, "the same page again");
    let other = recent.click(id, page("b")).expect("click");
    assert!(!other.choice.expect("a choice").first_of_search);
    for i in 0..CHOICES_PER_SEARCH * 2 {
        recent.click(id, page(&format!("p{i}")));
    }
    assert_eq!(recent.searches[&id].chosen.len(), CHOICES_PER_SEARCH);
}

#[test]
fn a_searcher_counts_once_per_query_and_page_across_searches() {
    let mut recent = Recent::default();
    let key = |q: &str| QueryKey {
        day: 1,
        normalized: q.into(),
    };
    let ip = Searcher::Client("10.0.0.7".parse().expect("ip"));
    let inodes = DocId::parse("runbooks/inodes").expect("id");
    let disk = DocId::parse("runbooks/disk").expect("id");
    let mut choose = |q: &str, page: &DocId, who: &Searcher| {
        let id = Uuid::now_v7();
        recent.remember(id, key(q));
        recent
            .click(id, Some((page.clone(), who.clone())))
            .expect("remembered")
            .choice
            .map(|c| c.first_of_search)
    };
    assert_eq!(choose("disk full", &inodes, &ip), Some(true));
    assert_eq!(
        choose("disk full", &inodes, &ip),
        None,
        "the same person again"
    );
    assert_eq!(
        choose("disk full", &disk, &ip),
        Some(false),
        "another page: a choice, but not another search"
    );
    assert_eq!(choose("inodes", &inodes, &ip), Some(true), "another query");
    assert_eq!(choose("disk full", &inodes, &Searcher::User(3)), Some(true));
}

#[test]
fn who_counted_is_bounded() {
    let mut counted = Counted::default();
    let key = |i: usize| (Searcher::Unknown, format!("q{i}"), None);
    assert!(counted.first(key(0)));
    assert!(!counted.first(key(0)));
    for i in 1..=COUNTED {
        assert!(counted.first(key(i)));
    }
    assert_eq!(counted.seen.len(), COUNTED);
    assert!(counted.first(key(0)), "the oldest was forgotten");
}

#[test]
fn lift_maps_hold_only_lifting_queries_with_valid_ids() {
    use crate::store::PageFeedback;
    let lifts = ClickLifts::default();
    let feedback = |lifting: bool| QueryFeedback {
        query: "disk full".into(),
        searches: 3.0,
        lifting,
        pages: vec![
            PageFeedback {
                page: "runbooks/inodes".into(),
                weight: 3.0,
                share: 0.75,
            },
            PageFeedback {
                page: "../bad".into(),
                weight: 1.0,
                share: 0.25,
            },
        ],
    };
    lifts.set("disk full".into(), Some(&feedback(false)));
    assert_eq!(lifts.get("Disk  Full"), None);
    lifts.replace_all(&[feedback(true)]);
    let map = lifts.get("Disk  Full").expect("lifts");
    assert_eq!(map.len(), 1);
    assert_eq!(
        map.get(&DocId::parse("runbooks/inodes").expect("id")),
        Some(&0.75)
    );
    assert_eq!(lifts.get("disk"), None, "another query is unaffected");
    lifts.set("disk full".into(), None);
    assert_eq!(lifts.get("disk full"), None);
}
