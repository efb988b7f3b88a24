//! Agreement between the two labellings of the evaluation posts (Cohen's kappa), checked on a
//! hand-worked case and measured on the 200 posts labelled twice.

use rapport_domain::{Intent, IntentSet};
use rapport_nlp::intent::{
    LABELS_TSV, Part, SECOND_LABELS_TSV, agreement, parse_label_lines, part_of,
};
use std::collections::HashMap;

fn set(intents: &[Intent]) -> IntentSet {
    intents.iter().fold(IntentSet::empty(), |s, &i| s.with(i))
}

#[test]
fn kappa_follows_the_hand_worked_case() {
    use Intent::Question;
    // Ten posts: the first labelling says question on posts 1-4, the second on 2-5. They agree
    // on 8 of 10 (0.8); by chance, with rates 0.4 and 0.4, on 0.4*0.4 + 0.6*0.6 = 0.52; kappa
    // = (0.8 - 0.52) / (1 - 0.52) = 0.5833.
    let pairs: Vec<(IntentSet, IntentSet)> = (1..=10)
        .map(|i| {
            let first = if (1..=4).contains(&i) {
                set(&[Question])
            } else {
                set(&[])
            };
            let second = if (2..=5).contains(&i) {
                set(&[Question])
            } else {
                set(&[])
            };
            (first, second)
        })
        .collect();
    let rows = agreement(&pairs);
    let q = rows.iter().find(|r| r.label == "question").unwrap();
    assert_eq!((q.posts, q.first, q.second), (10, 4, 4));
    assert!((q.observed - 0.8).abs() < 1e-9);
    assert!((q.kappa - 0.28 / 0.48).abs() < 1e-9, "{}", q.kappa);
    // `other` (no intent): posts 1 and 5 differ as well, 6-10 agree.
    let other = rows.iter().find(|r| r.label == "other").unwrap();
    assert_eq!((other.first, other.second), (6, 6));
    assert!((other.kappa - q.kappa).abs() < 1e-9);
    // A label neither labelling gives is perfect agreement, not a division by zero.
    let lead = rows.iter().find(|r| r.label == "lead").unwrap();
    assert_eq!(lead.kappa, 1.0);
}

/// The second labelling: 200 evaluation-part posts, each labelled in the first round too, read
/// afresh from `GUIDELINES.md` without the first labels. Floors are the measured kappas less
/// 0.05 (README.md, "Agreement").
#[test]
fn second_labelling_agrees_with_the_first() {
    let first: HashMap<(String, String), IntentSet> = parse_label_lines(LABELS_TSV)
        .unwrap()
        .into_iter()
        .map(|l| ((l.source, l.id), l.labels))
        .collect();
    let second = parse_label_lines(SECOND_LABELS_TSV).unwrap();
    assert_eq!(second.len(), 200);
    let pairs: Vec<(IntentSet, IntentSet)> = second
        .iter()
        .map(|l| {
            assert_eq!(
                part_of(&l.source, &l.id),
                Part::Eval,
                "{} {}",
                l.source,
                l.id
            );
            let key = (l.source.clone(), l.id.clone());
            (
                *first.get(&key).expect("labelled in the first round"),
                l.labels,
            )
        })
        .collect();
    let rows = agreement(&pairs);
    for r in &rows {
        println!(
            "{:<10} kappa {:.3}  observed {:.3}  first {:>3}  second {:>3}",
            r.label, r.kappa, r.observed, r.first, r.second
        );
    }
    let floors = [
        ("question", 0.86),
        ("complaint", 0.90),
        ("praise", 0.65),
        ("lead", 0.69),
        ("feedback", 0.73),
        ("other", 0.83),
    ];
    for (label, floor) in floors {
        let row = rows.iter().find(|r| r.label == label).unwrap();
        assert!(
            row.kappa >= floor,
            "{label} kappa {:.3} < {floor}",
            row.kappa
        );
    }
}
