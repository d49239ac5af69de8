//! Output: JSON lines per document, the clusters file and the readable report.
//! Files are written whole or not at all (a temporary file renamed on success).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::clean::Removed;
use crate::document::FailedDocument;
use crate::pipeline::{Analysis, Clustering, Entry};

/// Writes to a temporary file next to `path` and renames it into place on
/// [`AtomicFile::commit`]; dropped without commit, it removes the temporary file.
pub struct AtomicFile {
    path: PathBuf,
    tmp: PathBuf,
    writer: Option<BufWriter<File>>,
}

impl AtomicFile {
    pub fn create(path: &Path) -> io::Result<Self> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // A device or pipe (`-o /dev/null`, a FIFO) is written in place: renaming a
        // temporary file over it would replace the device itself.
        if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
            return Ok(AtomicFile {
                path: path.to_path_buf(),
                tmp: path.to_path_buf(),
                writer: Some(BufWriter::with_capacity(1 << 20, File::create(path)?)),
            });
        }
        let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
        let file = File::create(&tmp)?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            tmp,
            writer: Some(BufWriter::with_capacity(1 << 20, file)),
        })
    }

    pub fn commit(mut self) -> io::Result<()> {
        let writer = self.writer.take().expect("writer present until commit");
        let file = writer.into_inner().map_err(|e| e.into_error())?;
        if self.tmp == self.path {
            return Ok(());
        }
        file.sync_all()?;
        std::fs::rename(&self.tmp, &self.path)
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer
            .as_mut()
            .expect("writer present until commit")
            .write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer
            .as_mut()
            .expect("writer present until commit")
            .flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.writer.is_some() && self.tmp != self.path {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Writes one JSON value as a line.
pub fn write_line(out: &mut dyn Write, value: &Value) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")
}

fn with_extra(mut object: Map<String, Value>, extra: &Map<String, Value>) -> Value {
    for (k, v) in extra {
        if !object.contains_key(k) {
            object.insert(k.clone(), v.clone());
        }
    }
    Value::Object(object)
}

/// The line of a document that could not be processed.
pub fn failed_record(f: &FailedDocument) -> Value {
    let object =
        json!({"id": f.id, "status": "error", "error": f.error, "source": f.origin.to_string()});
    with_extra(object.as_object().cloned().unwrap_or_default(), &f.extra)
}

/// The line `cognate clean` writes for one document.
#[allow(clippy::too_many_arguments)]
pub fn clean_record(
    id: &str,
    lang: &str,
    lang_confidence: f32,
    title: Option<&str>,
    text: &str,
    removed: &[Removed],
    published: Option<&str>,
    extra: &Map<String, Value>,
) -> Value {
    let mut object = Map::new();
    object.insert("id".into(), json!(id));
    object.insert("status".into(), json!("ok"));
    object.insert("lang".into(), json!(lang));
    object.insert("lang_confidence".into(), json!(round3(lang_confidence)));
    object.insert("title".into(), json!(title));
    if let Some(p) = published {
        object.insert("published".into(), json!(p));
    }
    object.insert("text".into(), json!(text));
    object.insert(
        "removed".into(),
        serde_json::to_value(removed).unwrap_or_default(),
    );
    with_extra(object, extra)
}

fn round3(x: f32) -> f64 {
    (x as f64 * 1000.0).round() / 1000.0
}

/// The lines `cognate cluster` writes: one per input document, in input order.
pub fn cluster_records<'a>(
    entries: &'a [Entry],
    c: &'a Clustering,
) -> impl Iterator<Item = Value> + 'a {
    let docs: Vec<&Analysis> = analysed(entries);
    let mut k = 0usize;
    entries.iter().map(move |e| match e {
        Entry::Failed(f) => failed_record(f),
        Entry::Ok(a) => {
            let i = k;
            k += 1;
            let family = &c.families[c.doc_family[i] as usize];
            let event = &c.events[c.family_event[c.doc_family[i] as usize] as usize];
            let rep = docs[family.representative as usize];
            document_record(
                a,
                &Placement {
                    family: &family.id,
                    event: &event.id,
                    family_size: family.members.len(),
                    representative: &rep.id,
                    relation: c.relation_to_representative[i]
                        .map_or("representative", |r| r.as_str()),
                    original: family.representative as usize == i,
                    late: false,
                    future_date: false,
                },
            )
        }
    })
}

/// Where a document landed: what `cluster` and `stream` write about it.
pub struct Placement<'a> {
    pub family: &'a str,
    pub event: &'a str,
    pub family_size: usize,
    pub representative: &'a str,
    pub relation: &'a str,
    pub original: bool,
    /// Arrived after its time window (stream mode only; written only when true).
    pub late: bool,
    /// Dated later than the run itself, so the date was not trusted (stream mode only;
    /// written only when true).
    pub future_date: bool,
}

