//! The contact pages: the list with search, filters and pages over the real twcs sample; one
//! contact's identities, timeline (newest first) and leads; the fields form; merging and
//! splitting; the leads list; who may do what; hostile names and post text escaped.

mod common;
#[path = "common/html.rs"]
mod html;

use axum::http::StatusCode;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use common::{Answer, Browser, Call, TWCS_SAMPLE, World, attribute_after, browser};
use html::{dangers, text};
use rapport_domain::care::{ContactFields, ContactQuery, LifecycleStage};
use rapport_domain::{Author, ContactId, Engagement, Network, Post, PostKey, Role};
use rapport_web::WebConfig;
use std::collections::BTreeSet;

fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 1, 9, 0, 0).unwrap() + TimeDelta::minutes(minutes)
}

fn post(id: &str, author: &str, text: &str, minutes: i64) -> Post {
    Post {
        network: Network::X,
        native_id: id.to_string(),
        author: Author {
            handle: author.to_string(),
            followers: Some(1_234),
            ..Author::default()
        },
        text: text.to_string(),
        created_at: at(minutes),
        lang: Some("en".into()),
        reply_to: None,
        reply_to_handle: None,
        root_id: None,
        mentions: Vec::new(),
        hashtags: Vec::new(),
        cashtags: Vec::new(),
        links: Vec::new(),
        engagement: Engagement::default(),
        raw: format!("{{\"id\":\"{id}\"}}"),
    }
}

struct Setup {
    world: World,
    admin: Browser,
    agent: Browser,
    analyst: Browser,
}

async fn setup() -> Setup {
    let world = World::new(WebConfig::default()).await;
    world.user("admin", Role::Admin).await;
    world.user("agent", Role::Agent).await;
    world.user("analyst", Role::Analyst).await;
    Setup {
        admin: world.session("admin").await,
        agent: world.session("agent").await,
        analyst: world.session("analyst").await,
        world,
    }
}

impl Setup {
    async fn get(&self, b: &Browser, uri: &str) -> Answer {
        self.world.send(Call::get(uri).by(b).build()).await
    }

    async fn post(&self, b: &Browser, uri: &str, fields: &[(&str, &str)]) -> Answer {
        let mut pairs = vec![("csrf", b.csrf.as_str())];
        pairs.extend_from_slice(fields);
        self.world
            .send(Call::post(uri).by(b).form(&pairs).build())
            .await
    }

    async fn ingest(&self, posts: Vec<Post>) {
        self.world.engine.ingest_posts(posts).await.unwrap();
    }

    async fn contact_of(&self, handle: &str) -> ContactId {
        self.world
            .engine
            .store()
            .contacts()
            .identity(Network::X, handle)
            .await
            .unwrap()
            .unwrap()
            .contact_id
    }

    async fn fields(&self, id: ContactId) -> ContactFields {
        self.world
            .engine
            .care()
            .contact_fields(id)
            .await
            .unwrap()
            .unwrap()
    }
}

