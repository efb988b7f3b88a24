//! Works out in memory what one ingest batch changes, from what the database said about the
//! keys the batch touches. Both backends share it: they only differ in how they look things
//! up, hand out ids and write the result, so threads, identities and mentions follow the same
//! rules on every backend.

use crate::threads::Threads;
use crate::{IngestOutcome, IngestReport, NewPost, StoreError};
use rapport_domain::{ContactId, ConversationId, IdentityId, Labels, Network, Post, PostId};
use std::collections::{HashMap, HashSet};

/// A (network, native id) or (network, handle key) pair.
pub type Key = (Network, String);

/// The lookup key of a handle: without a leading `@`, lowercased.
pub fn handle_key(handle: &str) -> String {
    handle.trim().trim_start_matches('@').to_lowercase()
}

/// A stored post found by key.
#[derive(Debug, Clone)]
pub struct PostHit {
    pub id: i64,
    pub identity_id: i64,
    pub identity_own: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IdentityRow {
    pub id: i64,
    pub contact_id: i64,
    pub network: Network,
    pub handle_key: String,
    pub handle: String,
    pub native_id: Option<String>,
    pub display_name: Option<String>,
    pub followers: Option<i64>,
    pub own: bool,
}

/// What the database knows about the keys of a batch.
#[derive(Debug, Default)]
pub struct Lookups {
    /// Stored posts among [`Input::post_keys`].
    pub posts: HashMap<Key, PostHit>,
    /// Stored identities among [`Input::identity_keys`].
    pub identities: HashMap<Key, IdentityRow>,
    /// For each of [`Input::node_keys`], the conversations of stored posts whose native id,
    /// reply-to or root id is that key.
    pub node_convs: Vec<(Key, i64)>,
}

/// A batch, checked and keyed.
pub struct Input {
    pub batch: Vec<NewPost>,
    keys: Vec<Key>,
    author_keys: Vec<Key>,
}

impl Input {
    pub fn new(batch: Vec<NewPost>) -> Result<Self, StoreError> {
        let mut keys = Vec::with_capacity(batch.len());
        let mut author_keys = Vec::with_capacity(batch.len());
        for np in &batch {
            let p = &np.post;
            if p.native_id.is_empty() {
                return Err(StoreError::Invalid(format!(
                    "post on {} by '{}': empty native id",
                    p.network, p.author.handle
                )));
            }
            let mut hk = handle_key(&p.author.handle);
            if hk.is_empty() {
                hk = p
                    .author
                    .native_id
                    .as_deref()
                    .map(handle_key)
                    .unwrap_or_default();
            }
            if hk.is_empty() {
                return Err(StoreError::Invalid(format!(
                    "post {}/{}: author has neither handle nor native id",
                    p.network, p.native_id
                )));
            }
            keys.push((p.network, p.native_id.clone()));
            author_keys.push((p.network, hk));
        }
        Ok(Self {
            batch,
            keys,
            author_keys,
        })
    }

    /// Keys of the batch's posts and of the posts they reply to.
    pub fn post_keys(&self) -> Vec<Key> {
        let mut seen = HashSet::new();
        let parents = self.batch.iter().filter_map(|np| {
            np.post
                .reply_to
                .as_ref()
                .map(|r| (np.post.network, r.clone()))
        });
        self.keys
            .iter()
            .cloned()
            .chain(parents)
            .filter(|k| seen.insert(k.clone()))
            .collect()
    }

    /// Handle keys of the authors, of every handle mentioned and of every author replied to.
    pub fn identity_keys(&self) -> Vec<Key> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for (np, ak) in self.batch.iter().zip(&self.author_keys) {
            if seen.insert(ak.clone()) {
                out.push(ak.clone());
            }
            for m in mention_keys(&np.post) {
                let k = (np.post.network, m);
                if seen.insert(k.clone()) {
                    out.push(k);
                }
            }
        }
        out
    }

