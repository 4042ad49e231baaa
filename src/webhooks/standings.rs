//! What a qualification check announces: each learner × resource status of the matrix,
//! compared with the status last announced. Pure.
//!
//! | last announced        | now                  | event                                        |
//! |-----------------------|----------------------|----------------------------------------------|
//! | missing or expired    | qualified, expiring  | `qualification.granted`                      |
//! | qualified             | expiring             | `qualification.expiring`                     |
//! | expiring              | qualified            | `qualification.granted` (renewed)            |
//! | qualified, expiring   | a later expiry       | `qualification.granted` (renewed)            |
//! | qualified, expiring   | expired, missing     | `qualification.expired`                      |
//! | anything else         |                      | none                                         |

use std::collections::HashMap;

use crate::qualify::Status;
use crate::qualify::matrix::Matrix;
use crate::records::UserId;
use crate::records::webhooks::{Announced, Announcement, EventType, rfc3339};

/// The changes between `announced` and `matrix`, each with its event when it has one.
pub fn changes(
    matrix: &Matrix,
    announced: &HashMap<(UserId, String), Announced>,
) -> Vec<Announcement> {
    let mut out = Vec::new();
    for row in &matrix.rows {
        for decision in &row.decisions {
            let resource = decision.resource.as_str().to_owned();
            let before = announced.get(&(row.user, resource.clone()));
            let was = before.map_or("missing", |a| a.status.as_str());
            let was_qualified = matches!(was, "qualified" | "expiring");
            let now = decision.status;
            let event = match now {
                Status::Qualified | Status::Expiring => {
                    let renewed = match (before.and_then(|a| a.expires), decision.expires) {
                        (Some(old), Some(new)) => new > old,
                        (Some(_), None) => true,
                        _ => false,
                    };
                    if !was_qualified || renewed || (was == "expiring" && now == Status::Qualified)
                    {
                        Some(EventType::QualificationGranted)
                    } else if was == "qualified" && now == Status::Expiring {
                        Some(EventType::QualificationExpiring)
                    } else if was == now.as_str()
                        && before.is_some_and(|a| a.expires == decision.expires)
                    {
                        continue;
                    } else {
                        // An expiry moved earlier (an edited pass): stored, not announced.
                        None
                    }
                }
                Status::Expired | Status::Missing => {
                    if was_qualified {
                        Some(EventType::QualificationExpired)
                    } else if before.is_some() && now == Status::Missing {
                        // An expired row whose module changed: forget it silently.
                        None
                    } else {
                        continue;
                    }
                }
            };
            let stored = match now {
                Status::Missing => None,
                _ => Some(Announced {
                    status: now.as_str().to_owned(),
                    expires: decision.expires,
                }),
            };
            let data = serde_json::json!({
                "learner": row.name,
                "resource": resource,
                "status": now.as_str(),
                "previous_status": was,
                "expires": decision.expires.map(rfc3339),
                "disabled": row.disabled,
            });
            out.push(Announcement {
                user: row.user,
                resource,
                now: stored,
                event: event.map(|e| (e, data)),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use time::OffsetDateTime;

    use super::*;
    use crate::model::DocId;
    use crate::qualify::Decision;
    use crate::qualify::matrix::Row;

    fn at(days: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("time")
            + time::Duration::days(days)
    }

    fn matrix(status: Status, expires: Option<OffsetDateTime>) -> Matrix {
        Matrix {
            at: at(0),
            resources: vec![DocId::parse("db").expect("id")],
            rows: vec![Row {
                user: UserId(1),
                name: "ada".into(),
                disabled: false,
                decisions: vec![Decision {
                    resource: DocId::parse("db").expect("id"),
                    status,
                    expires,
                    missing: Vec::new(),
                }],
            }],
        }
    }

    fn was(status: &str, expires: Option<OffsetDateTime>) -> HashMap<(UserId, String), Announced> {
        HashMap::from([(
            (UserId(1), "db".to_owned()),
            Announced {
                status: status.into(),
                expires,
            },
        )])
    }

    fn event_of(changes: &[Announcement]) -> Option<&'static str> {
        changes
            .first()
            .and_then(|c| c.event.as_ref())
            .map(|(e, _)| e.as_str())
    }

    #[test]
    fn each_transition_announces_what_the_table_says() {
        let none = HashMap::new();
        let e = Some(at(90));
        let granted = changes(&matrix(Status::Qualified, e), &none);
        assert_eq!(event_of(&granted), Some("qualification.granted"));
        let data = &granted[0].event.as_ref().expect("event").1;
        assert_eq!(data["learner"], "ada");
        assert_eq!(data["resource"], "db");
        assert_eq!(data["previous_status"], "missing");
        assert!(data["expires"].as_str().is_some_and(|s| s.ends_with('Z')));

        assert!(changes(&matrix(Status::Qualified, e), &was("qualified", e)).is_empty());
        assert_eq!(
            event_of(&changes(&matrix(Status::Expiring, e), &was("qualified", e))),
            Some("qualification.expiring")
        );
        assert_eq!(
            event_of(&changes(
                &matrix(Status::Qualified, Some(at(400))),
                &was("expiring", e)
            )),
            Some("qualification.granted")
        );
        let earlier = changes(
            &matrix(Status::Qualified, Some(at(60))),
            &was("qualified", e),
        );
        assert_eq!(
            (earlier.len(), event_of(&earlier)),
            (1, None),
            "stored silently"
        );
        let expired = changes(&matrix(Status::Expired, e), &was("expiring", e));
        assert_eq!(event_of(&expired), Some("qualification.expired"));
        assert_eq!(
            expired[0].now.as_ref().map(|a| a.status.as_str()),
            Some("expired")
        );
        let lapsed = changes(&matrix(Status::Missing, None), &was("qualified", e));
        assert_eq!(event_of(&lapsed), Some("qualification.expired"));
        assert_eq!(lapsed[0].now, None, "missing forgets the row");
        // Never qualified: nothing to say, nothing to store.
        assert!(changes(&matrix(Status::Missing, None), &none).is_empty());
        assert!(changes(&matrix(Status::Expired, e), &none).is_empty());
        assert!(changes(&matrix(Status::Expired, e), &was("expired", e)).is_empty());
        let forgotten = changes(&matrix(Status::Missing, None), &was("expired", e));
        assert_eq!((forgotten.len(), event_of(&forgotten)), (1, None));
    }
}
