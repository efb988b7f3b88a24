//! The channel store on this backend: the shared queries of `channels/sql.rs`.

use crate::care::{micros, time};
use crate::channels::*;
use crate::{Result, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rapport_domain::{Network, PostKey};
use sqlx::Row;

type Db = sqlx::Sqlite;
type DbRow = sqlx::sqlite::SqliteRow;
type Pool = sqlx::SqlitePool;
type ThisStore = super::SqliteStore;

include!("../channels/sql.rs");
