//! Every topic compiled together: one Aho-Corasick automaton over all literals finds the
//! candidate topics of a post, and only those topics' expressions are evaluated.

use crate::ast::{Query, TagKind};
use crate::compile::{self, Expr, LitKind, Literals};
use crate::eval::{FIELD_POS, Hits, PostCtx};
use crate::program::Programs;
use crate::text::{self, CASHTAG, HASHTAG, MENTION, Tokens};
use aho_corasick::{AhoCorasick, MatchKind};
use rapport_domain::{Labels, Post, TopicId, TopicOptions};
use rustc_hash::FxHashMap;
use smallvec::SmallVec;
use std::cell::RefCell;

type LitList = SmallVec<[u32; 2]>;

/// All topics compiled together. Build it once when topics change; match every post with it.
pub struct Matcher {
    lits: Literals,
    /// The automaton runs over tokenized text (` word word `): pattern ` word ` is a whole word,
    /// ` pre` a prefix. Several literals may share a pattern (a word and a hashtag).
    ac: Option<AhoCorasick>,
    pattern_lits: Vec<LitList>,
    /// Per literal: the token flag it needs (0 for words and prefixes) and whether it is
    /// looked up without accents, kept apart from `lits` to stay in cache.
    lit_flag: Vec<u8>,
    lit_unaccented: Vec<bool>,
    /// Literals found through `Post::hashtags`, `mentions`, `cashtags`, by kind and accents.
    tag_lits: [FxHashMap<Box<str>, LitList>; 6],
    /// Topic indexes to evaluate when a literal is found (CSR: `trigger_start[lit]..[lit + 1]`).
    trigger_start: Vec<u32>,
    trigger_topics: Vec<u32>,
    /// Topics that can match without any literal (`lang:fr is:reply`): evaluated for every post.
    always: Vec<u32>,
    /// Sorted, so matches come out in ascending order; `programs` holds each one's expression.
    ids: Vec<TopicId>,
    programs: Programs,
    any_unaccented: bool,
}

/// Buffers reused from post to post, so matching allocates nothing once warm.
#[derive(Default)]
pub struct Scratch {
    norm: String,
    tokens: Tokens,
    tokens_unaccented: Tokens,
    tag: String,
    found: Vec<(u32, u32)>,
    positions: Vec<u32>,
    /// `stamp[lit] == generation` when the literal was found in the current post.
    stamp: Vec<u32>,
    range: Vec<(u32, u32)>,
    topic_stamp: Vec<u32>,
    candidates: Vec<u32>,
    stack: Vec<bool>,
    generation: u32,
}

impl Scratch {
    pub fn new() -> Self {
        Self::default()
    }

    /// How many topics the last post woke, that is had evaluated: the candidates the
    /// automaton found, plus the topics that need no literal.
    pub fn woken(&self) -> usize {
        self.candidates.len()
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::new());
}

fn tag_slot(kind: TagKind, unaccented: bool) -> usize {
    let k = match kind {
        TagKind::Hashtag => 0,
        TagKind::Mention => 1,
        TagKind::Cashtag => 2,
    };
    k * 2 + usize::from(unaccented)
}

