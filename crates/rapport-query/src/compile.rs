//! Turns a parsed query into an expression over literal ids, shared by every topic compiled
//! into the same table, and works out which literals a post must hold for the topic to match.

use crate::ast::{Element, Field, Node, TagKind};
use crate::text;
use rustc_hash::FxHashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum LitKind {
    Word,
    Prefix,
    Tag(TagKind),
}

/// One literal: what to look for in a post's tokens. `unaccented` literals are looked up in
/// the accent-stripped tokens (topics with `ignore_accents`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Lit {
    pub kind: LitKind,
    pub unaccented: bool,
    pub text: Box<str>,
}

#[derive(Debug, Default)]
pub(crate) struct Literals {
    pub lits: Vec<Lit>,
    ids: FxHashMap<Lit, u32>,
}

impl Literals {
    fn intern(&mut self, kind: LitKind, unaccented: bool, text: &str) -> u32 {
        let text = if unaccented {
            text::strip_accents(text)
        } else {
            text.to_string()
        };
        let lit = Lit {
            kind,
            unaccented,
            text: text.into_boxed_str(),
        };
        if let Some(&id) = self.ids.get(&lit) {
            return id;
        }
        let id = self.lits.len() as u32;
        self.ids.insert(lit.clone(), id);
        self.lits.push(lit);
        id
    }

    pub(crate) fn len(&self) -> usize {
        self.lits.len()
    }
}

#[derive(Debug, Clone)]
pub(crate) enum Expr {
    Lit(u32),
    Phrase {
        lits: Box<[u32]>,
        slop: Option<u32>,
    },
    Near {
        left: Box<Expr>,
        right: Box<Expr>,
        distance: u32,
        ordered: bool,
    },
    Field(Field),
    And(Box<[Expr]>),
    Or(Box<[Expr]>),
    Not(Box<Expr>),
}

pub(crate) fn compile(node: &Node, unaccented: bool, lits: &mut Literals) -> Expr {
    let mut go = |n: &Node| compile(n, unaccented, lits);
    match node {
        Node::Word(w) => Expr::Lit(lits.intern(LitKind::Word, unaccented, w)),
        Node::Prefix(p) => Expr::Lit(lits.intern(LitKind::Prefix, unaccented, p)),
        Node::Tag(kind, t) => Expr::Lit(lits.intern(LitKind::Tag(*kind), unaccented, t)),
        Node::Phrase { elements, slop } => Expr::Phrase {
            lits: elements
                .iter()
                .map(|e| match e {
                    Element::Word(w) => lits.intern(LitKind::Word, unaccented, w),
                    Element::Prefix(p) => lits.intern(LitKind::Prefix, unaccented, p),
                })
                .collect(),
            slop: *slop,
        },
        Node::Field(f) => Expr::Field(f.clone()),
        Node::Near {
            left,
            right,
            distance,
            ordered,
        } => Expr::Near {
            left: Box::new(go(left)),
            right: Box::new(go(right)),
            distance: *distance,
            ordered: *ordered,
        },
        Node::And(children) => Expr::And(children.iter().map(go).collect()),
        Node::Or(children) => Expr::Or(children.iter().map(go).collect()),
        Node::Not(inner) => Expr::Not(Box::new(go(inner))),
    }
}

/// A necessary condition in disjunctive normal form: `None` is "no requirement" (the expression
/// may hold whatever the post's words are), `Some(groups)` says the post must hold every item
/// of at least one group. Conditions are only ever weakened when they grow too big, so the
/// result stays necessary.
pub(crate) type Dnf<T> = Option<Vec<Vec<T>>>;

const MAX_GROUPS: usize = 256;

pub(crate) fn and_dnf<T: Clone + Ord>(parts: impl IntoIterator<Item = Dnf<T>>) -> Dnf<T> {
    let mut acc: Dnf<T> = None;
    for part in parts {
        let Some(groups) = part else { continue };
        acc = Some(match acc {
            None => groups,
            Some(prev) if prev.len() * groups.len() > MAX_GROUPS => {
                // Dropping a conjunct weakens the condition, which keeps it necessary.
                if groups.len() < prev.len() {
                    groups
                } else {
                    prev
                }
            }
            Some(prev) => {
                let mut out = Vec::with_capacity(prev.len() * groups.len());
                for a in &prev {
                    for b in &groups {
                        let mut g: Vec<T> = a.iter().chain(b).cloned().collect();
                        g.sort();
                        g.dedup();
                        out.push(g);
                    }
                }
                out
            }
        });
    }
    acc
}

pub(crate) fn or_dnf<T: Clone + Ord>(parts: impl IntoIterator<Item = Dnf<T>>) -> Dnf<T> {
    let mut out = Vec::new();
    for part in parts {
        out.extend(part?);
        if out.len() > MAX_GROUPS * 4 {
            return None;
        }
    }
    out.sort();
    out.dedup();
    Some(out)
}

/// The literals a post must hold for `expr` to match.
pub(crate) fn required(expr: &Expr) -> Dnf<u32> {
    match expr {
        Expr::Lit(l) => Some(vec![vec![*l]]),
        Expr::Phrase { lits, .. } => {
            let mut g = lits.to_vec();
            g.sort();
            g.dedup();
            Some(vec![g])
        }
        Expr::Near { left, right, .. } => and_dnf([required(left), required(right)]),
        Expr::Field(_) | Expr::Not(_) => None,
        Expr::And(children) => and_dnf(children.iter().map(required)),
        Expr::Or(children) => or_dnf(children.iter().map(required)),
    }
}

/// Whether [`required`] is also sufficient for `expr`: terms joined by AND and OR only, few
/// enough that no group was dropped.
pub(crate) fn is_exact(expr: &Expr) -> bool {
    fn leaves(expr: &Expr) -> Option<usize> {
        match expr {
            Expr::Lit(_) => Some(1),
            Expr::And(children) | Expr::Or(children) => {
                children.iter().map(leaves).sum::<Option<usize>>()
            }
            _ => None,
        }
    }
    // With at most 8 terms the groups number at most 3 * 3 * 2 = 18: none is dropped.
    leaves(expr).is_some_and(|n| n <= 8)
}

/// Words too common to be a good reason to look at a topic: a group is triggered by its least
/// common looking literal instead.
const COMMON: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "do", "for", "from", "get",
    "have", "i", "if", "in", "is", "it", "just", "me", "my", "no", "not", "of", "on", "or", "our",
    "so", "that", "the", "this", "to", "was", "we", "what", "with", "you", "your",
];

/// How good a literal is at ruling posts out; the highest of a group triggers the topic.
pub(crate) fn selectivity(lit: &Lit) -> i32 {
    let len = lit.text.chars().count() as i32;
    match lit.kind {
        LitKind::Tag(_) => 100 + len,
        LitKind::Word if COMMON.contains(&&*lit.text) => 0,
        LitKind::Word => 10 + len,
        LitKind::Prefix => 8 + len,
    }
}
