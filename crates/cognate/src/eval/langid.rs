//! Language identification on lingua's test sentences.
//!
//! The data is lingua's `language-testdata/sentences/<code>.txt` (repository
//! pemistahl/lingua-py): one file per language named by its ISO 639-1 code (`en.txt`,
//! `nb.txt`, `zh.txt`…, 75 languages), one sentence per line. Full English language
//! names (`english.txt`) and ISO 639-3 codes are mapped to ISO 639-1 too.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use super::report::{Table, fmt3};
use crate::error::{Error, Result};

/// One sentence and its gold language (ISO 639-1 where the language has a code).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LangIdCase {
    pub lang: String,
    pub text: String,
}

/// Lingua's 75 languages: English name and ISO 639-1 code.
const LANGUAGES: [(&str, &str); 75] = [
    ("afrikaans", "af"),
    ("albanian", "sq"),
    ("arabic", "ar"),
    ("armenian", "hy"),
    ("azerbaijani", "az"),
    ("basque", "eu"),
    ("belarusian", "be"),
    ("bengali", "bn"),
    ("bokmal", "nb"),
    ("bosnian", "bs"),
    ("bulgarian", "bg"),
    ("catalan", "ca"),
    ("chinese", "zh"),
    ("croatian", "hr"),
    ("czech", "cs"),
    ("danish", "da"),
    ("dutch", "nl"),
    ("english", "en"),
    ("esperanto", "eo"),
    ("estonian", "et"),
    ("finnish", "fi"),
    ("french", "fr"),
    ("ganda", "lg"),
    ("georgian", "ka"),
    ("german", "de"),
    ("greek", "el"),
    ("gujarati", "gu"),
    ("hebrew", "he"),
    ("hindi", "hi"),
    ("hungarian", "hu"),
    ("icelandic", "is"),
    ("indonesian", "id"),
    ("irish", "ga"),
    ("italian", "it"),
    ("japanese", "ja"),
    ("kazakh", "kk"),
    ("korean", "ko"),
    ("latin", "la"),
    ("latvian", "lv"),
    ("lithuanian", "lt"),
    ("macedonian", "mk"),
    ("malay", "ms"),
    ("maori", "mi"),
    ("marathi", "mr"),
    ("mongolian", "mn"),
    ("nynorsk", "nn"),
    ("persian", "fa"),
    ("polish", "pl"),
    ("portuguese", "pt"),
    ("punjabi", "pa"),
    ("romanian", "ro"),
    ("russian", "ru"),
    ("serbian", "sr"),
    ("shona", "sn"),
    ("slovak", "sk"),
    ("slovene", "sl"),
    ("somali", "so"),
    ("sotho", "st"),
    ("spanish", "es"),
    ("swahili", "sw"),
    ("swedish", "sv"),
    ("tagalog", "tl"),
    ("tamil", "ta"),
    ("telugu", "te"),
    ("thai", "th"),
    ("tsonga", "ts"),
    ("tswana", "tn"),
    ("turkish", "tr"),
    ("ukrainian", "uk"),
    ("urdu", "ur"),
    ("vietnamese", "vi"),
    ("welsh", "cy"),
    ("xhosa", "xh"),
    ("yoruba", "yo"),
    ("zulu", "zu"),
];

/// The English name of a language code (`de` → `german`), if it is one of lingua's.
pub fn language_name(code: &str) -> Option<&'static str> {
    LANGUAGES.iter().find(|(_, c)| *c == code).map(|(n, _)| *n)
}

/// Normalizes a language code or name to ISO 639-1 where one exists: lowercased,
/// region or script subtags dropped (`zh-Hans`, `pt_BR`), ISO 639-3 codes and lingua's
/// English names mapped (`deu`, `german` → `de`). Unknown codes pass through lowercased.
pub fn normalize_code(code: &str) -> String {
    let lower = code.trim().to_ascii_lowercase();
    let base = lower.split(['-', '_']).next().unwrap_or("").to_string();
    if let Some((_, c)) = LANGUAGES.iter().find(|(n, _)| *n == base) {
        return c.to_string();
    }
    let mapped = crate::lang::to_iso639_1(&base);
    if mapped.len() == 2 {
        return mapped.to_string();
    }
    match base.as_str() {
        "lug" => "lg",
        "mri" | "mao" => "mi",
        "sot" => "st",
        "tsn" => "tn",
        "tso" => "ts",
        "xho" => "xh",
        "yor" => "yo",
        "nno" => "nn",
        "fil" => "tl",
        "arb" => "ar",
        "ekk" => "et",
        "lvs" => "lv",
        "khk" => "mn",
        "swh" => "sw",
        "ger" => "de",
        "fre" => "fr",
        "chi" => "zh",
        "per" => "fa",
        "gre" => "el",
        "dut" => "nl",
        "cze" => "cs",
        "arm" => "hy",
        "geo" => "ka",
        "alb" => "sq",
        "baq" => "eu",
        "ice" => "is",
        "mac" => "mk",
        "may" => "ms",
        "rum" => "ro",
        "slo" => "sk",
        "wel" => "cy",
        other => other,
    }
    .to_string()
}

