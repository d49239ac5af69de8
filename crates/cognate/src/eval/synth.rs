//! A labelled synthetic corpus built from WMT documents, for the whole-run benchmark
//! (100,000+ documents) and for near-duplicate precision/recall.
//!
//! [`generate`] writes JSON lines
//! `{"id","text","lang","gold_family","gold_kind","source"}` where `gold_kind` is one of
//! `original` (a WMT source text), `translation` (a WMT reference or system
//! translation of it), `copy` (an exact copy of an original or translation), `edit`
//! (word deletions, insertions and substitutions at [`SynthOptions::edit_rate`];
//! characters for unspaced scripts), `truncation` (a prefix cut at a word or sentence
//! end) and `boilerplate` (the text with cookie notices, "Read more" teasers, share
//! prompts… inserted as paragraphs, in the document's language or another). Every
//! derived document keeps its source's `gold_family` (the WMT `<file-pair>/<doc id>`);
//! `source` names the WMT document it was made from.
//!
//! Each step draws a kind by [`SynthOptions`] weights: an original opens the next WMT
//! family (in a seeded random order), a translation takes a not yet used translation
//! of an opened family, the other kinds transform a random original or translation
//! already written. When the families run out, later draws of `original` become
//! variants, so a corpus larger than the sources has larger families. Memory is the
//! sources plus a few indices per document: documents are written as they are made.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, BufRead, Write};

use serde::{Deserialize, Serialize};

use super::families::{FamilyReport, KindRecall, LabelledItem, kind_recall};
use super::rng::SplitMix64;
use super::wmt::{WmtDoc, WmtKind};
use crate::error::{Error, Result};

/// How a synthetic document relates to its family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GoldKind {
    Original,
    Copy,
    Edit,
    Truncation,
    Translation,
    Boilerplate,
}

impl GoldKind {
    pub const ALL: [GoldKind; 6] = [
        GoldKind::Original,
        GoldKind::Copy,
        GoldKind::Edit,
        GoldKind::Truncation,
        GoldKind::Translation,
        GoldKind::Boilerplate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GoldKind::Original => "original",
            GoldKind::Copy => "copy",
            GoldKind::Edit => "edit",
            GoldKind::Truncation => "truncation",
            GoldKind::Translation => "translation",
            GoldKind::Boilerplate => "boilerplate",
        }
    }
}

/// One line of the corpus.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SynthRecord {
    pub id: String,
    pub text: String,
    pub lang: String,
    pub gold_family: String,
    pub gold_kind: GoldKind,
    /// The WMT document id it was made from.
    pub source: String,
}

/// Knobs of the generator.
#[derive(Clone, Debug)]
pub struct SynthOptions {
    /// Relative weights of the kinds drawn at each step, in [`GoldKind::ALL`] order.
    pub weights: [f64; 6],
    /// Probability, per word, of an edit (a deletion, insertion or substitution).
    pub edit_rate: f64,
    /// Truncations keep a share of the text drawn uniformly from this range.
    pub truncation_keep: (f64, f64),
    /// Boilerplate documents get between these many inserted lines (inclusive).
    pub boilerplate_lines: (usize, usize),
    /// Ids are `<prefix>-<number>`.
    pub id_prefix: String,
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions {
            // original, copy, edit, truncation, translation, boilerplate
            weights: [0.30, 0.10, 0.15, 0.10, 0.20, 0.15],
            edit_rate: 0.05,
            truncation_keep: (0.3, 0.8),
            boilerplate_lines: (1, 4),
            id_prefix: "synth".to_string(),
        }
    }
}

/// What [`generate`] wrote.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SynthStats {
    pub documents: usize,
    /// Gold families with at least one document.
    pub families: usize,
    pub by_kind: BTreeMap<GoldKind, usize>,
    pub bytes: u64,
    /// The document number at which the WMT families ran out, if they did.
    pub families_exhausted_at: Option<usize>,
}

