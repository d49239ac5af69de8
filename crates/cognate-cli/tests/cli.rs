//! End-to-end tests of the `cognate` binary on fixtures written here and on the
//! bundled example corpus.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn cognate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cognate"))
        .args(args)
        .output()
        .expect("cognate runs")
}

fn lines(out: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect()
}

fn seeds() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seeds")
}

fn by_id<'a>(records: &'a [Value], prefix: &str) -> &'a Value {
    records
        .iter()
        .find(|r| r["id"].as_str().unwrap().starts_with(prefix))
        .unwrap_or_else(|| panic!("no record {prefix}"))
}

#[test]
fn seeds_form_the_expected_family_and_events() {
    check_seeds(&[]);
}

#[test]
fn seeds_form_the_expected_family_and_events_without_the_model() {
    let stderr = check_seeds(&["--no-model"]);
    assert!(stderr.contains("anchors only (--no-model)"), "{stderr}");
}

/// Clusters the seeds with extra arguments, checks the groups, returns stderr.
fn check_seeds(extra: &[&str]) -> String {
    let out = cognate(&[&["cluster", seeds().to_str().unwrap(), "--report"], extra].concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records = lines(&out.stdout);
    assert_eq!(records.len(), 5);
    let family = |p: &str| by_id(&records, p)["family"].as_str().unwrap().to_string();
    let event = |p: &str| by_id(&records, p)["event"].as_str().unwrap().to_string();
    assert_eq!(family("000"), family("001"));
    assert_eq!(family("000"), family("004"));
    assert_ne!(family("000"), family("003"));
    assert_ne!(family("000"), family("002"));
    assert_eq!(event("000"), event("003"));
    assert_ne!(event("000"), event("002"));
    assert_eq!(by_id(&records, "000")["lang"], "it");
    assert_eq!(by_id(&records, "001")["lang"], "vi");
    let relations: Vec<&str> = ["000", "001", "004"]
        .iter()
        .map(|p| {
            by_id(&records, p)["relation_to_family_representative"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(
        relations.iter().filter(|r| **r == "representative").count(),
        1,
        "{relations:?}"
    );
    assert_eq!(
        relations.iter().filter(|r| **r == "translation").count(),
        2,
        "{relations:?}"
    );
    let report = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(report.contains("2 events and 3 families"), "{report}");
    report
}

#[test]
fn output_does_not_depend_on_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let mut jsonl = std::fs::File::create(dir.path().join("c.jsonl")).unwrap();
    for (i, text) in std::fs::read_dir(seeds())
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .enumerate()
    {
        for copy in 0..30 {
            let edited: String = text
                .split(' ')
                .filter(|w| w.len() % 7 != copy % 7)
                .collect::<Vec<_>>()
                .join(" ");
            writeln!(
                jsonl,
                "{}",
                serde_json::json!({"id": format!("d{i}-{copy}"), "text": edited})
            )
            .unwrap();
        }
    }
    drop(jsonl);
    let input = dir.path().join("c.jsonl");
    let one = cognate(&["cluster", input.to_str().unwrap(), "--threads", "1"]);
    let two = cognate(&["cluster", input.to_str().unwrap(), "--threads", "2"]);
    assert!(one.status.success() && two.status.success());
    assert_eq!(lines(&one.stdout).len(), 150);
    assert_eq!(one.stdout, two.stdout);
}

#[test]
fn bad_inputs_are_reported_and_never_lose_documents() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join("docs")).unwrap();
    std::fs::write(
        root.join("docs/good.txt"),
        "Stoltenberg said 100,000 troops gathered near the border.",
    )
    .unwrap();
    std::fs::write(
        root.join("docs/latin1.txt"),
        b"Caf\xe9 au lait, 12 345 tasses vendues \xe0 Paris.",
    )
    .unwrap();
    std::fs::write(root.join("docs/binary.txt"), b"\x00\x01\x02\x03binary\x00").unwrap();
    std::fs::write(root.join("docs/empty.txt"), b"").unwrap();
    std::fs::write(
        root.join("docs/soup.html"),
        "<html><body><div><p>Unclosed <b>soup <i>here 2022",
    )
    .unwrap();
    let jsonl = root.join("docs.jsonl");
    std::fs::write(
        &jsonl,
        concat!(
            "{\"id\": \"a\", \"text\": \"A first article about 1,234 things.\", \"source\": \"kept\"}\n",
            "{not json\n",
            "{\"text\": \"no id here\"}\n",
            "{\"id\": \"c\"}\n",
            "\n",
            "{\"id\": 7, \"html\": \"<p>Numbered id, 2021.</p>\"}\n",
        ),
    )
    .unwrap();
    // A gzip stream cut in the middle.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for i in 0..200 {
        writeln!(gz, "{}", serde_json::json!({"id": format!("z{i}"), "text": format!("Article number {i} of the series, {}", i * 1000)})).unwrap();
    }
    let bytes = gz.finish().unwrap();
    std::fs::write(root.join("cut.jsonl.gz"), &bytes[..bytes.len() / 2]).unwrap();

    let (docs, cut, missing) = (
        root.join("docs"),
        root.join("cut.jsonl.gz"),
        root.join("missing.jsonl"),
    );
    let args = [
        "cluster",
        docs.to_str().unwrap(),
        jsonl.to_str().unwrap(),
        cut.to_str().unwrap(),
        missing.to_str().unwrap(),
    ];
    let out = cognate(&args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let records = lines(&out.stdout);
    let status = |id: &str| -> String {
        records
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("{id} missing from output: {records:?}"))["status"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(status("good.txt"), "ok");
    assert_eq!(status("latin1.txt"), "ok");
    assert_eq!(status("binary.txt"), "error");
    assert_eq!(status("soup.html"), "ok");
    assert_eq!(status("a"), "ok");
    assert_eq!(status("7"), "ok");
    assert_eq!(status("c"), "error");
    assert_eq!(
        records.iter().find(|r| r["id"] == "a").unwrap()["source"],
        "kept"
    );
    let errors: Vec<&Value> = records.iter().filter(|r| r["status"] == "error").collect();
    // binary, empty?, bad JSON, missing id, missing text, truncated gzip, missing file.
    assert!(errors.len() >= 5, "{errors:?}");
    assert!(
        errors
            .iter()
            .any(|r| r["error"].as_str().unwrap().contains("docs.jsonl:2")),
        "the malformed line is named with its place: {errors:?}"
    );
    assert!(
        records
            .iter()
            .any(|r| r["id"].as_str().unwrap().starts_with('z') && r["status"] == "ok")
    );
    assert!(stderr.contains("failed"), "{stderr}");
    assert!(stderr.contains("decoded lossily"), "{stderr}");

    let strict = cognate(&[&args[..], &["--strict"]].concat());
    assert_eq!(strict.status.code(), Some(1));
    assert_eq!(lines(&strict.stdout).len(), records.len());
}

#[test]
fn nothing_readable_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = cognate(&["cluster", dir.path().join("nope.jsonl").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    assert_eq!(
        cognate(&["cluster", empty.to_str().unwrap()]).status.code(),
        Some(1)
    );
}

#[test]
fn clean_reports_language_text_and_removals() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(
        &input,
        "{\"id\": \"x\", \"text\": \"Il leader della Nato ha detto mercoledì che permangono differenze significative tra il blocco e la Russia.\", \"n\": 1}\n",
    )
    .unwrap();
    let output = dir.path().join("out.jsonl");
    let out = cognate(&[
        "clean",
        input.to_str().unwrap(),
        "-o",
        output.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    let records = lines(&std::fs::read(&output).unwrap());
    assert_eq!(records[0]["lang"], "it");
    assert!(
        records[0]["text"]
            .as_str()
            .unwrap()
            .contains("differenze significative")
    );
    assert!(records[0]["removed"].is_array());
    assert_eq!(records[0]["n"], 1);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains(".tmp")
        })
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn compare_two_files_and_pairs() {
    let seeds = seeds();
    let file = |p: &str| {
        std::fs::read_dir(&seeds)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|x| x.file_name().unwrap().to_string_lossy().starts_with(p))
            .unwrap()
    };
    let out = cognate(&[
        "compare",
        file("000").to_str().unwrap(),
        file("004").to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = &lines(&out.stdout)[0];
    assert_eq!(v["relation"], "translation", "{v}");
    assert!(v["score"].as_f64().unwrap() < 2.5);
    assert!(
        v["evidence"]["shared_numbers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p[0] == "100.000")
    );

    let dir = tempfile::tempdir().unwrap();
    let pairs = dir.path().join("pairs.jsonl");
    let a = std::fs::read_to_string(file("000")).unwrap();
    let b = std::fs::read_to_string(file("001")).unwrap();
    std::fs::write(
        &pairs,
        format!(
            "{}\n{}\nbroken\n",
            serde_json::json!({"id": "p1", "a": {"id": "a", "text": a}, "b": {"id": "b", "text": b}}),
            serde_json::json!({"id": "p2", "a": {"id": "a", "text": "Markets in Tokyo rose 2.5 percent on Tuesday."}, "b": {"id": "b", "text": b}}),
        ),
    )
    .unwrap();
    let out = cognate(&["compare", "--pairs", pairs.to_str().unwrap()]);
    assert!(out.status.success());
    let v = lines(&out.stdout);
    assert_eq!(v.len(), 3);
    assert_eq!(v[0]["id"], "p1");
    assert!(v[0]["score"].as_f64().unwrap() < v[1]["score"].as_f64().unwrap());
    assert_eq!(v[2]["status"], "error");
}

#[test]
fn clean_drops_recurring_lines_unless_no_recurring() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let footer = "Riverside Courier, independent local news from the valley towns";
    let stories = [
        "The city council approved a new budget for schools and roads after a long debate on Tuesday.",
        "Heavy rain flooded several streets in the old town, and firefighters pumped water from cellars.",
        "The local football club signed a young striker from the second division for an undisclosed fee.",
        "A new bridge over the river will open in spring, the regional transport authority announced.",
        "Farmers expect a smaller harvest this year because of the long drought in early summer.",
        "The museum reopened after two years of renovation with a show of medieval manuscripts.",
    ];
    let mut f = std::fs::File::create(&input).unwrap();
    for (i, s) in stories.iter().enumerate() {
        let doc = serde_json::json!({"id": format!("d{i}"), "text": format!("{s}\n\n{footer}")});
        writeln!(f, "{doc}").unwrap();
    }
    drop(f);
    let run = |extra: &[&str]| {
        let mut args = vec!["clean", input.to_str().unwrap()];
        args.extend_from_slice(extra);
        let out = cognate(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        lines(&out.stdout)
    };
    for r in run(&[]) {
        assert!(
            !r["text"].as_str().unwrap().contains("Riverside Courier"),
            "{r}"
        );
        let removed = r["removed"].as_array().unwrap();
        assert!(
            removed
                .iter()
                .any(|x| x["reason"] == "recurring" && x["text"] == footer),
            "{r}"
        );
    }
    for extra in [&["--no-recurring"][..], &["--raw"][..]] {
        for r in run(extra) {
            assert!(
                r["text"].as_str().unwrap().contains("Riverside Courier"),
                "{r}"
            );
        }
    }
}

#[test]
fn semeval_refit_from_saved_signals_matches_the_full_run() {
    // Twelve pairs; one pair id occurs twice with other texts and ratings, as 40 ids
    // do in the task's training set: each occurrence must keep its own signals.
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("pairs.csv");
    let mut f = std::fs::File::create(&csv).unwrap();
    writeln!(f, "pair_id,lang1,lang2,text1,text2,Overall").unwrap();
    let story = |k: usize| {
        format!(
            "Minister Anna Berg{k} met delegates of Ostland{k} in Brussels on {} March. \
             The talks on grain exports lasted {} hours and ended without agreement.",
            k + 2,
            3 * k + 1
        )
    };
    for i in 0..12 {
        let a = story(i);
        let (b, overall) = if i % 2 == 0 {
            (story(i).replace("talks", "meeting"), 1.2)
        } else {
            (story(i + 20), 3.8)
        };
        let id = if i == 7 {
            "100_101".to_string()
        } else {
            format!("{}_{}", 10 * i, 10 * i + 1)
        };
        writeln!(f, "{id},en,en,\"{a}\",\"{b}\",{overall}").unwrap();
    }
    drop(f);
    let signals = dir.path().join("signals.jsonl");
    let csv_arg = csv.to_str().unwrap();
    let common = ["eval", "semeval", csv_arg, "--no-model", "--folds", "3"];
    let full = cognate(&[&common[..], &["--signals", signals.to_str().unwrap()]].concat());
    assert!(
        full.status.success(),
        "{}",
        String::from_utf8_lossy(&full.stderr)
    );
    let refit = cognate(&[&common[..], &["--from-signals", signals.to_str().unwrap()]].concat());
    assert!(
        refit.status.success(),
        "{}",
        String::from_utf8_lossy(&refit.stderr)
    );
    let tables = |o: &Output| {
        let s = String::from_utf8_lossy(&o.stdout).to_string();
        s[s.find("cross-validation")
            .expect("a cross-validation table")..]
            .to_string()
    };
    assert_eq!(tables(&full), tables(&refit));
}
