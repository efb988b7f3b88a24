//! The store, written once over [`Db`], a [`Dialect`] and the backend's [`Writer`]: every
//! capability trait is implemented for [`SqlStore`], and a backend is what it plugs in.

use super::{Db, Dialect, Writer};
use crate::{
    AuditStore, Backend, CaseStore, ChannelStore, ContactBookStore, ContactStore, DeletionStore,
    InboxStore, LeadStore, NoteStore, NotificationStore, OutboxStore, PostStore, PrivacyStore,
    PublicationStore, PublishStore, ReportStore, RoutingStore, SavedViewStore, SessionStore,
    SettingsStore, SsoStore, Store, TopicStore, TwoFactorStore, UserStore,
};
use std::marker::PhantomData;
use std::sync::Arc;

pub struct SqlStore<D> {
    backend: Backend,
    db: Arc<dyn Db>,
    writer: Arc<dyn Writer>,
    _dialect: PhantomData<fn() -> D>,
}

impl<D: Dialect> SqlStore<D> {
    pub fn new(backend: Backend, db: Arc<dyn Db>, writer: Arc<dyn Writer>) -> Self {
        SqlStore {
            backend,
            db,
            writer,
            _dialect: PhantomData,
        }
    }

    /// The pool the queries run on.
    pub fn pool(&self) -> &dyn Db {
        &*self.db
    }

    pub(crate) fn writer(&self) -> &dyn Writer {
        &*self.writer
    }
}

impl<D: Dialect> Store for SqlStore<D> {
    fn backend(&self) -> Backend {
        self.backend
    }
    fn posts(&self) -> &dyn PostStore {
        self
    }
    fn topics(&self) -> &dyn TopicStore {
        self
    }
    fn contacts(&self) -> &dyn ContactStore {
        self
    }
    fn contact_book(&self) -> &dyn ContactBookStore {
        self
    }
    fn leads(&self) -> &dyn LeadStore {
        self
    }
    fn settings(&self) -> &dyn SettingsStore {
        self
    }
    fn routing(&self) -> &dyn RoutingStore {
        self
    }
    fn cases(&self) -> &dyn CaseStore {
        self
    }
    fn inbox(&self) -> &dyn InboxStore {
        self
    }
    fn notes(&self) -> &dyn NoteStore {
        self
    }
    fn views(&self) -> &dyn SavedViewStore {
        self
    }
    fn outbox(&self) -> &dyn OutboxStore {
        self
    }
    fn publish(&self) -> &dyn PublishStore {
        self
    }
    fn publications(&self) -> &dyn PublicationStore {
        self
    }
    fn channels(&self) -> &dyn ChannelStore {
        self
    }
    fn deletions(&self) -> &dyn DeletionStore {
        self
    }
    fn users(&self) -> &dyn UserStore {
        self
    }
    fn sessions(&self) -> &dyn SessionStore {
        self
    }
    fn reports(&self) -> &dyn ReportStore {
        self
    }
    fn two_factor(&self) -> &dyn TwoFactorStore {
        self
    }
    fn sso(&self) -> &dyn SsoStore {
        self
    }
    fn audit(&self) -> &dyn AuditStore {
        self
    }
    fn privacy(&self) -> &dyn PrivacyStore {
        self
    }
    fn notifications(&self) -> &dyn NotificationStore {
        self
    }
}
