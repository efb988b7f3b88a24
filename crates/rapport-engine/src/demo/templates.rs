//! The words of the demo stream. Written to read like real customer traffic so that topics,
//! search and (later) the inbox have something believable to show.

pub(super) struct Brand {
    pub name: &'static str,
    /// The support account that answers.
    pub care: &'static str,
    pub products: &'static [&'static str],
}

pub(super) const BRANDS: &[Brand] = &[
    Brand {
        name: "Northwind Air",
        care: "NorthwindHelp",
        products: &[
            "flight",
            "booking",
            "seat upgrade",
            "checked bag",
            "lounge pass",
        ],
    },
    Brand {
        name: "Lumen Mobile",
        care: "LumenCare",
        products: &["5G plan", "phone", "eSIM", "roaming pack", "home router"],
    },
    Brand {
        name: "Brightcart",
        care: "BrightcartHelp",
        products: &[
            "order",
            "delivery",
            "gift card",
            "subscription box",
            "return",
        ],
    },
];

pub(super) const FIRST_NAMES: &[&str] = &[
    "maria", "sam", "priya", "tom", "lea", "kofi", "yuki", "omar", "ines", "jonas", "ana", "li",
    "chloe", "ben", "fatima", "lucas", "nina", "raj", "eva", "mateo", "sara", "alex", "zoe",
    "ivan", "mia", "noah", "aisha", "leo", "emma", "kai",
];

/// `{brand}` is the care account's handle, `{product}` one of the brand's products.
pub(super) const QUESTIONS: &[&str] = &[
    "@{brand} how do I change the name on my {product}? can't find it in the app",
    "@{brand} is there a way to move my {product} to next week?",
    "hey @{brand} what's the cheapest way to add a {product}? #help",
    "@{brand} does the {product} work abroad or only at home?",
    "@{brand} quick question: when will my {product} show up in my account?",
    "anyone know if @{brand} lets you pause a {product}? asking for a friend",
];

pub(super) const COMPLAINTS: &[&str] = &[
    "@{brand} my {product} has been broken for 3 days and nobody answers. really disappointed",
    "@{brand} outage again?? {product} not working since this morning #fail",
    "@{brand} I want a refund for my {product}. this is the worst service I've had",
    "@{brand} charged twice for the same {product}, please fix this now",
    "so @{brand} cancelled my {product} without telling me. unacceptable",
    "@{brand} waited 2 hours on hold about my {product}. still no answer. cancel my account",
];

pub(super) const PRAISE: &[&str] = &[
    "shoutout to @{brand}, sorted my {product} in 5 minutes. great service!",
    "@{brand} thank you!! the {product} is perfect 😍",
    "honestly @{brand} has the best support. {product} fixed, happy customer #love",
    "@{brand} love the new {product}, well done team",
];

pub(super) const LEADS: &[&str] = &[
    "looking for a new {product}, is @{brand} any good? recommendations welcome",
    "thinking of switching to @{brand} for my {product}. worth it?",
    "@{brand} do you have a discount on the {product} for students? want to buy one this week",
];

pub(super) const FEEDBACK: &[&str] = &[
    "@{brand} would be nice if the app let me manage my {product} offline. please add it",
    "@{brand} feature request: dark mode for the {product} page",
    "@{brand} suggestion: send a reminder before the {product} renews",
];

pub(super) const BRAND_REPLIES: &[&str] = &[
    "@{customer} sorry to hear that! could you send us a DM with your account email so we can look into your {product}?",
    "@{customer} thanks for reaching out. you can change that under Settings > {product}. let us know if it helps!",
    "@{customer} we're on it. our team is checking your {product} right now.",
    "@{customer} thank you so much for the kind words, we'll pass them on to the team!",
    "@{customer} great question! the {product} can be changed up to 24 hours before. happy to help.",
];

pub(super) const FOLLOW_UPS: &[&str] = &[
    "@{brand} done, sent you a DM",
    "@{brand} still not fixed, this is taking forever",
    "@{brand} that worked, thanks!",
    "@{brand} ok but why does this keep happening?",
];

/// Listening topics the demo defines, one per kind of traffic worth watching.
pub(super) const TOPICS: &[(&str, &str)] = &[
    ("Outages", "outage OR \"not working\" OR broken OR down"),
    (
        "Refunds and billing",
        "refund* OR \"charged twice\" OR chargeback OR cancel*",
    ),
    (
        "Purchase intent",
        "\"looking for\" OR recommend* OR (switching NEAR/3 worth) OR discount",
    ),
    (
        "Praise",
        "thank* OR love OR \"great service\" OR #love -refund",
    ),
    (
        "Feature requests",
        "\"feature request\" OR suggestion OR (please NEAR/2 add)",
    ),
];

/// Topics for a twcs export: the 2017 support conversations of ~100 brands.
pub(super) const TWCS_TOPICS: &[(&str, &str)] = &[
    (
        "Battery and charging",
        "battery OR charging OR charger OR \"won't charge\"",
    ),
    (
        "Delays and cancellations",
        "delay* OR \"late flight\" OR cancel* OR stuck",
    ),
    (
        "Refunds",
        "refund* OR \"money back\" OR chargeback OR \"charged twice\"",
    ),
    (
        "Software updates",
        "(ios OR update OR app) NEAR/4 (bug OR broken OR crash* OR glitch*)",
    ),
    (
        "Praise",
        "thank* OR love OR awesome OR \"great service\" -refund",
    ),
];
