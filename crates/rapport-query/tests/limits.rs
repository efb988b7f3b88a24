//! Hostile queries: nesting and length beyond the limits are refused with an error that says
//! where, instead of recursing until a thread's stack overflows and the process aborts.

mod common;
use common::*;

use rapport_query::{MAX_DEPTH, MAX_QUERY_CHARS, parse};

/// Parses on a thread with a small stack, as a server worker has: a query that recursed per
/// level would abort the whole test binary here, not fail quietly.
fn parse_on_small_stack(query: String) -> Result<(), String> {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || parse(&query).map(drop).map_err(|e| e.to_string()))
        .expect("spawn")
        .join()
        .expect("parsing must not panic")
}

#[test]
fn parentheses_nested_thousands_deep_are_refused_at_the_first_level_too_many() {
    let query = format!("{}router{}", "(".repeat(4_000), ")".repeat(4_000));
    assert!(query.chars().count() <= MAX_QUERY_CHARS);
    let err = parse_on_small_stack(query).unwrap_err();
    assert_eq!(
        err,
        format!(
            "query nested too deeply: at most {MAX_DEPTH} levels of parentheses, NOT and NEAR at column {}",
            MAX_DEPTH + 1
        )
    );
}

#[test]
fn negations_and_near_chains_count_as_nesting() {
    let nots = format!("router {}modem", "NOT ".repeat(2_000));
    let err = parse_on_small_stack(nots).unwrap_err();
    assert!(err.starts_with("query nested too deeply"), "{err}");

    let minuses = format!("router {}modem", "-".repeat(5_000));
    let err = parse_on_small_stack(minuses).unwrap_err();
    assert!(err.starts_with("query nested too deeply"), "{err}");

    let chain = format!("router{}", " NEAR/2 wifi".repeat(600));
    let err = parse_on_small_stack(chain).unwrap_err();
    assert!(err.starts_with("query nested too deeply"), "{err}");
}

#[test]
fn nesting_up_to_the_limit_still_parses_and_matches() {
    // The table runner takes queries that live as long as the test binary.
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let deep = leak(format!(
        "{}router{}",
        "(".repeat(MAX_DEPTH),
        ")".repeat(MAX_DEPTH)
    ));
    let chain = leak(format!("router{}", " NEAR/3 wifi".repeat(MAX_DEPTH)));
    let nots = leak(format!("router {}modem", "NOT NOT ".repeat(MAX_DEPTH / 2)));
    run(vec![
        m(deep, p("my router is broken")),
        n(deep, p("my modem is broken")),
        m(
            chain,
            p(&format!("router{}", " wifi".repeat(MAX_DEPTH + 1))),
        ),
        m(nots, p("router and modem")),
        n(nots, p("router alone")),
    ]);
}

#[test]
fn queries_longer_than_the_limit_are_refused_with_their_length() {
    let words: Vec<String> = (0..2_000).map(|i| format!("product{i}")).collect();
    let query = words.join(" OR ");
    let chars = query.chars().count();
    assert!(chars > MAX_QUERY_CHARS);
    let err = parse(&query).unwrap_err();
    assert_eq!(err.column, MAX_QUERY_CHARS + 1);
    assert_eq!(
        err.message,
        format!("query too long: {chars} characters, at most {MAX_QUERY_CHARS} allowed")
    );
    // A long OR list inside the limit is still a query.
    let within: Vec<String> = (0..500).map(|i| format!("product{i}")).collect();
    assert!(parse(&within.join(" OR ")).is_ok());
}
