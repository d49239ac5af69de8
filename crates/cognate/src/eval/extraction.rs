//! Main-text extraction (boilerplate removal) on the trafilatura evaluation set, and
//! a gold-text mode with token precision/recall.
//!
//! The trafilatura set (repository adbar/trafilatura, `tests/evaldata.json` with the
//! pages in `tests/cache/` and `tests/eval/`) annotates each page with a few snippets
//! that must be in the extracted text (`with`) and a few that must not (`without`).
//! Scoring follows its `tests/eval_common.py`: after collapsing whitespace, each
//! `with` snippet found is a true positive and each missing one a false negative, each
//! `without` snippet found a false positive and each absent one a true negative;
//! counts are summed over pages (micro average) before precision, recall, accuracy
//! and F1 are taken. A page whose extraction fails (panics) counts as a full miss.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::time::Instant;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::metrics::{Prf, TokenCounts};
use super::report::{Table, fmt3};
use crate::error::{Error, Result};

/// One annotated page of the trafilatura set.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExtractionCase {
    /// The page's URL (the key in `evaldata.json`).
    pub url: String,
    /// File name under `cache/` or `eval/`.
    pub file: String,
    pub html: String,
    /// Snippets that must be in the extracted text.
    pub with: Vec<String>,
    /// Snippets that must not be.
    pub without: Vec<String>,
    /// True when the page was not UTF-8 and was decoded as Windows-1252.
    pub transcoded: bool,
}

/// An entry of `evaldata.json`, without its page.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct EvalEntry {
    #[serde(skip)]
    pub url: String,
    pub file: String,
    #[serde(default)]
    pub with: Vec<String>,
    #[serde(default)]
    pub without: Vec<String>,
}

/// Parses `evaldata.json` (a map URL → {"file", "with", "without", and metadata that is
/// ignored}), sorted by URL as trafilatura's evaluation iterates it.
pub fn parse_evaldata(json: &str, input: &str) -> Result<Vec<EvalEntry>> {
    let map: std::collections::BTreeMap<String, EvalEntry> =
        serde_json::from_str(json).map_err(|e| Error::format(input, e.to_string()))?;
    Ok(map
        .into_iter()
        .map(|(url, mut e)| {
            e.url = url;
            e
        })
        .collect())
}

/// Decodes a page: UTF-8 when valid; otherwise the charset its `<meta>` declares, as
/// `cognate clean` reads an HTML file (a page declaring UTF-8 with a few invalid bytes
/// stays UTF-8, the bytes replaced); otherwise Windows-1252 (a superset of ISO-8859-1
/// for printable text). Returns the text and whether it was not valid UTF-8.
pub fn decode_html(bytes: &[u8]) -> (String, bool) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), false),
        Err(_) if crate::ingest::meta_charset(bytes).is_some() => {
            (crate::ingest::decode_html(bytes, None).text, true)
        }
        Err(_) => (bytes.iter().map(|&b| cp1252(b)).collect(), true),
    }
}

fn cp1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9f => HIGH[(b - 0x80) as usize],
        _ => b as char,
    }
}

/// Loads the set from trafilatura's `tests` folder: `evaldata.json`, each page looked
/// up in `cache/` then `eval/` (as `eval_common.resolve` does).
pub fn load_trafilatura(tests_dir: impl AsRef<Path>) -> Result<Vec<ExtractionCase>> {
    let dir = tests_dir.as_ref();
    let json_path = dir.join("evaldata.json");
    let json = std::fs::read_to_string(&json_path).map_err(|e| Error::io(&json_path, e))?;
    let entries = parse_evaldata(&json, &json_path.display().to_string())?;
    entries
        .into_iter()
        .map(|e| {
            let path = ["cache", "eval"]
                .iter()
                .map(|sub| dir.join(sub).join(&e.file))
                .find(|p| p.is_file())
                .ok_or_else(|| {
                    Error::format(
                        json_path.display().to_string(),
                        format!("{}: page not found: {}", e.url, e.file),
                    )
                })?;
            let bytes = std::fs::read(&path).map_err(|err| Error::io(&path, err))?;
            let (html, transcoded) = decode_html(&bytes);
            Ok(ExtractionCase {
                url: e.url,
                file: e.file,
                html,
                with: e.with,
                without: e.without,
                transcoded,
            })
        })
        .collect()
}

