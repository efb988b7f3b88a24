//! One conformance suite for every backend: each test is an async fn taking the store, and
//! the macro below runs it on a fresh SQLite store and on a fresh PostgreSQL database.

#[path = "conformance/support.rs"]
mod support;

#[path = "conformance/accounts.rs"]
mod accounts;
#[path = "conformance/channels.rs"]
mod channels;
#[path = "conformance/ingest.rs"]
mod ingest;
#[path = "conformance/search.rs"]
mod search;
#[path = "conformance/threads.rs"]
mod threads;
#[path = "conformance/topics.rs"]
mod topics;

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
    ingest::second_ingest_is_a_duplicate_and_changes_nothing,
    ingest::repeats_inside_one_batch_are_duplicates_of_the_first,
    ingest::every_field_and_the_raw_record_come_back_verbatim,
    ingest::labels_round_trip_and_are_replaced,
    ingest::scan_walks_every_post_in_pages,
    ingest::stats_count_every_kind_of_row,
    ingest::invalid_posts_are_refused,
    ingest::an_inserted_post_is_reported_where_it_was_placed,
    threads::threads_are_whole_in_every_arrival_order,
    threads::shuffled_batches_build_the_same_threads,
    threads::siblings_of_a_missing_parent_share_a_conversation,
    threads::root_ids_join_posts_whose_parent_is_missing,
    threads::merged_conversation_ids_lead_to_the_merged_thread,
    accounts::identities_are_upserted_case_insensitively,
    accounts::contacts_hold_identities_and_their_timeline_in_order,
    accounts::mentions_and_replies_to_own_accounts_are_marked,
    accounts::late_own_accounts_mark_earlier_posts,
    accounts::a_late_parent_by_an_own_account_marks_its_replies,
    accounts::unmarking_an_own_account_recomputes_marks,
    topics::topics_are_added_listed_updated_and_removed,
    topics::topic_names_are_unique,
    topics::matches_are_recorded_listed_and_counted,
    search::candidates_need_every_word_of_a_group,
    search::prefixes_and_or_groups_widen_candidates,
    search::accents_and_case_do_not_hide_candidates,
    search::scan_all_filters_and_paging_behave_like_scan,
    channels::channels_are_added_listed_and_removed,
    channels::states_errors_and_checkpoints_are_kept,
    channels::gaps_are_listed_newest_first_and_go_with_their_channel,
    channels::deleted_posts_are_marked_once,
    channels::a_deleted_accounts_posts_are_marked_and_no_one_elses,
    channels::reads_add_up_per_channel_and_month,
);

#[tokio::test]
async fn unknown_url_schemes_are_refused() {
    let err = rapport_store::open("mysql://localhost/db")
        .await
        .err()
        .unwrap();
    assert!(
        matches!(err, rapport_store::StoreError::UnsupportedUrl(_)),
        "{err}"
    );
}

#[tokio::test]
async fn in_memory_sqlite_opens_and_keeps_data() {
    let store = rapport_store::open("sqlite::memory:").await.unwrap();
    let report = store
        .posts()
        .ingest(vec![support::P::new("1", "alice").text("hello").new_post()])
        .await
        .unwrap();
    assert_eq!(report.inserted(), 1);
    assert_eq!(store.posts().stats().await.unwrap().posts, 1);
}
