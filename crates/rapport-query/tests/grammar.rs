//! Table-driven cases for words, phrases, precedence, negation, wildcards, tags, proximity and
//! error messages.

mod common;
use common::*;

#[test]
fn words_phrases_and_precedence() {
    run(vec![
        m("router", p("My router is broken")),
        n("router", p("My routers are broken")),
        n("apple", p("I love pineapple")),
        m("apple", p("Apple, again!")),
        m("APPLE", p("apple pie")),
        m("apple pie", p("pie made of apple")),
        n("apple pie", p("apple tart")),
        m("apple AND pie", p("pie and apple")),
        m("apple OR pear", p("a pear")),
        n("apple OR pear", p("a plum")),
        m("apple or pear", p("apple or pear")),
        n("apple or pear", p("apple and pear")),
        m("\"lotus connections\"", p("Using Lotus Connections today")),
        n("\"lotus connections\"", p("connections to lotus")),
        n("\"lotus connections\"", p("lotus and connections")),
        m("\"Lotus   Connections\"", p("lotus connections")),
        m("\"apple\"", p("an apple")),
        m("wi-fi", p("my wi fi is down")),
        m("wi-fi", p("WI-FI down")),
        n("wi-fi", p("wifi down")),
        m("wifi", p("#wifi down")),
        m("don't", p("I don’t know")),
        m("hello world", p("hello, world!")),
        m("apple\tpie", p("apple pie")),
        m("12345", p("order 12345 missing")),
        n("123", p("order 12345 missing")),
        m("covid_19", p("covid_19 update")),
        n("covid", p("covid_19 update")),
        m("C++", p("I code in C")),
        m("near", p("a store near me")),
        m("not good", p("this is not good")),
        m("example.com", p("visit example.com today")),
        n("example.com", p("visit https://example.com today")),
        n("apple", p("see https://apple.com/support")),
        m("apple banana OR cherry", p("cherry")),
        n("apple banana OR cherry", p("apple")),
        m("apple banana OR cherry", p("banana apple")),
        m("apple (banana OR cherry)", p("apple cherry")),
        n("apple (banana OR cherry)", p("cherry")),
        m("apple OR banana cherry", p("apple")),
        n("apple OR banana cherry", p("banana")),
        m("((apple))", p("apple")),
        m("\"customer service\" OR support", p("great support")),
        m("(apple OR pear) (tart OR pie)", p("pear pie")),
        n("(apple OR pear) (tart OR pie)", p("pear juice")),
    ]);
}

/// Words as Unicode's word boundaries (UAX #29) cut them, with emoji and tags on top: real
/// posts from ../shared/data/twcs (the SpotifyCares file and twcs_head_5000.csv).
#[test]
fn word_boundaries() {
    run(vec![
        // SpotifyCares 2667 and 17: emoji glued to a word on either side hide nothing.
        m(
            "thanks",
            p("@SpotifyCares Got it 😊Thanks admin. It's so helpful"),
        ),
        m("thanks admin", p("Got it 🙂Thanks admin")),
        m("updates", p("if it's a matter of just updates😊")),
        m("😊", p("just updates😊")),
        // A contraction is one word, for phrases and distances alike (twcs 210).
        m(
            "we're NEAR/0 looping",
            p("Hi Jack, we're looping the expert back"),
        ),
        m(
            "we're NEAR/0 looping",
            p("Hi Jack, we’re looping the expert back"),
        ),
        n(
            "we NEAR/0 looping",
            p("Hi Jack, we're looping the expert back"),
        ),
        m("\"jack we're looping\"", p("Hi Jack, we’re looping")),
        // The possessive goes, as an English analyzer drops it.
        m("spotify NEAR/0 app", p("Spotify's app keeps crashing")),
        m("spotify's", p("Spotify app")),
        // Decimal numbers and versions stay whole; a colon cuts.
        m("8.4.24.871", p("Spotify 8.4.24.871 Android")),
        n("8", p("Spotify 8.4.24.871 Android")),
        m("update", p("update:the app crashes")),
        // Handles with underscores and dots.
        m("@ask_spectrum", p("@Ask_Spectrum my internet is down")),
        m("@alice.bsky.social", p("thanks @alice.bsky.social!")),
        // Arabic and Devanagari words keep their marks (SpotifyCares 4892, twcs 3854).
        m(
            "عندهم",
            p("@SpotifyCares @340574 اكو عندهم Arabic support اكو 😂😂"),
        ),
        m("परमानेंटली", p("का एकाउंट परमानेंटली डिलीट कैसे करते है?")),
    ]);
}