    /// The thread nodes the batch touches: native ids, reply-to ids and root ids.
    pub fn node_keys(&self) -> Vec<Key> {
        let mut seen = HashSet::new();
        self.batch
            .iter()
            .flat_map(|np| thread_nodes(&np.post))
            .filter(|k| seen.insert(k.clone()))
            .collect()
    }
}

/// A post is one thread node linked to its parent and to its root: every post that shares a
/// node with it belongs to the same conversation, so threads come out whole whatever order
/// their posts arrive in.
fn thread_nodes(p: &Post) -> Vec<Key> {
    let mut nodes = vec![(p.network, p.native_id.clone())];
    for id in [&p.reply_to, &p.root_id].into_iter().flatten() {
        if !id.is_empty() && !nodes.iter().any(|(_, n)| n == id) {
            nodes.push((p.network, id.clone()));
        }
    }
    nodes
}

/// Handle keys a post mentions or replies to, without repeats.
pub fn mention_keys(p: &Post) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for h in p.mentions.iter().chain(p.reply_to_handle.as_ref()) {
        let k = handle_key(h);
        if !k.is_empty() && !out.contains(&k) {
            out.push(k);
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Ref {
    Db(i64),
    New(usize),
}

struct IdentState {
    row: IdentityRow,
    at: Ref,
    db_own: bool,
    changed: bool,
}

enum Slot {
    Stored(i64),
    SameAs(usize),
    New(usize),
}

struct PlannedPost {
    batch_ix: usize,
    ident: usize,
    thread: usize,
    has_parent: bool,
}

/// How many new rows of each kind a plan needs ids for.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    pub contacts: usize,
    pub identities: usize,
    pub conversations: usize,
    pub posts: usize,
}

/// Ids the backend handed out for [`Counts`], in order.
#[derive(Debug, Default)]
pub struct Ids {
    pub contacts: Vec<i64>,
    pub identities: Vec<i64>,
    pub conversations: Vec<i64>,
    pub posts: Vec<i64>,
}

impl Ids {
    /// Consecutive ids after the current maximum of each table.
    pub fn after(max: [i64; 4], c: Counts) -> Self {
        let run = |m: i64, n: usize| (1..=n as i64).map(|i| m + i).collect();
        Self {
            contacts: run(max[0], c.contacts),
            identities: run(max[1], c.identities),
            conversations: run(max[2], c.conversations),
            posts: run(max[3], c.posts),
        }
    }
}

pub struct PostRow<'a> {
    pub id: i64,
    pub identity_id: i64,
    pub conversation_id: i64,
    pub is_mention: bool,
    pub from_own_account: bool,
    pub post: &'a Post,
    pub labels: Option<&'a Labels>,
}

/// Everything a batch writes, with final ids.
#[derive(Default)]
pub struct Writes<'a> {
    pub contacts: Vec<(i64, String)>,
    pub new_identities: Vec<IdentityRow>,
    pub changed_identities: Vec<IdentityRow>,
    /// Identities that became own accounts: earlier posts by, mentioning or replying to them
    /// are re-marked.
    pub newly_own: Vec<(i64, Key)>,
    pub conversations: Vec<(i64, Network)>,
    /// (from, into): the posts of `from` move to `into`.
    pub merges: Vec<(i64, i64)>,
    pub posts: Vec<PostRow<'a>>,
    pub mentions: Vec<(i64, Network, String)>,
    pub matches: Vec<(i64, i64)>,
    /// New posts by own accounts: replies to them stored earlier become mentions.
    pub own_post_keys: Vec<Key>,
    /// Conversations whose root post may have changed.
    pub check_roots: Vec<i64>,
    pub report: IngestReport,
}

/// The batch worked out with placeholder ids; [`Planned::resolve`] fills in real ones.
pub struct Planned {
    slots: Vec<Slot>,
    idents: Vec<IdentState>,
    posts: Vec<PlannedPost>,
    threads: Threads,
    parent_own: Vec<bool>,
    pub counts: Counts,
}

