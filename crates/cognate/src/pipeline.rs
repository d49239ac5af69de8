//! The pipeline: clean → language → features for each document, then candidates →
//! scores → clusters for a batch.

use std::sync::Arc;

use cognate_encoder::Encoder;
use rayon::prelude::*;
use serde::Serialize;

use crate::candidates::neighbours::{NeighbourSearch, NeighbourStats, nearest};
use crate::features::embedding::{LeadVector, lead};
use crate::features::vector_cache::{VectorCache, text_key};

use crate::candidates::{CandidateOptions, candidate_pairs, lsh_pairs};
use crate::clean::{CleanOptions, Cleaned, RecurringLines, clean_document_with};
use crate::cluster::{Edge, group, members_by_group, stable_id};
use crate::document::{Document, FailedDocument, Published, Record};
use crate::features::sentences::ArticleVectors;
use crate::features::{Features, MinHasher, extract};
use crate::lang::{LangGuess, LanguageIdentifier, UNDETERMINED, default_identifier, identify_body};
use crate::score::alignment::SentenceAlignment;
use crate::score::{AnchorWeights, ArticleView, Judgement, Relation, Thresholds, judge, signals};

/// Settings of a run.
#[derive(Clone, Debug, Default)]
pub struct Config {
    pub clean: CleanOptions,
    pub thresholds: Thresholds,
    pub candidates: CandidateOptions,
    pub minhash: MinHasherConfig,
    /// Exact or approximate nearest-neighbour search of lead embeddings.
    pub neighbours: NeighbourSearch,
    /// Which documents the encoder embeds.
    pub embed: EmbedPolicy,
}

/// Which documents get their lead embedded. Exact copies of a lead are embedded once
/// whatever the policy (the encoder gives a text the same vector in any batch).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EmbedPolicy {
    /// Every distinct lead text.
    All,
    /// Only what cheap signals leave undecided: a document whose MinHash Jaccard with
    /// an earlier document of the same language reaches the duplicate threshold is
    /// already joined to it as a copy, and takes that document's vector instead of
    /// being embedded.
    #[default]
    Undecided,
}

/// What embedding the leads of a batch took.
#[derive(Clone, Debug, Default, Serialize)]
pub struct EmbedStats {
    /// Documents with a lead to embed.
    pub leads: usize,
    /// Documents that took the vector of a near-duplicate (policy `Undecided`).
    pub reused_near_duplicate: usize,
    /// Distinct lead texts left to embed (exact copies counted once).
    pub distinct_texts: usize,
    /// Of those, found in the vector cache.
    pub cache_hits: usize,
    /// Texts the encoder embedded.
    pub embedded: usize,
    /// Encoder calls that failed (their documents have no lead vector).
    pub failed: usize,
}
#[derive(Clone, Debug)]
pub struct MinHasherConfig {
    pub shingle: usize,
    pub bands: usize,
    pub rows: usize,
}

impl Default for MinHasherConfig {
    fn default() -> Self {
        let h = MinHasher::default();
        MinHasherConfig {
            shingle: h.shingle,
            bands: h.bands,
            rows: h.rows,
        }
    }
}

/// A cleaned document with its language.
#[derive(Clone, Debug)]
pub struct CleanedDocument {
    pub cleaned: Cleaned,
    pub lang: LangGuess,
}

/// What the batch stages keep of one document: small, so millions fit in memory.
#[derive(Clone, Debug)]
pub struct Analysis {
    pub id: String,
    pub lang: String,
    pub lang_confidence: f32,
    pub title: Option<String>,
    pub url: Option<String>,
    pub published: Option<Published>,
    pub features: Features,
    /// The lead's embedding, when an encoder is in use.
    pub lead: Option<LeadVector>,
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Analysis {
    pub fn view(&self) -> ArticleView<'_> {
        ArticleView {
            lang: &self.lang,
            features: &self.features,
            published: self.published.as_ref().map(|p| p.timestamp),
            lead: self.lead.as_ref(),
            neighbourhood_same: None,
            neighbourhood_other: None,
        }
    }
}

/// An analysed document with the encoder's closer view, for one-to-one comparison.
#[derive(Clone, Debug)]
pub struct Profile {
    pub analysis: Analysis,
    pub vectors: Option<ArticleVectors>,
}

