//! On-disk cache of lead embeddings, so a text is never encoded twice across runs.
//!
//! A cache is a folder of append-only segment files (`*.vec`), one written per run
//! that added vectors. Each record is
//! `"CVR1" · key (u128) · dim (u16) · scale (f32) · dim × i8 · xxh3-64 of all before`,
//! little-endian. The key is the 128-bit xxh3 of the model's identity (name and a
//! hash of its weights file) and the exact text embedded, so vectors of different
//! models or texts never mix. A record is written whole with one `write` and checked
//! when read: a crash leaves at most a truncated tail, and a damaged or truncated
//! record is skipped with a warning (with the rest of its file, whose record
//! boundaries can no longer be trusted) — a wrong vector is never returned.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufReader, Read, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use xxhash_rust::xxh3::{Xxh3, xxh3_64};

use super::embedding::LeadVector;

const MAGIC: &[u8; 4] = b"CVR1";
/// Bytes of a record around its components.
const OVERHEAD: usize = 4 + 16 + 2 + 4 + 8;

/// Where a cached vector is.
#[derive(Clone, Copy, Debug)]
struct Location {
    file: u32,
    offset: u64,
    dim: u16,
}

/// A vector cache folder opened for one model.
pub struct VectorCache {
    dir: PathBuf,
    model: String,
    files: Mutex<Vec<File>>,
    index: Mutex<HashMap<u128, Location>>,
    /// This run's segment, created at the first write: (index in `files`, length).
    segment: Mutex<Option<(u32, u64)>>,
    warnings: Mutex<Vec<String>>,
}

impl VectorCache {
    /// Opens the cache in `dir` for the vectors of `model`, keyed by its name, the
    /// instruction set its kernels use and a hash of its weights file.
    pub fn open_for_model(
        dir: &Path,
        model: &cognate_encoder::E5Model,
    ) -> std::io::Result<VectorCache> {
        use cognate_encoder::Encoder;
        let identity =
            model_identity(&format!("{}:{:?}", model.name(), model.isa()), model.path())?;
        VectorCache::open(dir, &identity)
    }