/// The contact ids a list page shows, in order.
fn listed(html: &str) -> Vec<i64> {
    html.split("data-contact-id=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].parse().unwrap())
        .collect()
}

/// The `href` of the link with `id`, character references read back.
fn link(html: &str, id: &str) -> Option<String> {
    let at = html.find(&format!("id=\"{id}\""))?;
    let start = html[..at].rfind("<a ")?;
    attribute_after(&html[start..], "href=\"")
        .map(|h| html_escape::decode_html_entities(&h).into_owned())
}

#[tokio::test]
async fn the_list_searches_filters_and_pages_over_the_twcs_sample() {
    let s = setup().await;
    s.world.import_twcs(TWCS_SAMPLE.as_ref()).await;
    let care = s.world.engine.care();
    let everyone = care
        .contacts(&ContactQuery {
            limit: 500,
            ..ContactQuery::default()
        })
        .await
        .unwrap()
        .items;
    assert!(everyone.len() > 20, "the sample has several pages of 10");

    // Walking the pages by their links shows every contact once, in the engine's order.
    let mut seen = Vec::new();
    let mut uri = "/contacts?limit=10".to_string();
    let mut pages = 0;
    loop {
        let page = s.get(&s.agent, &uri).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(dangers(&page.body).is_empty(), "{:?}", dangers(&page.body));
        let rows = listed(&page.body);
        assert!(rows.len() <= 10);
        seen.extend(rows);
        pages += 1;
        match link(&page.body, "next-page") {
            Some(next) => uri = next,
            None => break,
        }
    }
    assert_eq!(seen, everyone.iter().map(|c| c.id.0).collect::<Vec<_>>());
    assert!(pages > 2);
    let bad = s.get(&s.agent, "/contacts?limit=0").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    // Own accounts (the companies answering in the sample) only when asked for.
    let first = s.get(&s.agent, "/contacts?q=VirginTrains").await;
    assert!(listed(&first.body).is_empty(), "{}", first.body);
    assert!(first.body.contains("No contacts match."));
    let own = s.get(&s.agent, "/contacts?q=virgintrains&own=1").await;
    let virgin = s.contact_of("VirginTrains").await;
    assert_eq!(listed(&own.body), [virgin.0]);

    // A handle search finds that customer and no one else.
    let customer = s.contact_of("105836").await;
    let found = s.get(&s.agent, "/contacts?q=%40105836").await;
    assert_eq!(listed(&found.body), [customer.0]);
    assert!(
        found
            .body
            .contains(&format!("href=\"/contacts/{customer}\""))
    );

    // Stage and tag filters, and the name sort.
    s.world
        .engine
        .care()
        .set_contact_fields(
            customer,
            &ContactFields {
                name: "Miriam".into(),
                tags: ["trains".to_string()].into(),
                stage: Some(LifecycleStage::Customer),
                ..ContactFields::default()
            },
        )
        .await
        .unwrap();
    let staged = s.get(&s.agent, "/contacts?stage=customer").await;
    assert_eq!(listed(&staged.body), [customer.0]);
    let tagged = s.get(&s.agent, "/contacts?tag=TRAINS").await;
    assert_eq!(listed(&tagged.body), [customer.0]);
    let by_name = s.get(&s.agent, "/contacts?sort=name&q=miriam").await;
    assert_eq!(listed(&by_name.body), [customer.0]);
    assert!(text(&by_name.body).contains("Miriam"));

    // Bad parameters are explained, never a failure.
    let bad = s.get(&s.agent, "/contacts?stage=royalty").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("unknown lifecycle stage"), "{}", bad.body);
    let bad = s.get(&s.agent, "/contacts?sort=age").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let bad = s.get(&s.agent, "/contacts?after=zzz").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("no longer valid"), "{}", bad.body);
}

/// The first 5,000 posts of the twcs dataset, where some customers ask what to buy.
const TWCS_HEAD: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/twcs/twcs_head_5000.csv"
);

#[tokio::test]
async fn the_leads_list_pages_through_every_lead_once_over_the_twcs_head() {
    let s = setup().await;
    s.world.import_twcs(TWCS_HEAD.as_ref()).await;
    let store = s.world.engine.store();
    // How many contacts are leads, counted by the store's figures, not the list.
    let expected = s.world.engine.stats().await.unwrap().leads as usize;
    assert!(
        expected > 3,
        "the file holds more than one page of leads: {expected}"
    );
    let mut uri = "/leads?limit=3".to_string();
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let page = s.get(&s.agent, &uri).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}: {}", page.body);
        assert!(
            dangers(&page.body).is_empty(),
            "{uri}: {:?}",
            dangers(&page.body)
        );
        let rows = listed(&page.body);
        assert!(!rows.is_empty() && rows.len() <= 3, "{uri}: {rows:?}");
        seen.extend(rows);
        pages += 1;
        match link(&page.body, "next-page") {
            Some(next) => {
                assert!(next.contains("limit=3"), "the page size is kept: {next}");
                uri = next;
            }
            None => break,
        }
        assert!(pages <= expected, "the pages never end");
    }
    assert_eq!(pages, expected.div_ceil(3));
    let unique: BTreeSet<i64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "a contact listed twice: {seen:?}");
    assert_eq!(seen.len(), expected);
    // The latest flag first, then the highest contact id, as each contact's own flags say.
    let mut keys = Vec::new();
    for id in &seen {
        let flags = store.leads().contact_leads(ContactId(*id)).await.unwrap();
        keys.push((flags.iter().map(|f| f.at).max().unwrap(), *id));
    }
    assert!(keys.windows(2).all(|w| w[0] > w[1]), "{keys:?}");

    // A broken page link or size is explained with a 400, never a failure.
    for (bad, says) in [
        ("/leads?after=zzz", "no longer valid"),
        ("/leads?after=99999999999999999999.1", "no longer valid"),
        ("/leads?limit=0", "1 to 500"),
    ] {
        let page = s.get(&s.agent, bad).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(page.body.contains(says), "{bad}: {}", page.body);
    }
}

