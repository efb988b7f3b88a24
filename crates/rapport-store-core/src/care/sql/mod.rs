//! The care store's queries, written once for both backends over [`crate::sql`]; the few
//! places where their SQL differs ask the backend's [`Dialect`].

mod cases;
mod contact_list;
mod contacts;
mod filter;
mod impl_store;
mod inbox;
mod other;
mod route;
mod views;

use cases::*;
use contact_list::*;
use contacts::*;
use filter::*;
use inbox::*;
use other::*;
use route::*;
use views::*;

use crate::care::{self, *};
use crate::sql::{Begin, Db, Dialect, QueryBuilder, Row, SqlStore, Tx, query, query_scalar};
use crate::{Result, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rapport_domain::{
    Case, CaseEvent, CaseId, ContactId, ConversationId, IdentityId, IntentSet, PostId, SlaPolicy,
    SlaState, TeamId, TopicId, Urgency, UserId,
};
use std::collections::HashMap;

/// The pool every query takes (`&Pool`); transactions are `&mut dyn Tx`.
type Pool = dyn Db;
type DbRow = Row;