    /// Opens (creating if needed) a cache folder for the model identified by `model`
    /// (e.g. its name and a hash of its weights), reading the index of every segment.
    pub fn open(dir: &Path, model: &str) -> std::io::Result<VectorCache> {
        std::fs::create_dir_all(dir)?;
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "vec"))
            .collect();
        paths.sort();
        let cache = VectorCache {
            dir: dir.to_path_buf(),
            model: model.to_string(),
            files: Mutex::new(Vec::new()),
            index: Mutex::new(HashMap::new()),
            segment: Mutex::new(None),
            warnings: Mutex::new(Vec::new()),
        };
        for path in paths {
            let file = match File::open(&path) {
                Ok(f) => f,
                Err(e) => {
                    cache.warn(format!("{}: {e}; skipped", path.display()));
                    continue;
                }
            };
            let number = cache.files.lock().unwrap().len() as u32;
            cache.scan(&path, &file, number);
            cache.files.lock().unwrap().push(file);
        }
        Ok(cache)
    }

    /// The key of a text for this cache's model.
    pub fn key(&self, text: &str) -> u128 {
        text_key(&self.model, text)
    }

    /// Vectors in the cache.
    pub fn len(&self) -> usize {
        self.index.lock().unwrap().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Problems met (damaged records, unreadable files), for the caller to report.
    pub fn take_warnings(&self) -> Vec<String> {
        std::mem::take(&mut self.warnings.lock().unwrap())
    }

    /// Records a problem (once per distinct message).
    pub fn warn(&self, message: String) {
        let mut warnings = self.warnings.lock().unwrap();
        if !warnings.contains(&message) {
            warnings.push(message);
        }
    }

    /// Indexes the records of one segment, stopping at the first bad one.
    fn scan(&self, path: &Path, file: &File, number: u32) {
        let mut reader = BufReader::with_capacity(1 << 20, file);
        let mut offset = 0u64;
        let mut header = [0u8; 4 + 16 + 2];
        let mut index = self.index.lock().unwrap();
        loop {
            match read_full(&mut reader, &mut header) {
                Ok(0) => return,
                Ok(n) if n == header.len() => {}
                _ => {
                    self.warn(format!(
                        "{}@{offset}: truncated record; the rest of the file is ignored",
                        path.display()
                    ));
                    return;
                }
            }
            let dim = u16::from_le_bytes([header[20], header[21]]);
            let mut rest = vec![0u8; 4 + dim as usize + 8];
            let complete = matches!(read_full(&mut reader, &mut rest), Ok(n) if n == rest.len());
            let mut record = header.to_vec();
            record.extend_from_slice(&rest);
            if &header[..4] != MAGIC || !complete || parse(&record).is_none() {
                self.warn(format!(
                    "{}@{offset}: damaged or truncated record; the rest of the file is ignored",
                    path.display()
                ));
                return;
            }
            let key = u128::from_le_bytes(header[4..20].try_into().expect("16 bytes"));
            index.entry(key).or_insert(Location {
                file: number,
                offset,
                dim,
            });
            offset += record.len() as u64;
        }
    }

    /// The cached vector of a key, if present and intact.
    pub fn get(&self, key: u128) -> Option<LeadVector> {
        let at = *self.index.lock().unwrap().get(&key)?;
        let mut record = vec![0u8; OVERHEAD + at.dim as usize];
        let read = {
            let files = self.files.lock().unwrap();
            files[at.file as usize].read_exact_at(&mut record, at.offset)
        };
        match read.ok().and_then(|_| parse(&record)) {
            Some((k, v)) if k == key => Some(v),
            _ => {
                self.warn(format!(
                    "{}: record of a cached vector changed on disk; ignored",
                    self.dir.display()
                ));
                self.index.lock().unwrap().remove(&key);
                None
            }
        }
    }

    /// Appends vectors to this run's segment (one write), and indexes them.
    pub fn put(&self, items: &[(u128, &LeadVector)]) -> std::io::Result<()> {
        if items.is_empty() {
            return Ok(());
        }
        let mut segment = self.segment.lock().unwrap();
        if segment.is_none() {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            let path = self
                .dir
                .join(format!("{nanos:032}-{}.vec", std::process::id()));
            let file = OpenOptions::new()
                .create_new(true)
                .append(true)
                .read(true)
                .open(&path)?;
            let mut files = self.files.lock().unwrap();
            files.push(file);
            *segment = Some((files.len() as u32 - 1, 0));
        }
        let (number, length) = segment.as_mut().expect("segment opened");
        let mut buffer = Vec::with_capacity(items.len() * (OVERHEAD + 384));
        let mut placed = Vec::with_capacity(items.len());
        for &(key, v) in items {
            let offset = *length + buffer.len() as u64;
            encode(key, v, &mut buffer);
            placed.push((
                key,
                Location {
                    file: *number,
                    offset,
                    dim: v.values().len() as u16,
                },
            ));
        }
        {
            let files = self.files.lock().unwrap();
            let mut file = &files[*number as usize];
            file.write_all(&buffer)?;
            file.flush()?;
        }
        *length += buffer.len() as u64;
        let mut index = self.index.lock().unwrap();
        for (key, at) in placed {
            index.entry(key).or_insert(at);
        }
        Ok(())
    }
}

/// The cache key of a text embedded by a model.
pub fn text_key(model: &str, text: &str) -> u128 {
    let mut h = Xxh3::new();
    h.update(model.as_bytes());
    h.update(&[0]);
    h.update(text.as_bytes());
    h.digest128()
}

/// A model's identity for cache keys: its name and the xxh3 of its weights file.
pub fn model_identity(name: &str, weights: &Path) -> std::io::Result<String> {
    let mut file = File::open(weights)?;
    let mut h = Xxh3::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(format!("{name}:{:032x}", h.digest128()))
}