/// Boilerplate lines by language; `{teaser}` is replaced by the opening words of
/// another document of the corpus.
const BOILERPLATE: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "We use cookies to improve your experience on our website. By continuing to browse, you agree to our use of cookies.",
            "Accept all cookies",
            "Read more: {teaser}",
            "READ ALSO: {teaser}",
            "Share this article on Facebook, Twitter and WhatsApp",
            "Sign up for our newsletter to get the latest news delivered to your inbox.",
            "Leave a Reply. Your email address will not be published. Required fields are marked *",
            "More Stories",
            "© 2022 All rights reserved.",
        ],
    ),
    (
        "de",
        &[
            "Wir verwenden Cookies, um Ihnen das beste Nutzererlebnis zu bieten. Mit der Nutzung unserer Website stimmen Sie dem zu.",
            "Lesen Sie auch: {teaser}",
            "Diesen Artikel teilen: Facebook, Twitter, E-Mail",
            "Jetzt Newsletter abonnieren!",
            "Alle Rechte vorbehalten.",
        ],
    ),
    (
        "fr",
        &[
            "Ce site utilise des cookies pour améliorer votre expérience. En poursuivant votre navigation, vous acceptez leur utilisation.",
            "Lire aussi : {teaser}",
            "Partager cet article sur Facebook et Twitter",
            "Abonnez-vous à notre newsletter",
            "Laisser un commentaire",
        ],
    ),
    (
        "es",
        &[
            "Utilizamos cookies para mejorar su experiencia. Al continuar navegando, acepta su uso.",
            "Leer más: {teaser}",
            "Comparte esta noticia en redes sociales",
            "Suscríbete a nuestro boletín",
        ],
    ),
    (
        "it",
        &[
            "Questo sito utilizza cookie per migliorare la tua esperienza. Continuando la navigazione accetti l'uso dei cookie.",
            "Leggi anche: {teaser}",
            "Condividi questo articolo",
            "Lascia un commento",
        ],
    ),
    (
        "ru",
        &[
            "Мы используем файлы cookie, чтобы улучшить работу сайта. Продолжая просмотр, вы соглашаетесь с их использованием.",
            "Читайте также: {teaser}",
            "Поделиться в социальных сетях",
            "ОСТАВЬТЕ ОТВЕТ",
        ],
    ),
    (
        "uk",
        &[
            "Ми використовуємо файли cookie для покращення роботи сайту.",
            "Читайте також: {teaser}",
            "Поділитися у соцмережах",
        ],
    ),
    (
        "zh",
        &[
            "本网站使用cookie以改善您的浏览体验。继续浏览即表示您同意我们使用cookie。",
            "阅读更多：{teaser}",
            "分享到微信、微博",
            "版权所有，未经授权不得转载。",
        ],
    ),
    (
        "ja",
        &[
            "当サイトではクッキーを使用しています。引き続き閲覧することで、クッキーの使用に同意したものとみなされます。",
            "続きを読む：{teaser}",
            "この記事をシェアする",
            "無断転載を禁じます。",
        ],
    ),
    (
        "hr",
        &[
            "Ova stranica koristi kolačiće kako bi vam pružila bolje korisničko iskustvo.",
            "Pročitajte još: {teaser}",
            "Podijelite ovaj članak",
            "Ostavite komentar",
        ],
    ),
    (
        "vi",
        &[
            "Trả lời",
            "Email của bạn sẽ không được hiển thị công khai. Các trường bắt buộc được đánh dấu *",
            "Đọc thêm: {teaser}",
        ],
    ),
    (
        "pl",
        &[
            "Ta strona używa plików cookie.",
            "Czytaj także: {teaser}",
            "Udostępnij",
        ],
    ),
    (
        "tr",
        &[
            "Bu web sitesi çerezleri kullanmaktadır.",
            "Devamını oku: {teaser}",
            "Paylaş",
        ],
    ),
];

