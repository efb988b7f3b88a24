//! Every topic compiled together: one Aho-Corasick automaton over all literals finds the
//! candidate topics of a post, and only those topics' expressions are evaluated.

use crate::ast::{Query, TagKind};
use crate::compile::{self, Expr, LitKind, Literals};
use crate::eval::{FIELD_POS, Hits, PostCtx};
use crate::program::Programs;
use crate::text::{self, CASHTAG, HASHTAG, MENTION, Tokens};
use crate::triggers::{Learner, Needs, Triggers};
use aho_corasick::automaton::Automaton;
use aho_corasick::nfa::contiguous::NFA;
use aho_corasick::{Anchored, MatchKind};
use rapport_domain::{Labels, Post, TopicId, TopicOptions};
use rustc_hash::FxHashMap;
use smallvec::SmallVec;
use std::cell::RefCell;

type LitList = SmallVec<[u32; 2]>;

/// What one automaton pattern stands for, in one record so that a match costs one read.
#[derive(Debug, Clone, Copy)]
struct PatternInfo {
    /// Byte length: a match state also lists patterns that end at the same byte but start
    /// later (the automaton's suffix links), which an anchored walk must skip.
    len: u32,
    /// The first literal, packed by [`pack_lit`]; the others are `more_lits[more.0..more.1]`.
    first: u32,
    more: (u32, u32),
}

/// A literal id with what a token must be to hold it: bit 3 set when it is looked up without
/// accents, bits 0..3 the token flag it needs (0 for words and prefixes).
fn pack_lit(id: u32, unaccented: bool, flag: u8) -> u32 {
    assert!(id < 1 << 28, "too many literals");
    id << 4 | u32::from(unaccented) << 3 | u32::from(flag)
}

/// All topics compiled together. Build it once when topics change; match every post with it.
pub struct Matcher {
    lits: Literals,
    /// The automaton runs anchored at each token of the tokenized text (` word word `):
    /// pattern `word ` is a whole word, `pre` a prefix, so a token's walk ends at the space
    /// after it, or as soon as no literal starts the way the token does. Several literals may
    /// share a pattern (a word and a hashtag). The contiguous NFA rather than the DFA: with
    /// 10,000 topics the DFA's tables fall out of cache and the walk waits on memory.
    nfa: Option<NFA>,
    patterns: Vec<PatternInfo>,
    /// Packed literals of the patterns that stand for more than one.
    more_lits: Vec<u32>,
    /// Literals found through `Post::hashtags`, `mentions`, `cashtags`, by kind and accents.
    tag_lits: [FxHashMap<Box<str>, LitList>; 6],
    /// Per topic, the literal groups of its necessary condition (see [`compile::required`]),
    /// checked on the literal stamps before the program runs: most woken topics fail it
    /// (a phrase's second word is missing) for a few loads.
    needs: Needs,
    /// Topics whose condition is also sufficient (terms under AND and OR only): passing the
    /// check is matching, and the program never runs.
    exact: Vec<bool>,
    /// Topics to wake per literal found, chosen from the literals' shapes; `learner` replaces
    /// them with a choice from real frequencies once it has seen enough posts.
    triggers: Triggers,
    learner: Learner,
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
    /// The distinct literals found in the current post.
    distinct: Vec<u32>,
    candidates: Vec<u32>,
    woken: usize,
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
        self.woken
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
                LitKind::Prefix => lit.text.to_string(),
                _ => format!("{} ", lit.text),
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
        let nfa = (!patterns.is_empty()).then(|| {
            NFA::builder()
                .match_kind(MatchKind::Standard)
                // Walks start at token boundaries: a prefilter has nothing to skip.
                .prefilter(false)
                .build(&patterns)
                .expect("literal patterns are plain strings")
        });
        let packed = |l: u32| {
            let lit = &lits.lits[l as usize];
            let flag = match lit.kind {
                LitKind::Word | LitKind::Prefix => 0,
                LitKind::Tag(TagKind::Hashtag) => HASHTAG,
                LitKind::Tag(TagKind::Mention) => MENTION,
                LitKind::Tag(TagKind::Cashtag) => CASHTAG,
            };
            pack_lit(l, lit.unaccented, flag)
        };
        let mut more_lits = Vec::new();
        let pattern_info = patterns
            .iter()
            .zip(&pattern_lits)
            .map(|(p, ls)| {
                let start = more_lits.len() as u32;
                more_lits.extend(ls[1..].iter().map(|&l| packed(l)));
                PatternInfo {
                    len: p.len() as u32,
                    first: packed(ls[0]),
                    more: (start, more_lits.len() as u32),
                }
            })
            .collect();