/// Whether a prediction names the gold language: equal after [`normalize_code`], or
/// `no` (Norwegian, the macrolanguage) for Bokmål `nb` or Nynorsk `nn`.
pub fn same_language(gold: &str, predicted: &str) -> bool {
    let (g, p) = (normalize_code(gold), normalize_code(predicted));
    g == p || (p == "no" && (g == "nb" || g == "nn"))
}

/// Reads one language's file: one sentence per non-blank line.
pub fn read_sentences(text: &str, lang: &str, max: Option<usize>) -> Vec<LangIdCase> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(max.unwrap_or(usize::MAX))
        .map(|l| LangIdCase {
            lang: lang.to_string(),
            text: l.to_string(),
        })
        .collect()
}

/// Loads every `*.txt` of lingua's `sentences` folder (sorted by language code), at most
/// `max_per_language` sentences each.
pub fn load_lingua_sentences(
    dir: impl AsRef<Path>,
    max_per_language: Option<usize>,
) -> Result<Vec<LangIdCase>> {
    let dir = dir.as_ref();
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        if path.extension().is_some_and(|x| x == "txt")
            && let Some(stem) = path.file_stem().and_then(|s| s.to_str())
        {
            files.insert(normalize_code(stem), path);
        }
    }
    let mut out = Vec::new();
    for (lang, path) in files {
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        out.extend(read_sentences(&text, &lang, max_per_language));
    }
    Ok(out)
}

/// Accuracy on one language.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LangAccuracy {
    /// ISO 639-1 where it exists.
    pub lang: String,
    pub name: Option<&'static str>,
    pub cases: usize,
    pub correct: usize,
    pub accuracy: f64,
    /// Sentences the identifier gave no answer for.
    pub undetermined: usize,
    /// The most frequent wrong answers, most frequent first (at most five).
    pub confusions: Vec<(String, usize)>,
}

/// What [`run_langid`] measured.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LangIdReport {
    pub cases: usize,
    pub languages: usize,
    /// Mean of the per-language accuracies.
    pub macro_accuracy: f64,
    /// Correct answers over all sentences.
    pub micro_accuracy: f64,
    pub undetermined: usize,
    /// Worst first (ascending accuracy, then code).
    pub per_language: Vec<LangAccuracy>,
    pub seconds: f64,
    pub sentences_per_sec: f64,
}

impl LangIdReport {
    /// The `n` worst languages.
    pub fn worst(&self, n: usize) -> &[LangAccuracy] {
        &self.per_language[..n.min(self.per_language.len())]
    }

    /// A table of the `n` worst languages (all when `None`), then the averages.
    pub fn table(&self, n: Option<usize>) -> Table {
        let rows = n.map_or(&self.per_language[..], |n| self.worst(n));
        let mut t = Table::new([
            "lang",
            "name",
            "sentences",
            "accuracy",
            "none",
            "confused with",
        ]);
        for l in rows {
            let conf = l
                .confusions
                .iter()
                .take(3)
                .map(|(c, k)| format!("{c}:{k}"))
                .collect::<Vec<_>>()
                .join(" ");
            t.row([
                l.lang.clone(),
                l.name.unwrap_or("").to_string(),
                l.cases.to_string(),
                fmt3(l.accuracy),
                l.undetermined.to_string(),
                conf,
            ]);
        }
        t.row([
            "macro".to_string(),
            format!("{} languages", self.languages),
            self.cases.to_string(),
            fmt3(self.macro_accuracy),
            self.undetermined.to_string(),
            String::new(),
        ]);
        t.row([
            "micro".to_string(),
            String::new(),
            self.cases.to_string(),
            fmt3(self.micro_accuracy),
            String::new(),
            String::new(),
        ]);
        t
    }
}

