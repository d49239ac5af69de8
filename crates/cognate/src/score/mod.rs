//! Scores: how two articles relate, on cognate's relations and on the SemEval-2022
//! Task 8 scale (1 = same story … 4 = unrelated), with the signals behind it.

pub mod alignment;
pub mod model;
pub mod trees;
pub mod weights;

use std::sync::Arc;

use serde::Serialize;

use crate::features::embedding::LeadVector;
use crate::features::sentences::ArticleVectors;
use crate::features::{AnchorKind, Features};
pub use weights::AnchorWeights;

/// How two articles relate, strongest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    Duplicate,
    NearDuplicate,
    Translation,
    SameEvent,
    Related,
    Unrelated,
}

impl Relation {
    /// Copies and translations of one article: the relations that make a family.
    pub fn is_family(self) -> bool {
        matches!(
            self,
            Relation::Duplicate | Relation::NearDuplicate | Relation::Translation
        )
    }

    /// Relations that put two articles in one event.
    pub fn is_event(self) -> bool {
        self <= Relation::SameEvent
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Duplicate => "duplicate",
            Relation::NearDuplicate => "near_duplicate",
            Relation::Translation => "translation",
            Relation::SameEvent => "same_event",
            Relation::Related => "related",
            Relation::Unrelated => "unrelated",
        }
    }
}

/// What the scorer needs of one article.
#[derive(Clone, Copy, Debug)]
pub struct ArticleView<'a> {
    pub lang: &'a str,
    pub features: &'a Features,
    /// Seconds since the epoch.
    pub published: Option<i64>,
    /// The lead embedding, when an encoder ran.
    pub lead: Option<&'a LeadVector>,
    /// Mean cosine of the article's nearest neighbours in the batch, among articles of
    /// its own language and of other languages, for margin scoring.
    pub neighbourhood_same: Option<f32>,
    pub neighbourhood_other: Option<f32>,
}

/// The measurable signals between two articles.
#[derive(Clone, Debug, Default, PartialEq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Signals {
    pub same_language: bool,
    pub exact_duplicate: bool,
    /// MinHash estimate of the Jaccard similarity of word shingles (see `MinHasher`).
    pub lexical_jaccard: f32,
    /// Estimated share of the shorter text's shingles found in the longer one.
    pub lexical_containment: f32,
    /// Rarity-weighted Dice overlap of the anchors.
    pub anchor_dice: f32,
    /// Rarity-weighted share of the smaller anchor set found in the other.
    pub anchor_containment: f32,
    /// Rarity-weighted Dice overlap of the numbers alone.
    pub number_dice: f32,
    /// Numbers in each text.
    pub numbers_a: u32,
    pub numbers_b: u32,
    /// Whether both texts name people and places alike: false when one is in a script
    /// without capitals (Chinese, Japanese, Arabic…), where names cannot be told.
    pub names_comparable: bool,
    /// Cosine of the anchor vectors weighted by rarity and salience (repetition, lead):
    /// high when the two texts are about the same people, places and figures.
    pub anchor_cosine: f32,
    pub shared_numbers: u32,
    pub shared_names: u32,
    /// Ratio of the shorter to the longer text, in words (0..1).
    pub length_ratio: f32,
    pub time_gap_days: Option<f32>,
    /// Cosine of the lead embeddings (multilingual encoder).
    pub encoder_cosine: Option<f32>,
    /// The cosine relative to the two articles' neighbourhoods: above 1, the pair
    /// stands out from what each article resembles anyway.
    pub encoder_margin: Option<f32>,
    /// With an encoder, for a close comparison of two articles ([`Signals::add_article_vectors`]):
    /// cosine of the whole texts, of their tails, and of their sentences (see
    /// [`alignment::SentenceAlignment`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text_cosine: Option<f32>,
    /// Cosine of the two leads with their headlines (the batch's lead leaves the headline
    /// out, see [`ArticleVectors::lead`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headline_lead_cosine: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tail_cosine: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sentence_soft_cosine: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sentence_matched_share: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sentence_order: Option<f32>,
    /// The componentwise products of the two lead embeddings and of the two whole-text
    /// embeddings (their sums are `encoder_cosine` and `text_cosine`): what the fitted
    /// model weighs dimension by dimension ([`model::ProductWeights`]). Never written
    /// out: 384 numbers each.
    #[serde(skip)]
    pub lead_product: Option<Arc<[f32]>>,
    #[serde(skip)]
    pub text_product: Option<Arc<[f32]>>,
}