/// Counts bytes on their way to the writer.
struct Counting<W: Write> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Writes `n` synthetic documents made from `sources` as JSON lines (see the module
/// docs), deterministically for a seed, with the default [`SynthOptions`].
pub fn generate(
    sources: &[WmtDoc],
    n: usize,
    seed: u64,
    writer: impl Write,
) -> io::Result<SynthStats> {
    generate_with(sources, n, seed, &SynthOptions::default(), writer)
}

/// [`generate`] with explicit options.
pub fn generate_with(
    sources: &[WmtDoc],
    n: usize,
    seed: u64,
    options: &SynthOptions,
    writer: impl Write,
) -> io::Result<SynthStats> {
    if n > 0 && sources.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "synth: no source documents",
        ));
    }
    let mut rng = SplitMix64::new(seed);
    // Families in order of first appearance: (original, translations).
    let mut family_ix: HashMap<&str, usize> = HashMap::new();
    let mut families: Vec<(Option<usize>, Vec<usize>)> = Vec::new();
    for (i, d) in sources.iter().enumerate() {
        let next = families.len();
        let f = *family_ix.entry(&d.family).or_insert(next);
        if f == next {
            families.push((None, Vec::new()));
        }
        match (&d.kind, families[f].0) {
            (WmtKind::Src, None) => families[f].0 = Some(i),
            _ => families[f].1.push(i),
        }
    }
    // A family without a src uses its first translation as the original.
    for fam in &mut families {
        if fam.0.is_none() && !fam.1.is_empty() {
            fam.0 = Some(fam.1.remove(0));
        }
    }
    rng.shuffle(&mut families);

    let mut out = Counting {
        inner: io::BufWriter::new(writer),
        bytes: 0,
    };
    let mut stats = SynthStats::default();
    let mut next_family = 0;
    // Source docs written as originals or translations: what variants are made from.
    let mut pool: Vec<usize> = Vec::new();
    let mut spare_translations: Vec<usize> = Vec::new();
    let mut seen_families: HashSet<&str> = HashSet::new();
    let total: f64 = options.weights.iter().sum();
    let variant_weight: f64 = [1, 2, 3, 5].iter().map(|&k| options.weights[k]).sum();
    let draw = |rng: &mut SplitMix64, kinds: &[usize], sum: f64| -> GoldKind {
        let mut x = rng.next_f64() * sum;
        for &k in kinds {
            if x < options.weights[k] {
                return GoldKind::ALL[k];
            }
            x -= options.weights[k];
        }
        GoldKind::ALL[*kinds.last().unwrap()]
    };
    for i in 0..n {
        let mut kind = draw(&mut rng, &[0, 1, 2, 3, 4, 5], total);
        if kind == GoldKind::Translation && spare_translations.is_empty() {
            kind = GoldKind::Original;
        }
        if kind == GoldKind::Original && next_family >= families.len() {
            if stats.families_exhausted_at.is_none() {
                stats.families_exhausted_at = Some(i);
            }
            kind = if variant_weight > 0.0 {
                draw(&mut rng, &[1, 2, 3, 5], variant_weight)
            } else {
                GoldKind::Copy
            };
        }
        if pool.is_empty() {
            kind = GoldKind::Original;
        }
        let (source, text) = match kind {
            GoldKind::Original => {
                let (orig, translations) = &families[next_family];
                next_family += 1;
                let orig = orig.expect("families have at least one doc");
                spare_translations.extend(translations.iter().copied());
                pool.push(orig);
                (orig, sources[orig].text.clone())
            }
            GoldKind::Translation => {
                let k = rng.below(spare_translations.len());
                let t = spare_translations.swap_remove(k);
                pool.push(t);
                (t, sources[t].text.clone())
            }
            GoldKind::Copy => {
                let s = *rng.pick(&pool).unwrap();
                (s, sources[s].text.clone())
            }
            GoldKind::Edit => {
                let s = *rng.pick(&pool).unwrap();
                (s, edit(&sources[s].text, options.edit_rate, &mut rng))
            }
            GoldKind::Truncation => {
                let s = *rng.pick(&pool).unwrap();
                (
                    s,
                    truncate(&sources[s].text, options.truncation_keep, &mut rng),
                )
            }
            GoldKind::Boilerplate => {
                let s = *rng.pick(&pool).unwrap();
                let teaser_src = *rng.pick(&pool).unwrap();
                (
                    s,
                    add_boilerplate(
                        &sources[s].text,
                        &sources[s].lang,
                        &sources[teaser_src].text,
                        options.boilerplate_lines,
                        &mut rng,
                    ),
                )
            }
        };
        let d = &sources[source];
        seen_families.insert(&d.family);
        let rec = SynthRecord {
            id: format!("{}-{:07}", options.id_prefix, i),
            text,
            lang: d.lang.clone(),
            gold_family: d.family.clone(),
            gold_kind: kind,
            source: d.id.clone(),
        };
        serde_json::to_writer(&mut out, &rec)?;
        out.write_all(b"\n")?;
        *stats.by_kind.entry(kind).or_default() += 1;
        stats.documents += 1;
    }
    out.flush()?;
    stats.families = seen_families.len();
    stats.bytes = out.bytes;
    Ok(stats)
}