/// Whitespace runs collapsed to one space, trimmed (trafilatura's `norm`).
pub fn normalize_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Snippet counts: true/false positives and negatives.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Confusion {
    pub tp: u64,
    pub fp: u64,
    #[serde(rename = "fn")]
    pub fn_: u64,
    pub tn: u64,
}

impl Confusion {
    pub fn add(&mut self, o: Confusion) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
        self.tn += o.tn;
    }

    fn ratio(num: u64, den: u64) -> f64 {
        if den == 0 {
            0.0
        } else {
            num as f64 / den as f64
        }
    }

    /// `tp / (tp + fp)`, 0 when empty (as trafilatura's `ConfusionMatrix.scores`).
    pub fn precision(&self) -> f64 {
        Self::ratio(self.tp, self.tp + self.fp)
    }
    /// `tp / (tp + fn)`: the share of `with` snippets kept.
    pub fn recall(&self) -> f64 {
        Self::ratio(self.tp, self.tp + self.fn_)
    }
    pub fn accuracy(&self) -> f64 {
        Self::ratio(self.tp + self.tn, self.tp + self.tn + self.fp + self.fn_)
    }
    /// `2tp / (2tp + fp + fn)`.
    pub fn f1(&self) -> f64 {
        Self::ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_)
    }
    /// `tn / (tn + fp)`: the share of `without` snippets dropped.
    pub fn dropped(&self) -> f64 {
        Self::ratio(self.tn, self.tn + self.fp)
    }
}

/// How one page fared.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CaseResult {
    pub url: String,
    pub counts: Confusion,
    /// `with` snippets missing from the extraction.
    pub missed: Vec<String>,
    /// `without` snippets present in the extraction.
    pub leaked: Vec<String>,
    /// The extractor panicked on this page.
    pub error: bool,
    pub extracted_chars: usize,
    pub seconds: f64,
}

/// Scores one page's extraction (`None`: the extractor failed).
pub fn score_case(case: &ExtractionCase, extracted: Option<&str>) -> CaseResult {
    let text = extracted.map(normalize_whitespace);
    let found = |s: &String| {
        text.as_deref()
            .is_some_and(|t| t.contains(&normalize_whitespace(s)))
    };
    let missed: Vec<String> = case.with.iter().filter(|s| !found(s)).cloned().collect();
    let leaked: Vec<String> = case.without.iter().filter(|s| found(s)).cloned().collect();
    let counts = Confusion {
        tp: (case.with.len() - missed.len()) as u64,
        fn_: missed.len() as u64,
        fp: leaked.len() as u64,
        tn: (case.without.len() - leaked.len()) as u64,
    };
    CaseResult {
        url: case.url.clone(),
        counts,
        missed,
        leaked,
        error: extracted.is_none(),
        extracted_chars: extracted.map_or(0, |t| t.chars().count()),
        seconds: 0.0,
    }
}

/// What [`run_extraction`] measured.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExtractionReport {
    pub pages: usize,
    pub errors: usize,
    pub counts: Confusion,
    pub precision: f64,
    pub recall: f64,
    pub accuracy: f64,
    pub f1: f64,
    /// Share of `with` snippets kept (= recall).
    pub with_kept: f64,
    /// Share of `without` snippets dropped.
    pub without_dropped: f64,
    /// Wall-clock seconds for the whole run (parallel).
    pub wall_seconds: f64,
    /// Sum of the per-page extraction times (one core's worth of work).
    pub extract_seconds: f64,
    /// Pages per wall-clock second.
    pub pages_per_sec: f64,
    /// Pages per second of extraction time on one core.
    pub pages_per_core_sec: f64,
    /// Per page, in input order.
    pub cases: Vec<CaseResult>,
}

impl ExtractionReport {
    pub fn from_results(cases: Vec<CaseResult>, wall_seconds: f64) -> Self {
        let mut counts = Confusion::default();
        for c in &cases {
            counts.add(c.counts);
        }
        let extract_seconds: f64 = cases.iter().map(|c| c.seconds).sum();
        let per = |s: f64| {
            if s > 0.0 { cases.len() as f64 / s } else { 0.0 }
        };
        ExtractionReport {
            pages: cases.len(),
            errors: cases.iter().filter(|c| c.error).count(),
            precision: counts.precision(),
            recall: counts.recall(),
            accuracy: counts.accuracy(),
            f1: counts.f1(),
            with_kept: counts.recall(),
            without_dropped: counts.dropped(),
            pages_per_sec: per(wall_seconds),
            pages_per_core_sec: per(extract_seconds),
            wall_seconds,
            extract_seconds,
            counts,
            cases,
        }
    }

