//! The listening charts as SVG, written here (no script, no style attribute, so the content
//! security policy holds). Readable without colour: sentiments are told apart by pattern as
//! well as shade and named in a legend, bars carry their numbers as text, every mark has a
//! `<title>` with its figures and links to its posts, and each chart has a table beside it.
//! Every text that reaches the SVG goes through [`esc`]: topic names, handles and terms come
//! from users and posts.

use crate::api::reports_listening::{IntentsDto, ShareDto, VolumeDto};
use std::fmt::Write;

/// Escapes text for SVG content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

const W: f64 = 640.0;
const PAD_L: f64 = 48.0;
const PAD_R: f64 = 8.0;
const PAD_T: f64 = 12.0;
const PAD_B: f64 = 36.0;

/// Patterns and shades for the sentiments: dark hatching, plain light grey, dots.
const DEFS: &str = "<defs>\
<pattern id=\"p-neg\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">\
<rect width=\"6\" height=\"6\" fill=\"#f4c7c3\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#8b1a10\" stroke-width=\"3\"/></pattern>\
<pattern id=\"p-pos\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">\
<rect width=\"6\" height=\"6\" fill=\"#cfe8d5\"/><circle cx=\"3\" cy=\"3\" r=\"1.5\" fill=\"#1e6b34\"/></pattern>\
</defs>";

/// Sentiment segments from the bottom: (name, fill).
const SEGMENTS: [(&str, &str); 4] = [
    ("negative", "url(#p-neg)"),
    ("neutral", "#c9ced6"),
    ("positive", "url(#p-pos)"),
    ("unlabelled", "#ffffff"),
];

fn open(id: &str, title: &str, desc: &str, height: f64) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {height}\" width=\"100%\" \
         role=\"img\" aria-labelledby=\"{id}-t {id}-d\" class=\"chart\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>{DEFS}",
        esc(title),
        esc(desc)
    )
}

/// A round upper bound for an axis: 1, 2 or 5 times a power of ten.
fn nice_max(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|v| *v >= max)
        .unwrap_or(10.0 * p)
}

fn legend(out: &mut String, y: f64) {
    let mut x = PAD_L;
    for (name, fill) in SEGMENTS {
        let _ = write!(
            out,
            "<rect x=\"{x}\" y=\"{y}\" width=\"12\" height=\"12\" fill=\"{fill}\" stroke=\"#333\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"11\">{name}</text>",
            x + 16.0,
            y + 10.0
        );
        x += 110.0;
    }
}

/// Stacked bars of posts per bucket, by sentiment, each bar linking to its posts.
pub fn volume(v: &VolumeDto) -> String {
    let h = 260.0;
    let mut out = open(
        "vol",
        "Posts over time by sentiment",
        &format!(
            "{} posts from {} to {} by {}; the table below lists every bar",
            v.total.posts, v.from, v.to, v.bucket
        ),
        h + 20.0,
    );
    let max = nice_max(
        v.points
            .iter()
            .map(|p| p.sentiment.posts)
            .max()
            .unwrap_or(0) as f64,
    );
    let plot_h = h - PAD_T - PAD_B;
    let n = v.points.len().max(1) as f64;
    let slot = (W - PAD_L - PAD_R) / n;
    let bar = (slot * 0.8).max(1.0);
    axis(&mut out, max, h);
    for (i, p) in v.points.iter().enumerate() {
        let x = PAD_L + slot * i as f64 + (slot - bar) / 2.0;
        let s = &p.sentiment;
        let _ = write!(
            out,
            "<a href=\"{}\"><title>{}: {} posts, {} positive, {} neutral, {} negative, {} unlabelled</title>",
            esc(&p.posts_url),
            esc(&p.start),
            s.posts,
            s.positive,
            s.neutral,
            s.negative,
            s.unlabelled
        );
        let mut y = h - PAD_B;
        for ((_, fill), count) in
            SEGMENTS
                .iter()
                .zip([s.negative, s.neutral, s.positive, s.unlabelled])
        {
            let seg = plot_h * count as f64 / max;
            if seg > 0.0 {
                y -= seg;
                let _ = write!(
                    out,
                    "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar:.1}\" height=\"{seg:.1}\" fill=\"{fill}\" stroke=\"#333\" stroke-width=\"0.5\"/>"
                );
            }
        }
        out.push_str("</a>");
    }
    // first and last bucket under the axis
    if let (Some(first), Some(last)) = (v.points.first(), v.points.last()) {
        let _ = write!(
            out,
            "<text x=\"{PAD_L}\" y=\"{}\" font-size=\"11\">{}</text>\
             <text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
            h - PAD_B + 14.0,
            esc(&first.start[..first.start.len().min(16)]),
            W - PAD_R,
            h - PAD_B + 14.0,
            esc(&last.start[..last.start.len().min(16)]),
        );
    }
    legend(&mut out, h);
    out.push_str("</svg>");
    out
}

fn axis(out: &mut String, max: f64, h: f64) {
    let plot_h = h - PAD_T - PAD_B;
    for k in 0..=4 {
        let value = max * k as f64 / 4.0;
        let y = h - PAD_B - plot_h * k as f64 / 4.0;
        let _ = write!(
            out,
            "<line x1=\"{PAD_L}\" y1=\"{y:.1}\" x2=\"{}\" y2=\"{y:.1}\" stroke=\"#ddd\"/>\
             <text x=\"{}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
            W - PAD_R,
            PAD_L - 4.0,
            y + 4.0,
            value.round()
        );
    }
}