/// Thresholds that turn signals into relations. Read from JSON with every field
/// optional (`cognate … --thresholds FILE`), so a calibration can change a few.
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    pub duplicate_jaccard: f32,
    pub near_duplicate_jaccard: f32,
    pub near_duplicate_containment: f32,
    pub translation_anchor_dice: f32,
    pub translation_min_shared: u32,
    /// The score (1–4, fitted on SemEval) at or below which two different articles are
    /// about the same event. Unset: the cut of the model that scored the pair, fitted
    /// with it ([`model::NamedModel::same_event_score`]): a model that tells events apart
    /// less well (anchors alone) needs a stricter cut than one with the encoder.
    pub same_event_score: Option<f32>,
    /// The score at or below which two different articles are of the same storyline.
    pub related_score: f32,
    /// Articles further apart in time than this are not one event.
    pub event_window_days: f32,
    /// With an encoder: lead cosine and margin above these make a translation…
    pub translation_encoder_cosine: f32,
    pub translation_encoder_margin: f32,
    /// …and within one language, only with at least this MinHash Jaccard: leads of
    /// different articles on one story in one language reach any cosine and margin
    /// (0.98 for two reports of one shooting on WMT22), while rewordings of one
    /// article (independent translations of one source) keep some of its phrases.
    pub same_language_encoder_jaccard: f32,
    /// The margin the encoder's rule asks within one language: the other rewordings of
    /// an article fill each other's neighbourhood, so a true pair's margin sits near 1.
    pub same_language_encoder_margin: f32,
    /// …unless both texts carry at least this many numbers and share almost none.
    pub numbers_veto_min: u32,
    /// With an encoder, anchors alone make no translation or near duplicate when the
    /// leads' margin is below this: two reports of one story share its names and
    /// figures, but their leads are then less alike than each is to its neighbours.
    pub anchor_veto_encoder_margin: f32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            duplicate_jaccard: 0.9,
            near_duplicate_jaccard: 0.3,
            near_duplicate_containment: 0.8,
            translation_anchor_dice: 0.45,
            translation_min_shared: 3,
            same_event_score: None,
            related_score: 2.8,
            event_window_days: 7.0,
            translation_encoder_cosine: 0.83,
            translation_encoder_margin: 1.0,
            same_language_encoder_jaccard: 0.1,
            same_language_encoder_margin: 0.97,
            numbers_veto_min: 4,
            anchor_veto_encoder_margin: 0.93,
        }
    }
}

/// A judgement of a pair: relation, score on the 1–4 scale, and the signals behind it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Judgement {
    pub relation: Relation,
    pub score: f32,
    /// The same-event cut the pair was judged by (see [`Thresholds::same_event_score`]).
    pub event_cut: f32,
    pub signals: Signals,
}

impl Signals {
    /// The encoder finds the two leads to say the same, standing out from their
    /// neighbourhoods, and the numbers do not contradict it.
    pub fn encoder_says_translation(&self, t: &Thresholds) -> bool {
        let (Some(c), Some(m)) = (self.encoder_cosine, self.encoder_margin) else {
            return false;
        };
        let numbers_disagree =
            self.numbers_a.min(self.numbers_b) >= t.numbers_veto_min && self.number_dice < 0.1;
        let (margin, jaccard) = if self.same_language {
            (
                t.same_language_encoder_margin,
                t.same_language_encoder_jaccard,
            )
        } else {
            (t.translation_encoder_margin, 0.0)
        };
        c >= t.translation_encoder_cosine
            && m >= margin
            && self.lexical_jaccard >= jaccard
            && !numbers_disagree
            && self.length_ratio >= 0.25
    }

    /// The wording shows a copy: duplicate or near-duplicate text, or a truncation.
    pub fn lexical_copy(&self, t: &Thresholds) -> bool {
        self.exact_duplicate
            || self.lexical_jaccard >= t.near_duplicate_jaccard
            || (self.lexical_containment >= t.near_duplicate_containment
                && self.anchor_containment >= 0.5)
    }