#[tokio::test]
async fn the_contact_page_shows_identities_timeline_newest_first_and_leads() {
    let s = setup().await;
    s.ingest(vec![
        post("1", "alice", "first: my parcel is late", 0),
        post("2", "alice", "second: still no parcel", 30),
        post("3", "bob", "bob writes once", 10),
    ])
    .await;
    let alice = s.contact_of("alice").await;
    let store = s.world.engine.store();
    let second = store
        .posts()
        .post_by_key(&PostKey {
            network: Network::X,
            native_id: "2".into(),
        })
        .await
        .unwrap()
        .unwrap();
    store
        .leads()
        .flag_lead(alice, second.id, at(31))
        .await
        .unwrap();

    let page = s.get(&s.agent, &format!("/contacts/{alice}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(dangers(&page.body).is_empty(), "{:?}", dangers(&page.body));
    let seen = text(&page.body);
    assert!(seen.contains("@alice"), "{seen}");
    assert!(seen.contains("1234"), "followers shown");
    let timeline = page.body.find("id=\"timeline\"").unwrap();
    let entries = &page.body[timeline..];
    let (newer, older) = (
        entries.find("second: still no parcel").unwrap(),
        entries.find("first: my parcel is late").unwrap(),
    );
    assert!(newer < older, "newest first");
    assert!(!page.body.contains("bob writes once"));
    // The lead, with the post that flagged it, and the stage it set.
    let leads = page.body.find("id=\"contact-leads\"").unwrap();
    assert!(page.body[leads..timeline].contains("second: still no parcel"));
    assert!(page.body.contains("<option value=\"lead\" selected>"));

    // The leads list links to the contact.
    let list = s.get(&s.agent, "/leads").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains(&format!("href=\"/contacts/{alice}\"")));
    assert!(text(&list.body).contains("second: still no parcel"));

    // Unknown contacts are a clear 404.
    for uri in ["/contacts/999999", "/contacts/nobody", "/contacts/-3"] {
        let missing = s.get(&s.agent, uri).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(missing.body.contains("There is no contact"), "{uri}");
    }
}

#[tokio::test]
async fn a_case_on_the_timeline_links_to_its_page_with_its_status() {
    let s = setup().await;
    let store = s.world.engine.store();
    store
        .contacts()
        .set_own_account(Network::X, "brand", true)
        .await
        .unwrap();
    let mut complaint = post(
        "1",
        "carol",
        "@brand my card was charged twice, how do I get a refund?",
        0,
    );
    complaint.mentions = vec!["brand".into()];
    s.ingest(vec![complaint]).await;
    let carol = s.contact_of("carol").await;
    let cases = store.cases().contact_cases(carol).await.unwrap();
    assert_eq!(cases.len(), 1, "a complaint to the brand opens a case");
    let case = &cases[0].case;
    let page = s.get(&s.agent, &format!("/contacts/{carol}")).await;
    let link = format!("href=\"/cases/{}\"", case.id);
    assert!(page.body.contains(&link), "{}", page.body);
    assert!(text(&page.body).contains(&format!("Case {} opened {}", case.id, case.status)));
}

#[tokio::test]
async fn fields_save_show_and_refuse_bad_values() {
    let s = setup().await;
    s.ingest(vec![post("1", "alice", "hello", 0)]).await;
    let alice = s.contact_of("alice").await;
    let uri = format!("/contacts/{alice}");
    let saved = s
        .post(
            &s.agent,
            &uri,
            &[
                ("name", "Alice Liddell"),
                ("email", "alice@example.org"),
                ("company", "Wonder Ltd"),
                ("crm_id", "CRM-7"),
                ("tags", "VIP, beta"),
                ("stage", "customer"),
            ],
        )
        .await;
    assert!(
        saved.is_redirect_to(&format!("{uri}?done=saved")),
        "{saved:?}"
    );
    let f = s.fields(alice).await;
    assert_eq!(
        (
            f.name.as_str(),
            f.email.as_deref(),
            f.company.as_deref(),
            f.crm_id.as_deref(),
            f.stage
        ),
        (
            "Alice Liddell",
            Some("alice@example.org"),
            Some("Wonder Ltd"),
            Some("CRM-7"),
            Some(LifecycleStage::Customer)
        )
    );
    assert_eq!(
        f.tags,
        BTreeSet::from(["beta".to_string(), "vip".to_string()])
    );
    let page = s.get(&s.agent, &format!("{uri}?done=saved")).await;
    assert!(page.body.contains("Contact saved."));
    assert!(page.body.contains("value=\"alice@example.org\""));
    assert!(page.body.contains("value=\"beta, vip\""));
    assert!(page.body.contains("<option value=\"customer\" selected>"));
    let list = s.get(&s.agent, "/contacts?q=wonder").await;
    assert_eq!(listed(&list.body), [alice.0]);

    // Bad values come back with the error next to the form and what was typed.
    let bad = s
        .post(
            &s.agent,
            &uri,
            &[
                ("name", "Alice"),
                ("email", "not an address"),
                ("stage", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("id=\"fields-error\""), "{}", bad.body);
    assert!(bad.body.contains("not an address"));
    let bad = s
        .post(&s.agent, &uri, &[("name", "Alice"), ("stage", "royalty")])
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("unknown lifecycle stage"));
    let bad = s.post(&s.agent, &uri, &[("name", "   ")]).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(s.fields(alice).await.name, "Alice Liddell", "nothing saved");
    let missing = s.post(&s.agent, "/contacts/999999", &[("name", "x")]).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn merging_confirms_first_then_moves_identities_and_the_timeline() {
    let s = setup().await;
    s.ingest(vec![
        post("1", "alice", "alice at home", 0),
        post("2", "alice_work", "alice at work", 5),
    ])
    .await;
    let (keep, other) = (
        s.contact_of("alice").await,
        s.contact_of("alice_work").await,
    );
    let uri = format!("/contacts/{keep}");

    // The search field offers the other contact, never this one.
    let search = s.get(&s.agent, &format!("{uri}?merge_q=alice")).await;
    let choices = &search.body[search.body.find("id=\"merge-choices\"").unwrap()..];
    assert!(choices.contains(&format!("name=\"other\" value=\"{other}\"")));
    assert!(!choices.contains(&format!("name=\"other\" value=\"{keep}\"")));

    // Without confirming, a warning and nothing else.
    let other_s = other.to_string();
    let ask = s
        .post(&s.agent, &format!("{uri}/merge"), &[("other", &other_s)])
        .await;
    assert_eq!(ask.status, StatusCode::OK, "{}", ask.body);
    assert!(ask.body.contains("id=\"confirm-merge\""));
    assert!(ask.body.contains("will be merged into"));
    assert_eq!(s.fields(other).await.merged_into, None);

    // Into itself, an unknown contact, or nothing: refused with a message.
    let keep_s = keep.to_string();
    for (value, words) in [
        (keep_s.as_str(), "cannot be merged into itself"),
        ("999999", "There is no contact 999999"),
        ("someone", "not one"),
    ] {
        let refused = s
            .post(
                &s.agent,
                &format!("{uri}/merge"),
                &[("other", value), ("confirm", "yes")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{value}");
        assert!(refused.body.contains(words), "{value}: {}", refused.body);
        assert!(refused.body.contains("id=\"merge-error\""));
    }

    let done = s
        .post(
            &s.agent,
            &format!("{uri}/merge"),
            &[("other", &other_s), ("confirm", "yes")],
        )
        .await;
    assert!(
        done.is_redirect_to(&format!("{uri}?done=merged")),
        "{done:?}"
    );
    let page = s.get(&s.agent, &uri).await;
    assert!(page.body.contains("@alice_work"));
    assert!(
        page.body.contains("alice at work"),
        "the timeline moved too"
    );
    let body = &page.body;
    assert!(body.find("alice at work").unwrap() < body.find("alice at home").unwrap());
    // The merged contact's page leads to the one that absorbed it; the list leaves it out.
    let gone = s.get(&s.agent, &format!("/contacts/{other}")).await;
    assert!(
        gone.is_redirect_to(&format!("{uri}?done=was-merged&merge_q=")),
        "{gone:?}"
    );
    let list = s.get(&s.agent, "/contacts?q=alice").await;
    assert_eq!(listed(&list.body), [keep.0]);
    // Merging it again is refused.
    let again = s
        .post(
            &s.agent,
            &format!("{uri}/merge"),
            &[("other", &other_s), ("confirm", "yes")],
        )
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert!(again.body.contains("already merged"));
}

#[tokio::test]
async fn splitting_makes_a_new_contact_and_keeps_the_last_identity() {
    let s = setup().await;
    s.ingest(vec![
        post("1", "alice", "alice at home", 0),
        post("2", "alice_work", "alice at work", 5),
    ])
    .await;
    let (keep, other) = (
        s.contact_of("alice").await,
        s.contact_of("alice_work").await,
    );
    s.world
        .engine
        .care()
        .merge_contacts(keep, other)
        .await
        .unwrap();
    let uri = format!("/contacts/{keep}");
    let page = s.get(&s.agent, &uri).await;
    assert!(page.body.contains("Split @alice_work off"));
    let work = s
        .world
        .engine
        .store()
        .contacts()
        .identity(Network::X, "alice_work")
        .await
        .unwrap()
        .unwrap();
    let work_id = work.id.to_string();

    let wrong = s
        .post(&s.agent, &format!("{uri}/split"), &[("identity", "999999")])
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(wrong.body.contains("id=\"split-error\""));

    let split = s
        .post(
            &s.agent,
            &format!("{uri}/split"),
            &[("identity", &work_id), ("name", "Alice at work")],
        )
        .await;
    let new = s.contact_of("alice_work").await;
    assert_ne!(new, keep);
    assert!(
        split.is_redirect_to(&format!("/contacts/{new}?done=split")),
        "{split:?}"
    );
    let new_page = s
        .get(&s.agent, &format!("/contacts/{new}?done=split"))
        .await;
    assert!(new_page.body.contains("<h1>Alice at work</h1>"));
    assert!(new_page.body.contains("alice at work"));
    let old_page = s.get(&s.agent, &uri).await;
    assert!(!old_page.body.contains("@alice_work"));
    assert!(
        !old_page.body.contains("Split @"),
        "one identity left: no split form"
    );

    // The last identity stays.
    let alice = s
        .world
        .engine
        .store()
        .contacts()
        .identity(Network::X, "alice")
        .await
        .unwrap()
        .unwrap();
    let last = s
        .post(
            &s.agent,
            &format!("{uri}/split"),
            &[("identity", &alice.id.to_string())],
        )
        .await;
    assert_eq!(last.status, StatusCode::BAD_REQUEST);
    assert!(last.body.contains("only identity"), "{}", last.body);
}

#[tokio::test]
async fn analysts_are_refused_strangers_sent_to_log_in_and_forms_need_the_token() {
    let s = setup().await;
    s.ingest(vec![post("1", "alice", "hello", 0)]).await;
    let alice = s.contact_of("alice").await;
    let uri = format!("/contacts/{alice}");
    for path in ["/contacts", uri.as_str(), "/leads"] {
        assert_eq!(
            s.get(&s.analyst, path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
        assert!(
            s.get(&Browser::default(), path)
                .await
                .is_redirect_to("/login"),
            "{path}"
        );
        assert_eq!(s.get(&s.admin, path).await.status, StatusCode::OK, "{path}");
    }
    for path in [uri.clone(), format!("{uri}/merge"), format!("{uri}/split")] {
        let refused = s.post(&s.analyst, &path, &[("name", "Hacked")]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path}");
        let stranger = s
            .post(&Browser::default(), &path, &[("name", "Hacked")])
            .await;
        assert!(stranger.is_redirect_to("/login"), "{path}");
        let tokenless = s
            .world
            .send(
                Call::post(path.as_str())
                    .by(&s.agent)
                    .form(&[("name", "Hacked")])
                    .build(),
            )
            .await;
        assert_eq!(tokenless.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(s.fields(alice).await.name, "alice", "nothing changed");
    // The agent sees no write forms hidden from them; the nav links the list.
    let page = s.get(&s.agent, &uri).await;
    assert!(
        page.body
            .contains("href=\"/contacts\" aria-current=\"page\"")
    );
}

#[tokio::test]
async fn hostile_names_and_post_text_are_escaped() {
    let s = setup().await;
    s.ingest(vec![post(
        "1",
        "mallory",
        "<script>alert('post')</script><img src=x onerror=alert(1)>",
        0,
    )])
    .await;
    let mallory = s.contact_of("mallory").await;
    let uri = format!("/contacts/{mallory}");
    let saved = s
        .post(
            &s.agent,
            &uri,
            &[
                ("name", "<script>alert('name')</script>"),
                ("company", "\"><b onmouseover=alert(2)>"),
            ],
        )
        .await;
    assert!(saved.status.is_redirection(), "{saved:?}");
    let post_id = s
        .world
        .engine
        .store()
        .posts()
        .post_by_key(&PostKey {
            network: Network::X,
            native_id: "1".into(),
        })
        .await
        .unwrap()
        .unwrap()
        .id;
    s.world
        .engine
        .store()
        .leads()
        .flag_lead(mallory, post_id, at(1))
        .await
        .unwrap();
    for path in [
        uri.clone(),
        "/contacts".to_string(),
        "/contacts?q=script".to_string(),
        "/leads".to_string(),
        format!("/contacts/{mallory}?merge_q=script"),
    ] {
        let page = s.get(&s.agent, &path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(
            dangers(&page.body).is_empty(),
            "{path}: {:?}",
            dangers(&page.body)
        );
        assert!(!page.body.contains("<script>alert"), "{path}");
        assert!(
            text(&page.body).contains("<script>alert("),
            "{path}: {}",
            page.body
        );
    }
    let page = s.get(&s.agent, &uri).await;
    assert!(text(&page.body).contains("<img src=x onerror=alert(1)>"));
}

/// Form controls on the page without a label, by name (empty when all are labelled).
const UNLABELLED: &str = "Array.from(document.querySelectorAll('main input:not([type=hidden]), \
     main select, main textarea')).filter(e => e.labels.length === 0 && \
     !e.getAttribute('aria-label')).map(e => e.name)";

async fn journey(
    c: &fantoccini::Client,
    base: &str,
    contact: ContactId,
    p: &mut browser::Progress,
) -> browser::Step {
    use browser::{at, check, click, fail, fill, fits, js, keys, shoot, until, viewport};
    use serde_json::json;

    p.step = "log in";
    viewport(c, 1280, 800).await?;
    c.goto(&format!("{base}/login")).await.map_err(fail)?;
    fill(c, "#name", "ada").await?;
    fill(c, "#password", common::PASSWORD).await?;
    click(c, "form[action='/login'] button[type=submit]").await?;
    at(c, "/").await?;

    p.step = "the list at 1280x800";
    click(c, "nav a[href='/contacts']").await?;
    at(c, "/contacts").await?;
    fits(c, "/contacts at 1280x800").await?;
    let bare = js(c, UNLABELLED).await?;
    check(bare == json!([]), format!("unlabelled controls {bare}"))?;
    shoot(c, "contacts-desktop-list").await?;

    p.step = "a search";
    fill(c, "#q", "@105836").await?;
    click(c, "form.contacts-filters button[type=submit]").await?;
    // The list is already at /contacts: wait for the answer to the search, not the path.
    until(
        c,
        "the search results",
        "location.search.includes('q=') && document.readyState === 'complete'",
    )
    .await?;
    let rows = js(c, "document.querySelectorAll('#contacts tbody tr').length").await?;
    check(rows == json!(1), format!("{rows} rows for one customer"))?;
    click(c, "#contacts tbody a").await?;
    let path = format!("/contacts/{contact}");
    at(c, &path).await?;

    p.step = "the contact page at 1280x800";
    fits(c, "the contact page at 1280x800").await?;
    let bare = js(c, UNLABELLED).await?;
    check(bare == json!([]), format!("unlabelled controls {bare}"))?;
    let splits = js(c, "document.querySelectorAll('.split-form').length").await?;
    check(
        splits == json!(2),
        format!("{splits} split forms for two identities"),
    )?;
    // The fields are reached in reading order with the keyboard.
    js(c, "document.getElementById('f-name').focus()").await?;
    keys(c, "\u{e004}").await?;
    let next = js(c, "document.activeElement.id").await?;
    check(
        next == json!("f-email"),
        format!("Tab from the name went to {next}"),
    )?;
    shoot(c, "contacts-desktop-contact").await?;

    p.step = "the pages at 390x844";
    viewport(c, 390, 844).await?;
    for (path, name) in [
        ("/contacts".to_string(), "contacts-phone-list"),
        (format!("/contacts/{contact}"), "contacts-phone-contact"),
        (
            format!("/contacts/{contact}?merge_q=1058"),
            "contacts-phone-merge",
        ),
        ("/leads".to_string(), "contacts-phone-leads"),
    ] {
        c.goto(&format!("{base}{path}")).await.map_err(fail)?;
        at(c, path.split('?').next().unwrap_or_default()).await?;
        fits(c, &format!("{path} at 390x844")).await?;
        // Tables read as cards: nothing scrolls sideways inside them either.
        let wide = js(
            c,
            "Array.from(document.querySelectorAll('.table-wrap')).filter(w => \
             w.scrollWidth > w.clientWidth).length",
        )
        .await?;
        check(
            wide == json!(0),
            format!("{path}: {wide} tables scroll sideways"),
        )?;
        if path == "/leads" {
            let rows = js(c, "document.querySelectorAll('#leads tbody tr').length").await?;
            check(rows == json!(1), format!("{rows} leads listed"))?;
        }
        shoot(c, name).await?;
    }
    // On a phone the details come under the identities, leads and timeline.
    c.goto(&format!("{base}/contacts/{contact}"))
        .await
        .map_err(fail)?;
    let stacked = js(
        c,
        "document.querySelector('.contact-side').getBoundingClientRect().top > \
         document.querySelector('.contact-main').getBoundingClientRect().bottom - 1",
    )
    .await?;
    check(
        stacked == json!(true),
        "the details stack under the main column",
    )?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_work_in_a_real_browser_at_desktop_and_phone_sizes() {
    let world = World::new(WebConfig::default()).await;
    world.import_twcs(TWCS_SAMPLE.as_ref()).await;
    world.user("ada", Role::Admin).await;
    let identity = |h: &'static str| {
        let store = world.engine.store().clone();
        async move {
            store
                .contacts()
                .identity(Network::X, h)
                .await
                .unwrap()
                .unwrap()
                .contact_id
        }
    };
    let (keep, other) = (identity("105836").await, identity("105835").await);
    let care = world.engine.care();
    care.merge_contacts(keep, other).await.unwrap();
    // A lead, so that the leads list has a row to lay out.
    let store = world.engine.store();
    let first = store
        .contacts()
        .contact_timeline(keep, 1)
        .await
        .unwrap()
        .remove(0);
    store
        .leads()
        .flag_lead(keep, first.id, first.post.created_at)
        .await
        .unwrap();
    let Some(mut lab) = browser::Lab::start(&world).await else {
        return;
    };
    let client = lab.window().await;
    let mut progress = browser::Progress { step: "start" };
    let result = journey(&client, &lab.base, keep, &mut progress).await;
    browser::finish(client, result, &progress, "contacts-").await;
    lab.stop().await;
}
