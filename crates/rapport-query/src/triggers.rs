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

    fn data(&self, t: usize) -> &[u32] {
        &self.data[self.start[t] as usize..self.start[t + 1] as usize]
    }

    pub(crate) fn groups(&self, t: usize) -> impl Iterator<Item = &[u32]> {
        Self::groups_in(self.data(t))
    }

    fn groups_in(mut rest: &[u32]) -> impl Iterator<Item = &[u32]> {
        std::iter::from_fn(move || {
            let (&len, tail) = rest.split_first()?;
            let (group, next) = tail.split_at(len as usize);
            rest = next;
            Some(group)
        })
    }

    /// Whether the post (literal `l` present when `stamp[l] == generation`) holds every literal
    /// of one of the groups laid out in `data`.
    #[inline]
    fn met_in(data: &[u32], stamp: &[u32], generation: u32) -> bool {
        Self::groups_in(data).any(|g| g.iter().all(|&l| stamp[l as usize] == generation))
    }
}

/// Per literal, the topics it wakes, each as a record `[topic << 1 | exact, len, groups..]`
/// holding the topic's groups (as [`Needs`] lays them out) right there: waking and checking
/// the topics of one literal reads one contiguous run of memory instead of a few scattered
/// arrays per topic. `exact` says the groups decide the topic by themselves.
#[derive(Debug)]
pub(crate) struct Triggers {
    start: Vec<u32>,
    records: Vec<u32>,
}

impl Triggers {
    /// Picks, for every topic with literal groups, the literals to wake it on: the cheapest
    /// (lowest `cost`) literal shared by all its groups, or the cheapest of each group when
    /// together they cost less.
    pub(crate) fn pick(
        needs: &Needs,
        exact: &[bool],
        lits: usize,
        cost: impl Fn(u32) -> u64,
    ) -> Triggers {
        let mut per_lit: Vec<Vec<u32>> = vec![Vec::new(); lits];
        let mut picked: Vec<u32> = Vec::new();
        for (t, &exact) in exact.iter().enumerate() {
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
            let data = needs.data(t);
            for &l in &picked {
                let rec = &mut per_lit[l as usize];
                rec.push((t as u32) << 1 | u32::from(exact));
                rec.push(data.len() as u32);
                rec.extend_from_slice(data);
            }
        }
        let mut start = Vec::with_capacity(lits + 1);
        let mut records = Vec::new();
        for rs in &per_lit {
            start.push(records.len() as u32);
            records.extend_from_slice(rs);
        }
        start.push(records.len() as u32);
        Triggers { start, records }
    }

    /// Triggers from the literals' shapes alone, before any post was seen.
    pub(crate) fn by_shape(needs: &Needs, exact: &[bool], lits: &Literals) -> Triggers {
        // Higher selectivity is cheaper; selectivities are small positive numbers.
        Triggers::pick(needs, exact, lits.len(), |l| {
            1_000 - compile::selectivity(&lits.lits[l as usize]).clamp(0, 999) as u64
        })
    }

    /// Wakes the topics of literal `lit` not woken yet for this post (`woken[t] ==
    /// generation` marks them) and passes `topic << 1 | exact` of those whose groups the post
    /// meets to `candidate`. Returns how many it woke.
    #[inline]
    pub(crate) fn wake(
        &self,
        lit: usize,
        stamp: &[u32],
        woken: &mut [u32],
        generation: u32,
        mut candidate: impl FnMut(u32),
    ) -> usize {
        let mut rest = &self.records[self.start[lit] as usize..self.start[lit + 1] as usize];
        let mut count = 0;
        while let [head, len, tail @ ..] = rest {
            let (data, next) = tail.split_at(*len as usize);
            rest = next;
            let t = (head >> 1) as usize;
            if woken[t] == generation {
                continue;
            }
            woken[t] = generation;
            count += 1;
            if Needs::met_in(data, stamp, generation) {
                candidate(*head);
            }
        }
        count
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
    pub(crate) fn observe(&self, distinct: &[u32], needs: &Needs, exact: &[bool], lits: &Literals) {
        for &l in distinct {
            self.held[l as usize].fetch_add(1, Ordering::Relaxed);
        }
        if self.posts.fetch_add(1, Ordering::Relaxed) + 1 != LEARN_POSTS {
            return;
        }
        let learned = Triggers::pick(needs, exact, lits.len(), |l| {
            // Posts seen holding it first; the shape breaks ties among literals never seen.
            let held = u64::from(self.held[l as usize].load(Ordering::Relaxed));
            let shape = 1_000 - compile::selectivity(&lits.lits[l as usize]).clamp(0, 999) as u64;
            held * 1_000 + shape
        });
        // Only the post that made the count reach the sample size gets here.
        let _ = self.learned.set(learned);
    }
}
