//! The care store's conformance suite: every test runs on a fresh SQLite store and on a fresh
//! PostgreSQL database (the pattern of `conformance.rs`).

#[path = "conformance/support.rs"]
mod support;

#[path = "conformance_care/cases.rs"]
mod cases;
#[path = "conformance_care/contact_list.rs"]
mod contact_list;
#[path = "conformance_care/contacts.rs"]
mod contacts;
#[path = "conformance_care/inbox.rs"]
mod inbox;
#[path = "conformance_care/kit.rs"]
mod kit;
#[path = "conformance_care/publish.rs"]
mod publish;
#[path = "conformance_care/replies.rs"]
mod replies;

macro_rules! on_every_backend {
    ($($module:ident :: $name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let store = rapport_store::testing::fresh_store(rapport_store::Backend::Sqlite).await;
                    crate::$module::$name(store.store()).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let store = rapport_store::testing::fresh_store(rapport_store::Backend::Postgres).await;
                    crate::$module::$name(store.store()).await;
                }
            )*
        }
    };
}

on_every_backend!(
    cases::route_candidates_carry_what_routing_needs,
    cases::cases_are_created_saved_and_versioned,
    cases::conversation_merges_still_find_the_case,
    cases::teams_policies_settings_and_round_robin,
    cases::batches_write_together_and_later_posts_are_found,
    cases::the_routing_watermark_moves_with_the_case_writes,
    cases::two_saves_on_one_version_exactly_one_wins,
    inbox::every_view_and_sort_lists_exactly_its_cases,
    inbox::keyset_and_offset_pages_walk_the_whole_view,
    inbox::counts_match_the_views_and_follow_saves,
    inbox::sla_sweep_finds_cases_whose_state_fell_behind,
    replies::notes_are_kept_with_their_audit_event,
    replies::saved_replies_are_named_and_shortcuts_unique,
    replies::the_outbox_is_idempotent_and_records_attempts,
    replies::similar_resolved_cases_share_words,
    publish::a_claim_holds_the_entry_until_it_is_finished,
    publish::an_expired_lease_is_taken_over_for_reconciliation,
    publish::outcomes_move_the_entry_and_failed_ones_can_be_resent,
    contacts::contact_fields_round_trip,
    contacts::merging_moves_identities_cases_and_leads,
    contacts::splitting_takes_the_identity_and_its_cases,
    contacts::leads_list_one_row_per_contact,
    contacts::leads_pages_walk_every_contact_once,
    contact_list::contact_list_filters_sorts_and_counts,
    contact_list::contact_list_pages_walk_every_contact_once,
);