/// Longer articles from the same sources: every `k` consecutive gold families of one
/// WMT file (in order of appearance) become one family, each of whose versions (the
/// source, a reference, a system's translation) is the concatenation, paragraph by
/// paragraph, of that version in each of the `k`; a version missing from one of them is
/// left out, so a joined translation is always a translation of the joined source. The
/// last chunk of a file may hold fewer than `k`. `k` ≤ 1 returns the sources unchanged.
pub fn join_families(sources: &[WmtDoc], k: usize) -> Vec<WmtDoc> {
    if k <= 1 {
        return sources.to_vec();
    }
    // Families per file, in order of first appearance, with their versions by leaf name.
    let mut files: Vec<(&str, Vec<&str>)> = Vec::new();
    let mut versions: HashMap<&str, BTreeMap<&str, &WmtDoc>> = HashMap::new();
    for d in sources {
        let leaf = d.id.rsplit('/').next().unwrap_or("");
        let entry = versions.entry(&d.family).or_default();
        if entry.is_empty() {
            match files.iter_mut().find(|(f, _)| *f == d.file_pair) {
                Some((_, fams)) => fams.push(&d.family),
                None => files.push((&d.file_pair, vec![&d.family])),
            }
        }
        entry.entry(leaf).or_insert(d);
    }
    let mut joined = Vec::new();
    for (_, fams) in files {
        for chunk in fams.chunks(k) {
            let first = &versions[chunk[0]];
            let family = chunk.join("+");
            for (leaf, head) in first {
                let parts: Option<Vec<&WmtDoc>> = chunk
                    .iter()
                    .map(|f| versions[f].get(leaf).copied())
                    .collect();
                let Some(parts) = parts else { continue };
                let text = parts
                    .iter()
                    .map(|d| d.text.as_str())
                    .collect::<Vec<_>>()
                    .join("\n\n");
                joined.push(WmtDoc {
                    id: format!("{family}/{leaf}"),
                    text,
                    family: family.clone(),
                    doc_id: chunk
                        .iter()
                        .map(|f| f.rsplit('/').next().unwrap_or(f))
                        .collect::<Vec<_>>()
                        .join("+"),
                    ..(*head).clone()
                });
            }
        }
    }
    joined
}

/// True for text written without spaces between words (Chinese, Japanese, Thai…),
/// judged per line: few spaces for its length.
fn unspaced(line: &str) -> bool {
    let chars = line.chars().count();
    let spaces = line.chars().filter(|c| c.is_whitespace()).count();
    chars >= 8 && spaces * 20 < chars
}

/// Word (or, for unspaced scripts, character) deletions, insertions and substitutions,
/// each token edited with probability `rate`; at least one edit when there is a token.
pub fn edit(text: &str, rate: f64, rng: &mut SplitMix64) -> String {
    let lines: Vec<&str> = text.split('\n').collect();
    let tokenize = |line: &'_ str| -> (Vec<String>, &'static str) {
        if unspaced(line) {
            (line.chars().map(String::from).collect(), "")
        } else {
            (
                line.split(' ')
                    .filter(|w| !w.is_empty())
                    .map(String::from)
                    .collect(),
                " ",
            )
        }
    };
    let mut toks: Vec<(Vec<String>, &str)> = lines.iter().map(|l| tokenize(l)).collect();
    let vocab: Vec<String> = toks.iter().flat_map(|(t, _)| t.iter().cloned()).collect();
    if vocab.is_empty() {
        return text.to_string();
    }
    let mut edits = 0;
    for (line, _) in &mut toks {
        let mut out = Vec::with_capacity(line.len() + 2);
        for tok in line.drain(..) {
            let x = rng.next_f64();
            if x >= rate {
                out.push(tok);
            } else if x < rate / 3.0 {
                edits += 1; // deletion
            } else if x < 2.0 * rate / 3.0 {
                let sub = rng.pick(&vocab).unwrap().clone();
                if sub != tok {
                    edits += 1;
                }
                out.push(sub);
            } else {
                out.push(tok);
                out.push(rng.pick(&vocab).unwrap().clone());
                edits += 1;
            }
        }
        *line = out;
    }
    if edits == 0 {
        // Insert one token into a non-empty line.
        let lines_with: Vec<usize> = (0..toks.len()).filter(|&i| !toks[i].0.is_empty()).collect();
        let li = *rng.pick(&lines_with).unwrap_or(&0);
        let pos = rng.below(toks[li].0.len() + 1);
        let word = rng.pick(&vocab).unwrap().clone();
        toks[li].0.insert(pos, word);
    }
    toks.into_iter()
        .map(|(t, sep)| t.join(sep))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A prefix keeping a share of the characters drawn from `keep`, cut back to the last
