//! The values a query binds and a row holds, in a form both backends can read and write.

use crate::{Result, StoreError};
use chrono::{DateTime, Utc};

/// A bound parameter or a column's value. Nulls carry the type they stand for, because
/// PostgreSQL needs a type for every parameter; a row's null is [`Value::Null`].
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(Option<i64>),
    Real(Option<f64>),
    Text(Option<String>),
    Bool(Option<bool>),
    Bytes(Option<Vec<u8>>),
    /// A point in time: `TIMESTAMPTZ` on PostgreSQL, microseconds since the epoch on SQLite.
    Time(Option<DateTime<Utc>>),
    /// A list of integers: a JSON array on SQLite (read with `json_each`), a `BIGINT[]` on
    /// PostgreSQL (read with `unnest` or `= ANY`).
    Ints(Vec<i64>),
    /// A list of texts, bound the same way as [`Value::Ints`].
    Texts(Vec<String>),
}

impl Value {
    fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Int(_) => "integer",
            Value::Real(_) => "real",
            Value::Text(_) => "text",
            Value::Bool(_) => "boolean",
            Value::Bytes(_) => "bytes",
            Value::Time(_) => "time",
            Value::Ints(_) => "integer list",
            Value::Texts(_) => "text list",
        }
    }

    fn is_null(&self) -> bool {
        matches!(
            self,
            Value::Null
                | Value::Int(None)
                | Value::Real(None)
                | Value::Text(None)
                | Value::Bool(None)
                | Value::Bytes(None)
                | Value::Time(None)
        )
    }
}

macro_rules! into_value {
    ($($t:ty => $variant:ident $(via $conv:expr)?),* $(,)?) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Self {
                Value::$variant(Some(into_value!(@conv v $(, $conv)?)))
            }
        }
        impl From<Option<$t>> for Value {
            fn from(v: Option<$t>) -> Self {
                Value::$variant(v.map(|v| into_value!(@conv v $(, $conv)?)))
            }
        }
    )*};
    (@conv $v:ident) => { $v };
    (@conv $v:ident, $conv:expr) => { ($conv)($v) };
}

into_value! {
    i64 => Int,
    i32 => Int via i64::from,
    i16 => Int via i64::from,
    f32 => Real via f64::from,
    u32 => Int via i64::from,
    f64 => Real,
    bool => Bool,
    String => Text,
    &str => Text via str::to_string,
    &String => Text via String::clone,
    Vec<u8> => Bytes,
    DateTime<Utc> => Time,
}

impl From<&Option<String>> for Value {
    fn from(v: &Option<String>) -> Self {
        Value::Text(v.clone())
    }
}

impl From<&Option<i64>> for Value {
    fn from(v: &Option<i64>) -> Self {
        Value::Int(*v)
    }
}

impl From<Vec<i64>> for Value {
    fn from(v: Vec<i64>) -> Self {
        Value::Ints(v)
    }
}

impl From<&[i64]> for Value {
    fn from(v: &[i64]) -> Self {
        Value::Ints(v.to_vec())
    }
}

impl From<Vec<String>> for Value {
    fn from(v: Vec<String>) -> Self {
        Value::Texts(v)
    }
}

/// A Rust value read back from a column.
pub trait FromValue: Sized {
    fn from_value(v: Value, column: &str) -> Result<Self>;
}

fn mismatch(column: &str, want: &str, got: &Value) -> StoreError {
    StoreError::Corrupt(format!(
        "column {column}: expected {want}, found {}",
        got.kind()
    ))
}

impl FromValue for i64 {
    fn from_value(v: Value, column: &str) -> Result<Self> {
        match v {
            Value::Int(Some(i)) => Ok(i),
            Value::Bool(Some(b)) => Ok(i64::from(b)),
            other => Err(mismatch(column, "integer", &other)),
        }
    }
}

impl FromValue for i32 {
    fn from_value(v: Value, column: &str) -> Result<Self> {
        let i = i64::from_value(v, column)?;
        i32::try_from(i).map_err(|_| StoreError::Corrupt(format!("column {column}: {i} too large")))
    }
}

impl FromValue for f32 {
    fn from_value(v: Value, column: &str) -> Result<Self> {
        f64::from_value(v, column).map(|f| f as f32)
    }
}

impl FromValue for f64 {
    fn from_value(v: Value, column: &str) -> Result<Self> {
        match v {
            Value::Real(Some(f)) => Ok(f),
            Value::Int(Some(i)) => Ok(i as f64),
            other => Err(mismatch(column, "real", &other)),
        }
    }
}

impl FromValue for bool {
    fn from_value(v: Value, column: &str) -> Result<Self> {
        match v {
            Value::Bool(Some(b)) => Ok(b),
            // SQLite keeps booleans as integers.
            Value::Int(Some(i)) => Ok(i != 0),
            other => Err(mismatch(column, "boolean", &other)),
        }
    }
}

impl FromValue for String {
    fn from_value(v: Value, column: &str) -> Result<Self> {
        match v {
            Value::Text(Some(s)) => Ok(s),
            other => Err(mismatch(column, "text", &other)),
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(v: Value, column: &str) -> Result<Self> {
        match v {
            Value::Bytes(Some(b)) => Ok(b),
            other => Err(mismatch(column, "bytes", &other)),
        }
    }
}

impl FromValue for DateTime<Utc> {
    fn from_value(v: Value, column: &str) -> Result<Self> {
        match v {
            Value::Time(Some(t)) => Ok(t),
            Value::Int(Some(micros)) => DateTime::from_timestamp_micros(micros).ok_or_else(|| {
                StoreError::Corrupt(format!("column {column}: time {micros} out of range"))
            }),
            other => Err(mismatch(column, "time", &other)),
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: Value, column: &str) -> Result<Self> {
        if v.is_null() {
            Ok(None)
        } else {
            T::from_value(v, column).map(Some)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nulls_read_as_none_whatever_type_they_carry() {
        assert_eq!(Option::<i64>::from_value(Value::Null, "c").unwrap(), None);
        assert_eq!(
            Option::<String>::from_value(Value::Int(None), "c").unwrap(),
            None
        );
        assert!(i64::from_value(Value::Null, "c").is_err());
    }

    #[test]
    fn sqlite_integers_read_as_booleans_and_times() {
        assert!(bool::from_value(Value::Int(Some(1)), "c").unwrap());
        assert!(!bool::from_value(Value::Int(Some(0)), "c").unwrap());
        let t = DateTime::<Utc>::from_value(Value::Int(Some(1_500_000)), "c").unwrap();
        assert_eq!(t.timestamp_micros(), 1_500_000);
    }

    #[test]
    fn a_mismatch_names_the_column() {
        let e = String::from_value(Value::Int(Some(3)), "body").unwrap_err();
        assert!(e.to_string().contains("column body"), "{e}");
    }
}
