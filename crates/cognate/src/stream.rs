//! Stream mode: documents in `published` order are assigned on arrival to a family and
//! an event, or open new ones, within a time window; events whose newest article falls
//! out of the window are closed, written out and dropped from every in-memory index, so
//! memory is bounded by the window's content, not by the length of the stream.
//!
//! Each document is judged, with the same scorer as batch mode ([`score::signals`],
//! [`score::judge`]), against candidates among the open documents: the exact-text hash
//! and MinHash bands (incremental buckets), the rare-anchor inverted index (incremental
//! postings), and with an encoder the nearest leads (exact search over the open leads).
//! Families follow batch's rule: a document joins the family of its strongest copy or
//! translation, and two families it links merge, when their representatives are judged
//! copies or else more than half of the pairs between their first 8 members are (the
//! chaining guard). Events follow batch's average linkage of the fitted score over up to 8
//! articles per side. Storylines: events linked by `related` pairs are listed as such;
//! a link to an event that has closed is written by the event that closes later. A story
//! goes on for longer than an event's window, so a closed event leaves a few of its
//! articles' features behind (the lowest-ranked, up to [`STORYLINE_SAMPLE`]) for
//! `storyline_days`: a later article judged related to one of them names that event.
//!
//! Anchor rarity ([`AnchorWeights`]) is measured over the open documents (the window),
//! recomputed whenever the open set has changed by a sixteenth (at every change while fewer than 32 are open),
//! so it follows the news of the last days rather than the whole stream.
//!
//! Order: a document's time is its `published` date; without one, the stream's clock
//! (the latest date seen, so it arrives "now"). A document dated before the window
//! (older than the clock minus the window) is late: it is still assigned, among the
//! open events only, with its time taken as the clock, and its line says `"late": true`.
//! A document dated ahead moves the clock forward, unless it is dated later than
//! `now` (the time of the run) plus a day: such a date is an error of the source, and
//! trusting it would close every open event at once, so the document is treated as
//! undated and its line says `"future_date": true`. Besides time, an event also closes
//! when more than `max_open_documents` documents arrived after its newest one, which
//! bounds memory on streams without dates.

use std::cmp::Reverse;
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

use serde::Serialize;
use serde_json::{Value, json};

use crate::cluster::{Edge, Group, group, members_by_group, stable_id};
use crate::document::FailedDocument;
use crate::output::{Placement, document_record, failed_record};
use crate::pipeline::{
    Analysis, EVENT_LINKAGE_SAMPLE, Entry, FAMILY_LINKAGE_SAMPLE, Pipeline, family_strength,
};
use crate::score::{AnchorWeights, ArticleView, Judgement, Relation, judge, signals};

/// Settings of the stream.
#[derive(Clone, Debug)]
pub struct StreamOptions {
    /// An event closes when its newest article is older than the clock minus this.
    pub window_days: f64,
    /// An event also closes when this many documents arrived after its newest one.
    pub max_open_documents: u64,
    /// A closed event stays linkable as `related` (a storyline) for this many days
    /// after its newest article; 0 turns storyline links to closed events off.
    pub storyline_days: f64,
    /// At most this many articles of closed events are kept for storyline links
    /// (the oldest are forgotten first).
    pub max_storyline_documents: usize,
    /// The time of the run (seconds since the epoch): dates later than this plus a
    /// day are not trusted. `None` trusts every date.
    pub now: Option<i64>,
}

impl Default for StreamOptions {
    fn default() -> Self {
        StreamOptions {
            window_days: 3.0,
            max_open_documents: 200_000,
            storyline_days: 30.0,
            max_storyline_documents: 100_000,
            now: None,
        }
    }
}

/// What the stream writes as events close: each document's line (the fields of
/// `cognate cluster`'s output) and the event's record (as in `--clusters`).
#[derive(Clone, Debug)]
pub enum Emitted {
    /// A document that could not be read or analysed, written on arrival.
    Failed(Value),
    /// A closed event: its documents' lines in arrival order, and its record.
    Event {
        documents: Vec<Value>,
        record: Value,
    },
}

/// Counters of a stream run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct StreamStats {
    pub documents: u64,
    pub failed: u64,
    pub late: u64,
    pub undated: u64,
    /// Documents whose date lay in the future of the run (treated as undated).
    pub future_dated: u64,
    pub families: u64,
    pub events: u64,
    pub candidate_pairs: u64,
    pub judged_pairs: u64,
    /// The most documents open at once.
    pub peak_open_documents: u64,
    pub weight_refreshes: u64,
    /// Related links from a document to an event that had already closed.
    pub storyline_links: u64,
    /// The most articles of closed events kept at once for storyline links.
    pub peak_storyline_documents: u64,
}

/// Members of a MinHash bucket a new document is compared with (the oldest).
const BUCKET_PEERS: usize = 4;
/// Nearest leads per side, for candidates and margins (as batch).
const NEIGHBOURS: usize = 6;
const MIN_NEIGHBOURS: usize = 3;
/// Articles of a closed event kept for storyline links.
pub const STORYLINE_SAMPLE: usize = 4;
const DAY: f64 = 86_400.0;

type Rank = (i64, Reverse<usize>, u64);

struct OpenDoc {
    analysis: Box<Analysis>,
    /// Effective time (seconds): published, or the clock for undated and late documents.
    time: Option<i64>,
    late: bool,
    /// Its date lay in the future of the run: not trusted for time gaps or order.
    future_date: bool,
    family: u64,
    neighbourhood: (Option<f32>, Option<f32>),
    rank: Rank,
}