/// The output line of one clustered document (the format of `cognate cluster`).
pub fn document_record(a: &Analysis, p: &Placement) -> Value {
    let mut object = Map::new();
    object.insert("id".into(), json!(a.id));
    object.insert("status".into(), json!("ok"));
    object.insert("lang".into(), json!(a.lang));
    object.insert("lang_confidence".into(), json!(round3(a.lang_confidence)));
    object.insert("title".into(), json!(a.title));
    object.insert("family".into(), json!(p.family));
    object.insert("event".into(), json!(p.event));
    object.insert("family_size".into(), json!(p.family_size));
    object.insert("family_representative".into(), json!(p.representative));
    object.insert(
        "relation_to_family_representative".into(),
        json!(p.relation),
    );
    object.insert("is_likely_original".into(), json!(p.original));
    if let Some(pb) = &a.published {
        object.insert("published".into(), json!(pb.raw));
    }
    if p.late {
        object.insert("late".into(), json!(true));
    }
    if p.future_date {
        object.insert("future_date".into(), json!(true));
    }
    with_extra(object, &a.extra)
}

fn analysed(entries: &[Entry]) -> Vec<&Analysis> {
    entries
        .iter()
        .filter_map(|e| match e {
            Entry::Ok(a) => Some(a.as_ref()),
            Entry::Failed(_) => None,
        })
        .collect()
}

/// One line per event: its families and their members.
pub fn event_records<'a>(
    entries: &'a [Entry],
    c: &'a Clustering,
) -> impl Iterator<Item = Value> + 'a {
    let docs = analysed(entries);
    c.events.iter().map(move |event| {
        let families: Vec<Value> = event
            .families
            .iter()
            .map(|&f| {
                let family = &c.families[f as usize];
                let members: Vec<Value> = family
                    .members
                    .iter()
                    .map(|&i| {
                        let d = docs[i as usize];
                        json!({
                            "id": d.id,
                            "lang": d.lang,
                            "relation": c.relation_to_representative[i as usize].map_or("representative", |r| r.as_str()),
                        })
                    })
                    .collect();
                json!({
                    "family": family.id,
                    "original": docs[family.representative as usize].id,
                    "original_basis": family.original_basis,
                    "members": members,
                })
            })
            .collect();
        let related: Vec<&str> = event.related.iter().map(|&e| c.events[e as usize].id.as_str()).collect();
        json!({"event": event.id, "families": families, "related_events": related})
    })
}

/// The readable report: events → families → articles, largest events first.
pub fn write_report(out: &mut dyn Write, entries: &[Entry], c: &Clustering) -> io::Result<()> {
    let docs = analysed(entries);
    let failed = entries.len() - docs.len();
    let size = |e: &crate::pipeline::Event| -> usize {
        e.families
            .iter()
            .map(|&f| c.families[f as usize].members.len())
            .sum()
    };
    let mut order: Vec<usize> = (0..c.events.len()).collect();
    order.sort_by_key(|&e| (std::cmp::Reverse(size(&c.events[e])), e));
    writeln!(
        out,
        "{} documents ({} failed) in {} events and {} families",
        entries.len(),
        failed,
        c.events.len(),
        c.families.len()
    )?;
    for e in order {
        let event = &c.events[e];
        writeln!(out)?;
        let related: Vec<&str> = event
            .related
            .iter()
            .map(|&r| c.events[r as usize].id.as_str())
            .collect();
        if related.is_empty() {
            writeln!(out, "event {} ({} articles)", event.id, size(event))?;
        } else {
            writeln!(
                out,
                "event {} ({} articles; related: {})",
                event.id,
                size(event),
                related.join(", ")
            )?;
        }
        for &f in &event.families {
            let family = &c.families[f as usize];
            writeln!(
                out,
                "  family {} ({} articles, original by {})",
                family.id,
                family.members.len(),
                family.original_basis
            )?;
            let mut members = family.members.clone();
            members.sort_by_key(|&i| (i != family.representative, i));
            for i in members {
                let d = docs[i as usize];
                let relation =
                    c.relation_to_representative[i as usize].map_or("original", |r| r.as_str());
                let title = d.title.as_deref().unwrap_or("");
                let title: String = title.chars().take(70).collect();
                writeln!(
                    out,
                    "    {:<28} {:<4} {:<15} {}",
                    truncate(&d.id, 28),
                    d.lang,
                    relation,
                    title
                )?;
            }
        }
    }
    if failed > 0 {
        writeln!(out, "\nfailed:")?;
        for e in entries {
            if let Entry::Failed(f) = e {
                writeln!(out, "  {}: {}", f.id, f.error)?;
            }
        }
    }
    Ok(())
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regular_file_is_replaced_whole_on_commit_and_untouched_without() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        std::fs::write(&path, "old\n").unwrap();
        let mut file = AtomicFile::create(&path).unwrap();
        file.write_all(b"new\n").unwrap();
        drop(file);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\n");
        let mut file = AtomicFile::create(&path).unwrap();
        file.write_all(b"new\n").unwrap();
        file.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary left"
        );
    }

    /// `-o /dev/null` once replaced the device with a regular file (the rename ran as
    /// root); a FIFO stands in for the device here.
    #[cfg(unix)]
    #[test]
    fn a_fifo_is_written_in_place_and_stays_a_fifo() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .unwrap();
        assert!(made.success());
        let reader = {
            let path = path.clone();
            std::thread::spawn(move || std::fs::read(path).unwrap())
        };
        let mut file = AtomicFile::create(&path).unwrap();
        file.write_all(b"line\n").unwrap();
        file.commit().unwrap();
        // Checked before joining: had the FIFO been replaced, its reader would never return.
        assert!(std::fs::metadata(&path).unwrap().file_type().is_fifo());
        assert_eq!(reader.join().unwrap(), b"line\n");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary left"
        );
    }
}