/// One input document after analysis: analysed, or failed with the reason.
#[derive(Clone, Debug)]
pub enum Entry {
    Ok(Box<Analysis>),
    Failed(FailedDocument),
}

impl Entry {
    pub fn id(&self) -> &str {
        match self {
            Entry::Ok(a) => &a.id,
            Entry::Failed(f) => &f.id,
        }
    }
}

pub struct Pipeline {
    config: Config,
    hasher: MinHasher,
    identifier: Box<dyn LanguageIdentifier>,
    encoder: Option<Arc<dyn Encoder>>,
    vector_cache: Option<VectorCache>,
}

/// Texts per encoder call (and per cache write).
const EMBED_BATCH: usize = 256;

/// Neighbours each article's lead embedding is compared with, for candidates and margins.
const NEIGHBOURS: usize = 6;

impl Pipeline {
    pub fn new(config: Config) -> Self {
        // fastText lid.176 when its model file is found, whatlang otherwise.
        Self::with_identifier(config, default_identifier())
    }

    pub fn with_identifier(config: Config, identifier: Box<dyn LanguageIdentifier>) -> Self {
        let m = &config.minhash;
        let hasher = MinHasher::new(m.shingle, m.bands, m.rows);
        Pipeline {
            config,
            hasher,
            identifier,
            encoder: None,
            vector_cache: None,
        }
    }

    /// Uses a multilingual sentence encoder on each article's lead, for candidates
    /// and for telling translations; without one, anchors alone decide.
    pub fn with_encoder(mut self, encoder: Arc<dyn Encoder>) -> Self {
        self.encoder = Some(encoder);
        self
    }

    /// Keeps lead embeddings in an on-disk cache, so a text is never encoded twice.
    /// The cache must have been opened for this encoder's model.
    pub fn with_vector_cache(mut self, cache: VectorCache) -> Self {
        self.vector_cache = Some(cache);
        self
    }

    /// The vector cache, if any (for its warnings).
    pub fn vector_cache(&self) -> Option<&VectorCache> {
        self.vector_cache.as_ref()
    }

    /// The encoder's name, or `None` in anchors-only mode.
    pub fn encoder_name(&self) -> Option<&str> {
        self.encoder.as_deref().map(|e| e.name())
    }

