//! Two agents on one case, and the engine's one `Care`: the version a caller read goes down to
//! the store's save, so of two changes made on the same version exactly one lands; live
//! updates belong to the engine, not to a process-wide registry.

#[path = "care_kit/mod.rs"]
mod care_kit;

use care_kit::{kit, post, t};
use rapport_domain::{CaseChange, CaseId, Priority, UserId};
use rapport_engine::care::{CareError, ChangeKind};
use rapport_engine::{Engine, EngineConfig};
use std::sync::Arc;

const ANN: UserId = UserId(7);
const BOB: UserId = UserId(8);

fn is_conflict<T: std::fmt::Debug>(r: &Result<T, CareError>) -> bool {
    matches!(r, Err(CareError::Conflict(_)))
}

async fn one_case(k: &care_kit::Kit) -> CaseId {
    k.send(vec![post(
        "1",
        "alice",
        "@brand my order never arrived",
        t(0, 9, 0),
    )])
    .await;
    k.case_of("1").await.expect("a mention opens a case")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_agents_on_one_version_exactly_one_wins() {
    let k = kit().await;
    let id = one_case(&k).await;
    for round in 0..8 {
        let before = k.care.case(id).await.unwrap().unwrap();
        let start = before.version;
        let gate = Arc::new(tokio::sync::Barrier::new(2));
        let (a, b) = (
            k.care.at_version(Some(start)),
            k.care.at_version(Some(start)),
        );
        let (ga, gb) = (gate.clone(), gate.clone());
        let tag = format!("ann-{round}");
        let ann = tokio::spawn(async move {
            ga.wait().await;
            a.add_tag(id, &tag, ANN, t(0, 10, round)).await
        });
        // A priority the case does not have, so Bob's change is a change.
        let prio = if before.case.priority == Priority::Urgent {
            Priority::Low
        } else {
            Priority::Urgent
        };
        let bob = tokio::spawn(async move {
            gb.wait().await;
            b.set_priority(id, prio, BOB, t(0, 10, round)).await
        });
        let (ann, bob) = (ann.await.unwrap(), bob.await.unwrap());
        assert!(
            ann.is_ok() != bob.is_ok(),
            "round {round}: exactly one wins: {ann:?} / {bob:?}"
        );
        assert!(
            is_conflict(&ann) || is_conflict(&bob),
            "the loser hears why"
        );
        let now = k.care.case(id).await.unwrap().unwrap();
        assert_eq!(now.version, start + 1, "round {round}: one change saved");
        let events = k.engine.store().cases().case_events(id).await.unwrap();
        let in_round = events
            .iter()
            .filter(|e| e.at == t(0, 10, round))
            .filter(|e| {
                matches!(
                    e.change,
                    CaseChange::TagAdded { .. } | CaseChange::Priority { .. }
                )
            })
            .count();
        assert_eq!(in_round, 1, "round {round}: one audit event, the winner's");
    }
}

#[tokio::test]
async fn a_change_on_a_version_someone_else_moved_past_is_refused() {
    let k = kit().await;
    let id = one_case(&k).await;
    let first = k.care.case(id).await.unwrap().unwrap();
    let read = first.version;
    k.care
        .add_tag(id, "billing", BOB, t(0, 9, 5))
        .await
        .unwrap();
    // The engine loads the case again, but the caller read `read`: its change must not land
    // on a case it has not seen.
    let stale = k
        .care
        .at_version(Some(read))
        .set_priority(id, Priority::Low, ANN, t(0, 9, 6))
        .await;
    assert!(is_conflict(&stale), "{stale:?}");
    let note = k
        .care
        .at_version(Some(read))
        .add_note(id, ANN, "checked the order", t(0, 9, 6))
        .await;
    assert!(is_conflict(&note), "{note:?}");
    let now = k.care.case(id).await.unwrap().unwrap();
    assert_eq!(
        (now.version, now.case.priority),
        (read + 1, first.case.priority)
    );
    // On the version it has now, the change goes through.
    let saved = k
        .care
        .at_version(Some(now.version))
        .set_priority(id, Priority::Low, ANN, t(0, 9, 7))
        .await
        .unwrap();
    assert_eq!(saved.version, now.version + 1);
}

#[tokio::test]
async fn live_updates_belong_to_the_engine() {
    let k = kit().await;
    let mut mine = k.engine.care().subscribe();
    // A second engine over the same store has channels of its own: nothing process-wide
    // joins them (a second process will feed them through the bus instead).
    let other = Engine::new(k.engine.store().clone(), EngineConfig::default())
        .await
        .unwrap();
    let mut theirs = other.care().subscribe();
    let id = one_case(&k).await;
    assert_eq!(mine.recv().await.unwrap().kind, ChangeKind::Opened);
    k.engine
        .care()
        .add_tag(id, "billing", ANN, t(0, 9, 5))
        .await
        .unwrap();
    let changed = mine.recv().await.unwrap();
    assert_eq!((changed.case_id, changed.kind), (id, ChangeKind::Updated));
    assert!(
        matches!(
            theirs.try_recv(),
            Err(tokio::sync::broadcast::error::TryRecvError::Empty)
        ),
        "the other engine heard this one's changes"
    );
}
