//! WMT22 general test sets as translation families.
//!
//! Each `<doc>` of a `wmttest2022.<src>-<tgt>.all.xml` file holds one source document
//! (`<src>`), one or two professional translations (`<ref translator=…>`) and many
//! machine translations (`<hyp system=…>`), each as `<p><seg>` segments. Every one of
//! them becomes a [`WmtDoc`]; all those of one `<doc>` form a gold family
//! (`<file-pair>/<doc id>`), and the other documents of the file are hard negatives.
//!
//! Domains: most files mark `<doc domain="news|social|ecommerce|conversation">`. Where
//! the attribute is missing the domain is guessed from the doc id's prefix
//! ([`domain_from_id`]: `news_`, `social_`, `ecommerce_`/`review_`,
//! `conversation_`/`conversational_`); in the 2022 files that concerns ru-en's
//! `social_ru_*` docs and all of uk-en, whose ids (`test_uk_*`) say nothing, so uk-en
//! docs have no domain and are left out by a domain filter unless
//! [`WmtOptions::keep_unknown_domain`] is set.
//!
//! A src/ref/hyp without any text (en-hr has a news doc whose parts are all `<p/>`) is
//! skipped.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use serde::Serialize;

use super::families::{FamilyReport, LabelledItem};
use crate::document::Document;
use crate::error::{Error, Result};

/// Which part of a `<doc>` a document is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum WmtKind {
    Src,
    Ref { translator: String },
    Hyp { system: String },
}

/// One source text, reference translation or system translation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WmtDoc {
    /// `<file-pair>/<doc id>/src`, `…/ref-<translator>`, `…/hyp-<system>`.
    pub id: String,
    /// Paragraphs (`<p>`) separated by a blank line, segments by a space.
    pub text: String,
    pub lang: String,
    /// The gold family: `<file-pair>/<doc id>`.
    pub family: String,
    /// The file's language pair, e.g. `de-fr`.
    pub file_pair: String,
    pub doc_id: String,
    /// From the `domain` attribute, else from the id prefix; `None` when unknown.
    pub domain: Option<String>,
    pub origlang: Option<String>,
    #[serde(flatten)]
    pub kind: WmtKind,
}

impl WmtDoc {
    /// The document as the pipeline takes it: plain text with its declared language.
    pub fn to_document(&self) -> Document {
        let mut d = Document::text(self.id.clone(), self.text.clone());
        d.lang = Some(self.lang.clone());
        d
    }
}

/// What to load.
#[derive(Clone, Debug)]
pub struct WmtOptions {
    /// Keep docs of these domains only; `None` keeps every domain. Default: `news`.
    pub domains: Option<Vec<String>>,
    /// With a domain filter, also keep docs whose domain cannot be told (uk-en).
    pub keep_unknown_domain: bool,
    /// At most this many `<hyp>` per doc (the first ones in file order); `None`: all.
    pub max_hyps_per_doc: Option<usize>,
    pub include_refs: bool,
    pub include_hyps: bool,
    /// Only files whose language pair is listed (`de-fr`, …); `None`: every file.
    pub file_pairs: Option<Vec<String>>,
}

impl Default for WmtOptions {
    fn default() -> Self {
        WmtOptions {
            domains: Some(vec!["news".to_string()]),
            keep_unknown_domain: false,
            max_hyps_per_doc: None,
            include_refs: true,
            include_hyps: true,
            file_pairs: None,
        }
    }
}

impl WmtOptions {
    /// Every domain, every doc.
    pub fn all_domains() -> Self {
        WmtOptions {
            domains: None,
            ..Default::default()
        }
    }

    fn keeps_domain(&self, domain: Option<&str>) -> bool {
        match (&self.domains, domain) {
            (None, _) => true,
            (Some(_), None) => self.keep_unknown_domain,
            (Some(list), Some(d)) => list.iter().any(|x| x == d),
        }
    }
}

/// Guesses a domain from a doc id prefix (`news_…`, `social_ru_12`, `review_…`,
/// `conversational_ja_1`); `None` when the prefix says nothing.
pub fn domain_from_id(id: &str) -> Option<&'static str> {
    let prefix = id.split(['_', '-', '.']).next().unwrap_or("");
    match prefix {
        "news" => Some("news"),
        "social" => Some("social"),
        "ecommerce" | "review" => Some("ecommerce"),
        "conversation" | "conversational" => Some("conversation"),
        _ => None,
    }
}

