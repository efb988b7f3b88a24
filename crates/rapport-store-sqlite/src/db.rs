//! The shared queries' [`Db`] and [`Tx`] over sqlx's SQLite driver.

use async_trait::async_trait;
use rapport_store_core::Result;
use rapport_store_core::sql::{Begin, Db, Done, Query, Row, Tx, Value};
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Column as _, Row as _, Sqlite, SqlitePool, TypeInfo as _, ValueRef as _};
use std::sync::Arc;

pub(crate) struct SqliteDb {
    pub(crate) pool: SqlitePool,
}

type SqlxQuery<'q> = sqlx::query::Query<'q, Sqlite, SqliteArguments>;

/// Binds a value the way SQLite keeps it: times as microseconds, flags as integers, lists as
/// JSON arrays (read with `json_each`).
fn bind(q: SqlxQuery<'_>, value: Value) -> SqlxQuery<'_> {
    match value {
        Value::Null => q.bind(Option::<i64>::None),
        Value::Int(v) => q.bind(v),
        Value::Real(v) => q.bind(v),
        Value::Text(v) => q.bind(v),
        Value::Bool(v) => q.bind(v),
        Value::Bytes(v) => q.bind(v),
        Value::Time(v) => q.bind(v.map(|t| t.timestamp_micros())),
        Value::Ints(v) => q.bind(serde_json::to_string(&v).expect("integers serialize")),
        Value::Texts(v) => q.bind(serde_json::to_string(&v).expect("texts serialize")),
    }
}

fn prepare(query: Query) -> SqlxQuery<'static> {
    let mut q = sqlx::query(sqlx::AssertSqlSafe(query.sql));
    for value in query.args {
        q = bind(q, value);
    }
    q
}

/// A row's values by their stored type (SQLite types values, not columns).
fn rows(rows: Vec<SqliteRow>) -> Result<Vec<Row>> {
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let columns: Arc<[String]> = first
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    rows.iter()
        .map(|r| {
            let values = (0..columns.len())
                .map(|i| {
                    let raw = r.try_get_raw(i)?;
                    if raw.is_null() {
                        return Ok(Value::Null);
                    }
                    let kind = raw.type_info().name().to_string();
                    Ok(match kind.as_str() {
                        "INTEGER" => Value::Int(Some(r.try_get(i)?)),
                        "REAL" => Value::Real(Some(r.try_get(i)?)),
                        "BLOB" => Value::Bytes(Some(r.try_get(i)?)),
                        _ => Value::Text(Some(r.try_get(i)?)),
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(Row::new(columns.clone(), values))
        })
        .collect()
}

#[async_trait]
impl Db for SqliteDb {
    async fn execute(&self, query: Query) -> Result<Done> {
        let done = prepare(query).execute(&self.pool).await?;
        Ok(Done {
            rows_affected: done.rows_affected(),
        })
    }

    async fn fetch_all(&self, query: Query) -> Result<Vec<Row>> {
        rows(prepare(query).fetch_all(&self.pool).await?)
    }

    async fn execute_script(&self, sql: &str) -> Result<()> {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn begin(&self, how: Begin) -> Result<Box<dyn Tx>> {
        let tx = match how {
            Begin::Deferred => self.pool.begin().await?,
            Begin::Write => self.pool.begin_with("BEGIN IMMEDIATE").await?,
        };
        Ok(Box::new(SqliteTx(tx)))
    }
}

struct SqliteTx(sqlx::Transaction<'static, Sqlite>);

#[async_trait]
impl Tx for SqliteTx {
    async fn execute(&mut self, query: Query) -> Result<Done> {
        let done = prepare(query).execute(&mut *self.0).await?;
        Ok(Done {
            rows_affected: done.rows_affected(),
        })
    }

    async fn fetch_all(&mut self, query: Query) -> Result<Vec<Row>> {
        rows(prepare(query).fetch_all(&mut *self.0).await?)
    }

    async fn commit(self: Box<Self>) -> Result<()> {
        self.0.commit().await?;
        Ok(())
    }
}
