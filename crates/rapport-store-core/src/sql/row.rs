//! A row read back from either backend.

use super::value::{FromValue, Value};
use crate::{Result, StoreError};
use std::sync::Arc;

/// One result row: its values and the result set's column names (shared by every row).
#[derive(Debug, Clone)]
pub struct Row {
    columns: Arc<[String]>,
    values: Vec<Value>,
}

impl Row {
    /// A row of `values` under `columns`; both must be as long.
    pub fn new(columns: Arc<[String]>, values: Vec<Value>) -> Self {
        debug_assert_eq!(columns.len(), values.len());
        Row { columns, values }
    }

    /// The value of a column, by name or by position.
    pub fn try_get<T: FromValue, I: ColumnIndex>(&self, index: I) -> Result<T> {
        let i = index.position(&self.columns)?;
        T::from_value(self.values[i].clone(), &self.columns[i])
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// Names a column of a [`Row`]: its name or its position.
pub trait ColumnIndex {
    fn position(&self, columns: &[String]) -> Result<usize>;
}

impl ColumnIndex for &str {
    fn position(&self, columns: &[String]) -> Result<usize> {
        columns
            .iter()
            .position(|c| c == self)
            .ok_or_else(|| StoreError::Corrupt(format!("no column {self} in the result")))
    }
}

impl ColumnIndex for usize {
    fn position(&self, columns: &[String]) -> Result<usize> {
        if *self < columns.len() {
            Ok(*self)
        } else {
            Err(StoreError::Corrupt(format!(
                "no column {self} in the result"
            )))
        }
    }
}
