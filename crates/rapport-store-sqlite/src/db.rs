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
    let sql = anonymous_placeholders(&query.sql).unwrap_or(query.sql);
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for value in query.args {
        q = bind(q, value);
    }
    q
}

/// The statement with `$1, $2, ...` written as plain `?`, when each appears once and in
/// order (what `QueryBuilder` writes); `None` otherwise, and the statement is kept as it is.
///
/// SQLite looks a named parameter's name up in a list, and the driver asks for every
/// parameter's name when it binds: with thousands of `$n` in a multi-row insert, binding
/// took longer than running the statement. Plain `?` have no name.
fn anonymous_placeholders(sql: &str) -> Option<String> {
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    let (mut next, mut last, mut i, mut quoted) = (1usize, 0usize, 0usize, false);
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => quoted = !quoted,
            b'$' if !quoted && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                let end = (i + 1..bytes.len())
                    .find(|&j| !bytes[j].is_ascii_digit())
                    .unwrap_or(bytes.len());
                if sql[i + 1..end].parse::<usize>().ok()? != next {
                    return None;
                }
                next += 1;
                out.push_str(&sql[last..i]);
                out.push('?');
                last = end;
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out.push_str(&sql[last..]);
    Some(out)
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
                    let kind = raw.type_info();
                    Ok(match kind.name() {
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

#[cfg(test)]
mod tests {
    use super::anonymous_placeholders;

    #[test]
    fn placeholders_in_order_become_anonymous() {
        assert_eq!(
            anonymous_placeholders("INSERT INTO t VALUES ($1, $2), ($3, $4)").as_deref(),
            Some("INSERT INTO t VALUES (?, ?), (?, ?)")
        );
        // Dollars inside a string are text, not parameters.
        assert_eq!(
            anonymous_placeholders("SELECT '$1' || $1 FROM t WHERE a = $2").as_deref(),
            Some("SELECT '$1' || ? FROM t WHERE a = ?")
        );
    }

    #[test]
    fn reused_or_reordered_placeholders_are_kept() {
        assert_eq!(anonymous_placeholders("WHERE a = $1 OR b = $1"), None);
        assert_eq!(anonymous_placeholders("WHERE a = $2 AND b = $1"), None);
    }
}
