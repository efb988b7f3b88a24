//! The arithmetic behind every reported figure, checked against confusion matrices worked out
//! by hand: a transposed matrix, or precision and recall swapped, fails here.

use rapport_domain::{Intent, IntentSet, SentimentLabel};
use rapport_nlp::intent::IntentEvalReport;
use rapport_nlp::sentiment::EvalReport;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// `count` copies of (gold, predicted).
fn pairs(
    cells: &[(SentimentLabel, SentimentLabel, usize)],
) -> Vec<(SentimentLabel, SentimentLabel)> {
    cells
        .iter()
        .flat_map(|&(g, p, n)| std::iter::repeat_n((g, p), n))
        .collect()
}

#[test]
fn sentiment_scores_follow_the_hand_worked_matrix() {
    use SentimentLabel::{Negative as N, Neutral as U, Positive as P};
    //              predicted N  U  P
    // gold negative          5  2  1   (8)
    // gold neutral           1  3  0   (4)
    // gold positive          0  2  6   (8)
    // predicted totals       6  7  7   20 posts, 14 right
    let report = EvalReport::from_pairs(pairs(&[
        (N, N, 5),
        (N, U, 2),
        (N, P, 1),
        (U, N, 1),
        (U, U, 3),
        (P, U, 2),
        (P, P, 6),
    ]));
    assert_eq!(report.confusion, [[5, 2, 1], [1, 3, 0], [0, 2, 6]]);
    // `rapport eval sentiment` prints the same matrix, gold in rows.
    let text = report.to_string();
    let neutral_row = text.lines().rev().nth(1).unwrap_or_default();
    assert_eq!(
        neutral_row.split_whitespace().collect::<Vec<_>>(),
        ["neutral", "1", "3", "0"],
        "{text}"
    );
    assert_eq!(report.posts, 20);
    assert!(close(report.accuracy, 14.0 / 20.0));
    let [neg, neu, pos] = [&report.classes[0], &report.classes[1], &report.classes[2]];
    assert_eq!((neg.label, neu.label, pos.label), (N, U, P));
    assert_eq!((neg.support, neu.support, pos.support), (8, 4, 8));
    // Recall: right among the gold label; precision: right among the predictions.
    assert!(close(neg.recall, 5.0 / 8.0) && close(neg.precision, 5.0 / 6.0));
    assert!(close(neu.recall, 3.0 / 4.0) && close(neu.precision, 3.0 / 7.0));
    assert!(close(pos.recall, 6.0 / 8.0) && close(pos.precision, 6.0 / 7.0));
    // F1 = 2 TP / (2 TP + FP + FN).
    assert!(close(neg.f1, 10.0 / 14.0));
    assert!(close(neu.f1, 6.0 / 11.0));
    assert!(close(pos.f1, 12.0 / 15.0));
    assert!(close(
        report.macro_recall,
        (5.0 / 8.0 + 3.0 / 4.0 + 6.0 / 8.0) / 3.0
    ));
    assert!(close(
        report.macro_f1,
        (10.0 / 14.0 + 6.0 / 11.0 + 12.0 / 15.0) / 3.0
    ));
    assert!(close(report.f1_pn, (10.0 / 14.0 + 12.0 / 15.0) / 2.0));
}

#[test]
fn a_class_never_predicted_scores_zero_not_nan() {
    use SentimentLabel::{Negative as N, Neutral as U, Positive as P};
    let report = EvalReport::from_pairs(pairs(&[(N, N, 2), (U, N, 1), (P, U, 3)]));
    let pos = &report.classes[2];
    assert_eq!(
        (pos.support, pos.precision, pos.recall, pos.f1),
        (3, 0.0, 0.0, 0.0)
    );
    assert!(close(report.macro_recall, (1.0 + 0.0 + 0.0) / 3.0));
    assert!(report.macro_f1.is_finite());
}

fn set(intents: &[Intent]) -> IntentSet {
    intents
        .iter()
        .fold(IntentSet::empty(), |set, &intent| set.with(intent))
}

