//! Emoticons and emoji: what counts as one, and which way an emoticon leans.

/// Western and eastern emoticons with their canonical form and polarity (-1, 0, +1). Longer
/// patterns come before their prefixes so the longest one wins.
pub(crate) const EMOTICONS: &[(&str, &str, i8)] = &[
    (":'-(", ":'(", -1),
    (":'(", ":'(", -1),
    (":')", ":')", 1),
    ("</3", "</3", -1),
    ("<3", "<3", 1),
    ("^_^", "^_^", 1),
    ("^^", "^_^", 1),
    ("-_-", "-_-", -1),
    ("T_T", "T_T", -1),
    ("o_O", "o_O", 0),
    ("O_o", "o_O", 0),
    (":-)", ":)", 1),
    (":-(", ":(", -1),
    (":-D", ":D", 1),
    (":-P", ":P", 1),
    (":-p", ":P", 1),
    (":-/", ":/", -1),
    (":-|", ":|", 0),
    (":-*", ":*", 1),
    (":-O", ":O", 0),
    (":-o", ":O", 0),
    (";-)", ";)", 1),
    (";-D", ";D", 1),
    ("=-)", ":)", 1),
    (":)", ":)", 1),
    (":]", ":)", 1),
    (":}", ":)", 1),
    ("=)", ":)", 1),
    ("=]", ":)", 1),
    ("(:", ":)", 1),
    (":(", ":(", -1),
    (":[", ":(", -1),
    ("=(", ":(", -1),
    ("):", ":(", -1),
    (":D", ":D", 1),
    ("=D", ":D", 1),
    ("xD", ":D", 1),
    ("XD", ":D", 1),
    (";D", ";D", 1),
    (";)", ";)", 1),
    (";]", ";)", 1),
    (":P", ":P", 1),
    (":p", ":P", 1),
    (";P", ":P", 1),
    (";p", ":P", 1),
    (":/", ":/", -1),
    (":\\", ":/", -1),
    (":|", ":|", 0),
    (":*", ":*", 1),
    (":O", ":O", 0),
    (":o", ":O", 0),
    (":S", ":S", -1),
    (":s", ":S", -1),
    (":@", ":@", -1),
    (":$", ":$", 0),
];

/// The emoticon starting at byte `at`, as (end, table index). The caller has checked that the
/// character before `at` does not belong to a word.
pub(crate) fn emoticon_at(text: &str, at: usize) -> Option<(usize, usize)> {
    let rest = &text[at..];
    let first = *rest.as_bytes().first()?;
    if !matches!(
        first,
        b':' | b';' | b'=' | b'<' | b'^' | b'-' | b'T' | b'o' | b'O' | b'(' | b')' | b'x' | b'X'
    ) {
        return None;
    }
    // Every word starting with o, x or T gets here; the emoticons that start with a letter
    // (`T_T`, `o_O`, `xD`) have `_` or `D` second.
    if first.is_ascii_alphabetic() && !matches!(rest.as_bytes().get(1), Some(b'_' | b'D')) {
        return None;
    }
    let (index, pattern) = EMOTICONS
        .iter()
        .enumerate()
        .find(|(_, (p, _, _))| rest.starts_with(p))
        .map(|(i, (p, _, _))| (i, *p))?;
    // `:)))` and `:DDD` are one emoticon, said louder.
    let last = *pattern.as_bytes().last()?;
    let mut end = at + pattern.len();
    while text.as_bytes().get(end) == Some(&last) {
        end += 1;
    }
    // `:Dexter`, `xDrive`, `:pm` and `(:foo` are not emoticons.
    let next = text[end..].chars().next();
    if next.is_some_and(char::is_alphanumeric) {
        return None;
    }
    // `(:` and `):` are ambiguous next to other brackets and colons, e.g. `(8:30):`.
    if (pattern == "):" || pattern == "(:") && next.is_some_and(|c| !c.is_whitespace()) {
        return None;
    }
    Some((end, index))
}

/// Polarity of the emoticon at `index` in [`EMOTICONS`].
pub(crate) fn emoticon_polarity(index: usize) -> i8 {
    EMOTICONS[index].2
}

/// Canonical form of the emoticon at `index` in [`EMOTICONS`].
pub(crate) fn emoticon_canonical(index: usize) -> &'static str {
    EMOTICONS[index].1
}

/// Parts of an emoji grapheme that only change its look: skin tones and the emoji presentation
/// selector. Dropped from the normalized form so `👍🏽` and `👍` are the same feature.
pub(crate) fn is_emoji_modifier(c: char) -> bool {
    matches!(c as u32, 0x1F3FB..=0x1F3FF | 0xFE0F | 0xFE0E)
}