    /// Adds the signals of the two articles' closer encoder views and returns their
    /// sentence alignment (the best-matching sentence pairs are evidence).
    pub fn add_article_vectors(
        &mut self,
        a: &ArticleVectors,
        b: &ArticleVectors,
    ) -> alignment::SentenceAlignment {
        let al = alignment::align(
            a.sentence_vectors.len(),
            b.sentence_vectors.len(),
            |i, j| a.sentence_vectors[i].dot(&b.sentence_vectors[j]),
        );
        if a.text.len() == b.text.len() && !a.text.is_empty() {
            self.text_cosine = Some(a.text.dot(&b.text));
            let (x, y) = (a.text.as_slice(), b.text.as_slice());
            self.text_product = Some(x.iter().zip(y).map(|(p, q)| p * q).collect());
        }
        if a.lead.len() == b.lead.len() && !a.lead.is_empty() {
            self.headline_lead_cosine = Some(a.lead.dot(&b.lead));
        }
        self.tail_cosine = match (&a.tail, &b.tail) {
            (Some(x), Some(y)) => Some(x.dot(y)),
            _ => None,
        };
        if al.sentences_a > 0 && al.sentences_b > 0 {
            self.sentence_soft_cosine = Some(al.soft_cosine);
            self.sentence_matched_share = Some(al.matched_share);
            self.sentence_order = Some(al.order);
        }
        al
    }

    /// The anchor overlap that tells a translation: all anchors where names can be
    /// compared, numbers alone where one script hides them.
    pub fn translation_dice(&self) -> f32 {
        if self.names_comparable {
            self.anchor_dice
        } else {
            self.number_dice
        }
    }
}

/// Computes the signals between two articles.
pub fn signals(a: &ArticleView, b: &ArticleView, weights: &AnchorWeights) -> Signals {
    let same_language = a.lang == b.lang;
    let (fa, fb) = (a.features, b.features);
    let lexical_jaccard = fa.signature.jaccard(&fb.signature);
    // Containment from Jaccard and set sizes: |A∩B| = J(|A|+|B|)/(1+J).
    let (na, nb) = (fa.tokens.max(1) as f32, fb.tokens.max(1) as f32);
    let inter = lexical_jaccard * (na + nb) / (1.0 + lexical_jaccard);
    let lexical_containment = (inter / na.min(nb)).min(1.0);

    let (mut shared, mut wa, mut wb) = (0.0f32, 0.0f32, 0.0f32);
    let (mut dot, mut na2, mut nb2) = (0.0f32, 0.0f32, 0.0f32);
    let (sa, sb) = (&fa.salience, &fb.salience);
    // Numbers alone, and name counts, for texts whose scripts hide names.
    let (mut num_shared, mut num_a, mut num_b) = (0.0f32, 0.0f32, 0.0f32);
    let (mut names_a, mut names_b) = (0u32, 0u32);
    let (mut numbers_a, mut numbers_b) = (0u32, 0u32);
    let is_number = |h: u64| AnchorKind::of_hash(h) == AnchorKind::Number;
    let (mut shared_numbers, mut shared_names) = (0, 0);
    let (mut i, mut j) = (0, 0);
    let (xa, xb) = (&fa.anchors, &fb.anchors);
    while i < xa.len() || j < xb.len() {
        if j >= xb.len() || (i < xa.len() && xa[i] < xb[j]) {
            let w = weights.weight(xa[i]);
            wa += w;
            na2 += (w * sa[i] as f32).powi(2);
            if is_number(xa[i]) {
                numbers_a += 1;
                num_a += w
            } else {
                names_a += 1
            }
            i += 1;
        } else if i >= xa.len() || xb[j] < xa[i] {
            let w = weights.weight(xb[j]);
            wb += w;
            nb2 += (w * sb[j] as f32).powi(2);
            if is_number(xb[j]) {
                numbers_b += 1;
                num_b += w
            } else {
                names_b += 1
            }
            j += 1;
        } else {
            let w = weights.weight(xa[i]);
            shared += w;
            wa += w;
            wb += w;
            let (va, vb) = (w * sa[i] as f32, w * sb[j] as f32);
            dot += va * vb;
            na2 += va * va;
            nb2 += vb * vb;
            match AnchorKind::of_hash(xa[i]) {
                AnchorKind::Number => {
                    shared_numbers += 1;
                    numbers_a += 1;
                    numbers_b += 1;
                    num_shared += w;
                    num_a += w;
                    num_b += w;
                }
                AnchorKind::Name => {
                    shared_names += 1;
                    names_a += 1;
                    names_b += 1;
                }
            }
            i += 1;
            j += 1;
        }
    }
    let anchor_dice = if wa + wb > 0.0 {
        2.0 * shared / (wa + wb)
    } else {
        0.0
    };
    let anchor_containment = if wa.min(wb) > 0.0 {
        shared / wa.min(wb)
    } else {
        0.0
    };
    let number_dice = if num_a + num_b > 0.0 {
        2.0 * num_shared / (num_a + num_b)
    } else {
        0.0
    };
    let names_comparable = names_a.min(names_b) as f32 >= 0.3 * names_a.max(names_b) as f32;
    let anchor_cosine = if na2 > 0.0 && nb2 > 0.0 {
        dot / (na2.sqrt() * nb2.sqrt())
    } else {
        0.0
    };
    let time_gap_days = match (a.published, b.published) {
        (Some(x), Some(y)) => Some((x - y).unsigned_abs() as f32 / 86_400.0),
        _ => None,
    };
    let encoder_cosine = match (a.lead, b.lead) {
        (Some(x), Some(y)) => Some(x.cosine(y)),
        _ => None,
    };
    let lead_product = match (a.lead, b.lead) {
        (Some(x), Some(y)) => Some(Arc::from(x.product(y))),
        _ => None,
    };
    let (na_, nb_) = if same_language {
        (a.neighbourhood_same, b.neighbourhood_same)
    } else {
        (a.neighbourhood_other, b.neighbourhood_other)
    };
    let encoder_margin = match (encoder_cosine, na_, nb_) {
        (Some(c), Some(x), Some(y)) if x + y > 0.0 => Some(2.0 * c / (x + y)),
        _ => None,
    };
    Signals {
        encoder_cosine,
        encoder_margin,
        lead_product,
        same_language,
        exact_duplicate: fa.exact == fb.exact && fa.tokens > 0,
        lexical_jaccard,
        lexical_containment,
        anchor_dice,
        anchor_containment,
        anchor_cosine,
        number_dice,
        numbers_a,
        numbers_b,
        names_comparable,
        shared_numbers,
        shared_names,
        length_ratio: na.min(nb) / na.max(nb),
        time_gap_days,
        ..Signals::default()
    }
}

