//! Near-duplicates within a language: a labelled corpus of originals and copies made
//! with known edits at known rates, and pairwise precision/recall/F1 of any tool's
//! clusters on it, per kind of edit and per rate.
//!
//! [`generate`] writes JSON lines
//! `{"id","text","lang","gold_family","gold_kind","source","edit_rate"?}`. The
//! originals are WMT texts, at most one per (WMT document, language): the source text
//! (`gold_kind` `original`) and one reference translation (`translation`), so no two
//! originals of one language are versions of each other. Every other document is a
//! variant of one original, made by one kind of edit at one rate drawn from
//! [`NearDupOptions::rates`]:
//!
//! | kind | what `edit_rate` = r means |
//! |---|---|
//! | `copy` | the original unchanged (no rate) |
//! | `deletion`, `insertion`, `substitution` | each word (character in unspaced scripts) deleted / followed by a word of the text / replaced by one, with probability r |
//! | `edit` | each word edited with probability r, by one of the three at random |
//! | `boilerplate` | cookie notices, teasers, share prompts… inserted as paragraphs, about r × the text's length |
//! | `truncation` | the last r of the characters cut (at a word end) |
//!
//! Gold: a **within-language near-duplicate pair** is two documents made from the same
//! original (`source`); a **cross-language pair** is two documents of the same WMT
//! document (`gold_family`) in different languages (only cognate looks for those).
//! [`evaluate`] scores a predicted clustering (id → cluster label) on both.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, BufRead, Write};

use serde::{Deserialize, Serialize};

use super::metrics::{Contingency, Prf};
use super::report::{Table, fmt3};
use super::rng::SplitMix64;
use super::synth::add_boilerplate;
use super::wmt::{WmtDoc, WmtKind};
use crate::error::Result;

/// The kinds of variant, in the order of [`NearDupOptions::weights`].
pub const KINDS: [&str; 7] = [
    "copy",
    "deletion",
    "insertion",
    "substitution",
    "edit",
    "boilerplate",
    "truncation",
];

/// Knobs of the near-duplicate corpus.
#[derive(Clone, Debug)]
pub struct NearDupOptions {
    /// Edit rates drawn uniformly for each variant (except copies).
    pub rates: Vec<f64>,
    /// Relative weights of the variant kinds, in [`KINDS`] order.
    pub weights: [f64; 7],
    /// Share of the documents that are originals (while WMT texts last).
    pub original_share: f64,
    /// Include one translation per WMT document (other language) as an original of its own.
    pub translations: bool,
    /// Originals have at least this many words (characters in unspaced scripts): the
    /// corpus is of articles, not chat lines.
    pub min_units: usize,
    pub id_prefix: String,
}

impl Default for NearDupOptions {
    fn default() -> Self {
        NearDupOptions {
            rates: vec![0.01, 0.05, 0.10, 0.20, 0.30],
            weights: [0.10, 0.15, 0.15, 0.15, 0.15, 0.15, 0.15],
            original_share: 0.1,
            translations: true,
            min_units: 100,
            id_prefix: "nd".to_string(),
        }
    }
}

/// One line of the corpus.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NearDupRecord {
    pub id: String,
    pub text: String,
    pub lang: String,
    pub gold_family: String,
    pub gold_kind: String,
    /// The WMT document id of the original it was made from (its own id for an original).
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edit_rate: Option<f64>,
}

/// What [`generate`] wrote.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct NearDupStats {
    pub documents: usize,
    pub originals: usize,
    /// Originals available (one per WMT document and language).
    pub available_originals: usize,
    pub by_kind: BTreeMap<String, usize>,
    pub by_lang: BTreeMap<String, usize>,
    pub bytes: u64,
}

/// The originals: per WMT document, its source text and one reference (or, without
/// one, one system translation) in each other language.
fn originals(sources: &[WmtDoc], translations: bool, min_units: usize) -> Vec<Vec<usize>> {
    let mut by_family: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, d) in sources.iter().enumerate() {
        if !d.text.trim().is_empty() && size(&d.text) >= min_units {
            by_family.entry(&d.family).or_default().push(i);
        }
    }
    let rank = |d: &WmtDoc| match d.kind {
        WmtKind::Src => 0,
        WmtKind::Ref { .. } => 1,
        WmtKind::Hyp { .. } => 2,
    };
    by_family
        .into_values()
        .map(|mut docs| {
            docs.sort_by_key(|&i| (rank(&sources[i]), sources[i].id.clone()));
            let mut langs = HashSet::new();
            docs.retain(|&i| langs.insert(sources[i].lang.clone()));
            if !translations {
                docs.truncate(1);
            }
            docs
        })
        .collect()
}

