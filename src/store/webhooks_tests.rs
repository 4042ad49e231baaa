//! The outbox and the announced statuses on every backend.

use std::collections::HashMap;

use super::*;
use crate::model::Outcome;
use crate::records::webhooks::{Announced, Announcement};
use crate::records::{NewOutcome, UserName};
use crate::store::test_support::stores;

fn at(seconds: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("time")
        + time::Duration::seconds(seconds)
}

fn attempt(status: Option<u16>, when: OffsetDateTime) -> AttemptResult {
    AttemptResult {
        at: when,
        http_status: status,
        error: status
            .filter(|s| !(200..300).contains(s))
            .map(|s| format!("HTTP {s}")),
        duration_ms: 12,
    }
}

#[test]
fn escalations_and_replies_queue_messages_only_when_enabled() {
    for (store, _db) in stores() {
        let ada = store
            .create_user(&UserName::parse("ada").expect("name"), false, None)
            .expect("ada");
        let root = store
            .create_user(&UserName::parse("root").expect("name"), true, None)
            .expect("root");
        let trail = ["start".to_owned()];
        let walk = NewOutcome {
            tree_id: "pods",
            tree_version: "v1",
            trail: &trail,
            outcome: Outcome::Escalate,
            note: None,
            contact: None,
            user_id: Some(ada.id),
            answers: &[],
        };
        store.record_outcome(&walk).expect("escalate");
        assert!(store.webhook_deliveries(None, 10).expect("log").is_empty());

        store.enable_webhooks();
        let (_, sent) = store.record_outcome(&walk).expect("escalate");
        let request = sent.expect("a request").id;
        store
            .reply_to_request(request, "Restart it.", root.id)
            .expect("reply");
        let log = store.webhook_deliveries(None, 10).expect("log");
        let events: Vec<&str> = log.iter().map(|d| d.event.as_str()).collect();
        assert_eq!(events.len(), 2);
        assert!(events.contains(&"help_request.created"), "{events:?}");
        assert!(events.contains(&"help_request.answered"), "{events:?}");
        for delivery in &log {
            let body: serde_json::Value = serde_json::from_str(&delivery.payload).expect("JSON");
            assert_eq!(body["id"], delivery.id.as_str());
            assert_eq!(body["data"]["request"], request.0);
            assert_eq!(body["data"]["learner"], "ada");
            assert_eq!(delivery.status, DeliveryStatus::Pending);
        }
        let answered = log
            .iter()
            .find(|d| d.event == "help_request.answered")
            .expect("answered");
        let body: serde_json::Value = serde_json::from_str(&answered.payload).expect("JSON");
        assert_eq!(body["data"]["answered_by"], "root");
    }
}

#[test]
fn a_message_is_claimed_once_retried_and_redelivered() {
    for (store, _db) in stores() {
        let id = store
            .write(|c| {
                Ok(enqueue(
                    c,
                    EventType::HelpRequestCreated,
                    serde_json::json!({"request": 1}),
                    at(0),
                )?)
            })
            .expect("queued");
        assert_eq!(
            store.claim_webhook(at(-1), at(40)).expect("claim"),
            None,
            "not due yet"
        );
        let claimed = store
            .claim_webhook(at(0), at(40))
            .expect("claim")
            .expect("due");
        assert_eq!(
            (claimed.id.as_str(), claimed.round_attempts),
            (id.as_str(), 0)
        );
        // Leased: a second worker gets nothing until the lease ends.
        assert_eq!(store.claim_webhook(at(1), at(41)).expect("claim"), None);
        store
            .record_webhook_attempt(&id, &attempt(Some(500), at(1)), NextStep::RetryAt(at(6)))
            .expect("failed once");
        assert_eq!(store.claim_webhook(at(5), at(45)).expect("claim"), None);
        let again = store
            .claim_webhook(at(6), at(46))
            .expect("claim")
            .expect("due");
        assert_eq!(again.round_attempts, 1);
        store
            .record_webhook_attempt(&id, &attempt(None, at(7)), NextStep::GiveUp)
            .expect("gave up");
        let (failed, attempts) = store.webhook_delivery(&id).expect("read").expect("found");
        assert_eq!(
            (failed.status, failed.attempts),
            (DeliveryStatus::Failed, 2)
        );
        assert_eq!(attempts.len(), 2);
        assert_eq!(attempts[0].http_status, Some(500));
        assert_eq!(failed.next_attempt_at, None);
        assert_eq!(store.claim_webhook(at(100), at(140)).expect("claim"), None);

        store.redeliver_webhook(&id, at(200)).expect("redeliver");
        let round = store
            .claim_webhook(at(200), at(240))
            .expect("claim")
            .expect("due");
        assert_eq!(round.round_attempts, 0, "a redelivery starts a new round");
        store
            .record_webhook_attempt(&id, &attempt(Some(204), at(201)), NextStep::Delivered)
            .expect("delivered");
        let listed = store
            .webhook_deliveries(Some(DeliveryStatus::Delivered), 10)
            .expect("log");
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].attempts, 3);
        assert_eq!(
            listed[0].last.as_ref().and_then(|l| l.http_status),
            Some(204)
        );
        assert!(matches!(
            store.redeliver_webhook("msg_nope", at(300)),
            Err(StoreError::NotFound(_))
        ));
        assert_eq!(
            store.prune_webhooks(at(0)).expect("prune"),
            0,
            "queued at 0, not before"
        );
        assert_eq!(store.prune_webhooks(at(1)).expect("prune"), 1);
        assert!(store.webhook_delivery(&id).expect("read").is_none());
    }
}

