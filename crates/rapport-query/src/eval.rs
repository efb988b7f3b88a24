//! Evaluates a compiled expression against the literals found in one post.

use crate::ast::Field;
use crate::compile::Expr;
use crate::text::{MENTION, Tokens};
use rapport_domain::{Labels, Post};
use smallvec::SmallVec;

/// Position of a literal found in an entity list (`Post::hashtags`...) rather than the text:
/// it makes the literal present but stands nowhere, so proximity ignores it. Sorts last.
pub(crate) const FIELD_POS: u32 = u32::MAX;

/// Where each literal occurs in the post being evaluated.
pub(crate) trait Hits {
    /// Sorted token positions of `lit` (possibly ending in [`FIELD_POS`]); empty when absent.
    fn positions(&self, lit: u32) -> &[u32];
}

/// What field conditions look at.
pub(crate) struct PostCtx<'a> {
    pub post: &'a Post,
    pub labels: Option<&'a Labels>,
    /// The post's tokens, accents kept.
    pub tokens: &'a Tokens,
}

type Spans = SmallVec<[(u32, u32); 8]>;

pub(crate) fn eval(expr: &Expr, hits: &impl Hits, ctx: &PostCtx<'_>) -> bool {
    match expr {
        Expr::Lit(l) => !hits.positions(*l).is_empty(),
        Expr::Phrase { .. } | Expr::Near { .. } => {
            let mut out = Spans::new();
            spans(expr, hits, &mut out, true);
            !out.is_empty()
        }
        Expr::Field(f) => field(f, ctx),
        Expr::And(children) => children.iter().all(|c| eval(c, hits, ctx)),
        Expr::Or(children) => children.iter().any(|c| eval(c, hits, ctx)),
        Expr::Not(inner) => !eval(inner, hits, ctx),
    }
}

/// The (first, last) token positions where a positional expression stands. With `first_only`
/// the caller only needs to know whether there is one.
fn spans(expr: &Expr, hits: &impl Hits, out: &mut Spans, first_only: bool) {
    match expr {
        Expr::Lit(l) => out.extend(
            hits.positions(*l)
                .iter()
                .take_while(|p| **p != FIELD_POS)
                .map(|&p| (p, p)),
        ),
        Expr::Phrase { lits, slop: None } => exact_phrase(lits, hits, out, first_only),
        Expr::Phrase {
            lits,
            slop: Some(slop),
        } => sloppy_phrase(lits, *slop, hits, out),
        Expr::Near {
            left,
            right,
            distance,
            ordered,
        } => {
            let (mut ls, mut rs) = (Spans::new(), Spans::new());
            spans(left, hits, &mut ls, false);
            if ls.is_empty() {
                return;
            }
            spans(right, hits, &mut rs, false);
            // The same span reached in several ways counts once: without this a chain
            // `a NEAR b NEAR b ...` over a post repeating `b` multiplies its spans at every
            // link, and a few dozen links take minutes. Distinct spans are at most n² for a
            // post of n tokens.
            for s in [&mut ls, &mut rs] {
                s.sort_unstable();
                s.dedup();
            }
            for &(ls_, le) in &ls {
                for &(rs_, re) in &rs {
                    let forward = le < rs_ && rs_ - le - 1 <= *distance;
                    let backward = !*ordered && re < ls_ && ls_ - re - 1 <= *distance;
                    if forward || backward {
                        out.push((ls_.min(rs_), le.max(re)));
                        if first_only {
                            return;
                        }
                    }
                }
            }
        }
        Expr::Or(children) => {
            for c in children.iter() {
                spans(c, hits, out, false);
            }
        }
        // The parser only lets positional expressions reach NEAR.
        Expr::Field(_) | Expr::And(_) | Expr::Not(_) => {}
    }
}

fn exact_phrase(lits: &[u32], hits: &impl Hits, out: &mut Spans, first_only: bool) {
    let Some((&first, rest)) = lits.split_first() else {
        return;
    };
    if rest.iter().any(|l| hits.positions(*l).is_empty()) {
        return;
    }
    let last = rest.len() as u32;
    for &p in hits
        .positions(first)
        .iter()
        .take_while(|p| **p != FIELD_POS)
    {
        let all = rest
            .iter()
            .zip(1..)
            .all(|(l, i)| hits.positions(*l).binary_search(&(p + i)).is_ok());
        if all {
            out.push((p, p + last));
            if first_only {
                return;
            }
        }
    }
}

