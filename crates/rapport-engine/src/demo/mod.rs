//! The demo workspace: a seeded, believable stream of customer traffic for three invented
//! brands, so a newcomer can explore Rapport without a file.
//!
//! Every demo post is marked: its native id starts with `demo-`, its raw record carries
//! `"demo": true`, and the authors live on invented `rapport-demo` hosts. The same seed gives
//! the same posts, so running the demo twice changes nothing.
//!
//! Around the stream, `people.rs` makes the demo's users (one per role, random passwords) and
//! `care.rs` sets up a care desk (team, SLA policy, saved replies, routing) before ingesting
//! and works the cases routing opened into every state afterwards.

pub mod care;
pub mod people;
mod templates;

use chrono::{DateTime, Duration, Utc};
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng, rngs::StdRng};
use rapport_domain::{Author, Engagement, Network, Post, TopicOptions};
use templates::{BRANDS, Brand};

/// How the demo stream is shaped.
#[derive(Debug, Clone)]
pub struct DemoSpec {
    pub seed: u64,
    /// Customer threads to write (each has one to four posts).
    pub threads: usize,
    /// The stream ends here and starts `weeks` earlier.
    pub end: DateTime<Utc>,
    pub weeks: i64,
}

impl Default for DemoSpec {
    fn default() -> Self {
        Self {
            seed: 2017,
            threads: 900,
            end: Utc::now(),
            weeks: 6,
        }
    }
}

/// The own accounts of the demo brands, to register before ingesting.
pub fn own_accounts() -> Vec<(Network, String)> {
    let mut out = Vec::new();
    for b in BRANDS {
        for n in [Network::X, Network::Bluesky, Network::Mastodon] {
            out.push((n, brand_handle(b, n)));
        }
    }
    out
}

/// The demo's listening topics.
pub fn topics() -> Vec<(String, String, TopicOptions)> {
    as_topics(templates::TOPICS)
}

/// Topics that suit a twcs export (`rapport demo --from FILE --format twcs`).
pub fn twcs_topics() -> Vec<(String, String, TopicOptions)> {
    as_topics(templates::TWCS_TOPICS)
}

fn as_topics(list: &[(&str, &str)]) -> Vec<(String, String, TopicOptions)> {
    list.iter()
        .map(|(n, q)| (n.to_string(), q.to_string(), TopicOptions::default()))
        .collect()
}

fn brand_handle(brand: &Brand, network: Network) -> String {
    match network {
        Network::Bluesky => format!("{}.rapport-demo.app", brand.care.to_lowercase()),
        Network::Mastodon => format!("{}@rapport-demo.social", brand.care.to_lowercase()),
        _ => brand.care.to_string(),
    }
}

fn customer_handle(name: &str, n: usize, network: Network) -> String {
    match network {
        Network::Bluesky => format!("{name}{n}.rapport-demo.app"),
        Network::Mastodon => format!("{name}{n}@rapport-demo.social"),
        _ => format!("{name}_{n}_demo"),
    }
}

/// Writes the demo stream: threads of questions, complaints, praise, leads and feedback, most
/// answered by the brand's care account, some followed up by the customer.
pub fn generate(spec: &DemoSpec) -> Vec<Post> {
    let mut rng = StdRng::seed_from_u64(spec.seed);
    let start = spec.end - Duration::weeks(spec.weeks);
    let span = (spec.end - start).num_seconds().max(1);
    let mut posts = Vec::with_capacity(spec.threads * 3);
    let mut next_id = 0usize;
    for thread in 0..spec.threads {
        let brand = &BRANDS[rng.random_range(0..BRANDS.len())];
        let network = *[Network::X, Network::X, Network::Bluesky, Network::Mastodon]
            .choose(&mut rng)
            .expect("non-empty");
        let name = *templates::FIRST_NAMES.choose(&mut rng).expect("non-empty");
        let customer = customer_handle(name, thread % 97, network);
        let care = brand_handle(brand, network);
        let product = *brand.products.choose(&mut rng).expect("non-empty");
        let kind = rng.random_range(0..100);
        let (opening, answered) = match kind {
            0..30 => (templates::QUESTIONS, 90),
            30..60 => (templates::COMPLAINTS, 80),
            60..78 => (templates::PRAISE, 50),
            78..90 => (templates::LEADS, 60),
            _ => (templates::FEEDBACK, 60),
        };
        let mut at = start + Duration::seconds(rng.random_range(0..span));
        let text = fill(
            opening.choose(&mut rng).expect("non-empty"),
            &care,
            &customer,
            product,
        );
        let root = new_post(
            &mut next_id,
            network,
            &customer,
            name,
            text,
            at,
            None,
            &mut rng,
        );
        let mut parent = root.native_id.clone();
        posts.push(root);
        if rng.random_range(0..100) >= answered {
            continue;
        }
        at += Duration::minutes(rng.random_range(3..600));
        // A reply that would come after the demo's "now" has not been written yet: the thread
        // waits for its answer, as the newest threads of a care desk do.
        if at > spec.end {
            continue;
        }
        let reply = fill(
            templates::BRAND_REPLIES
                .choose(&mut rng)
                .expect("non-empty"),
            &care,
            &customer,
            product,
        );
        let mut brand_post = new_post(
            &mut next_id,
            network,
            &care,
            brand.name,
            reply,
            at,
            Some((&parent, &customer)),
            &mut rng,
        );
        brand_post.author.own_account = true;
        parent = brand_post.native_id.clone();
        posts.push(brand_post);
        if rng.random_range(0..100) < 45 {
            at += Duration::minutes(rng.random_range(2..240));
            if at > spec.end {
                continue;
            }
            let text = fill(
                templates::FOLLOW_UPS.choose(&mut rng).expect("non-empty"),
                &care,
                &customer,
                product,
            );
            posts.push(new_post(
                &mut next_id,
                network,
                &customer,
                name,
                text,
                at,
                Some((&parent, &care)),
                &mut rng,
            ));
        }
    }
    posts.sort_by_key(|p| p.created_at);
    posts
}