#[test]
fn intent_scores_follow_the_hand_worked_counts() {
    use Intent::{Complaint, Lead, Question};
    // Six posts, gold -> predicted:
    // 1 {question}            -> {question}            question TP
    // 2 {question, complaint} -> {complaint}           question FN, complaint TP
    // 3 {complaint}           -> {question, complaint} question FP, complaint TP
    // 4 {}                    -> {lead}                lead FP, other FN
    // 5 {lead}                -> {}                    lead FN, other FP
    // 6 {}                    -> {}                    other TP
    let report = IntentEvalReport::from_pairs(&[
        (set(&[Question]), set(&[Question])),
        (set(&[Question, Complaint]), set(&[Complaint])),
        (set(&[Complaint]), set(&[Question, Complaint])),
        (set(&[]), set(&[Lead])),
        (set(&[Lead]), set(&[])),
        (set(&[]), set(&[])),
    ]);
    assert_eq!(report.posts, 6);
    // Posts 1 and 6 have exactly the gold set.
    assert!(close(report.exact_match, 2.0 / 6.0));

    let question = report.label("question").unwrap();
    assert_eq!(
        (
            question.support,
            question.predicted,
            question.true_positives
        ),
        (2, 2, 1)
    );
    assert!(close(question.precision, 0.5) && close(question.recall, 0.5));
    assert!(close(question.f1, 0.5));

    let complaint = report.label("complaint").unwrap();
    assert_eq!(
        (
            complaint.support,
            complaint.predicted,
            complaint.true_positives
        ),
        (2, 2, 2)
    );
    assert!(close(complaint.f1, 1.0));

    let lead = report.label("lead").unwrap();
    assert_eq!(
        (lead.support, lead.predicted, lead.true_positives),
        (1, 1, 0)
    );
    assert_eq!((lead.precision, lead.recall, lead.f1), (0.0, 0.0, 0.0));

    let other = report.label("other").unwrap();
    assert_eq!(
        (other.support, other.predicted, other.true_positives),
        (2, 2, 1)
    );
    assert!(close(other.f1, 0.5));

    let praise = report.label("praise").unwrap();
    assert_eq!((praise.support, praise.predicted, praise.f1), (0, 0, 0.0));

    // Rows gold, columns predicted, in the order question, complaint, praise, lead, feedback,
    // other; post 2 counts for question -> complaint and complaint -> complaint, post 3 for
    // complaint -> question and complaint -> complaint.
    assert_eq!(
        report.confusion,
        [
            [1, 1, 0, 0, 0, 0],
            [1, 2, 0, 0, 0, 0],
            [0, 0, 0, 0, 0, 0],
            [0, 0, 0, 0, 0, 1],
            [0, 0, 0, 0, 0, 0],
            [0, 0, 0, 1, 0, 1],
        ]
    );
    // `rapport eval intent` prints the matrix under the scores, one row per gold label.
    let text = report.to_string();
    let rows: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("confusion"))
        .collect();
    assert_eq!(rows.len(), 8, "{text}");
    assert_eq!(
        rows[3].split_whitespace().collect::<Vec<_>>(),
        ["complaint", "1", "2", "0", "0", "0", "0"]
    );
    assert_eq!(
        rows[7].split_whitespace().collect::<Vec<_>>(),
        ["other", "0", "0", "0", "1", "0", "1"]
    );
}

/// The case above is symmetric (each label's support equals its predictions, and its matrix
/// equals its transpose), so it could not tell precision from recall or rows from columns;
/// this one can: a transposed matrix or swapped precision and recall fails it.
#[test]
fn intent_scores_tell_gold_from_predicted() {
    use Intent::{Complaint, Feedback, Lead, Praise, Question};
    // Five posts, gold -> predicted:
    // 1 {question} -> {question, lead}   question TP, lead FP
    // 2 {question} -> {complaint}        question FN, complaint FP
    // 3 {question} -> {question}         question TP
    // 4 {feedback} -> {}                 feedback FN, other FP
    // 5 {praise}   -> {praise}           praise TP
    let report = IntentEvalReport::from_pairs(&[
        (set(&[Question]), set(&[Question, Lead])),
        (set(&[Question]), set(&[Complaint])),
        (set(&[Question]), set(&[Question])),
        (set(&[Feedback]), set(&[])),
        (set(&[Praise]), set(&[Praise])),
    ]);
    assert_eq!(report.posts, 5);
    assert!(close(report.exact_match, 2.0 / 5.0));
    let row = |label: &str| {
        let l = report.label(label).unwrap();
        (l.support, l.predicted, l.true_positives)
    };
    assert_eq!(row("question"), (3, 2, 2));
    assert_eq!(row("complaint"), (0, 1, 0));
    assert_eq!(row("praise"), (1, 1, 1));
    assert_eq!(row("lead"), (0, 1, 0));
    assert_eq!(row("feedback"), (1, 0, 0));
    assert_eq!(row("other"), (0, 1, 0));
    // Precision: right among the predictions (2 of 2); recall: right among the gold (2 of 3).
    let question = report.label("question").unwrap();
    assert!(close(question.precision, 1.0), "{}", question.precision);
    assert!(close(question.recall, 2.0 / 3.0), "{}", question.recall);
    assert!(close(question.f1, 0.8));
    let feedback = report.label("feedback").unwrap();
    assert_eq!(
        (feedback.precision, feedback.recall, feedback.f1),
        (0.0, 0.0, 0.0)
    );
    // Rows gold, columns predicted (question, complaint, praise, lead, feedback, other).
    assert_eq!(
        report.confusion,
        [
            [2, 1, 0, 1, 0, 0],
            [0, 0, 0, 0, 0, 0],
            [0, 0, 1, 0, 0, 0],
            [0, 0, 0, 0, 0, 0],
            [0, 0, 0, 0, 0, 1],
            [0, 0, 0, 0, 0, 0],
        ]
    );
    let text = report.to_string();
    let rows: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("confusion"))
        .collect();
    assert_eq!(
        rows[2].split_whitespace().collect::<Vec<_>>(),
        ["question", "2", "1", "0", "1", "0", "0"],
        "{text}"
    );
    assert_eq!(
        rows[6].split_whitespace().collect::<Vec<_>>(),
        ["feedback", "0", "0", "0", "0", "0", "1"],
        "{text}"
    );
}
