//! Language detection on the non-English customer tweets in ../shared/data/twcs.

use rapport_nlp::detect_language;
use std::collections::HashMap;

fn twcs() -> HashMap<String, String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/twcs/twcs_head_5000.csv"
    );
    // Only `\n` ends a record: tweet 3399 holds bare `\r` characters inside its text.
    let mut reader = csv::ReaderBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_path(path)
        .unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (id, text) = (col("tweet_id"), col("text"));
    reader
        .records()
        .map(|r| r.unwrap())
        .map(|r| (r[id].to_string(), r[text].to_string()))
        .collect()
}

#[test]
fn detects_the_languages_of_real_customer_tweets() {
    let tweets = twcs();
    let cases = [
        ("270", "ja"), // @AmazonHelp ありがとうございます。 今、電話で主人が対応していただいてます。
        ("325", "ja"), // amazonプライムビデオ、再生エラーが多いです
        ("747", "es"), // Hola @AppleSupport necesito urgente la actualización de software...
        ("1458", "es"), // @AskPlayStation compre una tarjeta de 50$, la metí y no se me acreditaron...
        ("2260", "es"), // @AskPlayStation Pero un cobro con la misma información me lo tomo...
        ("306", "fr"),  // Quand ton @115783 ne ressemble pas à celui que tu as réservé, &amp; ...
        ("1785", "tr"), // @AppleSupport epıl bana yardımcı olur musun telefon internet konusunda...
        ("172", "en"),  // @ChipotleTweets Thanks Becky! Just feeling sorry for myself because ...
    ];
    for (id, want) in cases {
        let text = &tweets[id];
        assert_eq!(
            detect_language(text, None).as_deref(),
            Some(want),
            "tweet {id}: {text}"
        );
    }
}

#[test]
fn most_customer_tweets_are_english_and_entities_do_not_count() {
    let tweets = twcs();
    let detected: Vec<_> = tweets
        .values()
        .filter_map(|t| detect_language(t, None))
        .collect();
    let english = detected.iter().filter(|l| *l == "en").count();
    assert!(
        detected.len() > 3500,
        "{} of {} detected",
        detected.len(),
        tweets.len()
    );
    assert!(english as f64 / detected.len() as f64 > 0.95);
    // Links and tags added to a real Spanish tweet do not change the answer.
    let plain = &tweets["2262"];
    let noisy = format!("{plain} https://t.co/qNoFVu2B70 #ayuda #PlayStation @AskPlayStation");
    assert_eq!(detect_language(plain, None).as_deref(), Some("es"));
    assert_eq!(detect_language(&noisy, None).as_deref(), Some("es"));
}