fn fill(template: &str, brand: &str, customer: &str, product: &str) -> String {
    template
        .replace("{brand}", brand)
        .replace("{customer}", customer)
        .replace("{product}", product)
}

#[allow(clippy::too_many_arguments)]
fn new_post(
    next_id: &mut usize,
    network: Network,
    handle: &str,
    display: &str,
    text: String,
    at: DateTime<Utc>,
    reply_to: Option<(&str, &str)>,
    rng: &mut StdRng,
) -> Post {
    *next_id += 1;
    let native_id = format!("demo-{:06}", *next_id);
    let mut display_name = display.to_string();
    if let Some(first) = display_name.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    let (mentions, hashtags) = entities(&text);
    let raw = serde_json::json!({
        "demo": true,
        "id": native_id,
        "network": network.as_str(),
        "author": handle,
        "text": text,
        "created_at": at.to_rfc3339(),
        "in_reply_to": reply_to.map(|r| r.0),
    })
    .to_string();
    Post {
        network,
        native_id,
        author: Author {
            handle: handle.to_string(),
            native_id: None,
            display_name: Some(display_name),
            followers: Some(rng.random_range(3..5_000)),
            own_account: false,
        },
        text,
        created_at: at,
        lang: Some("en".into()),
        reply_to: reply_to.map(|r| r.0.to_string()),
        reply_to_handle: reply_to.map(|r| r.1.to_string()),
        root_id: None,
        mentions,
        hashtags,
        cashtags: Vec::new(),
        links: Vec::new(),
        engagement: Engagement {
            likes: rng.random_range(0..40),
            reposts: rng.random_range(0..6),
            ..Engagement::default()
        },
        raw,
    }
}

/// The demo writes its own text, so a plain split finds its entities.
fn entities(text: &str) -> (Vec<String>, Vec<String>) {
    let clean = |w: &str| {
        w.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '_' && c != '.' && c != '@')
            .trim_end_matches('.')
            .to_lowercase()
    };
    let mut mentions = Vec::new();
    let mut tags = Vec::new();
    for w in text.split_whitespace() {
        if let Some(m) = w.strip_prefix('@') {
            mentions.push(clean(m));
        } else if let Some(t) = w.strip_prefix('#') {
            tags.push(clean(t));
        }
    }
    (mentions, tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_stream() {
        let spec = DemoSpec {
            threads: 50,
            ..DemoSpec::default()
        };
        let a = generate(&spec);
        let b = generate(&spec);
        assert_eq!(a, b);
        assert!(a.len() > 50, "threads have replies");
        assert!(
            a.iter()
                .all(|p| p.native_id.starts_with("demo-") && p.raw.contains("\"demo\":true"))
        );
    }

    #[test]
    fn no_post_is_dated_after_the_demos_now() {
        let spec = DemoSpec {
            threads: 2_000,
            ..DemoSpec::default()
        };
        let posts = generate(&spec);
        // Threads started in the last hours must exist for the check to mean anything.
        let recent = spec.end - Duration::hours(6);
        assert!(
            posts
                .iter()
                .any(|p| p.created_at > recent && p.reply_to.is_none())
        );
        let late: Vec<_> = posts.iter().filter(|p| p.created_at > spec.end).collect();
        assert!(
            late.is_empty(),
            "{} posts in the future, e.g. {:?}",
            late.len(),
            late.first().map(|p| (&p.native_id, p.created_at))
        );
    }

    #[test]
    fn replies_point_at_earlier_posts_of_the_stream() {
        let posts = generate(&DemoSpec {
            threads: 200,
            ..DemoSpec::default()
        });
        let ids: std::collections::HashSet<_> =
            posts.iter().map(|p| p.native_id.as_str()).collect();
        let replies: Vec<_> = posts.iter().filter(|p| p.reply_to.is_some()).collect();
        assert!(!replies.is_empty());
        for r in replies {
            assert!(ids.contains(r.reply_to.as_deref().unwrap()));
        }
        assert!(posts.iter().any(|p| p.author.own_account));
        let mention = posts.iter().find(|p| p.native_id == "demo-000001").unwrap();
        assert!(!mention.mentions.is_empty() || mention.text.contains('@'));
    }
}
