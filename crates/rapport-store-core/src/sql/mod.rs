//! The one SQL body. Queries shared by both backends are written once against [`Db`] and
//! [`Tx`] (a pool and a transaction that run a [`Query`] and hand back [`Row`]s of
//! [`Value`]s) and, where the SQL differs, a [`Dialect`]. Each backend implements those
//! traits over its driver, plus its own ingest path ([`Writer`]); nothing here names a driver.

mod db;
mod dialect;
mod query;
mod row;
mod store;
mod value;
mod writer;

pub use db::{Begin, Db, On, Tx};
pub use dialect::Dialect;
pub use query::{Done, Query, QueryBuilder, Scalar, Separated, query, query_scalar};
pub use row::{ColumnIndex, Row};
pub use store::SqlStore;
pub use value::{FromValue, Value};
pub use writer::Writer;