pub fn plan(input: &Input, lk: Lookups) -> Planned {
    let mut idents: Vec<IdentState> = Vec::new();
    let mut ident_ix: HashMap<Key, usize> = HashMap::new();
    let mut by_db_id: HashMap<i64, usize> = HashMap::new();
    for (k, row) in lk.identities {
        by_db_id.insert(row.id, idents.len());
        ident_ix.insert(k, idents.len());
        idents.push(IdentState {
            at: Ref::Db(row.id),
            db_own: row.own,
            changed: false,
            row,
        });
    }
    let mut threads = Threads::default();
    for (k, conv) in lk.node_convs {
        threads.seed(k, conv);
    }

    let mut counts = Counts::default();
    let mut slots = Vec::with_capacity(input.batch.len());
    let mut posts: Vec<PlannedPost> = Vec::new();
    let mut new_by_key: HashMap<&Key, usize> = HashMap::new();
    for (bi, np) in input.batch.iter().enumerate() {
        let key = &input.keys[bi];
        if let Some(hit) = lk.posts.get(key) {
            slots.push(Slot::Stored(hit.id));
            continue;
        }
        if let Some(&ni) = new_by_key.get(key) {
            slots.push(Slot::SameAs(ni));
            continue;
        }
        let p = &np.post;
        let ak = &input.author_keys[bi];
        let ii = *ident_ix.entry(ak.clone()).or_insert_with(|| {
            let at = Ref::New(counts.identities);
            counts.identities += 1;
            idents.push(IdentState {
                row: IdentityRow {
                    id: 0,
                    contact_id: 0,
                    network: p.network,
                    handle_key: ak.1.clone(),
                    handle: String::new(),
                    native_id: None,
                    display_name: None,
                    followers: None,
                    own: false,
                },
                at,
                db_own: false,
                changed: false,
            });
            idents.len() - 1
        });
        apply_author(&mut idents[ii], p);
        let has_parent = p.reply_to.as_ref().is_some_and(|r| {
            let pk = (p.network, r.clone());
            lk.posts.contains_key(&pk) || new_by_key.contains_key(&pk)
        });
        let thread = threads.place(thread_nodes(p));
        new_by_key.insert(key, posts.len());
        slots.push(Slot::New(posts.len()));
        posts.push(PlannedPost {
            batch_ix: bi,
            ident: ii,
            thread,
            has_parent,
        });
    }
    counts.posts = posts.len();
    counts.contacts = counts.identities;

    // Whether each new post replies to a post by an own account, with ownership as it stands
    // at the end of the batch.
    let parent_own = posts
        .iter()
        .map(|pp| {
            let p = &input.batch[pp.batch_ix].post;
            let Some(r) = &p.reply_to else { return false };
            let pk = (p.network, r.clone());
            if let Some(&ni) = new_by_key.get(&pk) {
                return idents[posts[ni].ident].row.own;
            }
            lk.posts
                .get(&pk)
                .is_some_and(|hit| match by_db_id.get(&hit.identity_id) {
                    Some(&ii) => idents[ii].row.own,
                    None => hit.identity_own,
                })
        })
        .collect();

    let mut roots = HashSet::new();
    for pp in &posts {
        let r = threads.find(pp.thread);
        if threads.db[r].is_none() {
            roots.insert(r);
        }
    }
    counts.conversations = roots.len();
    Planned {
        slots,
        idents,
        posts,
        threads,
        parent_own,
        counts,
    }
}

fn apply_author(st: &mut IdentState, p: &Post) {
    let a = &p.author;
    let row = &mut st.row;
    let before = row.clone();
    let handle = a.handle.trim().trim_start_matches('@');
    if !handle.is_empty() {
        row.handle = handle.to_string();
    } else if row.handle.is_empty() {
        row.handle = row.handle_key.clone();
    }
    if a.native_id.is_some() {
        row.native_id.clone_from(&a.native_id);
    }
    if a.display_name.is_some() {
        row.display_name.clone_from(&a.display_name);
    }
    if let Some(f) = a.followers {
        row.followers = Some(clamp(f));
    }
    row.own |= a.own_account;
    st.changed |= *row != before;
}