#[test]
fn negation() {
    run(vec![
        m("apple -pie", p("apple tart")),
        n("apple -pie", p("apple pie")),
        n("apple NOT pie", p("apple pie")),
        m("apple NOT pie", p("apple")),
        m("apple -(pie OR tart)", p("apple juice")),
        n("apple -(pie OR tart)", p("apple tart")),
        n("apple -\"apple pie\"", p("apple pie")),
        m("apple -\"apple pie\"", p("pie apple")),
        m("NOT pie apple", p("apple")),
        m("apple AND NOT pie", p("apple")),
        m("(apple OR pear) -(rotten OR bad) fruit", p("pear fruit")),
        n(
            "(apple OR pear) -(rotten OR bad) fruit",
            p("bad pear fruit"),
        ),
        m("-pie apple", p("apple")),
        m("apple OR (pear -rotten)", p("rotten pear apple")),
        n("pear -rotten OR plum -old", p("rotten pear")),
        m("pear -rotten OR plum -old", p("old pear")),
        m("apple NOT NOT pie", p("apple pie")),
        n("apple NOT NOT pie", p("apple")),
        m("apple (-pear OR plum)", p("apple")),
        n("apple (-pear OR plum)", p("apple pear")),
        m("apple -#ad", p("apple #sale")),
        n("apple -#ad", p("apple #ad")),
        n("apple -@spam", p("apple").mentions(&["spam"])),
        e(
            "-spam",
            "expected at least one term that is not negated at column 1",
        ),
        e(
            "NOT spam",
            "expected at least one term that is not negated at column 1",
        ),
        e(
            "-spam -ads",
            "expected at least one term that is not negated at column 1",
        ),
        e(
            "apple OR -pear",
            "expected at least one term that is not negated at column 10",
        ),
        e(
            "(-apple OR pear)",
            "expected at least one term that is not negated at column 2",
        ),
        e(
            "-(apple pear)",
            "expected at least one term that is not negated at column 1",
        ),
    ]);
}

#[test]
fn wildcards() {
    run(vec![
        m("connect*", p("connection lost")),
        m("connect*", p("connect me")),
        n("connect*", p("reconnect me")),
        m("Connect*", p("CONNECTIVITY")),
        m("apple*", p("applesauce")),
        m("\"connect* issue\"", p("a connection issue")),
        n("\"connect* issue\"", p("issue with connection")),
        m("café*", p("cafés ouverts")),
        m("connect* -connection", p("connectivity")),
        n("connect* -connection", p("connection")),
        m("connect* OR router", p("router")),
        e("co*", "expected at least 3 letters before '*' at column 1"),
        e(
            "apple ab*",
            "expected at least 3 letters before '*' at column 7",
        ),
        e(
            "wi-fi*",
            "expected at least 3 letters before '*' at column 1",
        ),
        e("*", "expected at least 3 letters before '*' at column 1"),
    ]);
}

#[test]
fn tags() {
    run(vec![
        m("#iphone", p("new #iPhone")),
        n("#iphone", p("new iphone")),
        m("#iphone", p("new phone").hashtags(&["iphone"])),
        m("@AppleSupport", p("@AppleSupport help")),
        n("@applesupport", p("applesupport help")),
        m("applesupport", p("@AppleSupport help")),
        m("@applesupport", p("help").mentions(&["applesupport"])),
        m("$AAPL", p("buying $aapl")),
        n("$aapl", p("buying aapl")),
        m("$aapl", p("buying").cashtags(&["AAPL"])),
        n("#apple", p("pineapple #apples")),
        m("@alice.bsky.social", p("hi @alice.bsky.social!")),
        n("alice", p("hi @alice.bsky.social")),
        m("@bob@mastodon.social", p("cc @bob@mastodon.social.")),
        n("#iphone", p("c#iphone")),
        n("@example", p("mail me@example.com")),
        m("#café", p("#Café du coin")),
        m("#iphone OR @apple", p("@apple hi")),
        m("@sprintcare", p("@sprintcare's network")),
        e("$5", "expected a cashtag after '$' at column 2"),
        e("#", "expected a hashtag after '#' at column 2"),
        e("#1", "expected a hashtag after '#' at column 2"),
        m("1", p("we are #1")),
        m("#no1", p("we are #No1")),
        e("@", "expected a handle after '@' at column 2"),
        e("#wi-fi", "expected a hashtag after '#' at column 2"),
    ]);
}

