//! `cognate`: the command line over the cognate library. Output goes to stdout or
//! `-o FILE`; summaries, reports and progress go to stderr.

mod commands;
mod progress;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "cognate",
    version,
    about = "Find copies, translations and same-event articles in multilingual news"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print each document's own text, without boilerplate, and its language.
    Clean(CleanArgs),
    /// Group documents into families (copies, translations) and events.
    Cluster(ClusterArgs),
    /// Judge how two articles relate, or score a file of pairs.
    Compare(CompareArgs),
    /// Assign documents (in `published` order) to families and events on arrival,
    /// writing each event out when it leaves the time window.
    Stream(StreamArgs),
    /// Measure cognate on public data sets.
    #[command(subcommand)]
    Eval(commands::eval::EvalCommand),
}

/// Options every batch command shares.
#[derive(Args, Clone)]
pub struct Common {
    /// Inputs: JSONL (.jsonl, .jsonl.gz, .jsonl.zst, - for stdin), folders, .txt/.html files, WARC.
    #[arg(required = true)]
    pub inputs: Vec<String>,
    /// Write the output here instead of stdout (written whole or not at all).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Worker threads (default: all cores). The output does not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Exit with status 1 if any document could not be read.
    #[arg(long)]
    pub strict: bool,
    /// Thresholds that turn signals into relations, as JSON (any subset of the fields).
    #[arg(long, value_name = "FILE")]
    pub thresholds: Option<PathBuf>,
    /// Compare by anchors alone, without the multilingual encoder (faster, weaker across scripts).
    #[arg(long)]
    pub no_model: bool,
    /// Documents larger than this many bytes are reported as errors.
    #[arg(long, default_value_t = 64 << 20)]
    pub max_document_bytes: usize,
    /// Keep lines that recur across many different documents of the input (by default
    /// they are dropped as boilerplate, reason `recurring`).
    #[arg(long)]
    pub no_recurring: bool,
    /// Main-content extractor for HTML pages: cognate's own (`dense`, falling back on the
    /// crate when it finds nothing) or the `trafilatura` crate alone.
    #[arg(long, value_enum, default_value_t = ExtractorChoice::Dense)]
    pub extractor: ExtractorChoice,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ExtractorChoice {
    Dense,
    Trafilatura,
}

impl From<ExtractorChoice> for cognate::clean::Extractor {
    fn from(c: ExtractorChoice) -> Self {
        match c {
            ExtractorChoice::Dense => cognate::clean::Extractor::Dense,
            ExtractorChoice::Trafilatura => cognate::clean::Extractor::Trafilatura,
        }
    }
}

#[derive(Args)]
pub struct CleanArgs {
    #[command(flatten)]
    pub common: Common,
    /// Keep the text as it came (only whitespace and Unicode normalised).
    #[arg(long)]
    pub raw: bool,
}

#[derive(Args)]
pub struct ClusterArgs {
    #[command(flatten)]
    pub common: Common,
    /// Print a readable table of events → families → articles (to stderr, or to FILE).
    #[arg(long, value_name = "FILE", num_args = 0..=1, default_missing_value = "-")]
    pub report: Option<String>,
    /// Write one line per event with its families and members to FILE.
    #[arg(long, value_name = "FILE")]
    pub clusters: Option<PathBuf>,
    /// Write run statistics (counts, timings, bytes per document of each index) as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub stats: Option<PathBuf>,
    /// Keep lead embeddings in this folder so no text is encoded twice across runs
    /// (default: $COGNATE_VECTOR_CACHE if set, else no cache).
    #[arg(long, value_name = "DIR")]
    pub vector_cache: Option<PathBuf>,
    /// Which leads the encoder embeds: `undecided` skips documents MinHash already
    /// finds to be duplicates of an earlier one (they take its vector); `all` embeds
    /// every distinct lead.
    #[arg(long, value_enum, default_value_t = EmbedChoice::Undecided)]
    pub embed: EmbedChoice,
    /// Search lead neighbours exactly up to this many vectors, approximately (HNSW) above.
    #[arg(long, value_name = "N", default_value_t = cognate::candidates::neighbours::EXACT_LIMIT)]
    pub exact_neighbours: usize,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum EmbedChoice {
    All,
    Undecided,
}

#[derive(Args)]
pub struct StreamArgs {
    #[command(flatten)]
    pub common: Common,
    /// An event closes (is written out and leaves memory) when its newest article is
    /// older than the newest date seen minus this many days.
    #[arg(long, default_value_t = 3.0)]
    pub window_days: f64,
    /// An event also closes when this many documents arrived after its newest one
    /// (bounds memory on streams without dates).
    #[arg(long, default_value_t = 200_000)]
    pub max_open_documents: u64,
    /// A closed event can still be named as `related` by later articles (a storyline)
    /// for this many days after its newest article; 0 turns that off.
    #[arg(long, default_value_t = 30.0)]
    pub storyline_days: f64,
    /// Write one line per event, as it closes, to FILE (the format of `cluster --clusters`).
    #[arg(long, value_name = "FILE")]
    pub clusters: Option<PathBuf>,
    /// Write run statistics as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub stats: Option<PathBuf>,
}

#[derive(Args)]
pub struct CompareArgs {
    /// Two documents: files (.txt, .html, .json holding one document) or ids found in --input.
    #[arg(num_args = 0..=2)]
    pub docs: Vec<String>,
    /// Inputs to look ids up in.
    #[arg(long = "input")]
    pub inputs: Vec<String>,
    /// A JSONL file of pairs `{"id", "a": DOC, "b": DOC}`; writes `{"id", "relation", "score"}` per line.
    #[arg(long, conflicts_with = "docs")]
    pub pairs: Option<String>,
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    #[arg(long)]
    pub threads: Option<usize>,
    /// Thresholds that turn signals into relations, as JSON (any subset of the fields).
    #[arg(long, value_name = "FILE")]
    pub thresholds: Option<PathBuf>,
    /// Compare by anchors alone, without the multilingual encoder.
    #[arg(long)]
    pub no_model: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Clean(a) => commands::clean::run(a),
        Command::Cluster(a) => commands::cluster::run(a),
        Command::Compare(a) => commands::compare::run(a),
        Command::Stream(a) => commands::stream::run(a),
        Command::Eval(a) => commands::eval::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("cognate: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