    /// The summary as a one-row table.
    pub fn table(&self) -> Table {
        let mut t = Table::new([
            "pages",
            "errors",
            "precision",
            "recall",
            "accuracy",
            "F1",
            "with kept",
            "without dropped",
            "pages/s",
        ]);
        t.row([
            self.pages.to_string(),
            self.errors.to_string(),
            fmt3(self.precision),
            fmt3(self.recall),
            fmt3(self.accuracy),
            fmt3(self.f1),
            fmt3(self.with_kept),
            fmt3(self.without_dropped),
            format!("{:.1}", self.pages_per_sec),
        ]);
        t
    }
}

/// Runs `extract` on every page (in parallel; a panic counts as a failed page) and
/// scores the snippets.
pub fn run_extraction(
    cases: &[ExtractionCase],
    extract: impl Fn(&str) -> String + Sync,
) -> ExtractionReport {
    let start = Instant::now();
    let results: Vec<CaseResult> = cases
        .par_iter()
        .map(|case| {
            let t = Instant::now();
            let out = catch_unwind(AssertUnwindSafe(|| extract(&case.html))).ok();
            let seconds = t.elapsed().as_secs_f64();
            let mut r = score_case(case, out.as_deref());
            r.seconds = seconds;
            r
        })
        .collect();
    ExtractionReport::from_results(results, start.elapsed().as_secs_f64())
}

/// A page with its gold main text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GoldTextCase {
    pub id: String,
    pub html: String,
    pub gold: String,
}

/// Token precision/recall/F1 of one page.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GoldTextResult {
    pub id: String,
    pub counts: TokenCounts,
    pub scores: Prf,
    pub error: bool,
    pub seconds: f64,
}

/// What [`run_extraction_gold`] measured.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GoldTextReport {
    pub pages: usize,
    pub errors: usize,
    /// Token counts summed over pages.
    pub counts: TokenCounts,
    /// Precision/recall/F1 of the summed counts.
    pub micro: Prf,
    /// Mean of the per-page scores.
    #[serde(rename = "macro")]
    pub macro_avg: Prf,
    pub wall_seconds: f64,
    pub pages_per_sec: f64,
    pub cases: Vec<GoldTextResult>,
}

impl GoldTextReport {
    pub fn table(&self) -> Table {
        let mut t = Table::new(["average", "pages", "precision", "recall", "F1", "pages/s"]);
        for (name, p) in [("micro", self.micro), ("macro", self.macro_avg)] {
            t.row([
                name.to_string(),
                self.pages.to_string(),
                fmt3(p.precision),
                fmt3(p.recall),
                fmt3(p.f1),
                format!("{:.1}", self.pages_per_sec),
            ]);
        }
        t
    }
}

