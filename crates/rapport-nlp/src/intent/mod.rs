//! Intent classification: `question`, `complaint`, `praise`, `lead` (looking to buy or asking
//! for a recommendation) and `feedback` (a suggestion or feature request), multi-label, with the
//! cues behind each label. The labelled set it is measured on lives in `data/intent/`.

mod cues;
mod eval;
mod labelled;
mod model;
mod negativity;

pub use eval::{IntentEvalReport, LabelScore, eval_intent};
pub use labelled::{
    IntentError, LABELS_TSV, LabelLine, LabelledPost, Part, load_labelled, parse_label_lines,
    part_of,
};
pub use model::IntentModel;
pub use negativity::{NEGATIVE_WORDS_TSV, learn_negative_words};
