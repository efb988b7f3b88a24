//! The publisher's ledger on this backend: the shared queries of `publish/sql.rs`.

use crate::care::{OutboxEntry, ReplyId, ReplyStatus, micros, time};
use crate::channels::ChannelId;
use crate::publish::*;
use crate::{Result, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rapport_domain::{CaseId, Network, PostId, UserId};
use sqlx::Row;

type Db = sqlx::Sqlite;
type DbRow = sqlx::sqlite::SqliteRow;
type Pool = sqlx::SqlitePool;
type ThisStore = super::SqliteStore;

include!("../publish/sql.rs");