        let mut always = Vec::new();
        let mut needs = Needs::default();
        let mut exact = Vec::with_capacity(compiled.len());
        for (t, (_, expr)) in compiled.iter().enumerate() {
            let required = compile::required(expr);
            exact.push(required.is_some() && compile::is_exact(expr));
            needs.push(required.as_deref());
            if required.is_none() {
                always.push(t as u32);
            }
        }
        let triggers = Triggers::by_shape(&needs, &exact, &lits);
        let learner = Learner::new(lits.len());
        let any_unaccented = lits.lits.iter().any(|l| l.unaccented);
        let mut programs = Programs::default();
        for (_, expr) in &compiled {
            programs.push(expr);
        }
        Matcher {
            lits,
            nfa,
            patterns: pattern_info,
            more_lits,
            tag_lits,
            needs,
            exact,
            triggers,
            learner,
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
        s.woken = 0;
        let triggers = match self.learner.learned() {
            Some(learned) => learned,
            None => {
                self.learner
                    .observe(&s.distinct, &self.needs, &self.exact, &self.lits);
                &self.triggers
            }
        };
        for &lit in &s.distinct {
            let candidates = &mut s.candidates;
            s.woken += triggers.wake(
                lit as usize,
                &s.stamp,
                &mut s.topic_stamp,
                s.generation,
                |c| candidates.push(c),
            );
        }
        for &t in &self.always {
            if s.topic_stamp[t as usize] != s.generation {
                s.topic_stamp[t as usize] = s.generation;
                s.woken += 1;
                // Topics that need no literal are never exact.
                s.candidates.push(t << 1);
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
        // Candidates are `topic << 1 | exact`, so they sort by topic.
        for &c in &s.candidates {
            let t = (c >> 1) as usize;
            let id = self.ids[t];
            if last != Some(id) && (c & 1 == 1 || self.programs.eval(t, &hits, &ctx, &mut s.stack))
            {
                out.push(id);
                last = Some(id);
            }
        }
    }

    /// Runs the automaton from each token's start, noting (literal, token position) pairs for
    /// the literals with accents (`plain`) and/or without (`unaccented`).
    fn scan(&self, tokens: &Tokens, plain: bool, unaccented: bool, found: &mut Vec<(u32, u32)>) {
        let Some(nfa) = &self.nfa else { return };
        let Ok(start) = nfa.start_state(Anchored::Yes) else {
            return;
        };
        let buf = tokens.buf.as_bytes();
        for (pos, tok) in tokens.toks.iter().enumerate() {
            // The token and the space after it: a whole word's pattern ends with that space.
            let bytes = &buf[tok.start as usize..=tok.end as usize];
            let mut sid = start;
            for (i, &b) in bytes.iter().enumerate() {
                sid = nfa.next_state(Anchored::Yes, sid, b);
                if !nfa.is_special(sid) {
                    continue;
                }
                if nfa.is_dead(sid) {
                    break;
                }
                if nfa.is_match(sid) {
                    for k in 0..nfa.match_len(sid) {
                        let info = &self.patterns[nfa.match_pattern(sid, k).as_usize()];
                        if info.len as usize != i + 1 {
                            continue;
                        }
                        let (a, b) = info.more;
                        for &l in std::iter::once(&info.first)
                            .chain(&self.more_lits[a as usize..b as usize])
                        {
                            if lit_applies(l, tok.flags, plain, unaccented) {
                                found.push((l >> 4, pos as u32));
                            }
                        }
                    }
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

/// Whether a token with `flags` holds packed literal `l`, in a scan of the text with accents
/// (`plain`) and/or without (`unaccented`).
#[inline]
fn lit_applies(l: u32, flags: u8, plain: bool, unaccented: bool) -> bool {
    let variant_ok = if l & 8 != 0 { unaccented } else { plain };
    let need = (l & 7) as u8;
    variant_ok && (need == 0 || need == flags)
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

    /// Groups the found (literal, position) pairs by literal into `positions`, and lists the
    /// distinct literals. Each literal's pairs arrive in ascending position order (one scan
    /// per accent variant, entity tags last at [`FIELD_POS`]), so counting sorts them.
    fn index_found(&mut self) {
        self.distinct.clear();
        for &(lit, _) in &self.found {
            let l = lit as usize;
            if self.stamp[l] != self.generation {
                self.stamp[l] = self.generation;
                self.range[l] = (0, 0);
                self.distinct.push(lit);
            }
            self.range[l].1 += 1;
        }
        let mut offset = 0;
        for &lit in &self.distinct {
            let r = &mut self.range[lit as usize];
            let count = r.1;
            *r = (offset, offset);
            offset += count;
        }
        self.positions.clear();
        self.positions.resize(offset as usize, 0);
        for &(lit, pos) in &self.found {
            let r = &mut self.range[lit as usize];
            // A tag listed twice in an entity list is one occurrence.
            if r.1 > r.0 && self.positions[r.1 as usize - 1] == pos {
                continue;
            }
            self.positions[r.1 as usize] = pos;
            r.1 += 1;
        }
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
