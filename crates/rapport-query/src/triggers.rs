//! Which literals wake which topics, and how the choice improves once the matcher has seen
//! real posts.
//!
//! A topic's necessary condition is a list of literal groups: the post must hold every
//! literal of one group. Waking the topic on one literal of each group (or on one literal all
//! groups share) never misses a match; the cost is how often the chosen literals occur. At
//! build time that can only be guessed from a literal's shape ([`compile::selectivity`]); after
//! the first [`LEARN_POSTS`] posts the matcher counts how many held each literal and picks the
//! rarest instead. Any choice gives the same matches, so when the switch happens (and on which
//! thread) changes only the speed.

use crate::compile::{self, Literals};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// Posts counted before the triggers are chosen again from what they held.
pub(crate) const LEARN_POSTS: u32 = 2_000;

/// Per topic, the literal groups of its necessary condition, flattened as
/// `[len, lit.., len, lit..]` in `data[start[t]..start[t + 1]]`.
#[derive(Debug, Default)]
pub(crate) struct Needs {
    start: Vec<u32>,
    data: Vec<u32>,
}

impl Needs {
    pub(crate) fn push(&mut self, groups: Option<&[Vec<u32>]>) {
        if self.start.is_empty() {
            self.start.push(0);
        }
        for g in groups.into_iter().flatten() {
            self.data.push(g.len() as u32);
            self.data.extend_from_slice(g);
        }
        self.start.push(self.data.len() as u32);
    }

    pub(crate) fn groups(&self, t: usize) -> impl Iterator<Item = &[u32]> {
        let mut rest = &self.data[self.start[t] as usize..self.start[t + 1] as usize];
        std::iter::from_fn(move || {
            let (&len, tail) = rest.split_first()?;
            let (group, next) = tail.split_at(len as usize);
            rest = next;
            Some(group)
        })
    }

    /// Whether the post (literal `l` present when `stamp[l] == generation`) holds every literal
    /// of one of topic `t`'s groups.
    #[inline]
    pub(crate) fn met(&self, t: usize, stamp: &[u32], generation: u32) -> bool {
        self.groups(t)
            .any(|g| g.iter().all(|&l| stamp[l as usize] == generation))
    }
}

/// Topic indexes to wake per literal (CSR: `topics[start[lit]..start[lit + 1]]`).
#[derive(Debug)]
pub(crate) struct Triggers {
    start: Vec<u32>,
    topics: Vec<u32>,
}

impl Triggers {
    /// Picks, for every topic with literal groups, the literals to wake it on: the cheapest
    /// (lowest `cost`) literal shared by all its groups, or the cheapest of each group when
    /// together they cost less.
    pub(crate) fn pick(
        needs: &Needs,
        topics: usize,
        lits: usize,
        cost: impl Fn(u32) -> u64,
    ) -> Triggers {
        let mut per_lit: Vec<Vec<u32>> = vec![Vec::new(); lits];
        let mut picked: Vec<u32> = Vec::new();
        for t in 0..topics {
            let groups: Vec<&[u32]> = needs.groups(t).collect();
            let Some((first, others)) = groups.split_first() else {
                continue;
            };
            let cheapest = |ls: &mut dyn Iterator<Item = u32>| ls.min_by_key(|&l| (cost(l), l));
            let shared = cheapest(
                &mut first
                    .iter()
                    .copied()
                    .filter(|l| others.iter().all(|g| g.contains(l))),
            );
            picked.clear();
            picked.extend(
                groups
                    .iter()
                    .filter_map(|g| cheapest(&mut g.iter().copied())),
            );
            picked.sort_unstable();
            picked.dedup();
            let each: u64 = picked.iter().map(|&l| cost(l)).sum();
            if let Some(l) = shared.filter(|&l| cost(l) <= each) {
                picked.clear();
                picked.push(l);
            }
            for &l in &picked {
                per_lit[l as usize].push(t as u32);
            }
        }
        let mut start = Vec::with_capacity(lits + 1);
        let mut flat = Vec::new();
        for ts in &per_lit {
            start.push(flat.len() as u32);
            flat.extend_from_slice(ts);
        }
        start.push(flat.len() as u32);
        Triggers {
            start,
            topics: flat,
        }
    }

    /// Triggers from the literals' shapes alone, before any post was seen.
    pub(crate) fn by_shape(needs: &Needs, topics: usize, lits: &Literals) -> Triggers {
        // Higher selectivity is cheaper; selectivities are small positive numbers.
        Triggers::pick(needs, topics, lits.len(), |l| {
            1_000 - compile::selectivity(&lits.lits[l as usize]).clamp(0, 999) as u64
        })
    }

    #[inline]
    pub(crate) fn topics(&self, lit: usize) -> &[u32] {
        &self.topics[self.start[lit] as usize..self.start[lit + 1] as usize]
    }
}

/// Counts, over the first posts, how many held each literal, then chooses the triggers again.
#[derive(Debug)]
pub(crate) struct Learner {
    posts: AtomicU32,
    held: Box<[AtomicU32]>,
    learned: OnceLock<Triggers>,
}

impl Learner {
    pub(crate) fn new(lits: usize) -> Learner {
        Learner {
            posts: AtomicU32::new(0),
            held: (0..lits).map(|_| AtomicU32::new(0)).collect(),
            learned: OnceLock::new(),
        }
    }

    pub(crate) fn learned(&self) -> Option<&Triggers> {
        self.learned.get()
    }

    /// Notes the distinct literals one post held; the post that completes the sample
    /// chooses the triggers again.
    pub(crate) fn observe(&self, distinct: &[u32], needs: &Needs, topics: usize, lits: &Literals) {
        for &l in distinct {
            self.held[l as usize].fetch_add(1, Ordering::Relaxed);
        }
        if self.posts.fetch_add(1, Ordering::Relaxed) + 1 != LEARN_POSTS {
            return;
        }
        let learned = Triggers::pick(needs, topics, lits.len(), |l| {
            // Posts seen holding it first; the shape breaks ties among literals never seen.
            let held = u64::from(self.held[l as usize].load(Ordering::Relaxed));
            let shape = 1_000 - compile::selectivity(&lits.lits[l as usize]).clamp(0, 999) as u64;
            held * 1_000 + shape
        });
        // Only the post that made the count reach the sample size gets here.
        let _ = self.learned.set(learned);
    }
}
