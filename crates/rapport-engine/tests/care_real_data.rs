//! Routing on real customer-care threads (twcs_head_5000.csv): one case per thread in which a
//! customer addressed a brand, threads joined whole, brand replies counted as agent replies
//! and as first responses by the SLA clock.

mod common;

use chrono::TimeDelta;
use common::{csv_reader, data, import};
use rapport_connectors::Format;
use rapport_domain::{ClockPhase, Priority, SlaPolicy, Targets};
use rapport_engine::care::RoutingRules;
use rapport_engine::{Engine, EngineConfig};
use rapport_store::testing::{backend_from_env, fresh_store};
use std::collections::{HashMap, HashSet};

/// Threads of the file (reply components) in which an inbound post @mentions a brand or
/// replies to a brand's tweet, counted from the CSV alone.
fn threads_addressing_a_brand() -> usize {
    let mut rdr = csv_reader(&data("twcs/twcs_head_5000.csv"));
    let rows: Vec<_> = rdr.records().map(|r| r.unwrap()).collect();
    let id = |r: &csv::StringRecord| r[1].to_string();
    let parent = |r: &csv::StringRecord| {
        let p = r[7]
            .trim_end_matches('\r')
            .trim_end_matches(".0")
            .to_string();
        (!p.is_empty()).then_some(p)
    };
    let brands: HashSet<String> = rows
        .iter()
        .filter(|r| &r[3] == "False")
        .map(|r| r[2].to_lowercase())
        .collect();
    let author: HashMap<String, String> =
        rows.iter().map(|r| (id(r), r[2].to_lowercase())).collect();
    let mut uf: HashMap<String, String> = HashMap::new();
    fn find(uf: &mut HashMap<String, String>, x: &str) -> String {
        let p = uf.get(x).cloned().unwrap_or_else(|| x.to_string());
        if p == x {
            return p;
        }
        let r = find(uf, &p);
        uf.insert(x.to_string(), r.clone());
        r
    }
    for r in &rows {
        if let Some(p) = parent(r) {
            let (a, b) = (find(&mut uf, &id(r)), find(&mut uf, &p));
            if a != b {
                uf.insert(a, b);
            }
        }
    }
    let mut threads = HashSet::new();
    for r in rows.iter().filter(|r| &r[3] == "True") {
        let mentions = r[5]
            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '@'))
            .filter_map(|w| w.strip_prefix('@'))
            .any(|m| brands.contains(&m.to_lowercase()));
        let to_brand = parent(r)
            .and_then(|p| author.get(&p))
            .is_some_and(|a| brands.contains(a));
        if mentions || to_brand {
            threads.insert(find(&mut uf, &id(r)));
        }
    }
    threads.len()
}

#[tokio::test]
async fn twcs_threads_become_cases_with_brand_replies_as_first_responses() {
    let store = fresh_store(backend_from_env()).await;
    let engine = Engine::new(store.store(), EngineConfig::default())
        .await
        .unwrap();
    let care = engine.care();
    let mut policy = SlaPolicy::new("one hour");
    for p in Priority::ALL {
        policy = policy
            .with_targets(
                p,
                Targets {
                    first_response: Some(TimeDelta::hours(1)),
                    ..Targets::default()
                },
            )
            .unwrap();
    }
    store.settings().put_sla_policy(&policy).await.unwrap();
    care.set_rules(&RoutingRules {
        default_sla_policy: Some("one hour".into()),
        ..RoutingRules::default()
    })
    .await
    .unwrap();
    let (summary, rejects) = import(&engine, Format::Twcs, &data("twcs/twcs_head_5000.csv")).await;
    assert!(rejects.is_empty());
    assert_eq!(summary.imported, 5_000);

    // Walk every case through the all-open view (nothing was resolved during the import).
    let mut cases = Vec::new();
    let mut q = rapport_domain::care::InboxQuery {
        view: rapport_domain::care::InboxView::AllOpen,
        sort: rapport_domain::care::InboxSort::Oldest,
        limit: 500,
        start: rapport_domain::care::PageStart::First,
    };
    loop {
        let page = care.inbox(&q).await.unwrap();
        cases.extend(page.items.iter().map(|i| i.id));
        match page.next {
            Some(c) => q.start = rapport_domain::care::PageStart::After(c),
            None => break,
        }
    }
    let expected = threads_addressing_a_brand();
    assert!(expected > 500, "{expected}");
    assert_eq!(
        cases.len(),
        expected,
        "one case per thread in which a customer addressed a brand"
    );

    let mut conversations = HashSet::new();
    let mut answered = 0;
    for id in &cases {
        let page = care.case_page(*id).await.unwrap();
        let rec = &page.record;
        assert!(
            conversations.insert(rec.case.conversation_id),
            "one case per thread"
        );
        let thread = store
            .contacts()
            .conversation(rec.case.conversation_id)
            .await
            .unwrap();
        let in_thread: HashSet<_> = thread.iter().map(|p| p.id).collect();
        let attached: HashSet<_> = page.posts.iter().map(|p| p.id).collect();
        assert!(
            attached.is_subset(&in_thread),
            "case {id} holds posts of its own thread only"
        );
        // The whole thread from the opening post on is in the case.
        for p in thread
            .iter()
            .filter(|p| p.post.created_at >= rec.case.opened_at)
        {
            assert!(attached.contains(&p.id), "case {id} misses post {}", p.id);
        }
        let brand_after: Vec<_> = thread
            .iter()
            .filter(|p| p.from_own_account && p.post.created_at >= rec.case.opened_at)
            .map(|p| p.post.created_at)
            .collect();
        assert_eq!(
            rec.last_agent_reply_at,
            brand_after.iter().max().copied(),
            "case {id}"
        );
        let report = care
            .sla_report(*id, chrono::Utc::now())
            .await
            .unwrap()
            .expect("a policy applies");
        let first = report.first_response.unwrap();
        match brand_after.iter().min() {
            Some(first_reply) => {
                answered += 1;
                assert_eq!(first.phase, ClockPhase::Completed, "case {id}");
                assert_eq!(first.stopped_at, Some(*first_reply), "case {id}");
            }
            None => assert_eq!(first.phase, ClockPhase::Running, "case {id}"),
        }
    }
    assert!(
        answered * 2 > cases.len(),
        "most twcs threads hold a brand reply: {answered}"
    );

    // A second import of the same file routes nothing again.
    let before = care.counts(None).await.unwrap();
    import(&engine, Format::Twcs, &data("twcs/twcs_head_5000.csv")).await;
    assert_eq!(care.counts(None).await.unwrap(), before);
}