/// The language pair of a WMT file name: `wmttest2022.de-fr.all.xml` → `de-fr`.
pub fn file_pair_of(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    name.split('.')
        .find(|part| {
            let mut it = part.split('-');
            matches!((it.next(), it.next(), it.next()), (Some(a), Some(b), None)
                if (2..=3).contains(&a.len()) && (2..=3).contains(&b.len())
                    && a.chars().chain(b.chars()).all(|c| c.is_ascii_lowercase()))
        })
        .map(str::to_string)
}

fn attr(e: &BytesStart<'_>, name: &str, input: &str) -> Result<Option<String>> {
    match e.try_get_attribute(name) {
        Ok(Some(a)) => a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map(|v| Some(v.into_owned()))
            .map_err(|err| Error::format(input, format!("attribute {name}: {err}"))),
        Ok(None) => Ok(None),
        Err(err) => Err(Error::format(input, format!("attribute {name}: {err}"))),
    }
}

/// The doc being read: its attributes and what has been kept of it so far.
struct OpenDoc {
    id: String,
    domain: Option<String>,
    origlang: Option<String>,
    keep: bool,
    hyps: usize,
    used_ids: HashMap<String, usize>,
}

/// The src/ref/hyp being read.
struct OpenText {
    kind: WmtKind,
    lang: String,
    paragraphs: Vec<String>,
    segments: Vec<String>,
    seg: Option<String>,
}

impl OpenText {
    fn close_paragraph(&mut self) {
        if !self.segments.is_empty() {
            self.paragraphs.push(self.segments.join(" "));
            self.segments.clear();
        }
    }
}

