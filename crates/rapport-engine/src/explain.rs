//! Why a stored post carries its labels: the case page shows each badge with its reasons.

use crate::Engine;
use rapport_domain::{IntentSet, StoredPost, Urgency};
use rapport_nlp::Explanation;

impl Engine {
    /// The classifier's reasons for a stored post: the `top` sentiment features that weighed
    /// most, the cues behind each intent, the urgency points and where the language came from.
    ///
    /// The post is classified again from its text (the models are embedded, so this gives the
    /// labels ingest stored). An own account's post carries no customer intent or urgency at
    /// ingest, so none is explained here either.
    pub fn explain_post(&self, post: &StoredPost, top: usize) -> Explanation {
        let p = &post.post;
        let mut e = self
            .classifier
            .explain(&p.text, p.lang.as_deref(), p.author.followers, top);
        if post.from_own_account {
            e.labels.intents = IntentSet::empty();
            e.labels.urgency = Urgency::Low;
            e.intents.clear();
            e.urgency.clear();
        }
        e
    }
}