/// Writes `n` documents (originals and variants, see the module docs) as JSON lines,
/// deterministically for a seed.
pub fn generate(
    sources: &[WmtDoc],
    n: usize,
    seed: u64,
    options: &NearDupOptions,
    writer: impl Write,
) -> io::Result<NearDupStats> {
    let mut families = originals(sources, options.translations, options.min_units);
    if n > 0 && families.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "near-dup: no source documents",
        ));
    }
    let mut rng = SplitMix64::new(seed);
    rng.shuffle(&mut families);
    let available: usize = families.iter().map(Vec::len).sum();
    let want = ((n as f64 * options.original_share).ceil() as usize).clamp(n.min(1), available);
    // Originals in order: whole WMT documents, so their translations come along.
    let heads: Vec<usize> = families.into_iter().flatten().take(want).collect();
    let mut out = io::BufWriter::new(writer);
    let mut stats = NearDupStats {
        available_originals: available,
        ..NearDupStats::default()
    };
    let mut written: Vec<usize> = Vec::new();
    let weight_sum: f64 = options.weights.iter().sum();
    let mut bytes = 0u64;
    for i in 0..n {
        let left = n - i;
        let heads_left = heads.len() - written.len();
        let take_head =
            written.is_empty() || (heads_left > 0 && rng.below(left) < heads_left.max(1));
        let (src, kind, rate, text) = if take_head && heads_left > 0 {
            let s = heads[written.len()];
            written.push(s);
            let kind = match sources[s].kind {
                WmtKind::Src => "original",
                _ => "translation",
            };
            (s, kind, None, sources[s].text.clone())
        } else {
            let s = *rng.pick(&written).expect("an original is written first");
            let mut x = rng.next_f64() * weight_sum;
            let mut k = KINDS.len() - 1;
            for (j, w) in options.weights.iter().enumerate() {
                if x < *w {
                    k = j;
                    break;
                }
                x -= w;
            }
            let kind = KINDS[k];
            let rate = *rng.pick(&options.rates).unwrap_or(&0.05);
            let d = &sources[s];
            let text = match kind {
                "copy" => d.text.clone(),
                "deletion" => edit_ops(&d.text, rate, [1.0, 0.0, 0.0], &mut rng),
                "substitution" => edit_ops(&d.text, rate, [0.0, 1.0, 0.0], &mut rng),
                "insertion" => edit_ops(&d.text, rate, [0.0, 0.0, 1.0], &mut rng),
                "edit" => edit_ops(&d.text, rate, [1.0, 1.0, 1.0], &mut rng),
                "boilerplate" => {
                    let teaser = &sources[*rng.pick(&written).unwrap()].text;
                    boilerplate_share(&d.text, &d.lang, teaser, rate, &mut rng)
                }
                _ => truncate_share(&d.text, rate),
            };
            (s, kind, (kind != "copy").then_some(rate), text)
        };
        let d = &sources[src];
        let rec = NearDupRecord {
            id: format!("{}-{:07}", options.id_prefix, i),
            text,
            lang: d.lang.clone(),
            gold_family: d.family.clone(),
            gold_kind: kind.to_string(),
            source: d.id.clone(),
            edit_rate: rate,
        };
        let line = serde_json::to_vec(&rec)?;
        out.write_all(&line)?;
        out.write_all(b"\n")?;
        bytes += line.len() as u64 + 1;
        *stats.by_kind.entry(kind.to_string()).or_default() += 1;
        *stats.by_lang.entry(d.lang.clone()).or_default() += 1;
        stats.documents += 1;
    }
    out.flush()?;
    stats.originals = written.len();
    stats.bytes = bytes;
    Ok(stats)
}

/// True for a line written without spaces between words (Chinese, Japanese, Thai…).
fn unspaced(line: &str) -> bool {
    let chars = line.chars().count();
    let spaces = line.chars().filter(|c| c.is_whitespace()).count();
    chars >= 8 && spaces * 20 < chars
}

/// The edit units of a line: words, or characters in unspaced scripts.
fn units(line: &str) -> (Vec<&str>, &'static str) {
    if unspaced(line) {
        (
            line.char_indices()
                .map(|(i, c)| &line[i..i + c.len_utf8()])
                .collect(),
            "",
        )
    } else {
        (line.split(' ').filter(|w| !w.is_empty()).collect(), " ")
    }
}