/// All the phrase's words within a window of `len + slop` tokens, in any order: the smallest
/// such windows, found with two pointers over the merged positions.
fn sloppy_phrase(lits: &[u32], slop: u32, hits: &impl Hits, out: &mut Spans) {
    let mut need: SmallVec<[(u32, u32); 8]> = SmallVec::new();
    for &l in lits {
        match need.iter_mut().find(|(x, _)| *x == l) {
            Some(n) => n.1 += 1,
            None => need.push((l, 1)),
        }
    }
    let mut events: SmallVec<[(u32, usize); 32]> = SmallVec::new();
    for (i, &(l, _)) in need.iter().enumerate() {
        let ps = hits.positions(l);
        if ps.first().is_none_or(|p| *p == FIELD_POS) {
            return;
        }
        events.extend(ps.iter().take_while(|p| **p != FIELD_POS).map(|&p| (p, i)));
    }
    events.sort_unstable();
    let width = lits.len() as u32 + slop;
    let mut have: SmallVec<[u32; 8]> = SmallVec::from_elem(0, need.len());
    let mut satisfied = 0;
    let mut left = 0;
    for right in 0..events.len() {
        let (_, i) = events[right];
        have[i] += 1;
        if have[i] == need[i].1 {
            satisfied += 1;
        }
        while satisfied == need.len() {
            let (start, j) = events[left];
            let end = events[right].0;
            if end - start < width {
                out.push((start, end));
            }
            if have[j] == need[j].1 {
                satisfied -= 1;
            }
            have[j] -= 1;
            left += 1;
        }
    }
}

fn field(f: &Field, ctx: &PostCtx<'_>) -> bool {
    let post = ctx.post;
    match f {
        Field::From(h) => same_handle(&post.author.handle, h),
        Field::To(h) => match &post.reply_to_handle {
            Some(r) => same_handle(r, h),
            None => {
                post.is_reply()
                    && post.text.trim_start().starts_with('@')
                    && ctx.tokens.toks.first().is_some_and(|t| t.flags == MENTION)
                    && ctx.tokens.text(0) == h
            }
        },
        Field::Lang(want) => post
            .lang
            .as_deref()
            .or_else(|| ctx.labels.and_then(|l| l.lang.as_deref()))
            .is_some_and(|tag| {
                tag.eq_ignore_ascii_case(want)
                    || (tag.len() > want.len()
                        && tag.as_bytes()[want.len()] == b'-'
                        && tag[..want.len()].eq_ignore_ascii_case(want))
            }),
        Field::Network(n) => post.network == *n,
        Field::IsReply => post.is_reply(),
        Field::HasLink => !post.links.is_empty() || ctx.tokens.has_url,
        Field::HasMention => !post.mentions.is_empty() || ctx.tokens.has_mention,
        Field::HasHashtag => !post.hashtags.is_empty() || ctx.tokens.has_hashtag,
        Field::Sentiment(s) => ctx.labels.is_some_and(|l| l.sentiment.label == *s),
        Field::Intent(Some(i)) => ctx.labels.is_some_and(|l| l.intents.has(*i)),
        Field::Intent(None) => ctx.labels.is_some_and(|l| l.intents.is_empty()),
    }
}

/// `handle` (from a post, maybe with `@`, any case) names `want` (folded, no `@`). A query
/// without an instance (`bob`) also names `bob@any.instance`.
fn same_handle(handle: &str, want: &str) -> bool {
    let handle = handle.strip_prefix('@').unwrap_or(handle);
    let eq = |h: &str| {
        if h.is_ascii() {
            h.eq_ignore_ascii_case(want)
        } else {
            caseless::default_case_fold_str(h) == want
        }
    };
    eq(handle)
        || (!want.contains('@') && handle.split_once('@').is_some_and(|(local, _)| eq(local)))
}
