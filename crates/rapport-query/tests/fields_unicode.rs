//! Table-driven cases for fields, labels and Unicode handling.

mod common;
use common::*;
use rapport_domain::{Intent, Network, SentimentLabel};

#[test]
fn fields() {
    use SentimentLabel::*;
    run(vec![
        m("from:AppleSupport", p("hi").from("applesupport")),
        m("from:@applesupport", p("hi").from("AppleSupport")),
        m("from:applesupport", p("hi").from("@AppleSupport")),
        n("from:apple", p("hi").from("AppleSupport")),
        m("from:bob", p("hi").from("bob@mastodon.social")),
        m(
            "from:bob@mastodon.social",
            p("hi").from("Bob@Mastodon.social"),
        ),
        n("from:bob@other.social", p("hi").from("bob@mastodon.social")),
        m("to:sprintcare", p("thanks").reply(Some("SprintCare"))),
        m("to:@sprintcare", p("@sprintcare hi").reply(None)),
        n("to:sprintcare", p("@sprintcare hi")),
        n("to:sprintcare", p("hi @sprintcare").reply(None)),
        n(
            "to:sprintcare",
            p("@sprintcare hi").reply(Some("AppleSupport")),
        ),
        m("lang:en", p("hi").lang("en")),
        m("lang:en", p("hi").lang("en-US")),
        m("lang:EN", p("hi").lang("en")),
        n("lang:en", p("hi").lang("fr")),
        n("lang:en", p("hi").lang("eng")),
        n("lang:en", p("hi")),
        m("lang:fr", p("salut").labelled(Neutral, &[], Some("fr"))),
        m("lang:pt-br", p("oi").lang("pt-BR")),
        m("network:bluesky", p("hi").network(Network::Bluesky)),
        n("network:bluesky", p("hi")),
        m("network:twitter", p("hi").network(Network::X)),
        m("network:x", p("hi").network(Network::X)),
        m("network:mastodon", p("hi").network(Network::Mastodon)),
        m("is:reply", p("yes").reply(None)),
        n("is:reply", p("yes")),
        m("has:link", p("see this").links(&["https://example.com"])),
        m("has:link", p("see https://t.co/abc")),
        m("has:link", p("see www.example.com")),
        n("has:link", p("see example dot com")),
        m("has:mention", p("hi @bob")),
        m("has:mention", p("hi").mentions(&["bob"])),
        n("has:mention", p("email me@example.com")),
        m("has:hashtag", p("so #blessed")),
        m("has:hashtag", p("so").hashtags(&["blessed"])),
        n("has:hashtag", p("number #1 is c#")),
        m(
            "sentiment:negative",
            p("awful").labelled(Negative, &[], None),
        ),
        n(
            "sentiment:negative",
            p("great").labelled(Positive, &[], None),
        ),
        n("sentiment:negative", p("awful")),
        m(
            "sentiment:positive OR sentiment:neutral",
            p("ok").labelled(Neutral, &[], None),
        ),
        m(
            "intent:question",
            p("why?").labelled(Neutral, &[Intent::Question], None),
        ),
        m(
            "intent:complaint",
            p("bad").labelled(Negative, &[Intent::Question, Intent::Complaint], None),
        ),
        n(
            "intent:praise",
            p("why?").labelled(Neutral, &[Intent::Question], None),
        ),
        n("intent:question", p("why?")),
        m("intent:other", p("hmm").labelled(Neutral, &[], None)),
        n("intent:other", p("hmm")),
        n(
            "intent:other",
            p("buy").labelled(Neutral, &[Intent::Lead], None),
        ),
        m(
            "refund lang:en -from:AmazonHelp",
            p("I want a refund").lang("en").from("customer1"),
        ),
        n(
            "refund lang:en -from:AmazonHelp",
            p("about your refund").lang("en").from("AmazonHelp"),
        ),
        m("lang:fr is:reply", p("merci").lang("fr").reply(None)),
        n("lang:fr is:reply", p("merci").lang("fr")),
        m(
            "(delay OR late) sentiment:negative -is:reply",
            p("flight late again").labelled(Negative, &[], None),
        ),
        e(
            "foo:bar",
            "unknown field 'foo:' (expected from:, to:, lang:, network:, is:, has:, sentiment: or intent:) at column 1",
        ),
        e("lang:", "expected a value after 'lang:' at column 6"),
        e("apple from:", "expected a value after 'from:' at column 12"),
        e(
            "network:myspace",
            "unknown value 'myspace' for 'network:' (expected bluesky, mastodon, x or import) at column 9",
        ),
        e(
            "is:quote",
            "unknown value 'quote' for 'is:' (expected reply) at column 4",
        ),
        e(
            "has:photo",
            "unknown value 'photo' for 'has:' (expected link, mention or hashtag) at column 5",
        ),
        e(
            "sentiment:angry",
            "unknown value 'angry' for 'sentiment:' (expected negative, neutral or positive) at column 11",
        ),
        e(
            "intent:rant",
            "unknown value 'rant' for 'intent:' (expected question, complaint, praise, lead, feedback or other) at column 8",
        ),
        e(
            "lang:e_n",
            "unknown value 'e_n' for 'lang:' (expected a language tag such as en or pt-br) at column 6",
        ),
        e(
            "-lang:en",
            "expected at least one term that is not negated at column 1",
        ),
    ]);
}

#[test]
fn unicode() {
    run(vec![
        m("straße", p("STRASSE closed")),
        m("STRASSE", p("die Straße")),
        m("ｗｉｆｉ", p("wifi down")),
        m("wifi", p("ＷｉＦｉ down")),
        m("σοφία", p("ΣΟΦΊΑ")),
        m("ΣΟΦΙΑΣ", p("σοφιας")),
        m("Москва", p("в МОСКВА сегодня")),
        m("naïve", p("NAÏVE")),
        n("cafe", p("un café")),
        m("cafe", p("un café").accents()),
        m("café", p("un cafe").accents()),
        n("café", p("un cafe")),
        m("café", p("un cafe\u{301}")),
        m("ﬁle", p("file")),
        m("file", p("ﬁle")),
        m("1", p("step ①")),
        m("İstanbul", p("istanbul").accents()),
        m("router", p("router").accents()),
        m("\"creme brulee\"", p("crème brûlée").accents()),
        n("\"creme brulee\"", p("crème brûlée")),
        m("#cafe", p("x").hashtags(&["café"]).accents()),
        m("#cafe", p("#Café").accents()),
        m("@josé", p("@JOSÉ hola")),
        m("crème NEAR/1 brûlée", p("creme de brulee").accents()),
        m("love", p("love🔥it")),
        m("it", p("love🔥it")),
        m("🔥", p("this is 🔥🔥")),
        m("🔥", p("fire🔥")),
        n("🔥", p("fire")),
        m("👍", p("great 👍🏽")),
        m("pizza", p("I ❤️pizza")),
        m("❤", p("I ❤️ pizza")),
        m("東京", p("我去東京了")),
        n("東京", p("東 and 京")),
        m("wifi", p("wi\u{200b}fi")),
        m("hello", p("hello\u{00a0}world")),
        m("नमस्ते", p("नमस्ते दोस्तों")),
        m("مرحبا", p("مرحبا بالعالم")),
        m("über*", p("ÜBERALL")),
        m("\"ünïcödé text\"", p("ÜNÏCÖDÉ TEXT")),
    ]);
}