/// Net sentiment per bucket as points joined by a line, from -1 to 1 around a zero line;
/// buckets without labelled posts are gaps.
pub fn net(v: &VolumeDto) -> String {
    let h = 200.0;
    let mut out = open(
        "net",
        "Net sentiment over time",
        &format!(
            "(positive - negative) / labelled posts per {}, from -1 to 1; over the period {}",
            v.bucket,
            v.total
                .net_sentiment
                .map_or("none".into(), |n| format!("{n:+.2}"))
        ),
        h,
    );
    let plot_h = h - PAD_T - PAD_B;
    let y_of = |n: f64| PAD_T + plot_h * (1.0 - (n + 1.0) / 2.0);
    for (label, n) in [("+1", 1.0), ("0", 0.0), ("-1", -1.0)] {
        let y = y_of(n);
        let stroke = if n == 0.0 { "#555" } else { "#ddd" };
        let _ = write!(
            out,
            "<line x1=\"{PAD_L}\" y1=\"{y:.1}\" x2=\"{}\" y2=\"{y:.1}\" stroke=\"{stroke}\"/>\
             <text x=\"{}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{label}</text>",
            W - PAD_R,
            PAD_L - 4.0,
            y + 4.0
        );
    }
    let n = v.points.len().max(1) as f64;
    let slot = (W - PAD_L - PAD_R) / n;
    let mut path = String::new();
    for (i, p) in v.points.iter().enumerate() {
        let Some(net) = p.sentiment.net_sentiment else {
            continue;
        };
        let (x, y) = (PAD_L + slot * (i as f64 + 0.5), y_of(net));
        let _ = write!(
            path,
            "{}{x:.1},{y:.1} ",
            if path.is_empty() { "M" } else { "L" }
        );
        let _ = write!(
            out,
            "<a href=\"{}\"><title>{}: net {net:+.2} ({} positive, {} negative of {} labelled)</title>\
             <rect x=\"{:.1}\" y=\"{:.1}\" width=\"7\" height=\"7\" fill=\"#222\"/></a>",
            esc(&p.posts_url),
            esc(&p.start),
            p.sentiment.positive,
            p.sentiment.negative,
            p.sentiment.positive + p.sentiment.neutral + p.sentiment.negative,
            x - 3.5,
            y - 3.5
        );
    }
    if !path.is_empty() {
        let _ = write!(
            out,
            "<path d=\"{}\" fill=\"none\" stroke=\"#222\" stroke-width=\"1.5\"/>",
            path.trim_end()
        );
    }
    out.push_str("</svg>");
    out
}

/// Horizontal bars with their label and figure written beside them.
fn hbars(id: &str, title: &str, desc: &str, rows: &[(String, u64, String, String)]) -> String {
    let row_h = 26.0;
    let h = PAD_T + row_h * rows.len().max(1) as f64 + 8.0;
    let mut out = open(id, title, desc, h);
    let label_w = 170.0;
    let bar_w = W - label_w - 150.0;
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1) as f64;
    for (i, (label, n, figure, href)) in rows.iter().enumerate() {
        let y = PAD_T + row_h * i as f64;
        let w = bar_w * *n as f64 / max;
        let short: String = label.chars().take(24).collect();
        let _ = write!(
            out,
            "<a href=\"{}\"><title>{}: {}</title>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"end\">{}</text>\
             <rect x=\"{label_w}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"18\" fill=\"#5b7fa6\" stroke=\"#333\" stroke-width=\"0.5\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\">{}</text></a>",
            esc(href),
            esc(label),
            esc(figure),
            label_w - 6.0,
            y + 13.0,
            esc(&short),
            label_w + w + 6.0,
            y + 13.0,
            esc(figure)
        );
    }
    out.push_str("</svg>");
    out
}

/// Share of voice: one bar per topic, its posts and share written beside it.
pub fn share(s: &ShareDto) -> String {
    let rows: Vec<(String, u64, String, String)> = s
        .topics
        .iter()
        .map(|t| {
            (
                t.topic.clone(),
                t.sentiment.posts,
                format!("{} posts, {:.1}%", t.sentiment.posts, t.share * 100.0),
                t.posts_url.clone(),
            )
        })
        .collect();
    hbars(
        "sov",
        "Share of voice",
        "Each topic's posts over the posts of every topic compared",
        &rows,
    )
}

/// The intent mix: one bar per intent.
pub fn intents(m: &IntentsDto) -> String {
    let rows: Vec<(String, u64, String, String)> = m
        .intents
        .iter()
        .map(|i| {
            (
                i.intent.clone(),
                i.posts,
                format!("{} posts, {:.1}%", i.posts, i.share * 100.0),
                i.posts_url.clone(),
            )
        })
        .collect();
    hbars(
        "int",
        "Intent mix",
        "Posts per intent; a post with two intents counts for both",
        &rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_svg() {
        assert_eq!(
            esc("<script>\"a\" & 'b'</script>"),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;"
        );
    }

    #[test]
    fn axes_end_on_round_numbers() {
        for (max, want) in [
            (0.0, 1.0),
            (7.0, 10.0),
            (12.0, 20.0),
            (480.0, 500.0),
            (1000.0, 1000.0),
        ] {
            assert_eq!(nice_max(max), want, "{max}");
        }
    }
}
