//! Collision detection: agents see at once who else is viewing or typing on a case, whichever
//! `Care` value (request handler) they go through; silent agents drop off after the TTL.

#[path = "care_kit/mod.rs"]
mod care_kit;

use care_kit::{kit, post, t};
use chrono::TimeDelta;
use rapport_domain::UserId;
use rapport_engine::care::{Activity, PRESENCE_TTL, PresenceChanged};

#[tokio::test]
async fn agents_see_each_other_on_a_case() {
    let k = kit().await;
    k.send(vec![post("1", "alice", "@brand help", t(0, 9, 0))])
        .await;
    let case = k.case_of("1").await.unwrap();
    let (ann, ben) = (UserId(1), UserId(2));
    // Two handlers, as two HTTP requests would hold.
    let (a, b) = (k.engine.care(), k.engine.care());
    let mut watch = b.subscribe_presence();
    let now = t(0, 10, 0);
    assert!(
        a.report_presence(case, ann, Some(Activity::Viewing), now)
            .is_empty()
    );
    let others = b.report_presence(case, ben, Some(Activity::Viewing), now);
    assert_eq!(
        others
            .iter()
            .map(|p| (p.user, p.activity))
            .collect::<Vec<_>>(),
        [(ann, Activity::Viewing)]
    );
    let others = a.report_presence(
        case,
        ann,
        Some(Activity::Typing),
        now + TimeDelta::seconds(5),
    );
    assert_eq!(others[0].user, ben);
    let seen: Vec<PresenceChanged> = std::iter::from_fn(|| watch.try_recv().ok()).collect();
    let seen: Vec<_> = seen.iter().map(|e| (e.user, e.activity)).collect();
    assert_eq!(
        seen,
        [
            (ann, Some(Activity::Viewing)),
            (ben, Some(Activity::Viewing)),
            (ann, Some(Activity::Typing))
        ]
    );
    // A heartbeat with the same activity is quiet.
    a.report_presence(
        case,
        ann,
        Some(Activity::Typing),
        now + TimeDelta::seconds(10),
    );
    assert!(watch.try_recv().is_err());
    // Ben goes silent: after the TTL only Ann is on the case, and Ben's leaving is announced.
    let later = now + TimeDelta::seconds(10) + PRESENCE_TTL;
    let others = a.report_presence(case, ann, Some(Activity::Typing), later);
    assert!(others.is_empty(), "{others:?}");
    assert_eq!(watch.try_recv().unwrap().activity, None);
    a.report_presence(case, ann, None, later);
    assert!(b.presence(case, later).is_empty());
}
