//! The compiled set of every stored topic, swapped whole when topics change so that matching
//! never waits on an edit.

use crate::Result;
use rapport_domain::{Labels, Post, Topic, TopicId};
use rapport_query::Matcher;
use rapport_store::Store;
use std::sync::{Arc, RwLock};

pub(crate) struct TopicSet {
    current: RwLock<Arc<Matcher>>,
}

impl TopicSet {
    pub(crate) async fn load(store: &dyn Store) -> Result<Self> {
        let matcher = compile(&store.topics().topics().await?)?;
        Ok(Self {
            current: RwLock::new(Arc::new(matcher)),
        })
    }

    pub(crate) async fn reload(&self, store: &dyn Store) -> Result<()> {
        let matcher = Arc::new(compile(&store.topics().topics().await?)?);
        *self.current.write().expect("topic set lock poisoned") = matcher;
        Ok(())
    }

    /// The matcher in force now; a reload does not disturb a batch already using it.
    pub(crate) fn matcher(&self) -> Arc<Matcher> {
        self.current
            .read()
            .expect("topic set lock poisoned")
            .clone()
    }
}

/// Stored queries were valid when stored; a query that no longer parses (after a grammar
/// change) is an error rather than a silently ignored topic.
pub(crate) fn compile(topics: &[Topic]) -> Result<Matcher> {
    let mut compiled = Vec::with_capacity(topics.len());
    for t in topics {
        compiled.push((t.id, rapport_query::parse(&t.query)?, t.options.clone()));
    }
    Ok(Matcher::new(compiled))
}

pub(crate) fn match_into(
    matcher: &Matcher,
    post: &Post,
    labels: Option<&Labels>,
    out: &mut Vec<TopicId>,
) {
    out.clear();
    matcher.match_post(post, labels, out);
}