/// sentence end, else word end, in the second half of that share when there is one. Texts too short to cut
/// come back whole.
pub fn truncate(text: &str, keep: (f64, f64), rng: &mut SplitMix64) -> String {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    if chars.len() < 2 {
        return text.to_string();
    }
    let (lo, hi) = (keep.0.min(keep.1), keep.0.max(keep.1));
    let share = lo + (hi - lo) * rng.next_f64();
    let cut = ((chars.len() as f64 * share) as usize).clamp(1, chars.len() - 1);
    // Prefer a sentence end, then a word end, in the second half of the kept part.
    let min = (cut / 2).max(1);
    let sentence_end = (min..=cut)
        .rev()
        .find(|&k| matches!(chars[k - 1].1, '.' | '!' | '?' | '。' | '！' | '？'));
    let word_end = (min..=cut).rev().find(|&k| chars[k].1.is_whitespace());
    let end = sentence_end.or(word_end).unwrap_or(cut);
    let byte_end = chars.get(end).map_or(text.len(), |c| c.0);
    text[..byte_end].trim_end().to_string()
}

/// The opening words of a text, for a "Read more" teaser (at most 80 characters).
fn teaser(text: &str) -> String {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut out: String = first.chars().take(80).collect();
    if first.chars().count() > 80 {
        if let Some(cut) = out.rfind(' ') {
            out.truncate(cut);
        }
        out.push('…');
    }
    out
}

/// Inserts boilerplate lines as paragraphs at the top, bottom or between paragraphs;
/// each in `lang` with probability 0.7 when there are lines for it, otherwise in a
/// random language of the table.
pub fn add_boilerplate(
    text: &str,
    lang: &str,
    teaser_from: &str,
    lines: (usize, usize),
    rng: &mut SplitMix64,
) -> String {
    let mut paragraphs: Vec<String> = text.split("\n\n").map(str::to_string).collect();
    let (lo, hi) = (lines.0.min(lines.1), lines.0.max(lines.1));
    let k = lo + rng.below(hi - lo + 1);
    let own = BOILERPLATE.iter().find(|(l, _)| *l == lang);
    for _ in 0..k {
        let table = match own {
            Some(t) if rng.chance(0.7) => t,
            _ => rng.pick(BOILERPLATE).unwrap(),
        };
        let line = rng
            .pick(table.1)
            .unwrap()
            .replace("{teaser}", &teaser(teaser_from));
        let at = match rng.below(3) {
            0 => 0,
            1 => paragraphs.len(),
            _ => rng.below(paragraphs.len() + 1),
        };
        paragraphs.insert(at, line);
    }
    paragraphs.join("\n\n")
}

/// The labels of a labelled JSONL corpus (text and other fields ignored).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct GoldLabel {
    pub id: String,
    pub gold_family: String,
    #[serde(default)]
    pub gold_kind: Option<String>,
    #[serde(default)]
    pub lang: Option<String>,
}

/// Reads the labels of a JSONL corpus such as [`generate`] writes; blank lines are
/// skipped, duplicate ids are an error.
pub fn read_gold_labels(reader: impl BufRead, input: &str) -> Result<Vec<GoldLabel>> {
    read_labels_by_id(reader, input, |g: &GoldLabel| &g.id)
}

/// Reads one label record per non-blank JSON line; a malformed line or a repeated id is
/// an error naming the input and line.
pub(crate) fn read_labels_by_id<T: serde::de::DeserializeOwned>(
    reader: impl BufRead,
    input: &str,
    id: impl Fn(&T) -> &str,
) -> Result<Vec<T>> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| Error::format(input, format!("line {}: {e}", i + 1)))?;
        if line.trim().is_empty() {
            continue;
        }
        let g: T = serde_json::from_str(&line)
            .map_err(|e| Error::format(input, format!("line {}: {e}", i + 1)))?;
        if !seen.insert(id(&g).to_string()) {
            return Err(Error::format(
                input,
                format!("line {}: duplicate id {:?}", i + 1, id(&g)),
            ));
        }
        out.push(g);
    }
    Ok(out)
}