/// Each unit (word, or character in unspaced scripts) is edited with probability
/// `rate`; the edit is a deletion, substitution or insertion (after it) in the
/// proportions `ops`. Inserted and substituted units are drawn from the text itself.
/// At least one edit is made when the text has a unit.
pub fn edit_ops(text: &str, rate: f64, ops: [f64; 3], rng: &mut SplitMix64) -> String {
    let lines: Vec<(Vec<&str>, &str)> = text.split('\n').map(units).collect();
    let vocab: Vec<&str> = lines.iter().flat_map(|(t, _)| t.iter().copied()).collect();
    if vocab.is_empty() {
        return text.to_string();
    }
    let total: f64 = ops.iter().sum::<f64>().max(f64::MIN_POSITIVE);
    let mut edits = 0;
    let mut out_lines: Vec<(Vec<&str>, &str)> = Vec::with_capacity(lines.len());
    for (line, sep) in &lines {
        let mut out = Vec::with_capacity(line.len() + 2);
        for &tok in line {
            if rng.next_f64() >= rate {
                out.push(tok);
                continue;
            }
            edits += 1;
            let x = rng.next_f64() * total;
            if x < ops[0] {
                // deletion
            } else if x < ops[0] + ops[1] {
                out.push(*rng.pick(&vocab).unwrap());
            } else {
                out.push(tok);
                out.push(*rng.pick(&vocab).unwrap());
            }
        }
        out_lines.push((out, sep));
    }
    if edits == 0 {
        let with: Vec<usize> = (0..out_lines.len())
            .filter(|&i| !out_lines[i].0.is_empty())
            .collect();
        let li = *rng.pick(&with).unwrap_or(&0);
        let pos = rng.below(out_lines[li].0.len() + 1);
        let word = *rng.pick(&vocab).unwrap();
        out_lines[li].0.insert(pos, word);
    }
    out_lines
        .into_iter()
        .map(|(t, sep)| t.join(sep))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Length in edit units (words, or characters in unspaced scripts).
fn size(text: &str) -> usize {
    text.split('\n').map(|l| units(l).0.len()).sum()
}

/// Inserts boilerplate lines (see [`add_boilerplate`]) until they amount to about
/// `share` of the text's length; at least one.
pub fn boilerplate_share(
    text: &str,
    lang: &str,
    teaser_from: &str,
    share: f64,
    rng: &mut SplitMix64,
) -> String {
    let base = size(text);
    let target = (base as f64 * share).ceil() as usize;
    let mut out = add_boilerplate(text, lang, teaser_from, (1, 1), rng);
    // Bounded: each line adds at least one unit.
    for _ in 0..1000 {
        if size(&out).saturating_sub(base) >= target {
            break;
        }
        out = add_boilerplate(&out, lang, teaser_from, (1, 1), rng);
    }
    out
}

/// Cuts the last `share` of the characters, back to a word end (in spaced text);
/// at least one character goes.
pub fn truncate_share(text: &str, share: f64) -> String {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    if chars.len() < 2 {
        return text.to_string();
    }
    let keep = ((chars.len() as f64 * (1.0 - share)) as usize).clamp(1, chars.len() - 1);
    let min = keep * 3 / 4;
    let end = (min.max(1)..=keep)
        .rev()
        .find(|&k| chars[k].1.is_whitespace())
        .unwrap_or(keep);
    text[..chars[end].0].trim_end().to_string()
}

/// The labels of a near-duplicate corpus (the text is not read into memory).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct NearDupLabel {
    pub id: String,
    pub lang: String,
    pub gold_family: String,
    pub gold_kind: String,
    pub source: String,
    #[serde(default)]
    pub edit_rate: Option<f64>,
}

/// Reads the labels of a corpus written by [`generate`].
pub fn read_labels(reader: impl BufRead, input: &str) -> Result<Vec<NearDupLabel>> {
    super::synth::read_labels_by_id(reader, input, |g: &NearDupLabel| &g.id)
}

/// Scores of the documents of one kind at one rate: pairwise over the pairs that
/// involve one of them, and the share put with their original.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BucketScores {
    pub kind: String,
    pub rate: Option<f64>,
    pub documents: usize,
    pub pairwise: Prf,
    /// Share of these documents in the same cluster as the original they were made from.
    pub with_original: f64,
}