/// Runs `extract` on every page and compares with the gold text as bags of lowercased
/// Unicode words (see [`TokenCounts`]).
pub fn run_extraction_gold(
    cases: &[GoldTextCase],
    extract: impl Fn(&str) -> String + Sync,
) -> GoldTextReport {
    let start = Instant::now();
    let results: Vec<GoldTextResult> = cases
        .par_iter()
        .map(|case| {
            let t = Instant::now();
            let out = catch_unwind(AssertUnwindSafe(|| extract(&case.html))).ok();
            let seconds = t.elapsed().as_secs_f64();
            let counts = TokenCounts::of(out.as_deref().unwrap_or(""), &case.gold);
            GoldTextResult {
                id: case.id.clone(),
                scores: counts.prf(),
                counts,
                error: out.is_none(),
                seconds,
            }
        })
        .collect();
    let wall = start.elapsed().as_secs_f64();
    let mut counts = TokenCounts::default();
    for r in &results {
        counts.add(r.counts);
    }
    let per_page: Vec<Prf> = results.iter().map(|r| r.scores).collect();
    GoldTextReport {
        pages: results.len(),
        errors: results.iter().filter(|r| r.error).count(),
        micro: counts.prf(),
        macro_avg: Prf::mean(&per_page),
        counts,
        wall_seconds: wall,
        pages_per_sec: if wall > 0.0 {
            results.len() as f64 / wall
        } else {
            0.0
        },
        cases: results,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVALDATA: &str = r#"{
        "https://b.example/2": {"file": "b.html", "with": ["Main   text\nhere"], "without": ["Impressum"],
                                "author": "X", "date": "2020-01-01"},
        "https://a.example/1": {"file": "a.html", "with": ["first", "second"], "without": ["Cookie", "Share"]}
    }"#;

    fn cases() -> Vec<ExtractionCase> {
        parse_evaldata(EVALDATA, "fixture")
            .unwrap()
            .into_iter()
            .map(|e| ExtractionCase {
                html: format!("<html><body><p>{}</p></body></html>", e.file),
                url: e.url,
                file: e.file,
                with: e.with,
                without: e.without,
                transcoded: false,
            })
            .collect()
    }

    #[test]
    fn parses_evaldata_sorted_by_url() {
        let c = cases();
        assert_eq!(c[0].url, "https://a.example/1");
        assert_eq!(c[1].with, ["Main   text\nhere"]);
        assert!(parse_evaldata("[1]", "x").is_err());
    }

    #[test]
    fn scores_snippets_like_trafilatura() {
        let c = cases();
        // Page a: keeps "first", misses "second", leaks "Share", drops "Cookie".
        // Page b: keeps the whitespace-normalized snippet, drops "Impressum".
        let r = run_extraction(&c, |html| {
            if html.contains("a.html") {
                "the first  part. Share this!".to_string()
            } else {
                "Main text   here and more".to_string()
            }
        });
        assert_eq!(
            r.counts,
            Confusion {
                tp: 2,
                fp: 1,
                fn_: 1,
                tn: 2
            }
        );
        assert!((r.precision - 2.0 / 3.0).abs() < 1e-12);
        assert!((r.recall - 2.0 / 3.0).abs() < 1e-12);
        assert!((r.accuracy - 4.0 / 6.0).abs() < 1e-12);
        assert!((r.f1 - 4.0 / 6.0).abs() < 1e-12);
        assert!((r.without_dropped - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(r.cases[0].missed, ["second"]);
        assert_eq!(r.cases[0].leaked, ["Share"]);
        assert_eq!(r.errors, 0);
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["counts"]["fn"], 1);
    }

    #[test]
    fn a_panicking_extractor_is_a_full_miss() {
        let c = cases();
        let r = run_extraction(&c, |html| {
            if html.contains("a.html") {
                panic!("boom")
            }
            String::new()
        });
        assert_eq!(r.errors, 1);
        assert_eq!(
            r.counts,
            Confusion {
                tp: 0,
                fp: 0,
                fn_: 3,
                tn: 3
            }
        );
        assert_eq!(r.precision, 0.0);
    }

    #[test]
    fn decodes_non_utf8_as_windows_1252() {
        let (s, t) = decode_html(b"Gr\xfc\xdfe \x80 \x93x\x94");
        assert!(t);
        assert_eq!(s, "Grüße € “x”");
        assert_eq!(decode_html("ü".as_bytes()), ("ü".to_string(), false));
        // Declared UTF-8 with one stray byte: the rest stays UTF-8.
        let mut bytes = "<meta charset=utf-8><p>Nie możemy ".as_bytes().to_vec();
        bytes.push(0xff);
        let (s, t) = decode_html(&bytes);
        assert!(t);
        assert!(s.contains("Nie możemy"), "{s}");
    }

    #[test]
    fn gold_text_mode() {
        let cases = vec![
            GoldTextCase {
                id: "1".into(),
                html: "<p>a b c d</p>".into(),
                gold: "a b c d".into(),
            },
            GoldTextCase {
                id: "2".into(),
                html: "<p>x</p>".into(),
                gold: "y z".into(),
            },
        ];
        let r = run_extraction_gold(&cases, |h| h.replace("<p>", " ").replace("</p>", " "));
        // Page 1: 4 of 4 tokens in common. Page 2: "x" against "y z", none in common.
        // Micro: common 4, extracted 5, gold 6 → P 0.8, R 4/6.
        assert_eq!(
            r.counts,
            TokenCounts {
                common: 4,
                extracted: 5,
                gold: 6
            }
        );
        assert!((r.micro.precision - 0.8).abs() < 1e-12);
        assert!((r.micro.recall - 4.0 / 6.0).abs() < 1e-12);
        // Macro: page 1 F1 1, page 2 F1 0 → 0.5.
        assert!((r.macro_avg.f1 - 0.5).abs() < 1e-12);
        assert!(r.table().to_string().contains("micro"));
    }
}