impl Matcher {
    pub fn new(topics: impl IntoIterator<Item = (TopicId, Query, TopicOptions)>) -> Matcher {
        let mut lits = Literals::default();
        let mut compiled: Vec<(TopicId, Expr)> = topics
            .into_iter()
            .map(|(id, q, o)| (id, compile::compile(&q.root, o.ignore_accents, &mut lits)))
            .collect();
        compiled.sort_by_key(|(id, _)| *id);

        let mut patterns: Vec<String> = Vec::new();
        let mut pattern_ids: FxHashMap<String, usize> = FxHashMap::default();
        let mut pattern_lits: Vec<LitList> = Vec::new();
        let mut tag_lits: [FxHashMap<Box<str>, LitList>; 6] = Default::default();
        for (id, lit) in lits.lits.iter().enumerate() {
            let id = id as u32;
            let pattern = match lit.kind {
                LitKind::Prefix => format!(" {}", lit.text),
                _ => format!(" {} ", lit.text),
            };
            let p = *pattern_ids.entry(pattern).or_insert_with_key(|k| {
                patterns.push(k.clone());
                pattern_lits.push(LitList::new());
                patterns.len() - 1
            });
            pattern_lits[p].push(id);
            if let LitKind::Tag(kind) = lit.kind {
                tag_lits[tag_slot(kind, lit.unaccented)]
                    .entry(lit.text.clone())
                    .or_default()
                    .push(id);
            }
        }
        let ac = (!patterns.is_empty()).then(|| {
            AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                // Every pattern starts with a space: a prefilter would stop at every word.
                .prefilter(false)
                .build(&patterns)
                .expect("literal patterns are plain strings")
        });

        let mut triggers: Vec<Vec<u32>> = vec![Vec::new(); lits.len()];
        let mut always = Vec::new();
        for (t, (_, expr)) in compiled.iter().enumerate() {
            match compile::required(expr) {
                None => always.push(t as u32),
                Some(groups) => {
                    let best = |ls: &mut dyn Iterator<Item = u32>| {
                        ls.max_by_key(|l| compile::selectivity(&lits.lits[*l as usize]))
                    };
                    // A literal every group needs is one trigger instead of one per group.
                    let shared = best(
                        &mut groups[0]
                            .iter()
                            .copied()
                            .filter(|l| groups[1..].iter().all(|g| g.contains(l))),
                    );
                    let mut picked: Vec<u32> = match shared {
                        Some(l) => vec![l],
                        None => groups
                            .iter()
                            .filter_map(|g| best(&mut g.iter().copied()))
                            .collect(),
                    };
                    picked.sort_unstable();
                    picked.dedup();
                    for l in picked {
                        triggers[l as usize].push(t as u32);
                    }
                }
            }
        }
        let mut trigger_start = Vec::with_capacity(lits.len() + 1);
        let mut trigger_topics = Vec::new();
        for ts in &triggers {
            trigger_start.push(trigger_topics.len() as u32);
            trigger_topics.extend_from_slice(ts);
        }
        trigger_start.push(trigger_topics.len() as u32);
        let any_unaccented = lits.lits.iter().any(|l| l.unaccented);
        let mut programs = Programs::default();
        for (_, expr) in &compiled {
            programs.push(expr);
        }
        let lit_unaccented = lits.lits.iter().map(|l| l.unaccented).collect();
        let lit_flag = lits
            .lits
            .iter()
            .map(|l| match l.kind {
                LitKind::Word | LitKind::Prefix => 0,
                LitKind::Tag(TagKind::Hashtag) => HASHTAG,
                LitKind::Tag(TagKind::Mention) => MENTION,
                LitKind::Tag(TagKind::Cashtag) => CASHTAG,
            })
            .collect();
        Matcher {
            lits,
            ac,
            pattern_lits,
            lit_flag,
            lit_unaccented,
            tag_lits,
            trigger_start,
            trigger_topics,
            always,
            ids: compiled.iter().map(|(id, _)| *id).collect(),
            programs,
            any_unaccented,
        }
    }

    /// Number of topics.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Appends the ids of the topics `post` matches to `out`, ascending, without duplicates.
    /// Uses a per-thread [`Scratch`]; see [`Matcher::match_post_with`] to pass one explicitly.
    pub fn match_post(&self, post: &Post, labels: Option<&Labels>, out: &mut Vec<TopicId>) {
        SCRATCH.with(|s| self.match_post_with(&mut s.borrow_mut(), post, labels, out));
    }

    /// [`Matcher::match_post`] with caller-owned buffers.
    pub fn match_post_with(
        &self,
        s: &mut Scratch,
        post: &Post,
        labels: Option<&Labels>,
        out: &mut Vec<TopicId>,
    ) {
        s.begin(self.lits.len(), self.ids.len());
        let ascii = text::normalize_into(&post.text, false, &mut s.norm);
        text::tokenize(&s.norm, &mut s.tokens);
        // Stripping accents changes nothing in ASCII text: one pass serves both kinds of topic.
        self.scan(&s.tokens, true, ascii, &mut s.found);
        if self.any_unaccented && !ascii {
            text::normalize_into(&post.text, true, &mut s.norm);
            text::tokenize(&s.norm, &mut s.tokens_unaccented);
            self.scan(&s.tokens_unaccented, false, true, &mut s.found);
        }
        self.entity_tags(s, post);
        s.index_found();

        s.candidates.clear();
        for i in 0..s.positions_lits() {
            let lit = s.found[i].0 as usize;
            let range = self.trigger_start[lit] as usize..self.trigger_start[lit + 1] as usize;
            for &t in &self.trigger_topics[range] {
                if s.topic_stamp[t as usize] != s.generation {
                    s.topic_stamp[t as usize] = s.generation;
                    s.candidates.push(t);
                }
            }
        }
        for &t in &self.always {
            if s.topic_stamp[t as usize] != s.generation {
                s.topic_stamp[t as usize] = s.generation;
                s.candidates.push(t);
            }
        }
        s.candidates.sort_unstable();
        let ctx = PostCtx {
            post,
            labels,
            tokens: &s.tokens,
        };
        let hits = FoundHits {
            stamp: &s.stamp,
            range: &s.range,
            positions: &s.positions,
            generation: s.generation,
        };
        // Topics given twice under one id sit side by side: report the id once.
        let mut last = None;
        for &t in &s.candidates {
            let id = self.ids[t as usize];
            if last != Some(id) && self.programs.eval(t as usize, &hits, &ctx, &mut s.stack) {
                out.push(id);
                last = Some(id);
            }
        }
    }