/// Turns signals into a relation and a 1–4 score.
pub fn judge(s: &Signals, t: &Thresholds) -> Judgement {
    let (score, model_cut) = scale_score(s);
    let event_cut = t.same_event_score.unwrap_or(model_cut);
    let in_window = s.time_gap_days.is_none_or(|d| d <= t.event_window_days);
    let relation = if s.exact_duplicate || s.lexical_jaccard >= t.duplicate_jaccard {
        Relation::Duplicate
    } else if s.lexical_copy(t) {
        Relation::NearDuplicate
    } else if (s.translation_dice() >= t.translation_anchor_dice
        && s.shared_numbers + s.shared_names >= t.translation_min_shared
        && s.length_ratio >= 0.25
        && s.encoder_margin
            .is_none_or(|m| m >= t.anchor_veto_encoder_margin))
        || s.encoder_says_translation(t)
    {
        if s.same_language {
            Relation::NearDuplicate
        } else {
            Relation::Translation
        }
    } else if score <= event_cut && in_window {
        Relation::SameEvent
    } else if score <= t.related_score {
        Relation::Related
    } else {
        Relation::Unrelated
    };
    Judgement {
        relation,
        score,
        event_cut,
        signals: s.clone(),
    }
}

/// Maps signals onto the SemEval scale (1 = same story, 4 = unrelated) with the
/// shipped fitted model ([`model::SimilarityModel`]), with that model's same-event cut;
/// copies are 1 whatever it says.
fn scale_score(s: &Signals) -> (f32, f32) {
    let shipped = model::SimilarityModel::shipped();
    let Some((y, m)) = shipped.score_with(s) else {
        return (4.0, model::DEFAULT_EVENT_CUT as f32);
    };
    let cut = m.same_event_score as f32;
    if s.exact_duplicate {
        (1.0, cut)
    } else {
        (y as f32, cut)
    }
}

