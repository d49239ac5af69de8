//! Clusters: families (copies and translations of one article) inside events
//! (articles on one news event), with stable, deterministic ids.

use xxhash_rust::xxh3::xxh3_64;

/// An edge between two items with its strength; stronger edges merge first.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Edge {
    pub a: u32,
    pub b: u32,
    pub strength: f32,
}

/// A group under construction: its representative and members.
#[derive(Clone, Debug)]
pub struct Group {
    pub representative: u32,
    pub members: Vec<u32>,
}

/// Groups `n` items by the given edges, strongest first (ties by item index, so the
/// result does not depend on the order edges were found in). Two groups merge only
/// if `accept` holds for them, which keeps two different articles that each resemble
/// a third from chaining into one group. `rank` orders items for the choice of
/// representative: the lowest rank represents. Returns each item's group root.
pub fn group<K: Ord>(
    n: usize,
    mut edges: Vec<Edge>,
    rank: impl Fn(u32) -> K,
    mut accept: impl FnMut(&Group, &Group) -> bool,
) -> Vec<u32> {
    edges.sort_by(|x, y| {
        y.strength
            .total_cmp(&x.strength)
            .then((x.a, x.b).cmp(&(y.a, y.b)))
    });
    let mut parent: Vec<u32> = (0..n as u32).collect();
    let mut groups: Vec<Group> = (0..n as u32)
        .map(|i| Group {
            representative: i,
            members: vec![i],
        })
        .collect();
    fn find(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            let p = parent[x as usize];
            parent[x as usize] = parent[p as usize];
            x = p;
        }
        x
    }
    for e in edges {
        let (ra, rb) = (find(&mut parent, e.a), find(&mut parent, e.b));
        if ra == rb || !accept(&groups[ra as usize], &groups[rb as usize]) {
            continue;
        }
        let (root, child) = if ra < rb { (ra, rb) } else { (rb, ra) };
        parent[child as usize] = root;
        let moved = std::mem::take(&mut groups[child as usize].members);
        let child_rep = groups[child as usize].representative;
        let g = &mut groups[root as usize];
        g.members.extend(moved);
        if rank(child_rep) < rank(g.representative) {
            g.representative = child_rep;
        }
    }
    (0..n as u32).map(|x| find(&mut parent, x)).collect()
}

/// Renumbers group labels densely in order of first appearance.
pub fn dense_labels(labels: &[u32]) -> Vec<u32> {
    let mut map = std::collections::HashMap::new();
    labels
        .iter()
        .map(|l| {
            let next = map.len() as u32;
            *map.entry(*l).or_insert(next)
        })
        .collect()
}

/// Dense group labels (in order of first appearance) and each group's members.
pub fn members_by_group(roots: &[u32]) -> (Vec<u32>, Vec<Vec<u32>>) {
    let labels = dense_labels(roots);
    let groups = labels.iter().max().map_or(0, |&m| m as usize + 1);
    let mut members = vec![Vec::new(); groups];
    for (i, &l) in labels.iter().enumerate() {
        members[l as usize].push(i as u32);
    }
    (labels, members)
}

/// A stable cluster id from its members' document ids: the same members give the
/// same id in every run, whatever the thread count or input order.
pub fn stable_id(prefix: &str, member_ids: &mut [&str]) -> String {
    member_ids.sort_unstable();
    let mut bytes = Vec::new();
    for id in member_ids.iter().take(1) {
        bytes.extend_from_slice(id.as_bytes());
    }
    format!("{prefix}{:012x}", xxh3_64(&bytes) >> 16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_stops_chaining() {
        // 0–1 and 1–2 are strong, but 0 and 2 are not acceptable together.
        let edges = vec![
            Edge {
                a: 0,
                b: 1,
                strength: 0.9,
            },
            Edge {
                a: 1,
                b: 2,
                strength: 0.8,
            },
        ];
        let labels = group(
            3,
            edges.clone(),
            |i| (0, i),
            |x, y| {
                let (a, b) = (x.representative, y.representative);
                !(a.min(b) == 0 && a.max(b) == 2)
            },
        );
        assert_eq!(labels[0], labels[1]);
        assert_ne!(labels[1], labels[2]);
        let labels = group(3, edges, |i| (0, i), |_, _| true);
        assert!(labels.iter().all(|&l| l == labels[0]));
    }

    #[test]
    fn stable_ids_ignore_member_order() {
        assert_eq!(
            stable_id("f-", &mut ["b", "a"]),
            stable_id("f-", &mut ["a", "b"])
        );
        assert_ne!(stable_id("f-", &mut ["a"]), stable_id("f-", &mut ["c"]));
        assert_eq!(dense_labels(&[5, 5, 2, 9, 2]), vec![0, 0, 1, 2, 1]);
        let (labels, members) = members_by_group(&[5, 5, 2, 9, 2]);
        assert_eq!(labels, vec![0, 0, 1, 2, 1]);
        assert_eq!(members, vec![vec![0, 1], vec![2, 4], vec![3]]);
    }
}