#[test]
fn the_first_check_is_a_silent_baseline_and_stale_checks_do_nothing() {
    for (store, _db) in stores() {
        let ada = store
            .create_user(&UserName::parse("ada").expect("name"), false, None)
            .expect("ada");
        let change = |status: &str| Announcement {
            user: ada.id,
            resource: "db".into(),
            now: Some(Announced {
                status: status.into(),
                expires: Some(at(3600)),
            }),
            event: Some((
                EventType::QualificationGranted,
                serde_json::json!({"learner": "ada"}),
            )),
        };
        let seen = |store: &Store, pass: i64, when: OffsetDateTime, status: &'static str| {
            let mut saw = HashMap::new();
            let queued = store
                .announce_standings(pass, when, |announced, baseline| {
                    saw = announced.clone();
                    let _ = baseline;
                    vec![change(status)]
                })
                .expect("check");
            (queued, saw)
        };
        let (queued, before) = seen(&store, 5, at(0), "qualified");
        assert_eq!(queued, Some(0), "the baseline sends nothing");
        assert!(before.is_empty());
        let (queued, before) = seen(&store, 6, at(10), "expiring");
        assert_eq!(queued, Some(1));
        assert_eq!(before[&(ada.id, "db".to_owned())].status, "qualified");
        // Judged with older passes or at an earlier moment than the last check: skipped.
        assert_eq!(seen(&store, 5, at(20), "qualified").0, None);
        assert_eq!(seen(&store, 6, at(5), "qualified").0, None);
        let log = store.webhook_deliveries(None, 10).expect("log");
        assert_eq!(log.len(), 1);
    }
}

#[test]
fn two_replicas_claiming_at_once_never_take_the_same_message() {
    for (store, scratch) in stores() {
        let other = scratch
            .open()
            .expect("a second pool, as another replica has");
        for i in 0..40 {
            store
                .write(|c| {
                    Ok(enqueue(
                        c,
                        EventType::HelpRequestCreated,
                        serde_json::json!({"request": i}),
                        at(0),
                    )?)
                })
                .expect("queued");
        }
        let claim_all = |s: Store| {
            std::thread::spawn(move || {
                let mut mine = Vec::new();
                while let Some(m) = s.claim_webhook(at(1), at(60)).expect("claim") {
                    mine.push(m.id);
                }
                mine
            })
        };
        let (a, b) = (claim_all(store.clone()), claim_all(other));
        let mut all = a.join().expect("replica a");
        all.extend(b.join().expect("replica b"));
        let claimed = all.len();
        all.sort();
        all.dedup();
        assert_eq!(
            (claimed, all.len()),
            (40, 40),
            "each message claimed exactly once"
        );
    }
}
