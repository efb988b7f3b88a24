//! The channel store on this backend: the shared queries of `channels/sql.rs`.

use crate::care::{micros, time};
use crate::channels::*;
use crate::{Result, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rapport_domain::{Network, PostKey};
use sqlx::Row;

type Db = sqlx::Postgres;
type DbRow = sqlx::postgres::PgRow;
type Pool = sqlx::PgPool;
type ThisStore = super::PostgresStore;

include!("../channels/sql.rs");