    /// The encoder, or `None` in anchors-only mode.
    pub fn encoder(&self) -> Option<&dyn Encoder> {
        self.encoder.as_deref()
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The MinHash parameters in use (band keys for candidate buckets).
    pub fn minhasher(&self) -> &MinHasher {
        &self.hasher
    }

    pub fn identifier_name(&self) -> &str {
        self.identifier.name()
    }

    /// Cleans a document and identifies its language. A language the input declared
    /// is kept when detection is unsure.
    pub fn clean(&self, doc: &Document) -> CleanedDocument {
        self.clean_with(doc, None)
    }

    /// [`Pipeline::clean`], also dropping lines that recur across the batch.
    pub fn clean_with(
        &self,
        doc: &Document,
        recurring: Option<&RecurringLines>,
    ) -> CleanedDocument {
        let cleaned = clean_document_with(doc, &self.config.clean, recurring);
        let detected = identify_body(self.identifier.as_ref(), &cleaned.text);
        let lang = match (detected, &doc.lang) {
            (Some(g), Some(declared)) if g.confidence < 0.5 && !declared.is_empty() => LangGuess {
                lang: declared.clone(),
                confidence: g.confidence,
            },
            (Some(g), _) => g,
            (None, Some(declared)) => LangGuess {
                lang: declared.clone(),
                confidence: 0.0,
            },
            (None, None) => LangGuess {
                lang: UNDETERMINED.to_string(),
                confidence: 0.0,
            },
        };
        CleanedDocument { cleaned, lang }
    }

    /// Cleans, identifies and summarises one document.
    pub fn analyze(&self, doc: &Document) -> Analysis {
        let (analysis, lead_text) = self.analyze_without_lead(doc, None);
        let mut entries = [Entry::Ok(Box::new(analysis))];
        self.embed_entries(&mut entries, &[lead_text], EmbedPolicy::All);
        let [Entry::Ok(analysis)] = entries else {
            unreachable!("one analysed entry")
        };
        *analysis
    }

    /// The analysis, and the lead text to embed (only when an encoder is in use).
    fn analyze_without_lead(
        &self,
        doc: &Document,
        recurring: Option<&RecurringLines>,
    ) -> (Analysis, Option<Box<str>>) {
        let CleanedDocument { cleaned, lang } = self.clean_with(doc, recurring);
        let features = extract(&cleaned.text, &self.hasher);
        let lead_text = self.encoder.is_some().then(|| lead(&cleaned.text).into());
        let analysis = Analysis {
            id: doc.id.clone(),
            lang: lang.lang,
            lang_confidence: lang.confidence,
            title: cleaned.title.or_else(|| doc.title.clone()),
            url: doc.url.clone(),
            // A date the page states beats one the transport (a WARC header) gives.
            published: cleaned.published.or_else(|| doc.published.clone()),
            features,
            lead: None,
            extra: doc.extra.clone(),
        };
        (analysis, lead_text)
    }

    /// Analyses records in parallel, keeping their order, and embeds every lead.
    pub fn analyze_records(&self, records: Vec<Record>) -> Vec<Entry> {
        self.analyze_records_with(records, None)
    }

    /// [`Pipeline::analyze_records`], also dropping lines that recur across the batch
    /// (counts from a [`RecurringLines`] or a window of the stream).
    pub fn analyze_records_with(
        &self,
        records: Vec<Record>,
        recurring: Option<&RecurringLines>,
    ) -> Vec<Entry> {
        let (mut entries, leads) = self.analyze_records_deferred(records, recurring);
        self.embed_entries(&mut entries, &leads, EmbedPolicy::All);
        entries
    }

    /// Analyses records in parallel, keeping their order, without embedding: the
    /// lead texts are returned (with an encoder) for [`Self::embed_entries`] once the
    /// whole batch is known.
    pub fn analyze_records_deferred(
        &self,
        records: Vec<Record>,
        recurring: Option<&RecurringLines>,
    ) -> (Vec<Entry>, Vec<Option<Box<str>>>) {
        records
            .into_par_iter()
            .map(|r| match r {
                Record::Ok(doc) => {
                    let (analysis, lead_text) = self.analyze_without_lead(&doc, recurring);
                    (Entry::Ok(Box::new(analysis)), lead_text)
                }
                Record::Failed(f) => (Entry::Failed(f), None),
            })
            .unzip()
    }

    /// Embeds the leads of a batch (`leads[i]` belongs to `entries[i]`): each distinct
    /// text once, from the vector cache when it has it, and under
    /// [`EmbedPolicy::Undecided`] not at all for near-duplicates of an earlier document.
    /// A failed encoder call leaves those leads out: anchors still decide for them.
    pub fn embed_entries(
        &self,
        entries: &mut [Entry],
        leads: &[Option<Box<str>>],
        policy: EmbedPolicy,
    ) -> EmbedStats {
        let mut stats = EmbedStats::default();
        let Some(encoder) = &self.encoder else {
            return stats;
        };
        let model = encoder.name();
        // Documents with a lead: (entry index, text).
        let docs: Vec<(usize, &str)> = entries
            .iter()
            .zip(leads)
            .enumerate()
            .filter_map(|(i, (e, l))| match (e, l) {
                (Entry::Ok(_), Some(l)) if !l.trim().is_empty() => Some((i, &**l)),
                _ => None,
            })
            .collect();
        stats.leads = docs.len();
        // Near-duplicates take the vector of the earliest document they copy.
        let donor: Vec<Option<usize>> = match policy {
            EmbedPolicy::All => vec![None; docs.len()],
            EmbedPolicy::Undecided => self.near_duplicate_donors(entries, &docs),
        };
        stats.reused_near_duplicate = donor.iter().filter(|d| d.is_some()).count();
        // Distinct texts of the documents that need a vector of their own.
        let keys: Vec<u128> = docs
            .par_iter()
            .map(|&(_, text)| match &self.vector_cache {
                Some(cache) => cache.key(text),
                None => text_key(model, text),
            })
            .collect();
        let mut first: std::collections::HashMap<u128, usize> = Default::default();
        let mut distinct: Vec<usize> = Vec::new();
        for (d, (key, donor)) in keys.iter().zip(&donor).enumerate() {
            if donor.is_none() && !first.contains_key(key) {
                first.insert(*key, distinct.len());
                distinct.push(d);
            }
        }
        stats.distinct_texts = distinct.len();
        let mut vectors: Vec<Option<LeadVector>> = match &self.vector_cache {
            Some(cache) => distinct.par_iter().map(|&d| cache.get(keys[d])).collect(),
            None => vec![None; distinct.len()],
        };
        stats.cache_hits = vectors.iter().filter(|v| v.is_some()).count();
        let missing: Vec<usize> = (0..distinct.len())
            .filter(|&u| vectors[u].is_none())
            .collect();
        for batch in missing.chunks(EMBED_BATCH) {
            let texts: Vec<&str> = batch.iter().map(|&u| docs[distinct[u]].1).collect();
            let Ok(embedded) = encoder.embed_passages(&texts) else {
                stats.failed += batch.len();
                continue;
            };
            stats.embedded += batch.len();
            for (&u, v) in batch.iter().zip(embedded) {
                vectors[u] = Some(LeadVector::quantize(v.as_slice()));
            }
            if let Some(cache) = &self.vector_cache {
                let items: Vec<(u128, &LeadVector)> = batch
                    .iter()
                    .filter_map(|&u| vectors[u].as_ref().map(|v| (keys[distinct[u]], v)))
                    .collect();
                // A cache that cannot be written only costs time in later runs.
                if let Err(e) = cache.put(&items) {
                    cache.warn(format!("not written: {e}"));
                }
            }
        }
        // Hand the vectors out: own text's, or the donor's.
        let mut own: Vec<Option<LeadVector>> = (0..docs.len())
            .map(|d| match donor[d] {
                None => vectors[first[&keys[d]]].clone(),
                Some(_) => None,
            })
            .collect();
        for (d, g) in donor.iter().enumerate() {
            if let Some(g) = *g {
                own[d] = own[g].clone();
            }
        }
        for (&(i, _), v) in docs.iter().zip(own) {
            if let Entry::Ok(a) = &mut entries[i] {
                a.lead = v;
            }
        }
        stats
    }

    /// For each document with a lead (`docs`), the earlier document (index into `docs`)
    /// whose vector it can take: one of the same language whose MinHash Jaccard with
    /// it reaches the duplicate threshold, itself embedded. Deterministic: the earliest
    /// such document.
    fn near_duplicate_donors(
        &self,
        entries: &[Entry],
        docs: &[(usize, &str)],
    ) -> Vec<Option<usize>> {
        let analyses: Vec<&Analysis> = docs
            .iter()
            .map(|&(i, _)| match &entries[i] {
                Entry::Ok(a) => a.as_ref(),
                Entry::Failed(_) => unreachable!("only analysed documents have leads"),
            })
            .collect();
        let features: Vec<&Features> = analyses.iter().map(|a| &a.features).collect();
        let threshold = self.config.thresholds.duplicate_jaccard;
        let mut partners: Vec<(u32, u32)> =
            lsh_pairs(&features, &self.hasher, self.config.candidates.max_bucket)
                .into_par_iter()
                .filter(|&(a, b)| {
                    let (x, y) = (analyses[a as usize], analyses[b as usize]);
                    x.lang == y.lang
                        && (x.features.exact == y.features.exact
                            || x.features.signature.jaccard(&y.features.signature) >= threshold)
                })
                .map(|(a, b)| (b, a))
                .collect();
        partners.par_sort_unstable();
        partners.dedup();
        let mut donor: Vec<Option<usize>> = vec![None; docs.len()];
        // Pairs (later, earlier) in order of the later document: its donor is the
        // earliest partner that has no donor itself.
        for group in partners.chunk_by(|x, y| x.0 == y.0) {
            let later = group[0].0 as usize;
            donor[later] = group
                .iter()
                .map(|&(_, earlier)| earlier as usize)
                .find(|&e| donor[e].is_none());
        }
        donor
    }

    /// Judges two analysed articles.
    pub fn compare(&self, a: &Analysis, b: &Analysis, weights: &AnchorWeights) -> Judgement {
        judge(
            &signals(&a.view(), &b.view(), weights),
            &self.config.thresholds,
        )
    }

    /// Analyses one document for a close comparison: what a batch keeps, plus the
    /// encoder's view of the whole text, its tail and its sentences (when an encoder is
    /// in use and it worked).
    pub fn profile(&self, doc: &Document) -> Profile {
        let analysis = self.analyze(doc);
        let vectors = self.encoder.as_deref().and_then(|e| {
            let cleaned = clean_document_with(doc, &self.config.clean, None);
            // The cleaner moves a headline out of the text; for a close comparison it
            // belongs to the article (the densest statement of the story). The lead
            // used for clustering leaves it out: with it, different reports of one
            // event pass the translation rule (the seeds' 003 joined 004's family).
            let text = match analysis.title.as_deref().map(str::trim) {
                Some(t) if !t.is_empty() => format!("{t}\n{}", cleaned.text),
                _ => cleaned.text,
            };
            ArticleVectors::embed(e, &text).ok()
        });
        Profile { analysis, vectors }
    }

    /// Judges two profiled articles with every signal they have; with the encoder, also
    /// their sentence alignment (the best-matching sentence pairs).
    pub fn compare_profiles(
        &self,
        a: &Profile,
        b: &Profile,
        weights: &AnchorWeights,
    ) -> (Judgement, Option<SentenceAlignment>) {
        let mut s = signals(&a.analysis.view(), &b.analysis.view(), weights);
        let alignment = match (&a.vectors, &b.vectors) {
            (Some(x), Some(y)) => Some(s.add_article_vectors(x, y)),
            _ => None,
        };
        (judge(&s, &self.config.thresholds), alignment)
    }

    /// Groups a batch into families and events.
    pub fn cluster(&self, entries: &[Entry]) -> Clustering {
        let docs: Vec<&Analysis> = entries
            .iter()
            .filter_map(|e| match e {
                Entry::Ok(a) => Some(a.as_ref()),
                Entry::Failed(_) => None,
            })
            .collect();
        let features: Vec<&Features> = docs.iter().map(|a| &a.features).collect();
        let weights = AnchorWeights::from_corpus(features.iter().map(|f| &f.anchors[..]));
        let mut pairs = candidate_pairs(&features, &self.hasher, &weights, &self.config.candidates);
        // Nearest leads: candidates that share no anchor, and each article's neighbourhood.
        let leads: Vec<Option<&LeadVector>> = docs.iter().map(|a| a.lead.as_ref()).collect();
        let mut neighbourhood: Vec<(Option<f32>, Option<f32>)> = vec![(None, None); docs.len()];
        let mut neighbour_stats = NeighbourStats::default();
        if leads.iter().any(Option::is_some) {
            let langs: Vec<&str> = docs.iter().map(|a| a.lang.as_str()).collect();
            let (near, stats) = nearest(&leads, &langs, NEIGHBOURS, &self.config.neighbours);
            neighbour_stats = stats;
            for (i, near) in near.into_iter().enumerate() {
                neighbourhood[i] = (near.mean(true), near.mean(false));
                let all = near.same_language.into_iter().chain(near.other_languages);
                pairs
                    .extend(all.map(|(j, _)| (i.min(j as usize) as u32, i.max(j as usize) as u32)));
            }
            pairs.par_sort_unstable();
            pairs.dedup();
        }
        let view = |i: u32| ArticleView {
            neighbourhood_same: neighbourhood[i as usize].0,
            neighbourhood_other: neighbourhood[i as usize].1,
            ..docs[i as usize].view()
        };
        let judge_pair = |i: u32, j: u32| {
            judge(
                &signals(&view(i), &view(j), &weights),
                &self.config.thresholds,
            )
        };
        let judged: Vec<(u32, u32, Judgement)> = pairs
            .par_iter()
            .filter_map(|&(i, j)| {
                let jd = judge_pair(i, j);
                (jd.relation != Relation::Unrelated).then_some((i, j, jd))
            })
            .collect();

        // Families: copies and translations; the earliest, then most complete, represents.
        let rank = |i: u32| {
            let a = docs[i as usize];
            (
                a.published.as_ref().map_or(i64::MAX, |p| p.timestamp),
                std::cmp::Reverse(a.features.anchors.len() + a.features.tokens as usize),
                i,
            )
        };
        let family_edges = judged
            .iter()
            .filter(|(_, _, jd)| jd.relation.is_family())
            .map(|(i, j, jd)| Edge {
                a: *i,
                b: *j,
                strength: family_strength(jd, &self.config.thresholds),
            })
            .collect();
        // Two groups merge when their representatives are judged copies, or else most
        // pairs of their first members are: a representative may be a poor wording of
        // the article (a weak machine translation among good ones) that its own group
        // vouches for. Either way an article that resembles only one member of a group
        // stays out, which stops chaining.
        let family_root = group(docs.len(), family_edges, rank, |x, y| {
            if judge_pair(x.representative, y.representative)
                .relation
                .is_family()
            {
                return true;
            }
            let (sa, sb) = (
                linkage_sample(x, FAMILY_LINKAGE_SAMPLE, rank),
                linkage_sample(y, FAMILY_LINKAGE_SAMPLE, rank),
            );
            crate::score::mostly_family(
                sa.iter()
                    .flat_map(|&i| sb.iter().map(move |&j| (i, j)))
                    .map(|(i, j)| judge_pair(i, j)),
            )
        });

        // Families in order of their first member; each with its representative.
        let (doc_family, family_members) = members_by_group(&family_root);
        let mut families: Vec<Family> = family_members
            .into_iter()
            .map(|members| Family {
                members,
                ..Family::default()
            })
            .collect();
        for family in &mut families {
            let rep = *family
                .members
                .iter()
                .min_by_key(|&&i| rank(i))
                .expect("families are never empty");
            family.representative = rep;
            family.original_basis = if docs[rep as usize].published.is_some() {
                "earliest_published"
            } else if family.members.len() > 1 {
                "most_complete"
            } else {
                "only_member"
            };
            let mut ids: Vec<&str> = family
                .members
                .iter()
                .map(|&i| docs[i as usize].id.as_str())
                .collect();
            family.id = stable_id("f-", &mut ids);
        }

        // Events: families linked by same-event pairs, merged only when their
        // representatives are judged the same event too.
        let mut event_edges = Vec::new();
        let mut related = Vec::new();
        for (i, j, jd) in &judged {
            let (fi, fj) = (doc_family[*i as usize], doc_family[*j as usize]);
            if fi == fj {
                continue;
            }
            if jd.relation.is_event() {
                event_edges.push(Edge {
                    a: fi.min(fj),
                    b: fi.max(fj),
                    strength: 4.0 - jd.score,
                });
            } else if jd.relation == Relation::Related {
                related.push((fi, fj));
            }
        }
        let reps: Vec<u32> = families.iter().map(|f| f.representative).collect();
        // Average linkage of the fitted score over (a sample of) the articles of the two
        // candidate events.
        let event_root = group(
            families.len(),
            event_edges,
            |f| rank(reps[f as usize]),
            |x, y| {
                let sample = |g: &crate::cluster::Group| -> Vec<u32> {
                    let mut docs_of: Vec<u32> = g
                        .members
                        .iter()
                        .flat_map(|&f| families[f as usize].members.iter().copied())
                        .collect();
                    docs_of.sort_by_key(|&i| rank(i));
                    docs_of.truncate(EVENT_LINKAGE_SAMPLE);
                    docs_of
                };
                let (sa, sb) = (sample(x), sample(y));
                crate::score::linked_on_average(
                    sa.iter()
                        .flat_map(|&i| sb.iter().map(move |&j| (i, j)))
                        .map(|(i, j)| judge_pair(i, j)),
                )
            },
        );
        let (family_event, event_families) = members_by_group(&event_root);
        let mut events: Vec<Event> = event_families
            .into_iter()
            .map(|families| Event {
                families,
                ..Event::default()
            })
            .collect();
        for event in &mut events {
            let mut ids: Vec<&str> = event
                .families
                .iter()
                .flat_map(|&f| {
                    families[f as usize]
                        .members
                        .iter()
                        .map(|&i| docs[i as usize].id.as_str())
                })
                .collect();
            event.id = stable_id("e-", &mut ids);
        }
        for (fi, fj) in related {
            let (ei, ej) = (family_event[fi as usize], family_event[fj as usize]);
            if ei != ej {
                events[ei as usize].related.push(ej);
                events[ej as usize].related.push(ei);
            }
        }
        for e in &mut events {
            e.related.sort_unstable();
            e.related.dedup();
        }

        let relation_to_representative: Vec<Option<Relation>> = (0..docs.len())
            .into_par_iter()
            .map(|i| {
                let rep = families[doc_family[i] as usize].representative as usize;
                if rep == i {
                    return None;
                }
                let r = judge_pair(i as u32, rep as u32).relation;
                Some(if r.is_family() {
                    r
                } else if docs[i].lang == docs[rep].lang {
                    // Joined through another member: a copy of a copy.
                    Relation::NearDuplicate
                } else {
                    Relation::Translation
                })
            })
            .collect();

        let stats = ClusterStats {
            documents: docs.len(),
            candidate_pairs: pairs.len(),
            judged_pairs: judged.len(),
            families: families.len(),
            events: events.len(),
            anchor_index_bytes: weights.memory_bytes(),
            features_bytes: features.iter().map(|f| f.memory_bytes()).sum(),
            lead_bytes: docs
                .iter()
                .filter_map(|a| a.lead.as_ref())
                .map(LeadVector::memory_bytes)
                .sum(),
            // The band table candidate generation sorts: (key, document) per band and
            // one for the exact hash.
            lsh_table_bytes: docs.len()
                * (self.hasher.bands + 1)
                * std::mem::size_of::<(u64, u32)>(),
            lead_vectors: neighbour_stats.vectors,
            neighbours_approximate: neighbour_stats.approximate,
            ann_index_bytes: neighbour_stats.index_bytes,
        };
        Clustering {
            doc_family,
            family_event,
            relation_to_representative,
            families,
            events,
            stats,
        }
    }
}

/// Articles per side that average linkage between two events looks at.
pub(crate) const EVENT_LINKAGE_SAMPLE: usize = 8;
/// Articles per side whose pairs the family guard counts when the representatives
/// are not judged copies.
pub(crate) const FAMILY_LINKAGE_SAMPLE: usize = 8;

/// The first `n` members of a group by rank (earliest, then most complete).
fn linkage_sample<K: Ord>(
    g: &crate::cluster::Group,
    n: usize,
    rank: impl Fn(u32) -> K,
) -> Vec<u32> {
    let mut members = g.members.clone();
    members.sort_by_key(|&i| rank(i));
    members.truncate(n);
    members
}

/// The strength of a family edge: duplicates, then copies shown by their wording, then
/// likenesses of meaning (anchors, the encoder's lead margin) whatever the languages. A
/// same-language pair the anchors or the encoder call a near duplicate is no surer than
/// a translation: ranked above them, it used to take an article into a neighbour's
/// family before its own translations could claim it (the guard then kept it out).
pub fn family_strength(j: &Judgement, t: &Thresholds) -> f32 {
    let s = &j.signals;
    match j.relation {
        Relation::Duplicate => 3.0 + s.lexical_jaccard,
        Relation::NearDuplicate if s.lexical_copy(t) => 2.0 + s.lexical_jaccard.max(s.anchor_dice),
        _ => {
            1.0 + s
                .translation_dice()
                .max(s.encoder_margin.unwrap_or(0.0) - 1.0)
        }
    }
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Family {
    pub id: String,
    /// Indices into the analysed documents (in input order).
    pub members: Vec<u32>,
    /// The likely original.
    pub representative: u32,
    /// Why the representative is taken for the original.
    pub original_basis: &'static str,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Event {
    pub id: String,
    pub families: Vec<u32>,
    /// Events of the same storyline (indices into the events).
    pub related: Vec<u32>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct ClusterStats {
    pub documents: usize,
    pub candidate_pairs: usize,
    pub judged_pairs: usize,
    pub families: usize,
    pub events: usize,
    pub anchor_index_bytes: usize,
    pub features_bytes: usize,
    pub lead_bytes: usize,
    pub lsh_table_bytes: usize,
    /// Lead vectors searched for neighbours, whether approximately, and the
    /// resident memory the approximate index took.
    pub lead_vectors: usize,
    pub neighbours_approximate: bool,
    pub ann_index_bytes: usize,
}

/// The result of clustering a batch (indices refer to the analysed documents, failed ones left out).
#[derive(Clone, Debug, Default)]
pub struct Clustering {
    pub doc_family: Vec<u32>,
    pub family_event: Vec<u32>,
    pub relation_to_representative: Vec<Option<Relation>>,
    pub families: Vec<Family>,
    pub events: Vec<Event>,
    pub stats: ClusterStats,
}
