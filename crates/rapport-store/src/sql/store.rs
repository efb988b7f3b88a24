//! The store parts written once over [`Db`] and a [`Dialect`]: the care store, the publisher's
//! ledger and the channels. A backend holds one and hands it out as those traits.

use super::{Db, Dialect};
use std::marker::PhantomData;
use std::sync::Arc;

pub struct SqlStore<D> {
    db: Arc<dyn Db>,
    _dialect: PhantomData<fn() -> D>,
}

impl<D: Dialect> SqlStore<D> {
    pub fn new(db: Arc<dyn Db>) -> Self {
        SqlStore {
            db,
            _dialect: PhantomData,
        }
    }

    /// The pool the queries run on.
    pub fn pool(&self) -> &dyn Db {
        &*self.db
    }
}
