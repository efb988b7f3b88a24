//! The shared queries' [`Db`] and [`Tx`] over sqlx's PostgreSQL driver.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rapport_store_core::sql::{Begin, Db, Done, Query, Row, Tx, Value};
use rapport_store_core::{Result, StoreError};
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::{Column as _, PgPool, Postgres, Row as _, TypeInfo as _, ValueRef as _};
use std::sync::Arc;

pub(crate) struct PgDb {
    pub(crate) pool: PgPool,
}

type SqlxQuery<'q> = sqlx::query::Query<'q, Postgres, PgArguments>;

/// Binds a value with its PostgreSQL type (lists as arrays, read with `unnest` or `ANY`).
fn bind(q: SqlxQuery<'_>, value: Value) -> SqlxQuery<'_> {
    match value {
        Value::Null => q.bind(Option::<i64>::None),
        Value::Int(v) => q.bind(v),
        Value::Real(v) => q.bind(v),
        Value::Text(v) => q.bind(v),
        Value::Bool(v) => q.bind(v),
        Value::Bytes(v) => q.bind(v),
        Value::Time(v) => q.bind(v),
        Value::Ints(v) => q.bind(v),
        Value::Texts(v) => q.bind(v),
    }
}

fn prepare(query: Query) -> SqlxQuery<'static> {
    let mut q = sqlx::query(sqlx::AssertSqlSafe(query.sql));
    for value in query.args {
        q = bind(q, value);
    }
    q
}

fn value(r: &PgRow, i: usize, kind: &str) -> Result<Value> {
    if r.try_get_raw(i)?.is_null() {
        return Ok(Value::Null);
    }
    Ok(match kind {
        "INT8" => Value::Int(Some(r.try_get(i)?)),
        "INT4" => Value::Int(Some(i64::from(r.try_get::<i32, _>(i)?))),
        "INT2" => Value::Int(Some(i64::from(r.try_get::<i16, _>(i)?))),
        "BOOL" => Value::Bool(Some(r.try_get(i)?)),
        "FLOAT8" => Value::Real(Some(r.try_get(i)?)),
        "FLOAT4" => Value::Real(Some(f64::from(r.try_get::<f32, _>(i)?))),
        "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" => Value::Text(Some(r.try_get(i)?)),
        "JSON" | "JSONB" => Value::Text(Some(r.try_get::<serde_json::Value, _>(i)?.to_string())),
        "BYTEA" => Value::Bytes(Some(r.try_get(i)?)),
        "TIMESTAMPTZ" => Value::Time(Some(r.try_get::<DateTime<Utc>, _>(i)?)),
        "INT8[]" => Value::Ints(r.try_get(i)?),
        "TEXT[]" => Value::Texts(r.try_get(i)?),
        other => {
            return Err(StoreError::Corrupt(format!(
                "column {i} has type {other}, which the store does not read"
            )));
        }
    })
}

fn rows(rows: Vec<PgRow>) -> Result<Vec<Row>> {
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let columns: Arc<[String]> = first
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    let kinds: Vec<String> = first
        .columns()
        .iter()
        .map(|c| c.type_info().name().to_string())
        .collect();
    rows.iter()
        .map(|r| {
            let values = kinds
                .iter()
                .enumerate()
                .map(|(i, kind)| value(r, i, kind))
                .collect::<Result<Vec<_>>>()?;
            Ok(Row::new(columns.clone(), values))
        })
        .collect()
}

#[async_trait]
impl Db for PgDb {
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

    async fn begin(&self, _how: Begin) -> Result<Box<dyn Tx>> {
        // Writers take row locks and ids come from sequences: no lock at the start.
        Ok(Box::new(PgTx(self.pool.begin().await?)))
    }
}

struct PgTx(sqlx::Transaction<'static, Postgres>);

#[async_trait]
impl Tx for PgTx {
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