/// What [`run_labelled`] measured.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LabelledReport {
    /// Pairwise and B-cubed scores overall and per language.
    pub families: FamilyReport,
    /// Per `gold_kind`: the share of documents put with another member of their family.
    pub by_kind: Vec<KindRecall>,
}

/// Scores predicted families (id → predicted family label) against the gold labels.
/// Documents without a prediction count as singletons and are counted in
/// `missing_predictions`; predictions for unknown ids are ignored.
pub fn run_labelled(gold: &[GoldLabel], predicted: &HashMap<String, String>) -> LabelledReport {
    let mut missing = 0;
    let preds: Vec<String> = gold
        .iter()
        .map(|g| match predicted.get(&g.id) {
            Some(p) => format!("p:{p}"),
            None => {
                missing += 1;
                format!("missing:{}", g.id)
            }
        })
        .collect();
    let mut families = FamilyReport::compute(gold.iter().zip(&preds).map(|(g, p)| LabelledItem {
        group: g.lang.as_deref().unwrap_or("und"),
        gold: &g.gold_family,
        predicted: p,
    }));
    families.missing_predictions = missing;
    let by_kind = kind_recall(gold.iter().zip(&preds).map(|(g, p)| {
        (
            g.gold_kind.as_deref().unwrap_or("unknown"),
            g.gold_family.as_str(),
            p.as_str(),
        )
    }));
    LabelledReport { families, by_kind }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

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
            kind: if leaf == "src" {
                WmtKind::Src
            } else {
                WmtKind::Hyp {
                    system: leaf.to_string(),
                }
            },
        }
    }

    fn sources() -> Vec<WmtDoc> {
        let mut v = Vec::new();
        for f in 0..6 {
            let fam = format!("de-en/doc{f}");
            v.push(doc(
                &fam,
                "src",
                "de",
                &format!("Die Nachricht Nummer {f} ist wichtig. Sie hat zwei Sätze.\n\nUnd einen zweiten Absatz {f}."),
            ));
            v.push(doc(
                &fam,
                "sysA",
                "en",
                &format!("News number {f} is important. It has two sentences."),
            ));
            v.push(doc(
                &fam,
                "sysB",
                "zh",
                &format!("第{f}号新闻很重要。它有两个句子。"),
            ));
        }
        v
    }

    fn run(seed: u64, n: usize) -> (Vec<u8>, SynthStats) {
        let mut buf = Vec::new();
        let stats = generate(&sources(), n, seed, &mut buf).unwrap();
        (buf, stats)
    }

    #[test]
    fn joined_families_keep_versions_parallel() {
        let mut src = sources();
        // doc5 has no sysB: the chunk holding it loses that version.
        src.retain(|d| d.id != "de-en/doc5/sysB");
        let joined = join_families(&src, 4);
        let families: BTreeSet<&str> = joined.iter().map(|d| d.family.as_str()).collect();
        assert_eq!(
            families.into_iter().collect::<Vec<_>>(),
            [
                "de-en/doc0+de-en/doc1+de-en/doc2+de-en/doc3",
                "de-en/doc4+de-en/doc5"
            ]
        );
        let get = |id: &str| joined.iter().find(|d| d.id == id).unwrap();
        let src0 = get("de-en/doc0+de-en/doc1+de-en/doc2+de-en/doc3/src");
        assert_eq!(src0.lang, "de");
        assert_eq!(src0.kind, WmtKind::Src);
        assert!(src0.text.contains("Nummer 0") && src0.text.contains("Nummer 3"));
        let en0 = get("de-en/doc0+de-en/doc1+de-en/doc2+de-en/doc3/sysA");
        assert!(
            en0.text.starts_with("News number 0")
                && en0
                    .text
                    .ends_with("News number 3 is important. It has two sentences.")
        );
        assert_eq!(en0.text.matches("\n\n").count(), 3);
        assert!(
            joined
                .iter()
                .any(|d| d.id == "de-en/doc0+de-en/doc1+de-en/doc2+de-en/doc3/sysB")
        );
        assert!(!joined.iter().any(|d| d.id == "de-en/doc4+de-en/doc5/sysB"));
        assert_eq!(joined.len(), 3 + 2);
        assert_eq!(join_families(&src, 1), src);
    }

    #[test]
    fn same_seed_same_bytes() {
        let (a, sa) = run(7, 200);
        let (b, _) = run(7, 200);
        assert_eq!(a, b);
        let (c, _) = run(8, 200);
        assert_ne!(a, c);
        assert_eq!(sa.bytes, a.len() as u64);
        assert_eq!(sa.documents, 200);
        let json = serde_json::to_value(&sa).unwrap();
        assert!(json["by_kind"]["original"].as_u64().unwrap() > 0);
    }

    #[test]
    fn records_are_labelled_consistently() {
        let (buf, stats) = run(1, 300);
        let src = sources();
        let by_id: HashMap<&str, &WmtDoc> = src.iter().map(|d| (d.id.as_str(), d)).collect();
        let recs: Vec<SynthRecord> = buf
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).unwrap())
            .collect();
        assert_eq!(recs.len(), 300);
        let ids: HashSet<&str> = recs.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids.len(), 300);
        assert_eq!(recs[0].gold_kind, GoldKind::Original);
        for r in &recs {
            let s = by_id[r.source.as_str()];
            assert_eq!(r.gold_family, s.family);
            assert_eq!(r.lang, s.lang);
            match r.gold_kind {
                GoldKind::Original => assert_eq!(s.kind, WmtKind::Src),
                GoldKind::Translation => assert_ne!(s.kind, WmtKind::Src),
                GoldKind::Copy => assert_eq!(r.text, s.text),
                GoldKind::Edit | GoldKind::Boilerplate => assert_ne!(r.text, s.text),
                GoldKind::Truncation => {
                    assert!(s.text.starts_with(&r.text) && r.text.len() < s.text.len())
                }
            }
        }
        // Every family and every translation used once the sources run out.
        assert_eq!(stats.families, 6);
        assert_eq!(stats.by_kind[&GoldKind::Original], 6);
        assert_eq!(stats.by_kind[&GoldKind::Translation], 12);
        assert!(stats.families_exhausted_at.is_some());
        for k in GoldKind::ALL {
            assert!(stats.by_kind.get(&k).copied().unwrap_or(0) > 0, "{k:?}");
        }
    }

    #[test]
    fn edits_truncations_and_boilerplate() {
        let mut rng = SplitMix64::new(3);
        let text = "one two three four five six seven eight nine ten\n\nzwei";
        let e = edit(text, 0.0, &mut rng);
        assert_ne!(e, text, "at least one edit even at rate 0");
        let words = |s: &str| s.split_whitespace().count() as i64;
        assert!((words(&e) - words(text)).abs() <= 1);
        let heavy = edit(text, 1.0, &mut rng);
        assert_ne!(heavy, text);
        let cjk = edit("第1号新闻很重要。它有两个句子。", 0.3, &mut rng);
        assert!(!cjk.contains(' '));

        let t = truncate(
            "Erster Satz. Zweiter Satz hier. Dritter.",
            (0.5, 0.5),
            &mut rng,
        );
        assert_eq!(t, "Erster Satz.");
        assert_eq!(truncate("x", (0.5, 0.5), &mut rng), "x");

        let b = add_boilerplate(
            "Absatz eins.\n\nAbsatz zwei.",
            "de",
            "Anderer Titel",
            (2, 2),
            &mut rng,
        );
        assert_eq!(b.split("\n\n").count(), 4);
        assert!(b.contains("Absatz eins.") && b.contains("Absatz zwei."));
        assert_eq!(teaser(&"wort ".repeat(40)).chars().count(), 80);
    }

    #[test]
    fn labelled_runner_reads_jsonl_and_scores() {
        let (buf, _) = run(5, 120);
        let gold = read_gold_labels(&buf[..], "synth").unwrap();
        assert_eq!(gold.len(), 120);
        // Predict the gold family for all but one document.
        let mut pred: HashMap<String, String> = gold
            .iter()
            .map(|g| (g.id.clone(), g.gold_family.clone()))
            .collect();
        let r = run_labelled(&gold, &pred);
        assert_eq!(r.families.overall.bcubed.f1, 1.0);
        assert!(r.by_kind.iter().all(|k| k.recall == 1.0));
        pred.remove(&gold[0].id);
        let r = run_labelled(&gold, &pred);
        assert_eq!(r.families.missing_predictions, 1);
        assert!(r.families.overall.bcubed.recall < 1.0);
        let dup = b"{\"id\":\"a\",\"gold_family\":\"f\"}\n{\"id\":\"a\",\"gold_family\":\"g\"}\n";
        assert!(read_gold_labels(&dup[..], "x").is_err());
    }
}