/// Identifies every sentence (in parallel) and scores the answers per language.
pub fn run_langid(
    cases: &[LangIdCase],
    identify: impl Fn(&str) -> Option<String> + Sync,
) -> LangIdReport {
    let start = Instant::now();
    let answers: Vec<Option<String>> = cases.par_iter().map(|c| identify(&c.text)).collect();
    let seconds = start.elapsed().as_secs_f64();
    #[derive(Default)]
    struct Acc {
        cases: usize,
        correct: usize,
        none: usize,
        wrong: HashMap<String, usize>,
    }
    let mut by_lang: BTreeMap<String, Acc> = BTreeMap::new();
    for (c, a) in cases.iter().zip(&answers) {
        let gold = normalize_code(&c.lang);
        let e = by_lang.entry(gold.clone()).or_default();
        e.cases += 1;
        match a {
            None => e.none += 1,
            Some(p) if same_language(&gold, p) => e.correct += 1,
            Some(p) => *e.wrong.entry(normalize_code(p)).or_default() += 1,
        }
    }
    let mut per_language: Vec<LangAccuracy> = by_lang
        .into_iter()
        .map(|(lang, a)| {
            let mut confusions: Vec<(String, usize)> = a.wrong.into_iter().collect();
            confusions.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
            confusions.truncate(5);
            LangAccuracy {
                name: language_name(&lang),
                accuracy: a.correct as f64 / a.cases as f64,
                lang,
                cases: a.cases,
                correct: a.correct,
                undetermined: a.none,
                confusions,
            }
        })
        .collect();
    per_language.sort_by(|a, b| {
        a.accuracy
            .total_cmp(&b.accuracy)
            .then_with(|| a.lang.cmp(&b.lang))
    });
    let correct: usize = per_language.iter().map(|l| l.correct).sum();
    let languages = per_language.len();
    LangIdReport {
        cases: cases.len(),
        languages,
        macro_accuracy: if languages == 0 {
            0.0
        } else {
            per_language.iter().map(|l| l.accuracy).sum::<f64>() / languages as f64
        },
        micro_accuracy: if cases.is_empty() {
            0.0
        } else {
            correct as f64 / cases.len() as f64
        },
        undetermined: per_language.iter().map(|l| l.undetermined).sum(),
        per_language,
        seconds,
        sentences_per_sec: if seconds > 0.0 {
            cases.len() as f64 / seconds
        } else {
            0.0
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_normalize_to_iso639_1() {
        assert_eq!(normalize_code("deu"), "de");
        assert_eq!(normalize_code("German"), "de");
        assert_eq!(normalize_code("zh-Hans"), "zh");
        assert_eq!(normalize_code("pt_BR"), "pt");
        assert_eq!(normalize_code("lug"), "lg");
        assert_eq!(normalize_code("nb"), "nb");
        assert_eq!(normalize_code("xyz"), "xyz");
        assert!(same_language("nb", "nob"));
        assert!(same_language("nn", "no"));
        assert!(!same_language("nb", "nn"));
        assert!(!same_language("hr", "sr"));
        assert_eq!(language_name("nb"), Some("bokmal"));
    }

    #[test]
    fn reads_one_sentence_per_line() {
        let c = read_sentences("Eins.\n\n  Zwei.  \nDrei.\n", "de", Some(2));
        assert_eq!(c.len(), 2);
        assert_eq!(c[1].text, "Zwei.");
        assert_eq!(c[1].lang, "de");
    }

    #[test]
    fn accuracy_macro_and_micro_with_worst_first() {
        let mut cases = read_sentences("a\nb\nc\nd\n", "de", None);
        cases.extend(read_sentences("e\nf\n", "hr", None));
        // de: 3 of 4 right (one none); hr: 1 of 2 (one said sr).
        let r = run_langid(&cases, |t| match t {
            "a" | "b" | "c" => Some("deu".to_string()),
            "d" => None,
            "e" => Some("hr".to_string()),
            _ => Some("srp".to_string()),
        });
        assert_eq!(r.languages, 2);
        assert_eq!(r.per_language[0].lang, "hr");
        assert_eq!(r.per_language[0].confusions, vec![("sr".to_string(), 1)]);
        assert_eq!(r.per_language[1].undetermined, 1);
        assert!((r.macro_accuracy - (0.75 + 0.5) / 2.0).abs() < 1e-12);
        assert!((r.micro_accuracy - 4.0 / 6.0).abs() < 1e-12);
        assert_eq!(r.worst(1).len(), 1);
        assert_eq!(r.worst(10).len(), 2);
        let t = r.table(Some(1)).to_string();
        assert!(t.contains("croatian") && !t.contains("german"), "{t}");
    }
}
