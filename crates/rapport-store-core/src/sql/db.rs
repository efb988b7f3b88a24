//! What a backend implements so the shared queries can run on it: a pool that runs statements
//! and begins transactions.

use super::query::{Done, Query};
use super::row::Row;
use crate::Result;
use async_trait::async_trait;

/// How a transaction starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Begin {
    /// Locks only what its statements touch.
    Deferred,
    /// Holds the database's write lock from the start (SQLite's `BEGIN IMMEDIATE`), so values
    /// read inside it (e.g. the next free id) stay valid until it commits. PostgreSQL, whose
    /// writers take row locks and sequences, begins as usual.
    Write,
}

/// A connection pool: every call takes a connection for one statement.
#[async_trait]
pub trait Db: Send + Sync + 'static {
    async fn execute(&self, query: Query) -> Result<Done>;
    async fn fetch_all(&self, query: Query) -> Result<Vec<Row>>;
    /// Statements without parameters, separated by `;` (maintenance, e.g. `ANALYZE`).
    async fn execute_script(&self, sql: &str) -> Result<()>;
    async fn begin(&self, how: Begin) -> Result<Box<dyn Tx>>;
}

/// An open transaction; dropped without [`Tx::commit`], it rolls back.
#[async_trait]
pub trait Tx: Send {
    async fn execute(&mut self, query: Query) -> Result<Done>;
    async fn fetch_all(&mut self, query: Query) -> Result<Vec<Row>>;
    async fn commit(self: Box<Self>) -> Result<()>;
}

/// A boxed transaction is one too, so `&mut tx` works wherever `&mut dyn Tx` is taken.
#[async_trait]
impl<T: Tx + ?Sized> Tx for Box<T> {
    async fn execute(&mut self, query: Query) -> Result<Done> {
        (**self).execute(query).await
    }

    async fn fetch_all(&mut self, query: Query) -> Result<Vec<Row>> {
        (**self).fetch_all(query).await
    }

    async fn commit(self: Box<Self>) -> Result<()> {
        (*self).commit().await
    }
}

/// Where a statement runs: on the pool or inside a transaction.
pub enum On<'a> {
    Db(&'a dyn Db),
    Tx(&'a mut (dyn Tx + 'a)),
}

impl<'a> From<&'a dyn Db> for On<'a> {
    fn from(db: &'a dyn Db) -> Self {
        On::Db(db)
    }
}

// A reborrow keeps the transaction's own lifetime ('b), which outlives this statement's ('a).
impl<'a, 'b: 'a> From<&'a mut (dyn Tx + 'b)> for On<'a> {
    fn from(tx: &'a mut (dyn Tx + 'b)) -> Self {
        On::Tx(tx)
    }
}

impl<'a> From<&'a mut Box<dyn Tx>> for On<'a> {
    fn from(tx: &'a mut Box<dyn Tx>) -> Self {
        On::Tx(tx.as_mut())
    }
}