/// Whether two families vouch for each other when their representatives are not judged
/// copies: more than half of the judged pairs between their first members are.
pub fn mostly_family(judged: impl IntoIterator<Item = Judgement>) -> bool {
    let (mut family, mut n) = (0usize, 0usize);
    for j in judged {
        family += usize::from(j.relation.is_family());
        n += 1;
    }
    2 * family > n
}

/// Whether two groups of articles are one event by average linkage: the mean score
/// of the judged pairs between them is at most the mean of their cuts.
pub fn linked_on_average(judged: impl IntoIterator<Item = Judgement>) -> bool {
    let (mut excess, mut n) = (0.0f32, 0usize);
    for j in judged {
        excess += j.score - j.event_cut;
        n += 1;
    }
    n > 0 && excess <= 0.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::{MinHasher, extract};

    fn view<'a>(lang: &'a str, f: &'a Features) -> ArticleView<'a> {
        ArticleView {
            lang,
            features: f,
            published: None,
            lead: None,
            neighbourhood_same: None,
            neighbourhood_other: None,
        }
    }

    #[test]
    fn the_encoder_rule_within_a_language_and_the_anchor_veto() {
        let t = Thresholds::default();
        // Across languages the margin decides, at a cosine a same-language pair would not trust.
        let across = Signals {
            encoder_cosine: Some(0.85),
            encoder_margin: Some(1.02),
            length_ratio: 0.9,
            names_comparable: true,
            ..Signals::default()
        };
        assert_eq!(judge(&across, &t).relation, Relation::Translation);
        // Two reports of one story in one language: alike leads, no shared wording.
        let reports = Signals {
            same_language: true,
            encoder_cosine: Some(0.98),
            lexical_jaccard: 0.05,
            ..across.clone()
        };
        assert!(!judge(&reports, &t).relation.is_family());
        // Two wordings of one article: some phrases shared, the margin near 1.
        let rewording = Signals {
            lexical_jaccard: 0.15,
            encoder_margin: Some(0.98),
            ..reports
        };
        assert_eq!(judge(&rewording, &t).relation, Relation::NearDuplicate);
        // Shared names make a translation without an encoder, not against a low margin.
        let anchors = Signals {
            anchor_dice: 0.5,
            shared_names: 6,
            names_comparable: true,
            length_ratio: 0.9,
            ..Signals::default()
        };
        assert_eq!(judge(&anchors, &t).relation, Relation::Translation);
        let vetoed = Signals {
            encoder_cosine: Some(0.8),
            encoder_margin: Some(0.88),
            ..anchors
        };
        assert!(!judge(&vetoed, &t).relation.is_family());
    }

    #[test]
    fn relations_from_signals() {
        let h = MinHasher::default();
        let w = AnchorWeights::without_corpus();
        let it = extract(
            "Stoltenberg ha detto che quasi 100.000 soldati russi nel 2014 e 2021, con 45 carri a Bruxelles.",
            &h,
        );
        let en = extract(
            "Stoltenberg said that nearly 100,000 Russian soldiers in 2014 and 2021, with 45 tanks in Brussels.",
            &h,
        );
        let copy = extract(
            "Stoltenberg ha detto che quasi 100.000 soldati russi nel 2014 e 2021, con 45 carri a Bruxelles.",
            &h,
        );
        let other = extract(
            "The weather in Lisbon was mild on Tuesday and the markets in Tokyo closed higher.",
            &h,
        );
        let j = judge(
            &signals(&view("it", &it), &view("en", &en), &w),
            &Thresholds::default(),
        );
        assert_eq!(j.relation, Relation::Translation, "{j:?}");
        let translation_score = j.score;
        let j = judge(
            &signals(&view("it", &it), &view("it", &copy), &w),
            &Thresholds::default(),
        );
        assert_eq!(j.relation, Relation::Duplicate);
        assert!(j.score < 1.01);
        let j = judge(
            &signals(&view("it", &it), &view("en", &other), &w),
            &Thresholds::default(),
        );
        assert_eq!(j.relation, Relation::Unrelated, "{j:?}");
        // The fitted scale: nothing shared scores well above the related cut, and
        // above a translation.
        assert!(j.score > Thresholds::default().related_score, "{j:?}");
        assert!(
            j.score > translation_score + 0.5,
            "{} vs {translation_score}",
            j.score
        );
    }
}