struct OpenFamily {
    members: Vec<u64>,
    representative: u64,
    event: u64,
}

struct OpenEvent {
    families: Vec<u64>,
    newest_time: Option<i64>,
    newest_seq: u64,
    /// The lowest-ranked members, up to [`EVENT_LINKAGE_SAMPLE`].
    sample: Vec<u64>,
    /// Same-event pairs between its documents (a, b, strength), regrouped as batch does on close.
    edges: Vec<(u64, u64, f32)>,
    /// Related pairs (a document of this event, another document).
    related: Vec<(u64, u64)>,
    /// Related pairs with documents of events closed earlier (a document of this event, that event's id).
    related_closed: Vec<(u64, String)>,
}

/// An article of a closed event, kept for storyline links.
struct Remembered {
    doc: OpenDoc,
    event: String,
}

/// Articles of closed events, in the order their events closed.
#[derive(Default)]
struct Storylines {
    docs: HashMap<u64, Remembered>,
    order: VecDeque<u64>,
    postings: HashMap<u64, VecDeque<u64>>,
    next_key: u64,
}

/// The streaming clusterer. Feed it entries in arrival order with [`StreamClusterer::push`];
/// [`StreamClusterer::finish`] closes what is still open.
pub struct StreamClusterer<'p> {
    pipeline: &'p Pipeline,
    options: StreamOptions,
    clock: Option<i64>,
    next_seq: u64,
    docs: HashMap<u64, OpenDoc>,
    families: HashMap<u64, OpenFamily>,
    events: HashMap<u64, OpenEvent>,
    by_time: BTreeSet<(i64, u64)>,
    by_seq: BTreeSet<(u64, u64)>,
    buckets: HashMap<u64, VecDeque<u64>>,
    postings: HashMap<u64, VecDeque<u64>>,
    weights: AnchorWeights,
    changes_since_refresh: usize,
    storylines: Storylines,
    stats: StreamStats,
}

impl<'p> StreamClusterer<'p> {
    pub fn new(pipeline: &'p Pipeline, options: StreamOptions) -> Self {
        StreamClusterer {
            pipeline,
            options,
            clock: None,
            next_seq: 0,
            docs: HashMap::new(),
            families: HashMap::new(),
            events: HashMap::new(),
            by_time: BTreeSet::new(),
            by_seq: BTreeSet::new(),
            buckets: HashMap::new(),
            postings: HashMap::new(),
            weights: AnchorWeights::without_corpus(),
            changes_since_refresh: 0,
            storylines: Storylines::default(),
            stats: StreamStats::default(),
        }
    }

    pub fn stats(&self) -> &StreamStats {
        &self.stats
    }

    /// Documents currently open (in the window).
    pub fn open_documents(&self) -> usize {
        self.docs.len()
    }

    /// Assigns one entry; what closes on its arrival is appended to `out`.
    pub fn push(&mut self, entry: Entry, out: &mut Vec<Emitted>) {
        match entry {
            Entry::Failed(f) => {
                self.stats.failed += 1;
                out.push(Emitted::Failed(failed_line(&f)));
            }
            Entry::Ok(a) => self.assign(a, out),
        }
    }

    /// Closes every open event, oldest first.
    pub fn finish(&mut self, out: &mut Vec<Emitted>) {
        let mut keys: Vec<(u64, u64)> = self.by_seq.iter().copied().collect();
        keys.sort_unstable();
        for (_, e) in keys {
            self.close(e, out);
        }
    }

    fn window_secs(&self) -> i64 {
        (self.options.window_days * DAY) as i64
    }

    fn assign(&mut self, analysis: Box<Analysis>, out: &mut Vec<Emitted>) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.stats.documents += 1;

        // Time and clock.
        let dated = analysis.published.as_ref().map(|p| p.timestamp);
        let future_date = match (dated, self.options.now) {
            (Some(t), Some(now)) => t > now + DAY as i64,
            _ => false,
        };
        if future_date {
            self.stats.future_dated += 1;
        }
        let published = dated.filter(|_| !future_date);
        let mut late = false;
        let time = match (published, self.clock) {
            (Some(t), Some(c)) if t < c - self.window_secs() => {
                late = true;
                self.stats.late += 1;
                Some(c)
            }
            (Some(t), c) => {
                self.clock = Some(c.map_or(t, |c| c.max(t)));
                Some(t)
            }
            (None, c) => {
                self.stats.undated += 1;
                c
            }
        };
        self.close_expired(seq, out);
        self.refresh_weights();

        // Candidates among the open documents.
        let (candidates, neighbourhood) = self.candidates(&analysis);
        self.stats.candidate_pairs += candidates.len() as u64;
        let rank = (
            published.unwrap_or(i64::MAX),
            Reverse(analysis.features.anchors.len() + analysis.features.tokens as usize),
            seq,
        );
        let doc = OpenDoc {
            analysis,
            time,
            late,
            future_date,
            family: seq,
            neighbourhood,
            rank,
        };
        let judged: Vec<(u64, Judgement)> = candidates
            .iter()
            .filter_map(|&c| {
                let jd = self.judge_docs(&doc, &self.docs[&c]);
                (jd.relation != Relation::Unrelated).then_some((c, jd))
            })
            .collect();
        self.stats.judged_pairs += judged.len() as u64;
        let storyline = self.storyline_links(&doc);