/// Parses one WMT XML stream. `file_pair` names the file in ids and families.
pub fn parse_wmt<R: BufRead>(
    reader: R,
    file_pair: &str,
    options: &WmtOptions,
) -> Result<Vec<WmtDoc>> {
    let input = file_pair;
    let mut xml = Reader::from_reader(reader);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    let mut doc: Option<OpenDoc> = None;
    let mut text: Option<OpenText> = None;
    let err = |e: quick_xml::Error, pos: u64| Error::format(input, format!("byte {pos}: {e}"));
    loop {
        let event = xml
            .read_event_into(&mut buf)
            .map_err(|e| err(e, xml.buffer_position()))?;
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                "doc" => {
                    let id = attr(&e, "id", input)?
                        .ok_or_else(|| Error::format(input, "a <doc> without an id attribute"))?;
                    let domain = attr(&e, "domain", input)?
                        .filter(|d| !d.is_empty())
                        .or_else(|| domain_from_id(&id).map(str::to_string));
                    let keep = options.keeps_domain(domain.as_deref());
                    doc = Some(OpenDoc {
                        id,
                        domain,
                        origlang: attr(&e, "origlang", input)?,
                        keep,
                        hyps: 0,
                        used_ids: HashMap::new(),
                    });
                    if empty {
                        doc = None;
                    }
                }
                name @ ("src" | "ref" | "hyp") => {
                    let Some(d) = doc.as_mut() else {
                        return Err(Error::format(input, format!("<{name}> outside a <doc>")));
                    };
                    let kind = match name {
                        "src" => WmtKind::Src,
                        "ref" => WmtKind::Ref {
                            translator: attr(&e, "translator", input)?
                                .unwrap_or_else(|| "A".to_string()),
                        },
                        _ => WmtKind::Hyp {
                            system: attr(&e, "system", input)?
                                .unwrap_or_else(|| "unknown".to_string()),
                        },
                    };
                    let wanted = d.keep
                        && match &kind {
                            WmtKind::Src => true,
                            WmtKind::Ref { .. } => options.include_refs,
                            WmtKind::Hyp { .. } => {
                                d.hyps += 1;
                                options.include_hyps
                                    && options.max_hyps_per_doc.is_none_or(|m| d.hyps <= m)
                            }
                        };
                    if wanted && !empty {
                        text = Some(OpenText {
                            kind,
                            lang: attr(&e, "lang", input)?.unwrap_or_default(),
                            paragraphs: Vec::new(),
                            segments: Vec::new(),
                            seg: None,
                        });
                    }
                }
                "seg" if !empty => {
                    if let Some(t) = text.as_mut() {
                        t.seg = Some(String::new());
                    }
                }
                _ => {}
            },
            Event::Text(e) => {
                if let Some(s) = text.as_mut().and_then(|t| t.seg.as_mut()) {
                    s.push_str(&e.xml10_content());
                }
            }
            Event::CData(e) => {
                if let Some(s) = text.as_mut().and_then(|t| t.seg.as_mut()) {
                    s.push_str(&e.into_inner());
                }
            }
            Event::GeneralRef(e) => {
                if let Some(s) = text.as_mut().and_then(|t| t.seg.as_mut()) {
                    let resolved = e
                        .resolve_char_ref()
                        .map_err(|x| err(x, xml.buffer_position()))?;
                    match resolved {
                        Some(c) => s.push(c),
                        None => match quick_xml::escape::resolve_predefined_entity(&e) {
                            Some(r) => s.push_str(r),
                            None => {
                                s.push('&');
                                s.push_str(&e);
                                s.push(';');
                            }
                        },
                    }
                }
            }
            Event::End(e) => match e.name().as_ref() {
                "seg" => {
                    if let Some(t) = text.as_mut()
                        && let Some(s) = t.seg.take()
                    {
                        let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
                        if !s.is_empty() {
                            t.segments.push(s);
                        }
                    }
                }
                "p" => {
                    if let Some(t) = text.as_mut() {
                        t.close_paragraph();
                    }
                }
                "src" | "ref" | "hyp" => {
                    if let (Some(mut t), Some(d)) = (text.take(), doc.as_mut()) {
                        t.close_paragraph();
                        if t.paragraphs.is_empty() {
                            // No text at all (en-hr's upi.176275 is all `<p/>`).
                            buf.clear();
                            continue;
                        }
                        let family = format!("{file_pair}/{}", d.id);
                        let base = match &t.kind {
                            WmtKind::Src => "src".to_string(),
                            WmtKind::Ref { translator } => format!("ref-{translator}"),
                            WmtKind::Hyp { system } => format!("hyp-{system}"),
                        };
                        // A second ref by the same translator (or hyp by the same
                        // system) gets a numeric suffix so ids stay unique.
                        let n = d.used_ids.entry(base.clone()).or_insert(0);
                        *n += 1;
                        let leaf = if *n == 1 { base } else { format!("{base}-{n}") };
                        out.push(WmtDoc {
                            id: format!("{family}/{leaf}"),
                            text: t.paragraphs.join("\n\n"),
                            lang: t.lang,
                            family,
                            file_pair: file_pair.to_string(),
                            doc_id: d.id.clone(),
                            domain: d.domain.clone(),
                            origlang: d.origlang.clone(),
                            kind: t.kind,
                        });
                    }
                }
                "doc" => doc = None,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(out)
}

/// Loads one WMT XML file; the file pair comes from its name (`…de-fr…`), else the
/// file stem.
pub fn load_wmt_file(path: impl AsRef<Path>, options: &WmtOptions) -> Result<Vec<WmtDoc>> {
    let path = path.as_ref();
    let pair = file_pair_of(path).unwrap_or_else(|| {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    parse_wmt(std::io::BufReader::new(f), &pair, options).map_err(|e| match e {
        Error::Format { message, .. } => Error::format(path.display().to_string(), message),
        other => other,
    })
}

/// The `*.xml` files of a folder, sorted by name, restricted to
/// [`WmtOptions::file_pairs`] when set.
pub fn wmt_files(dir: impl AsRef<Path>, options: &WmtOptions) -> Result<Vec<PathBuf>> {
    let dir = dir.as_ref();
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        if path.extension().is_some_and(|x| x == "xml") {
            let keep = match (&options.file_pairs, file_pair_of(&path)) {
                (None, _) => true,
                (Some(list), Some(p)) => list.contains(&p),
                (Some(_), None) => false,
            };
            if keep {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Loads every selected WMT file of a folder (see [`wmt_files`]), in name order.
pub fn load_wmt_dir(dir: impl AsRef<Path>, options: &WmtOptions) -> Result<Vec<WmtDoc>> {
    let mut out = Vec::new();
    for f in wmt_files(dir, options)? {
        out.extend(load_wmt_file(&f, options)?);
    }
    Ok(out)
}

/// Counts of loaded docs per file pair: (families, src, ref, hyp).
pub fn doc_counts(docs: &[WmtDoc]) -> Vec<(String, [usize; 4])> {
    let mut m: std::collections::BTreeMap<&str, ([usize; 4], std::collections::HashSet<&str>)> =
        Default::default();
    for d in docs {
        let e = m.entry(&d.file_pair).or_default();
        e.1.insert(&d.family);
        match d.kind {
            WmtKind::Src => e.0[1] += 1,
            WmtKind::Ref { .. } => e.0[2] += 1,
            WmtKind::Hyp { .. } => e.0[3] += 1,
        }
    }
    m.into_iter()
        .map(|(k, (mut c, fam))| {
            c[0] = fam.len();
            (k.to_string(), c)
        })
        .collect()
}

/// Clusters the docs with `cluster` (one predicted family label per doc, in order) and
/// scores the result against the gold families, overall and per file pair.
///
/// # Panics
/// When `cluster` returns a different number of labels than there are docs.
pub fn run_families(
    docs: &[WmtDoc],
    cluster: impl FnOnce(&[WmtDoc]) -> Vec<String>,
) -> FamilyReport {
    let predicted = cluster(docs);
    assert_eq!(
        predicted.len(),
        docs.len(),
        "cluster must return one label per document"
    );
    FamilyReport::compute(docs.iter().zip(&predicted).map(|(d, p)| LabelledItem {
        group: &d.file_pair,
        gold: &d.family,
        predicted: p,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = r#"<?xml version='1.0' encoding='utf-8'?>
<dataset id="wmttest2022">
  <collection id="general">
    <doc origlang="de" id="faz.1" domain="news">
      <src lang="de">
        <p>
          <seg id="1">Erster Satz &amp; mehr.</seg>
          <seg id="2">Zweiter
             Satz.</seg>
        </p>
        <p>
          <seg id="3">Neuer Absatz&#33;</seg>
        </p>
      </src>
      <ref lang="fr" translator="A">
        <p><seg id="1">Première phrase.</seg><seg id="2">Deuxième.</seg></p>
        <p><seg id="3">Nouveau paragraphe !</seg></p>
      </ref>
      <ref lang="fr" translator="A"><p><seg id="1">Autre.</seg></p></ref>
      <hyp system="SysOne" lang="fr"><p><seg id="1">Une.</seg></p></hyp>
      <hyp system="SysTwo" lang="fr"><p><seg id="1">Deux.</seg><seg id="2"/></p></hyp>
    </doc>
    <doc origlang="de" id="ecommerce_de_3" domain="ecommerce">
      <src lang="de"><p><seg id="1">Schrank kaputt.</seg></p></src>
      <ref lang="fr" translator="A"><p><seg id="1">Armoire cassée.</seg></p></ref>
    </doc>
    <doc origlang="de" id="social_de_9">
      <src lang="de"><p><seg id="1">lol</seg></p></src>
    </doc>
    <doc origlang="de" id="empty.2" domain="news">
      <src lang="de"><p/></src>
      <hyp system="S" lang="fr"><p><seg id="1"> </seg></p></hyp>
    </doc>
    <doc origlang="de" id="test_de_1">
      <src lang="de"><p><seg id="1">Unbekannt.</seg></p></src>
    </doc>
  </collection>
</dataset>"#;

    fn load(options: &WmtOptions) -> Vec<WmtDoc> {
        parse_wmt(FIXTURE.as_bytes(), "de-fr", options).unwrap()
    }

    #[test]
    fn news_only_by_default_with_paragraphs_and_entities() {
        let docs = load(&WmtOptions::default());
        let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "de-fr/faz.1/src",
                "de-fr/faz.1/ref-A",
                "de-fr/faz.1/ref-A-2",
                "de-fr/faz.1/hyp-SysOne",
                "de-fr/faz.1/hyp-SysTwo"
            ]
        );
        assert_eq!(
            docs[0].text,
            "Erster Satz & mehr. Zweiter Satz.\n\nNeuer Absatz!"
        );
        assert_eq!(docs[0].lang, "de");
        assert_eq!(docs[1].lang, "fr");
        assert_eq!(
            docs[1].text,
            "Première phrase. Deuxième.\n\nNouveau paragraphe !"
        );
        assert_eq!(docs[4].text, "Deux.");
        assert!(docs.iter().all(|d| d.family == "de-fr/faz.1"));
        assert_eq!(
            docs[3].kind,
            WmtKind::Hyp {
                system: "SysOne".into()
            }
        );
        assert_eq!(docs[0].domain.as_deref(), Some("news"));
        assert_eq!(docs[0].to_document().lang.as_deref(), Some("de"));
    }

    #[test]
    fn domain_fallback_caps_and_filters() {
        let all = load(&WmtOptions::all_domains());
        assert_eq!(all.len(), 5 + 2 + 1 + 1);
        let social = all.iter().find(|d| d.doc_id == "social_de_9").unwrap();
        assert_eq!(social.domain.as_deref(), Some("social"));
        let unknown = all.iter().find(|d| d.doc_id == "test_de_1").unwrap();
        assert_eq!(unknown.domain, None);

        let opts = WmtOptions {
            domains: Some(vec!["social".into()]),
            keep_unknown_domain: true,
            ..Default::default()
        };
        let ids: Vec<String> = load(&opts).into_iter().map(|d| d.doc_id).collect();
        assert_eq!(ids, ["social_de_9", "test_de_1"]);

        let capped = load(&WmtOptions {
            max_hyps_per_doc: Some(1),
            include_refs: false,
            ..Default::default()
        });
        let ids: Vec<&str> = capped.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["de-fr/faz.1/src", "de-fr/faz.1/hyp-SysOne"]);
    }

    #[test]
    fn malformed_xml_is_an_error() {
        let bad = "<dataset><doc id=\"a\"><src lang=\"de\"><p><seg>x</p></src></doc></dataset>";
        assert!(parse_wmt(bad.as_bytes(), "x-y", &WmtOptions::all_domains()).is_err());
    }

    #[test]
    fn names_and_domains() {
        assert_eq!(
            file_pair_of(Path::new("/d/wmttest2022.de-fr.all.xml")).as_deref(),
            Some("de-fr")
        );
        assert_eq!(file_pair_of(Path::new("x.xml")), None);
        assert_eq!(
            domain_from_id("conversational_ja_072"),
            Some("conversation")
        );
        assert_eq!(domain_from_id("review_beauty_87_1"), Some("ecommerce"));
        assert_eq!(domain_from_id("test_uk_257"), None);
        assert_eq!(domain_from_id("bbc.381647"), None);
    }

    #[test]
    fn family_runner_scores_per_file_pair() {
        let mut docs = load(&WmtOptions::all_domains());
        let mut other = parse_wmt(FIXTURE.as_bytes(), "fr-de", &WmtOptions::default()).unwrap();
        docs.append(&mut other);
        // Perfect clustering.
        let r = run_families(&docs, |d| d.iter().map(|x| x.family.clone()).collect());
        assert_eq!(r.overall.pairwise.f1, 1.0);
        assert_eq!(r.by_group.len(), 2);
        assert_eq!(r.by_group[0].group, "de-fr");
        assert_eq!(r.by_group[0].scores.items, 9);
        // Clustering by doc id across files merges the two faz.1 families: recall stays
        // 1, overall precision drops, per-file scores stay perfect.
        let r = run_families(&docs, |d| d.iter().map(|x| x.doc_id.clone()).collect());
        assert_eq!(r.overall.pairwise.recall, 1.0);
        assert!(r.overall.pairwise.precision < 1.0);
        assert_eq!(r.by_group[1].scores.bcubed.f1, 1.0);
        let counts = doc_counts(&docs);
        assert_eq!(counts[0], ("de-fr".to_string(), [4, 4, 3, 2]));
    }
}
