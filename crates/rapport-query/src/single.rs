//! One query against one post, the plain way: every literal is looked for by walking the
//! tokens. It answers [`crate::matches`] and is the reference the all-topics matcher must agree
//! with.

use crate::ast::{Query, TagKind};
use crate::compile::{self, LitKind, Literals};
use crate::eval::{self, FIELD_POS, Hits, PostCtx};
use crate::text::{self, CASHTAG, HASHTAG, MENTION, Tokens};
use rapport_domain::{Labels, Post, TopicOptions};

/// Does `query`, with `options`, match this post?
///
/// Builds its tables on every call: to match many topics or many posts use [`crate::Matcher`].
pub fn matches(
    query: &Query,
    options: &TopicOptions,
    post: &Post,
    labels: Option<&Labels>,
) -> bool {
    let mut lits = Literals::default();
    let expr = compile::compile(&query.root, options.ignore_accents, &mut lits);
    let tokenize = |strip: bool| {
        let mut norm = String::new();
        text::normalize_into(&post.text, strip, &mut norm);
        let mut toks = Tokens::default();
        text::tokenize(&norm, &mut toks);
        toks
    };
    let plain = tokenize(false);
    let unaccented = tokenize(true);
    let positions: Vec<Vec<u32>> = lits
        .lits
        .iter()
        .map(|lit| {
            let toks = if lit.unaccented { &unaccented } else { &plain };
            let mut ps: Vec<u32> = (0..toks.toks.len())
                .filter(|&i| {
                    let word = toks.text(i);
                    let flags = toks.toks[i].flags;
                    match lit.kind {
                        LitKind::Word => word == &*lit.text,
                        LitKind::Prefix => word.starts_with(&*lit.text),
                        LitKind::Tag(kind) => flags == tag_flag(kind) && word == &*lit.text,
                    }
                })
                .map(|i| i as u32)
                .collect();
            if let LitKind::Tag(kind) = lit.kind {
                let (values, sigil) = match kind {
                    TagKind::Hashtag => (&post.hashtags, '#'),
                    TagKind::Mention => (&post.mentions, '@'),
                    TagKind::Cashtag => (&post.cashtags, '$'),
                };
                let listed = values.iter().any(|v| {
                    let v = v.strip_prefix(sigil).unwrap_or(v);
                    text::normalize_text(v, lit.unaccented) == *lit.text
                });
                if listed {
                    ps.push(FIELD_POS);
                }
            }
            ps
        })
        .collect();
    let ctx = PostCtx {
        post,
        labels,
        tokens: &plain,
    };
    eval::eval(&expr, &PerLiteral(positions), &ctx)
}

fn tag_flag(kind: TagKind) -> u8 {
    match kind {
        TagKind::Hashtag => HASHTAG,
        TagKind::Mention => MENTION,
        TagKind::Cashtag => CASHTAG,
    }
}

struct PerLiteral(Vec<Vec<u32>>);

impl Hits for PerLiteral {
    fn positions(&self, lit: u32) -> &[u32] {
        &self.0[lit as usize]
    }
}
