//! Family (clustering) reports shared by the WMT and synthetic-corpus runners.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::metrics::{ClusterScores, Contingency};
use super::report::{Table, fmt3};

/// One labelled item: the group it is reported under (a WMT file pair, a language…),
/// its gold family and the predicted one.
#[derive(Clone, Debug)]
pub struct LabelledItem<'a> {
    pub group: &'a str,
    pub gold: &'a str,
    pub predicted: &'a str,
}

/// Clustering agreement overall and per group.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FamilyReport {
    /// Over all items together: a predicted cluster that spans groups costs precision here.
    pub overall: ClusterScores,
    /// Per group, each computed over that group's items only (a predicted cluster that
    /// spans groups is cut at the group border), sorted by group name.
    pub by_group: Vec<GroupScores>,
    /// Items with no prediction (each was scored as a singleton cluster).
    pub missing_predictions: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupScores {
    pub group: String,
    pub scores: ClusterScores,
}

impl FamilyReport {
    pub fn compute<'a>(items: impl IntoIterator<Item = LabelledItem<'a>>) -> Self {
        let items: Vec<LabelledItem<'a>> = items.into_iter().collect();
        let overall = ClusterScores::from_contingency(&Contingency::from_pairs(
            items.iter().map(|i| (i.gold, i.predicted)),
        ));
        let mut groups: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
        for i in &items {
            groups
                .entry(i.group)
                .or_default()
                .push((i.gold, i.predicted));
        }
        let by_group = groups
            .into_iter()
            .map(|(g, v)| GroupScores {
                group: g.to_string(),
                scores: ClusterScores::from_contingency(&Contingency::from_pairs(v)),
            })
            .collect();
        FamilyReport {
            overall,
            by_group,
            missing_predictions: 0,
        }
    }

    /// The report as an aligned table: one row per group, then `all`.
    pub fn table(&self) -> Table {
        let mut t = Table::new([
            "group", "docs", "gold", "pred", "pair P", "pair R", "pair F1", "B3 P", "B3 R", "B3 F1",
        ]);
        let row = |t: &mut Table, name: &str, s: &ClusterScores| {
            t.row([
                name.to_string(),
                s.items.to_string(),
                s.gold_classes.to_string(),
                s.predicted_clusters.to_string(),
                fmt3(s.pairwise.precision),
                fmt3(s.pairwise.recall),
                fmt3(s.pairwise.f1),
                fmt3(s.bcubed.precision),
                fmt3(s.bcubed.recall),
                fmt3(s.bcubed.f1),
            ]);
        };
        for g in &self.by_group {
            row(&mut t, &g.group, &g.scores);
        }
        row(&mut t, "all", &self.overall);
        t
    }
}

/// For each kind of item (copy, edit, translation…): how many there are and the share
/// that share a predicted cluster with at least one other member of their gold family
/// (among items whose family has at least two members). A per-kind recall view.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KindRecall {
    pub kind: String,
    pub items: usize,
    /// Items whose gold family has another member, i.e. that can be found at all.
    pub findable: usize,
    /// Findable items that share a predicted cluster with another member of their family.
    pub found: usize,
    pub recall: f64,
}

/// Computes [`KindRecall`] from (kind, gold, predicted) triples.
pub fn kind_recall<'a>(
    items: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
) -> Vec<KindRecall> {
    let items: Vec<(&str, &str, &str)> = items.into_iter().collect();
    let mut family_size: HashMap<&str, usize> = HashMap::new();
    let mut cell: HashMap<(&str, &str), usize> = HashMap::new();
    for &(_, g, p) in &items {
        *family_size.entry(g).or_default() += 1;
        *cell.entry((g, p)).or_default() += 1;
    }
    let mut by_kind: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    for &(k, g, p) in &items {
        let e = by_kind.entry(k).or_default();
        e.0 += 1;
        if family_size[g] > 1 {
            e.1 += 1;
            if cell[&(g, p)] > 1 {
                e.2 += 1;
            }
        }
    }
    by_kind
        .into_iter()
        .map(|(k, (items, findable, found))| KindRecall {
            kind: k.to_string(),
            items,
            findable,
            found,
            recall: if findable == 0 {
                1.0
            } else {
                found as f64 / findable as f64
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item<'a>(group: &'a str, gold: &'a str, predicted: &'a str) -> LabelledItem<'a> {
        LabelledItem {
            group,
            gold,
            predicted,
        }
    }

    #[test]
    fn groups_are_scored_separately_and_overall_sees_cross_group_merges() {
        // Group x: gold {a,a}, pred {1,1} perfect. Group y: gold {b,b}, pred {1,1}: also
        // perfect within y, but overall the predicted cluster 1 merges a and b:
        // overall pairwise: pred pairs C(4,2) = 6, gold pairs 2, true 2 → P 1/3, R 1.
        let r = FamilyReport::compute([
            item("x", "a", "1"),
            item("x", "a", "1"),
            item("y", "b", "1"),
            item("y", "b", "1"),
        ]);
        assert_eq!(r.by_group.len(), 2);
        assert!(r.by_group.iter().all(|g| g.scores.pairwise.f1 == 1.0));
        assert!((r.overall.pairwise.precision - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(r.overall.pairwise.recall, 1.0);
        let t = r.table().to_string();
        assert!(t.lines().last().unwrap().starts_with("all"));
    }

    #[test]
    fn kind_recall_counts_co_clustered_family_members() {
        // family f: original (p1), copy (p1), edit (p2) → original, copy found; edit not.
        // family g: single original → not findable.
        let r = kind_recall([
            ("original", "f", "p1"),
            ("copy", "f", "p1"),
            ("edit", "f", "p2"),
            ("original", "g", "p3"),
        ]);
        let get = |k: &str| r.iter().find(|x| x.kind == k).unwrap().clone();
        assert_eq!((get("original").findable, get("original").found), (1, 1));
        assert_eq!(get("copy").recall, 1.0);
        assert_eq!(get("edit").recall, 0.0);
        assert_eq!(get("original").items, 2);
    }
}