pub fn clamp(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl Planned {
    pub fn resolve<'a>(mut self, input: &'a Input, ids: &Ids) -> Writes<'a> {
        let mut w = Writes::default();
        // identities and contacts
        for st in &mut self.idents {
            match st.at {
                Ref::New(i) => {
                    st.row.id = ids.identities[i];
                    st.row.contact_id = ids.contacts[i];
                    let name = st.row.display_name.clone().unwrap_or(st.row.handle.clone());
                    w.contacts.push((st.row.contact_id, name));
                    w.new_identities.push(st.row.clone());
                }
                Ref::Db(_) if st.changed => w.changed_identities.push(st.row.clone()),
                Ref::Db(_) => {}
            }
            if st.row.own && !st.db_own {
                let key = (st.row.network, st.row.handle_key.clone());
                w.newly_own.push((st.row.id, key));
            }
        }
        // conversations
        let mut new_conv: HashMap<usize, i64> = HashMap::new();
        let mut check = HashSet::new();
        let mut conv_of = Vec::with_capacity(self.posts.len());
        for pp in &self.posts {
            let r = self.threads.find(pp.thread);
            let conv = match self.threads.db[r] {
                Some(id) => id,
                None => {
                    let next = new_conv.len();
                    *new_conv.entry(r).or_insert_with(|| {
                        let id = ids.conversations[next];
                        w.conversations
                            .push((id, input.batch[pp.batch_ix].post.network));
                        id
                    })
                }
            };
            if !pp.has_parent {
                check.insert(conv);
            }
            conv_of.push(conv);
        }
        let db_elems: Vec<(i64, usize)> =
            self.threads.db_elem.iter().map(|(&k, &v)| (k, v)).collect();
        for (db_id, e) in db_elems {
            let r = self.threads.find(e);
            if let Some(into) = self.threads.db[r].filter(|&into| into != db_id) {
                w.merges.push((db_id, into));
                check.insert(into);
            }
        }
        w.merges.sort_unstable();
        // posts
        let own_keys: HashSet<Key> = self
            .idents
            .iter()
            .filter(|st| st.row.own)
            .map(|st| (st.row.network, st.row.handle_key.clone()))
            .collect();
        for (ni, pp) in self.posts.iter().enumerate() {
            let np = &input.batch[pp.batch_ix];
            let p = &np.post;
            let id = ids.posts[ni];
            let ident = &self.idents[pp.ident].row;
            let mut is_mention = self.parent_own[ni];
            for m in mention_keys(p) {
                let k = (p.network, m);
                is_mention |= own_keys.contains(&k);
                w.mentions.push((id, k.0, k.1));
            }
            if ident.own {
                w.own_post_keys.push((p.network, p.native_id.clone()));
            }
            let mut topics = np.topics.clone();
            topics.sort_unstable();
            topics.dedup();
            w.matches.extend(topics.into_iter().map(|t| (id, t.0)));
            w.posts.push(PostRow {
                id,
                identity_id: ident.id,
                conversation_id: conv_of[ni],
                is_mention,
                from_own_account: ident.own,
                post: p,
                labels: np.labels.as_ref(),
            });
        }
        w.check_roots = check.into_iter().collect();
        w.check_roots.sort_unstable();
        w.report.outcomes = self
            .slots
            .iter()
            .map(|s| match *s {
                Slot::Stored(id) => IngestOutcome::Duplicate { id: PostId(id) },
                Slot::SameAs(ni) => IngestOutcome::Duplicate {
                    id: PostId(ids.posts[ni]),
                },
                Slot::New(ni) => {
                    let row = &w.posts[ni];
                    IngestOutcome::Inserted {
                        id: PostId(ids.posts[ni]),
                        is_mention: row.is_mention,
                        conversation_id: ConversationId(row.conversation_id),
                        identity_id: IdentityId(row.identity_id),
                        contact_id: ContactId(self.idents[self.posts[ni].ident].row.contact_id),
                        from_own_account: row.from_own_account,
                    }
                }
            })
            .collect();
        w
    }
}
