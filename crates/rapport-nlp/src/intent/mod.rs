//! Intent classification: `question`, `complaint`, `praise`, `lead` (looking to buy or asking
//! for a recommendation) and `feedback` (a suggestion or feature request), multi-label, with the
//! features behind each label. The labelled set, the trained weights and how they were made
//! live in `data/intent/`.

mod agreement;
mod cues;
mod eval;
mod features;
mod labelled;
mod lexicon;
mod model;
mod negativity;
mod train;

pub use agreement::{LabelAgreement, SECOND_LABELS_TSV, agreement};
pub use eval::{IntentEvalReport, LabelScore, eval_intent};
pub use labelled::{
    IntentError, LABELS_TSV, LabelLine, LabelledPost, Part, load_labelled, parse_label_lines,
    part_of,
};
pub use model::{IntentModel, WEIGHTS_TSV};
pub use negativity::{NEGATIVE_WORDS_TSV, learn_negative_words, negativity_words};
pub use train::{IntentTrainParams, IntentTrainReport, train_intent, train_intent_on};