        // Index the document, alone in a new family and event for now.
        self.insert(seq, doc);

        // Families: strongest copy or translation first, guarded by the representatives.
        let mut family_edges: Vec<(f32, u64)> = judged
            .iter()
            .filter(|(_, jd)| jd.relation.is_family())
            .map(|(c, jd)| (family_strength(jd, &self.pipeline.config().thresholds), *c))
            .collect();
        family_edges.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
        for (_, c) in family_edges {
            let (fa, fb) = (self.docs[&seq].family, self.docs[&c].family);
            if fa == fb {
                continue;
            }
            if self.families_vouch(fa, fb) {
                self.merge_families(fa, fb);
            }
        }

        // Events: same-event pairs, strongest first, merged by average linkage.
        let mut event_edges: Vec<(f32, u64)> = judged
            .iter()
            .filter(|(_, jd)| jd.relation.is_event())
            .map(|(c, jd)| (4.0 - jd.score, *c))
            .collect();
        event_edges.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
        let mut refused: HashSet<(u64, u64)> = HashSet::new();
        for &(_, c) in &event_edges {
            let (ea, eb) = (self.event_of(seq), self.event_of(c));
            if ea == eb || refused.contains(&(ea, eb)) {
                continue;
            }
            if self.linked(ea, eb) {
                self.merge_events(ea, eb);
                refused.clear();
            } else {
                refused.insert((ea, eb));
            }
        }
        // Pairs kept for the final grouping when the event closes, and storylines.
        for &(strength, c) in &event_edges {
            let (ea, eb) = (self.event_of(seq), self.event_of(c));
            if ea == eb {
                self.events
                    .get_mut(&ea)
                    .unwrap()
                    .edges
                    .push((seq, c, strength));
            }
        }
        if !storyline.is_empty() {
            self.stats.storyline_links += storyline.len() as u64;
            let e = self.event_of(seq);
            let event = self.events.get_mut(&e).unwrap();
            event
                .related_closed
                .extend(storyline.into_iter().map(|id| (seq, id)));
        }
        for (c, jd) in &judged {
            if jd.relation != Relation::Related {
                continue;
            }
            let (ea, eb) = (self.event_of(seq), self.event_of(*c));
            self.events.get_mut(&ea).unwrap().related.push((seq, *c));
            if ea != eb {
                self.events.get_mut(&eb).unwrap().related.push((*c, seq));
            }
        }
        self.stats.peak_open_documents = self.stats.peak_open_documents.max(self.docs.len() as u64);
    }

    fn view<'a>(&self, d: &'a OpenDoc) -> ArticleView<'a> {
        let view = d.analysis.view();
        ArticleView {
            neighbourhood_same: d.neighbourhood.0,
            neighbourhood_other: d.neighbourhood.1,
            published: view.published.filter(|_| !d.future_date),
            ..view
        }
    }

    /// Ids of closed events that one of their remembered articles ties to `doc` (any
    /// relation but unrelated: the event is closed, so the tie is a storyline), sorted.
    fn storyline_links(&self, doc: &OpenDoc) -> Vec<String> {
        let kept = &self.storylines;
        if kept.docs.is_empty() {
            return Vec::new();
        }
        let mut found: BTreeSet<u64> = BTreeSet::new();
        found.extend(self.sharing_rare_anchors(&doc.analysis, &kept.postings));
        if let Some(v) = &doc.analysis.lead {
            let mut nearest: Vec<(f32, u64)> = kept
                .docs
                .iter()
                .filter_map(|(&k, r)| Some((v.cosine(r.doc.analysis.lead.as_ref()?), k)))
                .collect();
            nearest.sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
            found.extend(nearest.iter().take(NEIGHBOURS).map(|x| x.1));
        }
        let mut events: BTreeSet<&str> = BTreeSet::new();
        for k in found {
            let r = &kept.docs[&k];
            if !events.contains(r.event.as_str())
                && self.judge_docs(doc, &r.doc).relation != Relation::Unrelated
            {
                events.insert(&r.event);
            }
        }
        events.into_iter().map(str::to_string).collect()
    }

    /// Keeps up to [`STORYLINE_SAMPLE`] articles of a closed event for storyline links.
    fn remember(&mut self, docs: Vec<OpenDoc>, event: &str) {
        if self.options.storyline_days <= 0.0 || self.options.max_storyline_documents == 0 {
            return;
        }
        let kept = &mut self.storylines;
        for doc in docs {
            let key = kept.next_key;
            kept.next_key += 1;
            for anchor in doc.analysis.features.anchors.iter() {
                kept.postings.entry(*anchor).or_default().push_back(key);
            }
            kept.order.push_back(key);
            kept.docs.insert(
                key,
                Remembered {
                    doc,
                    event: event.to_string(),
                },
            );
        }
        self.stats.peak_storyline_documents = self
            .stats
            .peak_storyline_documents
            .max(kept.docs.len() as u64);
    }

    /// Forgets articles of closed events older than the storyline window (by their
    /// event's close order, which follows time) and beyond the count limit.
    fn forget_storylines(&mut self) {
        let limit = self
            .clock
            .map(|c| c - (self.options.storyline_days * DAY) as i64);
        let max = self.options.max_storyline_documents;
        let kept = &mut self.storylines;
        while let Some(&key) = kept.order.front() {
            let expired = kept.docs.len() > max
                || matches!((kept.docs[&key].doc.time, limit), (Some(t), Some(l)) if t < l);
            if !expired {
                break;
            }
            kept.order.pop_front();
            let r = kept.docs.remove(&key).expect("remembered document");
            for anchor in r.doc.analysis.features.anchors.iter() {
                remove_sorted(&mut kept.postings, *anchor, key);
            }
        }
    }

    fn judge_docs(&self, a: &OpenDoc, b: &OpenDoc) -> Judgement {
        judge(
            &signals(&self.view(a), &self.view(b), &self.weights),
            &self.pipeline.config().thresholds,
        )
    }

    fn event_of(&self, seq: u64) -> u64 {
        self.families[&self.docs[&seq].family].event
    }

    /// Rarity over the open documents, recomputed when the window changed enough.
    fn refresh_weights(&mut self) {
        let open = self.docs.len();
        if self.changes_since_refresh < (open / 16).max(1) && self.stats.weight_refreshes > 0 {
            return;
        }
        self.weights = AnchorWeights::from_corpus(
            self.docs.values().map(|d| &d.analysis.features.anchors[..]),
        );
        self.changes_since_refresh = 0;
        self.stats.weight_refreshes += 1;
    }

    fn candidates(&self, a: &Analysis) -> (Vec<u64>, (Option<f32>, Option<f32>)) {
        let options = &self.pipeline.config().candidates;
        let mut found: BTreeSet<u64> = BTreeSet::new();
        // Exact hash and MinHash bands.
        for key in band_keys(self.pipeline, a) {
            if let Some(bucket) = self.buckets.get(&key)
                && bucket.len() < options.max_bucket
            {
                found.extend(bucket.iter().take(BUCKET_PEERS));
            }
        }
        found.extend(self.sharing_rare_anchors(a, &self.postings));
        // Nearest leads among the open documents.
        let mut neighbourhood = (None, None);
        if let Some(v) = &a.lead {
            let mut same: Vec<(f32, u64)> = Vec::new();
            let mut other: Vec<(f32, u64)> = Vec::new();
            for (&s, d) in &self.docs {
                if let Some(w) = &d.analysis.lead {
                    let list = if d.analysis.lang == a.lang {
                        &mut same
                    } else {
                        &mut other
                    };
                    list.push((v.cosine(w), s));
                }
            }
            let mut nearest = |list: &mut Vec<(f32, u64)>| -> Option<f32> {
                list.sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
                list.truncate(NEIGHBOURS);
                found.extend(list.iter().map(|x| x.1));
                (list.len() >= MIN_NEIGHBOURS)
                    .then(|| list.iter().map(|x| x.0).sum::<f32>() / list.len() as f32)
            };
            neighbourhood = (nearest(&mut same), nearest(&mut other));
        }
        (found.into_iter().collect(), neighbourhood)
    }

    /// The entries of `postings` that share the most rarity weight of anchors with `a`
    /// (rarity by document frequency in the list, this document included).
    fn sharing_rare_anchors(
        &self,
        a: &Analysis,
        postings: &HashMap<u64, VecDeque<u64>>,
    ) -> impl Iterator<Item = u64> {
        let options = &self.pipeline.config().candidates;
        let mut shared: HashMap<u64, f32> = HashMap::new();
        for anchor in a.features.anchors.iter() {
            let Some(list) = postings.get(anchor) else {
                continue;
            };
            if list.len() + 1 > options.max_anchor_frequency as usize {
                continue;
            }
            let w = self.weights.weight(*anchor);
            for &d in list {
                *shared.entry(d).or_default() += w;
            }
        }
        let mut best: Vec<(u64, f32)> = shared
            .into_iter()
            .filter(|&(_, w)| w >= options.min_shared_weight)
            .collect();
        best.sort_unstable_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        best.truncate(options.max_anchor_candidates);
        best.into_iter().map(|(d, _)| d)
    }

    fn insert(&mut self, seq: u64, doc: OpenDoc) {
        for key in band_keys(self.pipeline, &doc.analysis) {
            let bucket = self.buckets.entry(key).or_default();
            // Buckets past the limit are skipped anyway: no need to grow them.
            if bucket.len() <= self.pipeline.config().candidates.max_bucket {
                bucket.push_back(seq);
            }
        }
        for anchor in doc.analysis.features.anchors.iter() {
            self.postings.entry(*anchor).or_default().push_back(seq);
        }
        let time = doc.time;
        self.docs.insert(seq, doc);
        self.families.insert(
            seq,
            OpenFamily {
                members: vec![seq],
                representative: seq,
                event: seq,
            },
        );
        self.events.insert(
            seq,
            OpenEvent {
                families: vec![seq],
                newest_time: time,
                newest_seq: seq,
                sample: vec![seq],
                edges: Vec::new(),
                related: Vec::new(),
                related_closed: Vec::new(),
            },
        );
        if let Some(t) = time {
            self.by_time.insert((t, seq));
        }
        self.by_seq.insert((seq, seq));
        self.stats.families += 1;
        self.changes_since_refresh += 1;
    }

    /// Merges family `b` into `a` (or the older into the younger key's place), and their events.
    fn merge_families(&mut self, a: u64, b: u64) {
        let (keep, gone) = (a.min(b), a.max(b));
        let g = self.families.remove(&gone).expect("open family");
        for &m in &g.members {
            self.docs.get_mut(&m).unwrap().family = keep;
        }
        let (ek, eg) = (self.families[&keep].event, g.event);
        let rep_g = g.representative;
        {
            let f = self.families.get_mut(&keep).unwrap();
            f.members.extend(g.members);
            f.members.sort_unstable();
        }
        let rep_k = self.families[&keep].representative;
        if self.docs[&rep_g].rank < self.docs[&rep_k].rank {
            self.families.get_mut(&keep).unwrap().representative = rep_g;
        }
        self.stats.families -= 1;
        // The family left its event; the events merge (one family, one event).
        let e = self.events.get_mut(&eg).unwrap();
        e.families.retain(|&f| f != gone);
        if !e.families.contains(&keep) {
            e.families.push(keep);
        }
        if ek != eg {
            self.merge_events(ek, eg);
        }
    }

    fn merge_events(&mut self, a: u64, b: u64) {
        let (keep, gone) = (a.min(b), a.max(b));
        let g = self.events.remove(&gone).expect("open event");
        if let Some(t) = g.newest_time {
            self.by_time.remove(&(t, gone));
        }
        self.by_seq.remove(&(g.newest_seq, gone));
        for &f in &g.families {
            self.families.get_mut(&f).unwrap().event = keep;
        }
        let k = self.events.get_mut(&keep).unwrap();
        if let Some(t) = k.newest_time {
            self.by_time.remove(&(t, keep));
        }
        self.by_seq.remove(&(k.newest_seq, keep));
        k.families.extend(g.families);
        k.families.sort_unstable();
        k.families.dedup();
        k.newest_time = match (k.newest_time, g.newest_time) {
            (Some(x), Some(y)) => Some(x.max(y)),
            (x, y) => x.or(y),
        };
        k.newest_seq = k.newest_seq.max(g.newest_seq);
        k.edges.extend(g.edges);
        k.related.extend(g.related);
        k.related_closed.extend(g.related_closed);
        k.sample.extend(g.sample);
        let (t, s) = (k.newest_time, k.newest_seq);
        let mut sample = std::mem::take(&mut k.sample);
        sample.sort_by_key(|m| self.docs[m].rank);
        sample.truncate(EVENT_LINKAGE_SAMPLE);
        self.events.get_mut(&keep).unwrap().sample = sample;
        if let Some(t) = t {
            self.by_time.insert((t, keep));
        }
        self.by_seq.insert((s, keep));
    }

    /// Batch's family guard: two families merge when their representatives are judged
    /// copies, or else when more than half of the pairs between their first members (by
    /// rank) are.
    fn families_vouch(&self, fa: u64, fb: u64) -> bool {
        let (ra, rb) = (
            self.families[&fa].representative,
            self.families[&fb].representative,
        );
        if self
            .judge_docs(&self.docs[&ra], &self.docs[&rb])
            .relation
            .is_family()
        {
            return true;
        }
        let sample = |f: u64| {
            let mut members = self.families[&f].members.clone();
            members.sort_by_key(|m| self.docs[m].rank);
            members.truncate(FAMILY_LINKAGE_SAMPLE);
            members
        };
        let (sa, sb) = (sample(fa), sample(fb));
        crate::score::mostly_family(
            sa.iter()
                .flat_map(|i| sb.iter().map(move |j| (i, j)))
                .map(|(i, j)| self.judge_docs(&self.docs[i], &self.docs[j])),
        )
    }

    /// Average linkage of the fitted score between two events' samples (as batch).
    fn linked(&self, a: u64, b: u64) -> bool {
        self.average_linkage(&self.events[&a].sample, &self.events[&b].sample)
    }

    fn average_linkage(&self, sa: &[u64], sb: &[u64]) -> bool {
        crate::score::linked_on_average(
            sa.iter()
                .flat_map(|i| sb.iter().map(move |j| (i, j)))
                .map(|(i, j)| self.judge_docs(&self.docs[i], &self.docs[j])),
        )
    }

    fn close_expired(&mut self, seq: u64, out: &mut Vec<Emitted>) {
        self.forget_storylines();
        if let Some(clock) = self.clock {
            let limit = clock - self.window_secs();
            while let Some(&(t, e)) = self.by_time.first() {
                if t >= limit {
                    break;
                }
                self.close(e, out);
            }
        }
        while let Some(&(s, e)) = self.by_seq.first() {
            if s + self.options.max_open_documents >= seq {
                break;
            }
            self.close(e, out);
        }
    }

    /// Writes an event out and drops its documents from every index. Its families are
    /// first regrouped as batch does (same-event pairs strongest first, average linkage
    /// over the whole event), which may split what the order of arrival joined.
    fn close(&mut self, key: u64, out: &mut Vec<Emitted>) {
        let Some(mut event) = self.events.remove(&key) else {
            return;
        };
        if let Some(t) = event.newest_time {
            self.by_time.remove(&(t, key));
        }
        self.by_seq.remove(&(event.newest_seq, key));
        event.families.sort_unstable();
        let fams = &event.families;
        let index: HashMap<u64, u32> = fams
            .iter()
            .enumerate()
            .map(|(i, &f)| (f, i as u32))
            .collect();
        let family_of = |seq: u64| -> Option<u32> {
            self.docs
                .get(&seq)
                .and_then(|d| index.get(&d.family).copied())
        };
        let edges: Vec<Edge> = event
            .edges
            .iter()
            .filter_map(|&(x, y, strength)| {
                let (fx, fy) = (family_of(x)?, family_of(y)?);
                (fx != fy).then_some(Edge {
                    a: fx.min(fy),
                    b: fx.max(fy),
                    strength,
                })
            })
            .collect();
        let family_rank = |f: u32| self.docs[&self.families[&fams[f as usize]].representative].rank;
        let roots = group(fams.len(), edges, family_rank, |x, y| {
            let sample = |g: &Group| -> Vec<u64> {
                let mut docs_of: Vec<u64> = g
                    .members
                    .iter()
                    .flat_map(|&f| self.families[&fams[f as usize]].members.iter().copied())
                    .collect();
                docs_of.sort_by_key(|m| self.docs[m].rank);
                docs_of.truncate(EVENT_LINKAGE_SAMPLE);
                docs_of
            };
            self.average_linkage(&sample(x), &sample(y))
        });
        let (family_event, event_families) = members_by_group(&roots);
        let event_ids: Vec<String> = event_families
            .iter()
            .map(|members| {
                let mut ids: Vec<&str> = members
                    .iter()
                    .flat_map(|&f| self.families[&fams[f as usize]].members.iter())
                    .map(|m| self.docs[m].analysis.id.as_str())
                    .collect();
                stable_id("e-", &mut ids)
            })
            .collect();
        // Storylines: within the event, to events closed before, and to open events
        // (which will name this one when they close).
        let mut related: Vec<BTreeSet<String>> = vec![BTreeSet::new(); event_ids.len()];
        let mut pending: Vec<(u64, String)> = Vec::new();
        for &(m, o) in &event.related {
            let Some(fm) = family_of(m) else { continue };
            let em = family_event[fm as usize] as usize;
            match family_of(o) {
                Some(fo) => {
                    let eo = family_event[fo as usize] as usize;
                    if eo != em {
                        related[em].insert(event_ids[eo].clone());
                        related[eo].insert(event_ids[em].clone());
                    }
                }
                None if self.docs.contains_key(&o) => pending.push((o, event_ids[em].clone())),
                None => {}
            }
        }
        for (m, id) in &event.related_closed {
            if let Some(fm) = family_of(*m) {
                related[family_event[fm as usize] as usize].insert(id.clone());
            }
        }
        for (o, id) in pending {
            let eo = self.event_of(o);
            self.events
                .get_mut(&eo)
                .expect("open event")
                .related_closed
                .push((o, id));
        }

        for (e, members) in event_families.iter().enumerate() {
            let mut lines: Vec<(u64, Value)> = Vec::new();
            let mut family_records = Vec::new();
            for &fi in members {
                let family = &self.families[&fams[fi as usize]];
                let mut ids: Vec<&str> = family
                    .members
                    .iter()
                    .map(|m| self.docs[m].analysis.id.as_str())
                    .collect();
                let family_id = stable_id("f-", &mut ids);
                let rep = &self.docs[&family.representative];
                let mut records = Vec::new();
                for &m in &family.members {
                    let d = &self.docs[&m];
                    let relation = if m == family.representative {
                        "representative"
                    } else {
                        let r = self.judge_docs(d, rep).relation;
                        if r.is_family() {
                            r.as_str()
                        } else if d.analysis.lang == rep.analysis.lang {
                            // Joined through another member: a copy of a copy.
                            Relation::NearDuplicate.as_str()
                        } else {
                            Relation::Translation.as_str()
                        }
                    };
                    records.push(
                        json!({"id": d.analysis.id, "lang": d.analysis.lang, "relation": relation}),
                    );
                    lines.push((
                        m,
                        document_line(
                            d,
                            &family_id,
                            &event_ids[e],
                            family.members.len(),
                            &rep.analysis.id,
                            relation,
                            m == family.representative,
                        ),
                    ));
                }
                let basis = if rep.analysis.published.is_some() {
                    "earliest_published"
                } else if family.members.len() > 1 {
                    "most_complete"
                } else {
                    "only_member"
                };
                family_records.push(json!({
                    "family": family_id,
                    "original": rep.analysis.id,
                    "original_basis": basis,
                    "members": records,
                }));
            }
            lines.sort_by_key(|(m, _)| *m);
            let newest = lines
                .iter()
                .filter_map(|(m, _)| self.docs[m].time)
                .max()
                .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
                .map(|t| t.to_rfc3339());
            let record = json!({
                "event": event_ids[e],
                "families": family_records,
                "related_events": related[e],
                "newest": newest,
            });
            out.push(Emitted::Event {
                documents: lines.into_iter().map(|(_, v)| v).collect(),
                record,
            });
            self.stats.events += 1;
        }

        // The lowest-ranked articles of each event written out stay for storylines.
        let mut keep: HashMap<u64, usize> = HashMap::new();
        for (e, members) in event_families.iter().enumerate() {
            let mut docs_of: Vec<u64> = members
                .iter()
                .flat_map(|&f| self.families[&fams[f as usize]].members.iter().copied())
                .collect();
            docs_of.sort_by_key(|m| self.docs[m].rank);
            keep.extend(docs_of.into_iter().take(STORYLINE_SAMPLE).map(|m| (m, e)));
        }
        let mut remembered: Vec<Vec<OpenDoc>> = event_ids.iter().map(|_| Vec::new()).collect();

        // Drop the documents from every index.
        for f in &event.families {
            let family = self.families.remove(f).expect("open family");
            for m in family.members {
                let d = self.docs.remove(&m).expect("open document");
                for k in band_keys(self.pipeline, &d.analysis) {
                    remove_sorted(&mut self.buckets, k, m);
                }
                for a in d.analysis.features.anchors.iter() {
                    remove_sorted(&mut self.postings, *a, m);
                }
                self.changes_since_refresh += 1;
                if let Some(&e) = keep.get(&m) {
                    remembered[e].push(d);
                }
            }
        }
        for (docs, id) in remembered.into_iter().zip(&event_ids) {
            self.remember(docs, id);
        }
    }
}