#[test]
fn proximity() {
    run(vec![
        m("\"wifi dropping\"~3", p("wifi keeps on always dropping")),
        n("\"wifi dropping\"~3", p("wifi keeps on and on dropping")),
        m("\"wifi dropping\"~3", p("dropping the wifi")),
        m("\"wifi dropping\"~0", p("dropping wifi")),
        n("\"wifi dropping\"~0", p("wifi is dropping")),
        m("\"wifi keeps dropping\"~1", p("dropping, the wifi keeps")),
        m("wifi NEAR/3 router", p("wifi and the new router")),
        n("wifi NEAR/3 router", p("wifi is not near the new router")),
        m("wifi NEAR/3 router", p("router reset the wifi")),
        m("wifi NEAR/3f router", p("wifi then router")),
        n("wifi NEAR/3f router", p("router then wifi")),
        m("wifi NEAR/0 router", p("wifi router")),
        n("wifi NEAR/0 router", p("wifi a router")),
        m("(wifi OR internet) NEAR/2 down", p("internet is down")),
        m(
            "\"wifi connection\" NEAR/2 lost",
            p("lost my wifi connection"),
        ),
        n(
            "\"wifi connection\" NEAR/2 lost",
            p("lost my home and wifi connection"),
        ),
        m("connect* NEAR/1 lost", p("connection was lost")),
        m("#wifi NEAR/2 down", p("#wifi is down")),
        n("#wifi NEAR/2 down", p("wifi is down").hashtags(&["wifi"])),
        m(
            "wifi NEAR/2 router NEAR/3 reset",
            p("wifi router needs a reset"),
        ),
        n(
            "wifi NEAR/2 router NEAR/1 reset",
            p("wifi router needs a reset"),
        ),
        m("apple NEAR/3 pie OR tart", p("tart")),
        n("wifi NEAR/3 wifi", p("wifi")),
        m("wifi NEAR/3 wifi", p("wifi and wifi")),
        m("love NEAR/1 pizza", p("love 🍕 pizza")),
        n("love NEAR/0 pizza", p("love 🍕 pizza")),
        m(
            "refund NEAR/5 please -\"no refund\"",
            p("refund please, it broke"),
        ),
        n(
            "refund NEAR/5 please -\"no refund\"",
            p("no refund, please"),
        ),
        e("wifi NEAR/3", "expected a term after NEAR/3 at column 12"),
        e("NEAR/3 wifi", "expected a term before NEAR/3 at column 1"),
        e(
            "wifi NEAR/x router",
            "expected a number after 'NEAR/' at column 11",
        ),
        e(
            "wifi NEAR router",
            "expected '/' and a distance after NEAR (like NEAR/3) at column 10",
        ),
        e(
            "lang:en NEAR/3 wifi",
            "expected a word, phrase or tag before NEAR/3 at column 1",
        ),
        e(
            "wifi NEAR/3 -router",
            "expected a term after NEAR/3, found '-' at column 13",
        ),
        e(
            "wifi NEAR/3 (a b)",
            "expected a word, phrase or tag after NEAR/3 at column 13",
        ),
        e(
            "\"wifi dropping\"~",
            "expected a number after '~' at column 17",
        ),
        e(
            "wifi NEAR/3x router",
            "expected 'f' or the end of the operator after the NEAR distance at column 12",
        ),
        e("wifi NEAR/3f", "expected a term after NEAR/3f at column 13"),
        e(
            "\"a b\"~99999",
            "expected a distance of at most 1000 words at column 7",
        ),
    ]);
}

#[test]
fn syntax_errors_name_the_column() {
    run(vec![
        e("(router OR modem", "expected ')' at column 17"),
        e(
            "router)",
            "expected an operator or the end of the query, found ')' at column 7",
        ),
        e("", "expected a term at column 1"),
        e("   ", "expected a term at column 4"),
        e("()", "expected a term, found ')' at column 2"),
        e("apple OR", "expected a term after OR at column 9"),
        e("apple AND", "expected a term after AND at column 10"),
        e("OR apple", "expected a term before OR at column 1"),
        e("AND", "expected a term before AND at column 1"),
        e(
            "apple OR OR pear",
            "expected a term after OR, found OR at column 10",
        ),
        e(
            "apple AND OR pear",
            "expected a term after AND, found OR at column 11",
        ),
        e("\"lotus", "expected '\"' at column 7"),
        e(
            "apple \"\"",
            "expected a word inside the quotes at column 8",
        ),
        e("apple -", "expected a term after '-' at column 8"),
        e("NOT", "expected a term after NOT at column 4"),
        e(
            "!!!",
            "expected letters, digits or an emoji in '!!!' at column 1",
        ),
        e("(apple pear", "expected ')' at column 12"),
        e("((apple) pear", "expected ')' at column 14"),
        e(
            "apple (pear OR)",
            "expected a term after OR, found ')' at column 15",
        ),
        e("café (crème", "expected ')' at column 12"),
        e(
            "(apple pear NEAR/2",
            "expected a term after NEAR/2 at column 19",
        ),
    ]);
}