    /// Runs the automaton over tokenized text, noting (literal, token position) pairs for the
    /// literals with accents (`plain`) and/or without (`unaccented`).
    fn scan(&self, tokens: &Tokens, plain: bool, unaccented: bool, found: &mut Vec<(u32, u32)>) {
        let Some(ac) = &self.ac else { return };
        for m in ac.find_overlapping_iter(tokens.buf.as_str()) {
            let Some(pos) = tokens.at(m.start() as u32 + 1) else {
                continue;
            };
            let flags = tokens.toks[pos].flags;
            for &l in &self.pattern_lits[m.pattern().as_usize()] {
                let variant_ok = if self.lit_unaccented[l as usize] {
                    unaccented
                } else {
                    plain
                };
                let need = self.lit_flag[l as usize];
                if variant_ok && (need == 0 || need == flags) {
                    found.push((l, pos as u32));
                }
            }
        }
    }

    /// Tags the post's source listed as entities, which need not appear in its text.
    fn entity_tags(&self, s: &mut Scratch, post: &Post) {
        let lists = [
            (TagKind::Hashtag, &post.hashtags, '#'),
            (TagKind::Mention, &post.mentions, '@'),
            (TagKind::Cashtag, &post.cashtags, '$'),
        ];
        for (kind, values, sigil) in lists {
            for unaccented in [false, true] {
                let map = &self.tag_lits[tag_slot(kind, unaccented)];
                if map.is_empty() {
                    continue;
                }
                for v in values {
                    let v = v.strip_prefix(sigil).unwrap_or(v);
                    text::normalize_into(v, unaccented, &mut s.tag);
                    if let Some(ls) = map.get(s.tag.as_str()) {
                        s.found.extend(ls.iter().map(|&l| (l, FIELD_POS)));
                    }
                }
            }
        }
    }
}

impl Scratch {
    fn begin(&mut self, lits: usize, topics: usize) {
        if self.stamp.len() < lits {
            self.stamp.resize(lits, 0);
            self.range.resize(lits, (0, 0));
        }
        if self.topic_stamp.len() < topics {
            self.topic_stamp.resize(topics, 0);
        }
        if self.generation == u32::MAX {
            self.stamp.fill(0);
            self.topic_stamp.fill(0);
            self.generation = 0;
        }
        self.generation += 1;
        self.found.clear();
    }

    /// Sorts the found pairs, records each literal's positions, and leaves `found` holding one
    /// entry per distinct literal (its first `positions_lits()` entries).
    fn index_found(&mut self) {
        self.found.sort_unstable();
        self.found.dedup();
        self.positions.clear();
        let mut distinct = 0;
        let mut i = 0;
        while i < self.found.len() {
            let lit = self.found[i].0;
            let start = self.positions.len() as u32;
            while i < self.found.len() && self.found[i].0 == lit {
                self.positions.push(self.found[i].1);
                i += 1;
            }
            self.stamp[lit as usize] = self.generation;
            self.range[lit as usize] = (start, self.positions.len() as u32);
            self.found[distinct] = (lit, 0);
            distinct += 1;
        }
        self.found.truncate(distinct);
    }

    fn positions_lits(&self) -> usize {
        self.found.len()
    }
}

struct FoundHits<'a> {
    stamp: &'a [u32],
    range: &'a [(u32, u32)],
    positions: &'a [u32],
    generation: u32,
}

impl Hits for FoundHits<'_> {
    fn positions(&self, lit: u32) -> &[u32] {
        if self.stamp[lit as usize] != self.generation {
            return &[];
        }
        let (a, b) = self.range[lit as usize];
        &self.positions[a as usize..b as usize]
    }
}