fn band_keys(pipeline: &Pipeline, a: &Analysis) -> Vec<u64> {
    let f = &a.features;
    if f.signature.is_empty() {
        return Vec::new();
    }
    std::iter::once(f.exact)
        .chain(pipeline.minhasher().band_keys(&f.signature))
        .collect()
}

/// Removes `seq` from a sorted posting list (documents leave roughly oldest first,
/// so the search is short), dropping the list when empty.
fn remove_sorted(map: &mut HashMap<u64, VecDeque<u64>>, key: u64, seq: u64) {
    if let Some(list) = map.get_mut(&key) {
        if let Ok(i) = list.binary_search(&seq) {
            list.remove(i);
        }
        if list.is_empty() {
            map.remove(&key);
        }
    }
}

fn failed_line(f: &FailedDocument) -> Value {
    failed_record(f)
}

fn document_line(
    d: &OpenDoc,
    family: &str,
    event: &str,
    family_size: usize,
    representative: &str,
    relation: &str,
    original: bool,
) -> Value {
    document_record(
        &d.analysis,
        &Placement {
            family,
            event,
            family_size,
            representative,
            relation,
            original,
            late: d.late,
            future_date: d.future_date,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{Document, Published, Record};
    use crate::pipeline::Config;

    /// Story `s` on day `day`: its own words and figures, so stories never match.
    fn story(id: String, s: usize, day: i64) -> Record {
        let words: String = (0..80).map(|k| format!("word{s}a{k} ")).collect::<String>();
        let text = format!(
            "Officials said {} people attended in Town{s}ville, paying {} euros. {words}",
            1000 + s * 7,
            50_000 + s * 13
        );
        let mut d = Document::text(id, text);
        let t = 1_640_995_200 + day * 86_400;
        d.published = Some(Published {
            raw: t.to_string(),
            timestamp: t,
        });
        Record::Ok(d)
    }

    fn dated(mut record: Record, day: i64) -> Record {
        if let Record::Ok(d) = &mut record {
            let t = 1_642_000_000 + day * 86_400;
            d.published = Some(Published {
                raw: t.to_string(),
                timestamp: t,
            });
        }
        record
    }

    fn seed(prefix: &str) -> String {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seeds");
        let path = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
            .unwrap();
        std::fs::read_to_string(path).unwrap()
    }

    fn run(stream: &mut StreamClusterer, pipeline: &Pipeline, records: Vec<Record>) -> Vec<Value> {
        let mut out = Vec::new();
        for entry in pipeline.analyze_records(records) {
            stream.push(entry, &mut out);
        }
        stream.finish(&mut out);
        out.into_iter()
            .filter_map(|e| match e {
                Emitted::Event { record, .. } => Some(record),
                Emitted::Failed(_) => None,
            })
            .collect()
    }

    /// The seeds' 002 (the storyline's next event) arrives eight days after the talks,
    /// when their event has long closed: it still names that event as related.
    #[test]
    fn a_later_event_of_the_storyline_names_a_closed_event() {
        let pipeline = Pipeline::new(Config::default());
        let records = || {
            let mut r: Vec<Record> = ["000", "001", "003", "004"]
                .iter()
                .map(|s| dated(Record::Ok(Document::text(*s, seed(s))), 0))
                .collect();
            r.push(dated(Record::Ok(Document::text("002", seed("002"))), 8));
            r
        };
        let mut stream = StreamClusterer::new(&pipeline, StreamOptions::default());
        let events = run(&mut stream, &pipeline, records());
        assert_eq!(events.len(), 2, "{events:?}");
        assert_eq!(stream.stats().storyline_links, 1);
        assert_eq!(
            events[1]["related_events"][0], events[0]["event"],
            "{events:?}"
        );

        let off = StreamOptions {
            storyline_days: 0.0,
            ..StreamOptions::default()
        };
        let mut stream = StreamClusterer::new(&pipeline, off);
        let events = run(&mut stream, &pipeline, records());
        assert_eq!(events[1]["related_events"].as_array().unwrap().len(), 0);
        assert!(stream.storylines.docs.is_empty());
    }

    /// A date decades ahead of the run must not close the open events at once.
    #[test]
    fn a_date_in_the_future_of_the_run_is_not_trusted() {
        let pipeline = Pipeline::new(Config::default());
        let options = StreamOptions {
            now: Some(1_642_000_000 + 10 * 86_400),
            ..StreamOptions::default()
        };
        let mut stream = StreamClusterer::new(&pipeline, options);
        let text = seed("000");
        let records = vec![
            dated(Record::Ok(Document::text("a", text.clone())), 0),
            dated(
                Record::Ok(Document::text(
                    "far",
                    "Unrelated words about gardening and tomatoes in the spring, written for a blog.",
                )),
                30_000,
            ),
            dated(Record::Ok(Document::text("b", text)), 1),
        ];
        let mut out = Vec::new();
        for entry in pipeline.analyze_records(records) {
            stream.push(entry, &mut out);
        }
        stream.finish(&mut out);
        assert_eq!(stream.stats().future_dated, 1);
        assert_eq!(stream.stats().late, 0);
        let lines = lines_of(&out);
        let line = |id: &str| *lines.iter().find(|l| l["id"] == id).unwrap();
        assert_eq!(line("a")["family"], line("b")["family"]);
        assert_eq!(line("far")["future_date"], true);
        assert!(line("a").get("future_date").is_none());
    }

    /// Copies, edits, truncations and boilerplate variants of the seeds and fixtures
    /// (undated, in file order): the stream's families are batch's, with both tests of
    /// the family guard (the representatives, else most pairs of the first members).
    #[test]
    fn families_agree_with_batch_on_a_synthetic_corpus() {
        use crate::eval::synth;
        use crate::eval::wmt::{WmtDoc, WmtKind};
        let fixture = |name: &str| {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
            std::fs::read_to_string(dir.join(name)).unwrap()
        };
        let texts = [
            ("000", "it", seed("000")),
            ("002", "it", seed("002")),
            ("003", "en", seed("003")),
            ("en", "en", fixture("clean_en.txt")),
            ("it", "it", fixture("clean_it.txt")),
            ("vi", "vi", fixture("clean_vi.txt")),
        ];
        let sources: Vec<WmtDoc> = texts
            .iter()
            .map(|(id, lang, text)| WmtDoc {
                id: format!("t/{id}/src"),
                text: text.clone(),
                lang: lang.to_string(),
                family: format!("t/{id}"),
                file_pair: "t".into(),
                doc_id: id.to_string(),
                domain: None,
                origlang: None,
                kind: WmtKind::Src,
            })
            .collect();
        let mut corpus = Vec::new();
        // 800 documents from 6 articles: families large enough that a representative
        // (a truncation, a heavy edit) is not always judged a copy of another. With the
        // representatives' test alone, 111 pairs of this corpus disagreed with batch.
        synth::generate(&sources, 800, 1, &mut corpus).unwrap();
        let records: Vec<Record> = String::from_utf8(corpus)
            .unwrap()
            .lines()
            .map(|l| {
                let v: Value = serde_json::from_str(l).unwrap();
                Record::Ok(Document::text(
                    v["id"].as_str().unwrap(),
                    v["text"].as_str().unwrap(),
                ))
            })
            .collect();
        let pipeline = Pipeline::new(Config::default());
        let entries = pipeline.analyze_records(records.clone());
        let batch = pipeline.cluster(&entries);
        let mut stream = StreamClusterer::new(&pipeline, StreamOptions::default());
        let mut out = Vec::new();
        for entry in pipeline.analyze_records(records) {
            stream.push(entry, &mut out);
        }
        stream.finish(&mut out);
        let streamed = lines_of(&out);
        let family: HashMap<&str, &str> = streamed
            .iter()
            .map(|l| (l["id"].as_str().unwrap(), l["family"].as_str().unwrap()))
            .collect();
        // Same partition: two documents share a batch family exactly when they share
        // a stream family.
        let ids: Vec<String> = entries
            .iter()
            .map(|e| match e {
                Entry::Ok(a) => a.id.clone(),
                Entry::Failed(_) => unreachable!("every synthetic line reads"),
            })
            .collect();
        let mut disagreements = 0;
        for i in 0..ids.len() {
            for j in i + 1..ids.len() {
                let in_batch = batch.doc_family[i] == batch.doc_family[j];
                let in_stream = family[ids[i].as_str()] == family[ids[j].as_str()];
                disagreements += usize::from(in_batch != in_stream);
            }
        }
        assert_eq!(
            disagreements, 0,
            "pairs on which stream and batch families differ"
        );
    }

    fn lines_of(out: &[Emitted]) -> Vec<&Value> {
        out.iter()
            .flat_map(|e| match e {
                Emitted::Event { documents, .. } => documents.iter().collect(),
                Emitted::Failed(v) => vec![v],
            })
            .collect()
    }

    #[test]
    fn memory_follows_the_window_not_the_stream() {
        let pipeline = Pipeline::new(Config::default());
        let mut stream = StreamClusterer::new(&pipeline, StreamOptions::default());
        let mut out = Vec::new();
        // 100 days, 3 stories a day, each published twice (a copy) the same day.
        let mut records = Vec::new();
        for day in 0..100 {
            for k in 0..3 {
                let s = day as usize * 3 + k;
                records.push(story(format!("s{s}"), s, day));
                records.push(story(format!("s{s}-copy"), s, day));
            }
        }
        for entry in pipeline.analyze_records(records) {
            stream.push(entry, &mut out);
        }
        assert!(stream.open_documents() <= 30, "{}", stream.open_documents());
        stream.finish(&mut out);
        assert_eq!(stream.open_documents(), 0);
        let stats = stream.stats();
        assert_eq!(stats.documents, 600);
        // The window holds at most 4 days of 6 documents.
        assert!(stats.peak_open_documents <= 30, "{stats:?}");
        let lines = lines_of(&out);
        assert_eq!(lines.len(), 600);
        let family = |id: &str| {
            lines.iter().find(|l| l["id"] == id).unwrap()["family"]
                .as_str()
                .unwrap()
                .to_string()
        };
        assert_eq!(family("s7"), family("s7-copy"));
        assert_ne!(family("s7"), family("s8"));
        assert!(stream.buckets.is_empty() && stream.postings.is_empty());
    }
}
