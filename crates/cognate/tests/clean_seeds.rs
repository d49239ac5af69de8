//! Cleaning seed-like pages (written for this test after the patterns of the
//! project's example corpus): every boilerplate piece goes with its reason, and
//! every article sentence stays.

use cognate::Document;
use cognate::clean::{CleanOptions, RecurringLines, clean_document, clean_document_with};

const FIXTURE_IT: &str = include_str!("fixtures/clean_it.txt");
const FIXTURE_VI: &str = include_str!("fixtures/clean_vi.txt");
const FIXTURE_EN: &str = include_str!("fixtures/clean_en.txt");

fn reasons(text: &str) -> (cognate::clean::Cleaned, Vec<(String, String)>) {
    let c = clean_document(&Document::text("f", text), &CleanOptions::default());
    let r = c
        .removed
        .iter()
        .map(|r| (r.reason.clone(), r.text.clone()))
        .collect();
    (c, r)
}

/// Lines of the fixture marked `#keep` at the end must all be in the text; lines
/// marked `#drop:reason` must be removed for that reason. The marks are stripped
/// before cleaning.
fn check(fixture: &str) -> cognate::clean::Cleaned {
    let mut input = String::new();
    let mut keep = Vec::new();
    let mut drop = Vec::new();
    for line in fixture.lines() {
        let (body, mark) = match line.rsplit_once(" #") {
            Some((b, m)) if m == "keep" || m.starts_with("drop:") || m == "title" => (b, Some(m)),
            _ => (line, None),
        };
        input.push_str(body);
        input.push('\n');
        match mark {
            Some("keep") => keep.push(
                body.replace("< p>", "")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            Some("title") => keep.push(format!("TITLE:{body}")),
            Some(m) => drop.push((
                m.trim_start_matches("drop:").to_string(),
                body.split_whitespace().collect::<Vec<_>>().join(" "),
            )),
            None => {}
        }
    }
    let (c, removed) = reasons(&input);
    for k in &keep {
        if let Some(t) = k.strip_prefix("TITLE:") {
            assert_eq!(c.title.as_deref(), Some(t));
        } else {
            let k = k.replace("& # 171;", "«").replace("& # 187;", "»");
            assert!(c.text.contains(k.as_str()), "lost {k:?}\n---\n{}", c.text);
        }
    }
    for (reason, text) in &drop {
        assert!(
            removed
                .iter()
                .any(|(r, t)| r == reason && (t == text || text.ends_with(t.as_str()))),
            "not removed as {reason}: {text:?}\nremoved: {removed:#?}"
        );
        assert!(
            !c.text.split("\n\n").any(|p| p == text),
            "still a line of the text: {text:?}"
        );
    }
    let residue = input.matches("< p>").count();
    assert_eq!(
        removed
            .iter()
            .filter(|(r, t)| r == "html_residue" && t == "< p>")
            .count(),
        residue
    );
    assert_eq!(
        removed.len(),
        drop.len() + residue,
        "unexpected removals: {removed:#?}"
    );
    c
}

#[test]
fn italian_fixture() {
    check(FIXTURE_IT);
}

#[test]
fn vietnamese_fixture() {
    let c = check(FIXTURE_VI);
    assert!(
        c.text.contains("vào Ukraine.\n\n"),
        "credit cut after the sentence"
    );
}

#[test]
fn english_fixture() {
    let c = check(FIXTURE_EN);
    assert!(c.text.contains("regarding « security guarantees »"));
}

#[test]
fn batch_with_recurring_lines() {
    let docs: Vec<Document> = [FIXTURE_IT, FIXTURE_VI, FIXTURE_EN]
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut lines: Vec<&str> = f
                .lines()
                .map(|l| l.rsplit_once(" #").map_or(l, |(b, _)| b))
                .collect();
            lines.insert(3, "Newsroom Daily — independent journalism since 1999");
            Document::text(format!("d{i}"), lines.join("\n"))
        })
        .collect();
    let mut rec = RecurringLines::new(3);
    for d in &docs {
        rec.add_document(d);
    }
    for d in &docs {
        let c = clean_document_with(d, &CleanOptions::default(), Some(&rec));
        assert!(
            c.removed
                .iter()
                .any(|r| r.reason == "recurring" && r.text.starts_with("Newsroom Daily"))
        );
        assert!(!c.text.contains("Newsroom Daily"));
    }
}
