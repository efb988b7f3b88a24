//! Queries as text plus bound values, and a builder for the ones assembled piece by piece.
//! Placeholders are `$1`, `$2`, ... on both backends.

use super::db::On;
use super::row::Row;
use super::value::{FromValue, Value};
use crate::{Result, StoreError};
use std::marker::PhantomData;

/// What a statement changed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Done {
    pub rows_affected: u64,
}

impl Done {
    pub fn rows_affected(&self) -> u64 {
        self.rows_affected
    }
}

/// A statement and the values bound to its placeholders, in order.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub sql: String,
    pub args: Vec<Value>,
}

/// A statement to bind values to and run.
pub fn query(sql: impl Into<String>) -> Query {
    Query {
        sql: sql.into(),
        args: Vec::new(),
    }
}

/// A statement whose first column is the answer.
pub fn query_scalar<T: FromValue>(sql: impl Into<String>) -> Scalar<T> {
    Scalar {
        query: query(sql),
        _t: PhantomData,
    }
}

impl Query {
    pub fn bind(mut self, value: impl Into<Value>) -> Self {
        self.args.push(value.into());
        self
    }

    pub async fn execute<'a>(self, on: impl Into<On<'a>>) -> Result<Done> {
        match on.into() {
            On::Db(db) => db.execute(self).await,
            On::Tx(tx) => tx.execute(self).await,
        }
    }

    pub async fn fetch_all<'a>(self, on: impl Into<On<'a>>) -> Result<Vec<Row>> {
        match on.into() {
            On::Db(db) => db.fetch_all(self).await,
            On::Tx(tx) => tx.fetch_all(self).await,
        }
    }

    pub async fn fetch_optional<'a>(self, on: impl Into<On<'a>>) -> Result<Option<Row>> {
        Ok(self.fetch_all(on).await?.into_iter().next())
    }

    pub async fn fetch_one<'a>(self, on: impl Into<On<'a>>) -> Result<Row> {
        let sql = first_words(&self.sql);
        self.fetch_optional(on)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("a row for \"{sql}\"")))
    }
}

/// The start of a statement, to name it in an error.
fn first_words(sql: &str) -> String {
    sql.chars().take(60).collect()
}

/// A query read through its first column.
#[derive(Debug, Clone)]
pub struct Scalar<T> {
    query: Query,
    _t: PhantomData<fn() -> T>,
}

impl<T: FromValue> Scalar<T> {
    pub fn bind(mut self, value: impl Into<Value>) -> Self {
        self.query = self.query.bind(value);
        self
    }

    pub async fn fetch_all<'a>(self, on: impl Into<On<'a>>) -> Result<Vec<T>> {
        self.query
            .fetch_all(on)
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect()
    }

    pub async fn fetch_optional<'a>(self, on: impl Into<On<'a>>) -> Result<Option<T>> {
        self.query
            .fetch_optional(on)
            .await?
            .map(|r| r.try_get(0))
            .transpose()
    }

    pub async fn fetch_one<'a>(self, on: impl Into<On<'a>>) -> Result<T> {
        self.query.fetch_one(on).await?.try_get(0)
    }
}

/// Builds a statement from pieces; each bound value gets the next placeholder.
#[derive(Debug, Clone, Default)]
pub struct QueryBuilder {
    query: Query,
}

impl QueryBuilder {
    pub fn new(init: impl Into<String>) -> Self {
        QueryBuilder { query: query(init) }
    }

    pub fn push(&mut self, sql: impl AsRef<str>) -> &mut Self {
        self.query.sql.push_str(sql.as_ref());
        self
    }

    pub fn push_bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.query.args.push(value.into());
        let n = self.query.args.len();
        self.query.sql.push('$');
        self.query.sql.push_str(&n.to_string());
        self
    }

    /// Pieces joined by `separator`.
    pub fn separated(&mut self, separator: &'static str) -> Separated<'_> {
        Separated {
            builder: self,
            separator,
            first: true,
        }
    }

    /// `VALUES (...), (...)`: one tuple per item, its pieces written by `tuple`.
    pub fn push_values<I, F>(&mut self, items: I, mut tuple: F) -> &mut Self
    where
        I: IntoIterator,
        F: FnMut(Separated<'_>, I::Item),
    {
        self.push("VALUES ");
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.push("(");
            tuple(self.separated(", "), item);
            self.push(")");
        }
        self
    }

    pub fn sql(&self) -> &str {
        &self.query.sql
    }

    /// The statement built so far; the builder is left empty.
    pub fn build(&mut self) -> Query {
        std::mem::take(&mut self.query)
    }
}

/// Pieces of a [`QueryBuilder`] joined by a separator.
pub struct Separated<'b> {
    builder: &'b mut QueryBuilder,
    separator: &'static str,
    first: bool,
}

impl Separated<'_> {
    fn separate(&mut self) {
        if !self.first {
            self.builder.push(self.separator);
        }
        self.first = false;
    }

    pub fn push(&mut self, sql: impl AsRef<str>) -> &mut Self {
        self.separate();
        self.builder.push(sql);
        self
    }

    pub fn push_bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.separate();
        self.builder.push_bind(value);
        self
    }

    pub fn push_unseparated(&mut self, sql: impl AsRef<str>) -> &mut Self {
        self.builder.push(sql);
        self
    }

    pub fn push_bind_unseparated(&mut self, value: impl Into<Value>) -> &mut Self {
        self.builder.push_bind(value);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_get_numbered_placeholders_in_order() {
        let mut qb = QueryBuilder::new("INSERT INTO t (a, b) ");
        qb.push_values([(1i64, "x"), (2, "y")], |mut b, (n, s)| {
            b.push_bind(n).push_bind(s);
        });
        qb.push(" WHERE c = ").push_bind(true);
        let q = qb.build();
        assert_eq!(
            q.sql,
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) WHERE c = $5"
        );
        assert_eq!(q.args.len(), 5);
        assert_eq!(q.args[3], Value::Text(Some("y".into())));
    }

    #[test]
    fn separated_pieces_and_unseparated_suffixes() {
        let mut qb = QueryBuilder::new("(");
        let mut s = qb.separated(", ");
        s.push("f(")
            .push_bind_unseparated(1i64)
            .push_unseparated(")");
        s.push_bind(2i64);
        qb.push(")");
        assert_eq!(qb.sql(), "(f($1), $2)");
    }
}
