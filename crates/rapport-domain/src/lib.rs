//! Rapport's domain: the shapes every other crate speaks.
//!
//! Architecture invariant: this crate does no IO. It knows nothing of SQL, HTTP, async runtimes
//! or file formats; it holds plain data, the rules on that data (state machines, clock maths)
//! and the errors those rules raise.

pub mod audit;
pub mod care;
pub mod case;
pub mod channel;
pub mod compose;
pub mod contact;
pub mod ids;
pub mod ingest;
pub mod labels;
pub mod listening;
pub mod network;
pub mod notify;
pub mod people;
pub mod post;
pub mod publication;
pub mod publish;
pub mod search;
pub mod sla;
pub mod sso;
pub mod stats;
pub mod suggestion;
pub mod template;
pub mod topic;
pub mod words;

pub use case::{
    Actor, Case, CaseAction, CaseChange, CaseDecision, CaseError, CaseEvent, CaseId, CaseSnapshot,
    CaseStatus, Priority, TeamId, UserId,
};
pub use contact::{Contact, Identity};
pub use ids::{ChannelId, ContactId, ConversationId, IdentityId, PostId, PublicationId, TopicId};
pub use labels::{Intent, IntentSet, Labels, Sentiment, SentimentLabel, Urgency};
pub use network::{Network, ParseNetworkError};
pub use people::{ParsePeopleError, Permission, Role, SecurityPolicy, User};
pub use post::{Author, Engagement, Post, PostKey, StoredPost};
pub use search::TermFilter;
pub use sla::{
    BusinessCalendar, CaseHistory, ClockPhase, ClockReading, OpenWindow, SlaClock, SlaPolicy,
    SlaReport, SlaState, SlaTarget, Targets,
};
pub use suggestion::{SourceCase, generalize};
pub use template::{PersonVars, Template, TemplateContext, TemplateError};
pub use topic::{Topic, TopicOptions};
