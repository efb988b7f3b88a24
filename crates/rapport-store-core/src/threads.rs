//! Which conversation each post of a batch belongs to: a union-find over conversations,
//! keyed by the thread nodes (native ids, reply-to ids, root ids) posts touch.

use crate::plan::Key;
use std::collections::HashMap;

/// Union-find over conversations; a set keeps the smallest stored conversation id it holds,
/// so merges fold later threads into the oldest one.
#[derive(Default)]
pub(crate) struct Threads {
    parent: Vec<usize>,
    /// The smallest stored conversation id in each set, at the set's root.
    pub db: Vec<Option<i64>>,
    node: HashMap<Key, usize>,
    /// The element of each stored conversation.
    pub db_elem: HashMap<i64, usize>,
}

impl Threads {
    fn elem(&mut self, db: Option<i64>) -> usize {
        self.parent.push(self.parent.len());
        self.db.push(db);
        self.parent.len() - 1
    }

    pub fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) -> usize {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return ra;
        }
        let db = match (self.db[ra], self.db[rb]) {
            (Some(x), Some(y)) => Some(x.min(y)),
            (x, y) => x.or(y),
        };
        self.parent[rb] = ra;
        self.db[ra] = db;
        ra
    }

    pub fn seed(&mut self, key: Key, conv: i64) {
        let e = match self.db_elem.get(&conv) {
            Some(&e) => e,
            None => {
                let e = self.elem(Some(conv));
                self.db_elem.insert(conv, e);
                e
            }
        };
        match self.node.get(&key) {
            Some(&x) => {
                self.union(x, e);
            }
            None => {
                self.node.insert(key, e);
            }
        }
    }

    pub fn place(&mut self, nodes: Vec<Key>) -> usize {
        let mut root = None;
        for k in &nodes {
            if let Some(&e) = self.node.get(k) {
                root = Some(match root {
                    None => self.find(e),
                    Some(r) => self.union(r, e),
                });
            }
        }
        let r = root.unwrap_or_else(|| self.elem(None));
        for k in nodes {
            self.node.insert(k, r);
        }
        r
    }
}
