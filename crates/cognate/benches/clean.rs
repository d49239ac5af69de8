//! Cleaning speed.
//!
//! `cargo bench -p cognate --bench clean`: criterion benchmarks of text and HTML
//! cleaning on inline inputs.
//!
//! `COGNATE_EVAL_TRAFILATURA=/path/to/trafilatura/tests cargo bench -p cognate --bench clean`:
//! the whole-run measurement on the trafilatura evaluation set (`evaldata.json`,
//! `eval/`, `cache/` of the public repository adbar/trafilatura): share of
//! must-contain snippets kept and must-not-contain snippets dropped, and pages/s on one
//! core, for cognate's cleaning with each extractor, for the bare extractors, and for
//! Python trafilatura
//! (`python3 -m pip install trafilatura lxml_html_clean`) on the same pages in the same run.

use std::hint::black_box;
use std::time::Instant;

use cognate::clean::{CleanOptions, Extractor, clean_document, html};
use cognate::{Content, Document};
use criterion::Criterion;

const TEXT: &str = "Talks end without agreement\n\nDecember 4, 2022\n\n\
NATO Secretary General Jens Stoltenberg said there were significant differences with Russia after talks in Brussels.debtdebt…Pool photo of A Photographer\n\n\
READ  Another story about something else entirely\n\n\
The allies urged Russia to de-escalate the situation in Ukraine, where nearly 100,000 troops are massed near the border, officials said on Wednesday.\n\n\
Ms Sherman said the United States was ready to hold more talks with the Russians, but was not sure whether Moscow would follow suit.\n\n\
NATO talks continue regarding & # 171; security guarantees & # 187; for the Kremlin.\n\n\
< p> However, NATO does not exclude the possibility of sanctions.\n\n\
«Pop culture advocate. Food scholar. Web evangelist».\n\n\
More Stories\nTyphoon approaches the coast as a category 3 storm\nFlash floods kill dozens and disrupt rail lines\n\n\
ОСТАВЬТЕ ОТВЕТ\n\nПожалуйста, введите ваш комментарий!";

fn page() -> String {
    let mut body = String::new();
    for i in 0..30 {
        body.push_str(&format!(
            "<p>Paragraph {i}: NATO Secretary General Jens Stoltenberg said there were significant \
             differences with Russia after four hours of talks in Brussels on Wednesday, officials said.</p>\n"
        ));
    }
    format!(
        "<html><head><title>Talks end | News</title>\
         <meta property=\"article:published_time\" content=\"2022-01-12T10:00:00Z\"></head><body>\
         <nav><ul><li><a href=\"/\">Home</a></li><li><a href=\"/w\">World</a></li></ul></nav>\
         <article><h1>Talks end</h1>{body}</article>\
         <aside><h3>More Stories</h3><ul><li><a href=\"/a\">Other story one</a></li></ul></aside>\
         <footer>© 2022 News. All rights reserved.</footer></body></html>"
    )
}

fn bench(c: &mut Criterion) {
    let text_doc = Document::text("t", TEXT);
    let opts = CleanOptions::default();
    c.bench_function("clean_text_seed_like", |b| {
        b.iter(|| clean_document(black_box(&text_doc), &opts))
    });
    let mut html_doc = Document::text("h", "");
    html_doc.content = Content::Html(page());
    c.bench_function("clean_html_article", |b| {
        b.iter(|| clean_document(black_box(&html_doc), &opts))
    });
}

fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn decode(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) => s.to_string(),
        // The evaluation pages that are not UTF-8 are Latin-1 / Windows-1252.
        Err(_) => b.iter().map(|&c| c as char).collect(),
    }
}

struct Score {
    kept: usize,
    with: usize,
    dropped: usize,
    without: usize,
}

impl Score {
    fn report(&self, name: &str, pages: usize, secs: f64) {
        let tp = self.kept as f64;
        let fp = (self.without - self.dropped) as f64;
        let p = tp / (tp + fp);
        let r = tp / self.with as f64;
        println!(
            "{name:<28} kept {:5.1}% ({}/{})  dropped {:5.1}% ({}/{})  F1 {:.3}  {:6.1} pages/s ({pages} pages, {secs:.1} s)",
            100.0 * r,
            self.kept,
            self.with,
            100.0 * self.dropped as f64 / self.without as f64,
            self.dropped,
            self.without,
            2.0 * p * r / (p + r),
            pages as f64 / secs
        );
    }
}

const PYTHON: &str = r#"
import json, os, re, sys, time
import trafilatura
d = sys.argv[1]
data = json.load(open(os.path.join(d, 'evaldata.json')))
norm = lambda s: re.sub(r'\s+', ' ', s).strip()
docs = []
for url in sorted(data):
    v = data[url]
    for sub in ('cache', 'eval'):
        p = os.path.join(d, sub, v['file'])
        if os.path.exists(p):
            docs.append((open(p, 'rb').read(), v)); break
