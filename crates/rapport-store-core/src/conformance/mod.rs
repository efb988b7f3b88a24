//! The one conformance suite every backend runs: each test is an async fn that takes a fresh,
//! migrated store and checks one behaviour of the capability traits, on real rows. A backend
//! crate runs all of them with one line in its tests,
//! `rapport_store_core::conformance_suite!(my_backend::testing::fresh);`, where `fresh` is an
//! async fn giving a [`crate::testing::TestStore`] (the way quickwit's metastore suite is
//! invoked once per implementation).

#![allow(missing_docs)]

pub mod accounts;
pub mod cases;
pub mod channels;
pub mod contact_list;
pub mod contacts;
pub mod filters;
pub mod inbox;
pub mod ingest;
pub mod kit;
pub mod notifications;
pub mod privacy;
pub mod publications;
pub mod publish;
pub mod replies;
pub mod reports;
pub mod search;
pub mod security;
pub mod sso;
pub mod support;
pub mod threads;
pub mod topics;
pub mod users;

/// Every conformance test, as `#[tokio::test]`s on stores from `$fresh`, one module per
/// part of the suite.
#[macro_export]
macro_rules! conformance_suite {
    ($fresh:path) => {
        $crate::conformance_suite!(@modules $fresh;
            ingest { second_ingest_is_a_duplicate_and_changes_nothing, repeats_inside_one_batch_are_duplicates_of_the_first, every_field_and_the_raw_record_come_back_verbatim, labels_round_trip_and_are_replaced, scan_walks_every_post_in_pages, stats_count_every_kind_of_row, invalid_posts_are_refused, an_inserted_post_is_reported_where_it_was_placed }
            threads { threads_are_whole_in_every_arrival_order, shuffled_batches_build_the_same_threads, siblings_of_a_missing_parent_share_a_conversation, root_ids_join_posts_whose_parent_is_missing, merged_conversation_ids_lead_to_the_merged_thread }
            accounts { identities_are_upserted_case_insensitively, contacts_hold_identities_and_their_timeline_in_order, mentions_and_replies_to_own_accounts_are_marked, late_own_accounts_mark_earlier_posts, a_late_parent_by_an_own_account_marks_its_replies, unmarking_an_own_account_recomputes_marks }
            topics { topics_are_added_listed_updated_and_removed, topic_names_are_unique, matches_are_recorded_listed_and_counted }
            search { candidates_need_every_word_of_a_group, prefixes_and_or_groups_widen_candidates, accents_and_case_do_not_hide_candidates, scan_all_filters_and_paging_behave_like_scan }
            channels { channels_are_added_listed_and_removed, states_errors_and_checkpoints_are_kept, gaps_are_listed_newest_first_and_go_with_their_channel, deleted_posts_are_marked_once, a_deleted_accounts_posts_are_marked_and_no_one_elses, reads_add_up_per_channel_and_month }
            cases { route_candidates_carry_what_routing_needs, cases_are_created_saved_and_versioned, conversation_merges_still_find_the_case, teams_policies_settings_and_round_robin, batches_write_together_and_later_posts_are_found, the_routing_watermark_moves_with_the_case_writes, two_saves_on_one_version_exactly_one_wins }
            inbox { every_view_and_sort_lists_exactly_its_cases, keyset_and_offset_pages_walk_the_whole_view, counts_match_the_views_and_follow_saves, sla_sweep_finds_cases_whose_state_fell_behind }
            filters { every_filter_lists_exactly_its_cases_and_pages, filtered_counts_match_the_lists, saved_views_are_kept_listed_renamed_and_removed }
            replies { notes_are_kept_with_their_audit_event, saved_replies_are_named_and_shortcuts_unique, the_outbox_is_idempotent_and_records_attempts, similar_resolved_cases_share_words }
            publications { publications_are_drafted_saved_by_version_and_listed, a_due_publication_is_released_once_with_its_thread_in_order, a_failed_part_fails_the_publication_until_it_is_resent, a_publication_whose_channels_are_gone_releases_nothing_and_fails, a_publication_draws_the_replies_in_its_threads }
            publish { a_claim_holds_the_entry_until_it_is_finished, an_expired_lease_is_taken_over_for_reconciliation, outcomes_move_the_entry_and_failed_ones_can_be_resent }
            contacts { contact_fields_round_trip, merging_moves_identities_cases_and_leads, splitting_takes_the_identity_and_its_cases, leads_list_one_row_per_contact, leads_pages_walk_every_contact_once }
            contact_list { contact_list_filters_sorts_and_counts, contact_list_pages_walk_every_contact_once }
            reports { account_responses_count_addressed_and_answered_posts, listening_reports_count_the_posts_of_one_filter }
            notifications { notifications_are_kept_once_and_only_for_their_user, notification_settings_and_the_digest_claim }
            privacy { erasing_a_contact_empties_what_is_held_on_them_and_no_one_elses, a_post_the_network_deleted_is_emptied_and_leaves_its_case_search }
            security { two_factor_is_offered_confirmed_and_codes_work_once, the_audit_log_lists_newest_first_and_filters }
            sso { provider_accounts_create_link_and_find_their_users }
            users { users_are_created_found_and_unique_whatever_the_case, the_first_user_is_made_once, users_are_updated_and_passwords_replaced, sessions_are_kept_touched_and_removed, api_tokens_are_stored_hashed_used_and_revoked }
        );
    };
    (@modules $fresh:path; $($module:ident { $($name:ident),* $(,)? })*) => {
        $(
            mod $module {
                $(
                    #[tokio::test]
                    async fn $name() {
                        let store = $fresh().await;
                        $crate::conformance::$module::$name(store.store()).await;
                    }
                )*
            }
        )*
    };
}