fn encode(key: u128, v: &LeadVector, out: &mut Vec<u8>) {
    let start = out.len();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&key.to_le_bytes());
    out.extend_from_slice(&(v.values().len() as u16).to_le_bytes());
    out.extend_from_slice(&v.scale().to_le_bytes());
    out.extend(v.values().iter().map(|&x| x as u8));
    let sum = xxh3_64(&out[start..]);
    out.extend_from_slice(&sum.to_le_bytes());
}

/// A whole record → (key, vector), or `None` if anything does not check.
fn parse(record: &[u8]) -> Option<(u128, LeadVector)> {
    if record.len() < OVERHEAD || &record[..4] != MAGIC {
        return None;
    }
    let dim = u16::from_le_bytes([record[20], record[21]]) as usize;
    if record.len() != OVERHEAD + dim {
        return None;
    }
    let body = &record[..record.len() - 8];
    let sum = u64::from_le_bytes(record[record.len() - 8..].try_into().ok()?);
    if xxh3_64(body) != sum {
        return None;
    }
    let key = u128::from_le_bytes(record[4..20].try_into().ok()?);
    let scale = f32::from_le_bytes(record[22..26].try_into().ok()?);
    if !scale.is_finite() {
        return None;
    }
    let values: Box<[i8]> = record[26..26 + dim].iter().map(|&x| x as i8).collect();
    Some((key, LeadVector::from_parts(values, scale)))
}

/// Reads until `buf` is full or the input ends; the number of bytes read.
fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vector(seed: i32) -> LeadVector {
        let v: Vec<f32> = (0..384)
            .map(|i| (((i * 31 + seed * 17) % 101) as f32 - 50.0) / 50.0)
            .collect();
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        LeadVector::quantize(&v.iter().map(|x| x / n).collect::<Vec<_>>())
    }

    #[test]
    fn vectors_survive_a_reopen_and_models_do_not_mix() {
        let dir = tempfile::tempdir().unwrap();
        let cache = VectorCache::open(dir.path(), "model-a").unwrap();
        let (a, b) = (vector(1), vector(2));
        let (ka, kb) = (cache.key("text a"), cache.key("text b"));
        cache.put(&[(ka, &a), (kb, &b)]).unwrap();
        assert_eq!(cache.get(ka), Some(a.clone()));
        drop(cache);
        let cache = VectorCache::open(dir.path(), "model-a").unwrap();
        assert_eq!(cache.len(), 2);
        assert_eq!(cache.get(ka), Some(a));
        assert_eq!(cache.get(kb), Some(b));
        assert!(cache.take_warnings().is_empty());
        let other = VectorCache::open(dir.path(), "model-b").unwrap();
        assert_eq!(other.get(other.key("text a")), None);
    }

    #[test]
    fn a_damaged_or_truncated_cache_is_ignored_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let cache = VectorCache::open(dir.path(), "m").unwrap();
        let keys: Vec<u128> = (0..3).map(|i| cache.key(&format!("t{i}"))).collect();
        let vs: Vec<LeadVector> = (0..3).map(vector).collect();
        let items: Vec<(u128, &LeadVector)> = keys.iter().copied().zip(vs.iter()).collect();
        cache.put(&items).unwrap();
        drop(cache);
        let path = std::fs::read_dir(dir.path())
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        let mut bytes = std::fs::read(&path).unwrap();
        let record = bytes.len() / 3;
        // Flip one component of the second record, cut the third short.
        bytes[record + 30] ^= 0x40;
        bytes.truncate(bytes.len() - 5);
        std::fs::write(&path, &bytes).unwrap();
        let cache = VectorCache::open(dir.path(), "m").unwrap();
        assert_eq!(cache.get(keys[0]), Some(vs[0].clone()));
        assert_eq!(cache.get(keys[1]), None);
        assert_eq!(cache.get(keys[2]), None);
        assert_eq!(cache.take_warnings().len(), 1);
        // A file of garbage is ignored too.
        std::fs::write(dir.path().join("0-garbage.vec"), b"not a cache at all").unwrap();
        let cache = VectorCache::open(dir.path(), "m").unwrap();
        assert_eq!(cache.get(keys[0]), Some(vs[0].clone()));
        assert_eq!(cache.take_warnings().len(), 2);
    }
}