/// What [`evaluate`] measured.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NearDupReport {
    pub documents: usize,
    /// Documents with no predicted cluster (scored as singletons).
    pub missing_predictions: usize,
    /// Same-language pairs: positive when made from the same original.
    pub within_language: Prf,
    /// The same, counting only variants at rates up to 0.10 (and copies, originals).
    pub within_language_up_to_10: Prf,
    pub by_lang: Vec<(String, Prf)>,
    pub by_kind_rate: Vec<BucketScores>,
    pub by_rate: Vec<BucketScores>,
    /// Pairs in different languages: positive when of the same WMT document.
    pub cross_language: Prf,
}

/// Per bucket: documents, true, predicted and gold pairs they are in, and how many are
/// with their original.
type Tally = (usize, u64, u64, u64, usize);

fn pairs(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

/// Scores a predicted clustering (id → label) on a near-duplicate corpus. A predicted
/// cluster that spans languages is cut at the language border for the within-language
/// scores; the cross-language scores count only pairs across languages.
pub fn evaluate(labels: &[NearDupLabel], predicted: &HashMap<String, String>) -> NearDupReport {
    let mut missing = 0;
    let preds: Vec<String> = labels
        .iter()
        .map(|g| match predicted.get(&g.id) {
            Some(p) => format!("p:{p}"),
            None => {
                missing += 1;
                format!("missing:{}", g.id)
            }
        })
        .collect();
    // Within a language: gold = source, predicted = (language, label).
    let mut cell: HashMap<(&str, &str), u64> = HashMap::new();
    let mut pred_size: HashMap<(&str, &str), u64> = HashMap::new();
    let mut gold_size: HashMap<&str, u64> = HashMap::new();
    for (g, p) in labels.iter().zip(&preds) {
        *cell.entry((&g.source, p)).or_default() += 1;
        *pred_size.entry((&g.lang, p)).or_default() += 1;
        *gold_size.entry(&g.source).or_default() += 1;
    }
    let scores_of = |keep: &dyn Fn(&NearDupLabel) -> bool| -> Prf {
        Contingency::from_pairs(
            labels
                .iter()
                .zip(&preds)
                .filter(|(g, _)| keep(g))
                .map(|(g, p)| (g.source.as_str(), (g.lang.as_str(), p.as_str()))),
        )
        .pairwise()
    };
    let within_language = scores_of(&|_| true);
    let within_language_up_to_10 = scores_of(&|g| g.edit_rate.is_none_or(|r| r <= 0.10 + 1e-9));
    let langs: Vec<String> = labels
        .iter()
        .map(|g| g.lang.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let by_lang = langs
        .into_iter()
        .map(|l| {
            let prf = scores_of(&|g| g.lang == l);
            (l, prf)
        })
        .collect();
    // The cluster label of each original, for "put with its original".
    let head_pred: HashMap<&str, &str> = labels
        .iter()
        .zip(&preds)
        .filter(|(g, _)| g.gold_kind == "original" || g.gold_kind == "translation")
        .map(|(g, p)| (g.source.as_str(), p.as_str()))
        .collect();
    // Per document: pairs it is in (predicted, gold, both).
    let bucket = |rate_only: bool| -> Vec<BucketScores> {
        let mut acc: BTreeMap<(String, Option<u64>), Tally> = BTreeMap::new();
        for (g, p) in labels.iter().zip(&preds) {
            let kind = if rate_only {
                String::new()
            } else {
                g.gold_kind.clone()
            };
            let key = (kind, g.edit_rate.map(|r| (r * 1000.0).round() as u64));
            let e = acc.entry(key).or_default();
            e.0 += 1;
            e.1 += cell[&(g.source.as_str(), p.as_str())] - 1;
            e.2 += pred_size[&(g.lang.as_str(), p.as_str())] - 1;
            e.3 += gold_size[g.source.as_str()] - 1;
            if head_pred.get(g.source.as_str()) == Some(&p.as_str()) {
                e.4 += 1;
            }
        }
        acc.into_iter()
            .map(|((kind, rate), (docs, tp, pp, gp, with))| BucketScores {
                kind: if rate_only {
                    "all variants".to_string()
                } else {
                    kind
                },
                rate: rate.map(|r| r as f64 / 1000.0),
                documents: docs,
                pairwise: Prf::from_counts(tp, pp, gp),
                with_original: with as f64 / docs.max(1) as f64,
            })
            .collect()
    };
    let by_kind_rate = bucket(false);
    let by_rate = bucket(true)
        .into_iter()
        .filter(|b| b.rate.is_some())
        .collect();
    // Across languages: all pairs minus same-language pairs, for gold, predicted, both.
    let mut fam: HashMap<&str, u64> = HashMap::new();
    let mut fam_lang: HashMap<(&str, &str), u64> = HashMap::new();
    let mut pred_all: HashMap<&str, u64> = HashMap::new();
    let mut both: HashMap<(&str, &str), u64> = HashMap::new();
    let mut both_lang: HashMap<(&str, &str, &str), u64> = HashMap::new();
    for (g, p) in labels.iter().zip(&preds) {
        *fam.entry(&g.gold_family).or_default() += 1;
        *fam_lang.entry((&g.gold_family, &g.lang)).or_default() += 1;
        *pred_all.entry(p).or_default() += 1;
        *both.entry((&g.gold_family, p)).or_default() += 1;
        *both_lang.entry((&g.gold_family, p, &g.lang)).or_default() += 1;
    }
    let sum = |m: &mut dyn Iterator<Item = u64>| -> u64 { m.map(pairs).sum() };
    let gold_x = sum(&mut fam.values().copied()) - sum(&mut fam_lang.values().copied());
    let pred_x = sum(&mut pred_all.values().copied()) - sum(&mut pred_size.values().copied());
    let tp_x = sum(&mut both.values().copied()) - sum(&mut both_lang.values().copied());
    NearDupReport {
        documents: labels.len(),
        missing_predictions: missing,
        within_language,
        within_language_up_to_10,
        by_lang,
        by_kind_rate,
        by_rate,
        cross_language: Prf::from_counts(tp_x, pred_x, gold_x),
    }
}

impl NearDupReport {
    /// Per kind and rate, then per rate, then overall, as an aligned table.
    pub fn table(&self) -> Table {
        let mut t = Table::new(["kind", "rate", "docs", "P", "R", "F1", "with original"]);
        let rate = |r: Option<f64>| r.map_or("-".to_string(), |r| format!("{r:.2}"));
        for b in self.by_kind_rate.iter().chain(&self.by_rate) {
            t.row([
                b.kind.clone(),
                rate(b.rate),
                b.documents.to_string(),
                fmt3(b.pairwise.precision),
                fmt3(b.pairwise.recall),
                fmt3(b.pairwise.f1),
                fmt3(b.with_original),
            ]);
        }
        for (l, p) in &self.by_lang {
            t.row([
                format!("lang {l}"),
                "-".into(),
                "".into(),
                fmt3(p.precision),
                fmt3(p.recall),
                fmt3(p.f1),
                "".into(),
            ]);
        }
        let mut all = |name: &str, p: &Prf, docs: usize| {
            t.row([
                name.to_string(),
                "-".into(),
                docs.to_string(),
                fmt3(p.precision),
                fmt3(p.recall),
                fmt3(p.f1),
                String::new(),
            ]);
        };
        all(
            "within language, rates <= 0.10",
            &self.within_language_up_to_10,
            self.documents,
        );
        all(
            "within language, all",
            &self.within_language,
            self.documents,
        );
        all("across languages", &self.cross_language, self.documents);
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(family: &str, leaf: &str, lang: &str, text: &str) -> WmtDoc {
        WmtDoc {
            id: format!("{family}/{leaf}"),
            text: text.to_string(),
            lang: lang.to_string(),
            family: family.to_string(),
            file_pair: "de-en".to_string(),
            doc_id: family.to_string(),
            domain: Some("news".to_string()),
            origlang: Some("de".to_string()),
            kind: match leaf {
                "src" => WmtKind::Src,
                "ref-A" => WmtKind::Ref {
                    translator: "A".to_string(),
                },
                _ => WmtKind::Hyp {
                    system: leaf.to_string(),
                },
            },
        }
    }

    fn sources() -> Vec<WmtDoc> {
        let mut v = Vec::new();
        for f in 0..8 {
            let fam = format!("de-en/doc{f}");
            v.push(doc(&fam, "src", "de", &format!("Die Nachricht Nummer {f} ist wichtig und sie hat zwei Sätze mit vielen Wörtern.\n\nUnd einen zweiten Absatz {f}.")));
            v.push(doc(
                &fam,
                "ref-A",
                "en",
                &format!("News number {f} is important and has two sentences with many words."),
            ));
            v.push(doc(
                &fam,
                "sysB",
                "en",
                &format!("The news {f} is important."),
            ));
            v.push(doc(
                &fam,
                "sysC",
                "zh",
                &format!("第{f}号新闻很重要。它有两个句子和很多词语。"),
            ));
        }
        v
    }

    fn corpus(seed: u64, n: usize) -> (Vec<u8>, NearDupStats) {
        let mut buf = Vec::new();
        let options = NearDupOptions {
            min_units: 1,
            ..NearDupOptions::default()
        };
        let s = generate(&sources(), n, seed, &options, &mut buf).unwrap();
        (buf, s)
    }

    #[test]
    fn deterministic_and_labelled() {
        let (a, stats) = corpus(3, 300);
        assert_eq!(a, corpus(3, 300).0);
        assert_ne!(a, corpus(4, 300).0);
        assert_eq!(stats.documents, 300);
        // One original per document and language: de src, en ref (not sysB), zh sysC.
        assert_eq!(stats.available_originals, 24);
        let recs: Vec<NearDupRecord> = a
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).unwrap())
            .collect();
        assert!(!recs.iter().any(|r| r.source.ends_with("sysB")));
        let srcs = sources();
        let src: HashMap<&str, &WmtDoc> = srcs.iter().map(|d| (d.id.as_str(), d)).collect();
        for r in &recs {
            let s = src[r.source.as_str()];
            assert_eq!(r.lang, s.lang);
            assert_eq!(r.gold_family, s.family);
            match r.gold_kind.as_str() {
                "original" | "translation" | "copy" => {
                    assert_eq!(r.text, s.text);
                    assert!(r.edit_rate.is_none());
                }
                "truncation" => assert!(s.text.starts_with(&r.text) && r.text.len() < s.text.len()),
                kind => {
                    // A substitution may draw the word it replaces (from the text itself).
                    if kind != "substitution" && kind != "edit" {
                        assert_ne!(r.text, s.text, "{r:?}");
                    }
                    assert!(r.edit_rate.is_some());
                }
            }
        }
        for k in KINDS {
            assert!(stats.by_kind.get(k).copied().unwrap_or(0) > 0, "{k}");
        }
    }

    #[test]
    fn edits_follow_their_kind() {
        let mut rng = SplitMix64::new(1);
        let text = (0..200)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        let n = |s: &str| s.split(' ').count() as f64;
        let del = edit_ops(&text, 0.2, [1.0, 0.0, 0.0], &mut rng);
        assert!((n(&del) - 160.0).abs() < 25.0, "{}", n(&del));
        let ins = edit_ops(&text, 0.2, [0.0, 0.0, 1.0], &mut rng);
        assert!((n(&ins) - 240.0).abs() < 25.0);
        let sub = edit_ops(&text, 0.2, [0.0, 1.0, 0.0], &mut rng);
        assert_eq!(n(&sub), 200.0);
        assert_ne!(sub, text);
        let t = truncate_share(&text, 0.1);
        assert!(text.starts_with(&t) && t.len() < text.len() && t.len() > text.len() * 8 / 10);
        let b = boilerplate_share(&text, "en", "A teaser", 0.3, &mut rng);
        assert!(size(&b) >= 260, "{}", size(&b));
        assert_eq!(truncate_share("x", 0.5), "x");
    }

    #[test]
    fn perfect_and_merged_predictions() {
        let (buf, _) = corpus(5, 200);
        let labels = read_labels(&buf[..], "nd").unwrap();
        let perfect: HashMap<String, String> = labels
            .iter()
            .map(|g| (g.id.clone(), g.gold_family.clone()))
            .collect();
        let r = evaluate(&labels, &perfect);
        assert_eq!(r.within_language.f1, 1.0);
        assert_eq!(r.cross_language.f1, 1.0);
        assert!(r.by_kind_rate.iter().all(|b| b.with_original == 1.0));
        // Sources alone: perfect within languages, nothing across.
        let by_source: HashMap<String, String> = labels
            .iter()
            .map(|g| (g.id.clone(), g.source.clone()))
            .collect();
        let r = evaluate(&labels, &by_source);
        assert_eq!(r.within_language.f1, 1.0);
        assert_eq!(r.cross_language.recall, 0.0);
        // Everything in one cluster: recall 1, precision low.
        let one: HashMap<String, String> = labels
            .iter()
            .map(|g| (g.id.clone(), "x".to_string()))
            .collect();
        let r = evaluate(&labels, &one);
        assert_eq!(r.within_language.recall, 1.0);
        assert!(r.within_language.precision < 0.5);
        assert!(r.table().to_string().contains("across languages"));
    }
}
