//! Publication dates `clean` gives the pages of the trafilatura evaluation set: one line
//! per page, `URL<TAB>date` (empty when none), then a count on stderr. Two runs' outputs
//! compared with `join` show which pages lost or changed their date.
//!
//! ```sh
//! cargo run --release --example date_coverage -- TRAFILATURA/tests [--with-url] > dates.tsv
//! ```
//!
//! `cognate eval extraction` gives `clean` no URL, so neither does this by default;
//! `--with-url` passes each page's URL as the document's (as a crawl would).

use cognate::clean::{CleanOptions, clean_document};
use cognate::document::{Content, Document};
use cognate::eval::extraction::load_trafilatura;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args
        .first()
        .ok_or("usage: date_coverage TRAFILATURA/tests [--with-url]")?;
    let with_url = args.iter().any(|a| a == "--with-url");
    let cases = load_trafilatura(dir)?;
    let options = CleanOptions::default();
    let started = std::time::Instant::now();
    let mut dated = 0;
    for case in &cases {
        let mut doc = Document::text("page", "");
        doc.content = Content::Html(case.html.clone());
        if with_url {
            doc.url = Some(case.url.clone());
        }
        let date = clean_document(&doc, &options)
            .published
            .and_then(|p| chrono::DateTime::from_timestamp(p.timestamp, 0))
            .map(|t| t.date_naive().to_string())
            .unwrap_or_default();
        dated += usize::from(!date.is_empty());
        println!("{}\t{date}", case.url);
    }
    eprintln!(
        "{dated} of {} pages dated, {:.2} s",
        cases.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