tp = fp = nw = nwo = 0
outs = []
t0 = time.time()
for html, v in docs:
    try:
        outs.append(trafilatura.extract(html) or '')
    except Exception:
        outs.append('')
dt = time.time() - t0
for out, (html, v) in zip(outs, docs):
    o = norm(out)
    tp += sum(norm(w) in o for w in v['with']); fp += sum(norm(w) in o for w in v['without'])
    nw += len(v['with']); nwo += len(v['without'])
p = tp / (tp + fp); r = tp / nw
name = 'python trafilatura ' + trafilatura.__version__
print(f"{name:<28} kept {100*r:5.1f}% ({tp}/{nw})  dropped {100*(nwo-fp)/nwo:5.1f}% ({nwo-fp}/{nwo})  F1 {2*p*r/(p+r):.3f}  {len(docs)/dt:6.1f} pages/s ({len(docs)} pages, {dt:.1f} s)")
"#;

fn whole_run(dir: &str) {
    let data: serde_json::Value = serde_json::from_slice(
        &std::fs::read(format!("{dir}/evaldata.json")).expect("evaldata.json"),
    )
    .expect("evaldata.json is JSON");
    let mut pages = Vec::new();
    let mut urls: Vec<&String> = data.as_object().expect("object").keys().collect();
    urls.sort();
    for url in urls {
        let v = &data[url.as_str()];
        let f = v["file"].as_str().unwrap_or_default();
        let Some(path) = ["cache", "eval"]
            .iter()
            .map(|s| format!("{dir}/{s}/{f}"))
            .find(|p| std::path::Path::new(p).exists())
        else {
            continue;
        };
        let list = |k: &str| -> Vec<String> {
            v[k].as_array()
                .map(|a| a.iter().filter_map(|x| x.as_str()).map(norm).collect())
                .unwrap_or_default()
        };
        let html = decode(&std::fs::read(path).expect("page"));
        pages.push((html, list("with"), list("without")));
    }
    let score = |outs: &[String]| {
        let mut s = Score {
            kept: 0,
            with: 0,
            dropped: 0,
            without: 0,
        };
        for (o, (_, w, wo)) in outs.iter().zip(&pages) {
            let o = norm(o);
            s.kept += w.iter().filter(|x| o.contains(x.as_str())).count();
            s.dropped += wo.iter().filter(|x| !o.contains(x.as_str())).count();
            s.with += w.len();
            s.without += wo.len();
        }
        s
    };
    for (name, extractor) in [
        ("cognate clean, dense", Extractor::Dense),
        ("cognate clean, crate", Extractor::Trafilatura),
    ] {
        let opts = CleanOptions {
            extractor,
            ..CleanOptions::default()
        };
        let t0 = Instant::now();
        let outs: Vec<String> = pages
            .iter()
            .enumerate()
            .map(|(i, (h, _, _))| {
                let mut d = Document::text(format!("p{i}"), "");
                d.content = Content::Html(h.clone());
                let c = clean_document(&d, &opts);
                format!("{}\n{}", c.title.unwrap_or_default(), c.text)
            })
            .collect();
        let secs = t0.elapsed().as_secs_f64();
        score(&outs).report(name, pages.len(), secs);
    }
    for (name, extractor) in [
        ("dense extractor alone", Extractor::Dense),
        ("trafilatura crate alone", Extractor::Trafilatura),
    ] {
        let t0 = Instant::now();
        let outs: Vec<String> = pages
            .iter()
            .map(|(h, _, _)| {
                html::extract_main(h, extractor)
                    .map(|e| format!("{}\n{}", e.title.unwrap_or_default(), e.text))
                    .unwrap_or_default()
            })
            .collect();
        let secs = t0.elapsed().as_secs_f64();
        score(&outs).report(name, pages.len(), secs);
    }
    match std::process::Command::new("python3")
        .arg("-c")
        .arg(PYTHON)
        .arg(dir)
        .output()
    {
        Ok(o) if o.status.success() => print!("{}", String::from_utf8_lossy(&o.stdout)),
        Ok(o) => println!(
            "python trafilatura failed: {}",
            String::from_utf8_lossy(&o.stderr)
                .lines()
                .last()
                .unwrap_or("")
        ),
        Err(e) => println!("python3 not run: {e}"),
    }
}

fn main() {
    if let Ok(dir) = std::env::var("COGNATE_EVAL_TRAFILATURA") {
        whole_run(&dir);
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
}
