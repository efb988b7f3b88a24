//! The one conformance suite (`rapport_store_core::conformance`) on this backend.

rapport_store_core::conformance_suite!(rapport_store_postgres::testing::fresh);
