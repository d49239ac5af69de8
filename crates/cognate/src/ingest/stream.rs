//! Byte streams: opening an input with transparent gzip/zstd decompression (by
//! magic bytes), and a buffered reader that counts its offset, reads bounded lines
//! and can push bytes back (for WARC resynchronisation).

use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::path::Path;

/// Boxed byte source used by every reader; `Send` so an [`super::Ingest`] can move
/// to another thread.
pub type DynRead = Box<dyn Read + Send>;

const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];
const ZSTD_MAGIC: &[u8] = &[0x28, 0xb5, 0x2f, 0xfd];

/// How the bytes of an input were compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "plain",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }
}

/// Reads up to `n` bytes from the start of `reader` (fewer only at end of input),
/// and gives them back with a reader that yields the whole stream again. A read
/// error is not returned here but kept for the reader to return after the bytes
/// that could be read.
pub fn peek(mut reader: DynRead, n: usize) -> (Vec<u8>, DynRead) {
    let mut head = Vec::with_capacity(n);
    let rest: DynRead = match (&mut reader).take(n as u64).read_to_end(&mut head) {
        Ok(_) => reader,
        Err(e) => Box::new(Failing(Some(e))),
    };
    (head.clone(), Box::new(Cursor::new(head).chain(rest)))
}

/// A reader that fails with a stored error (then with a copy of its text).
struct Failing(Option<io::Error>);

impl Read for Failing {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        match self.0.take() {
            Some(e) => {
                let again = io::Error::new(e.kind(), e.to_string());
                self.0 = Some(again);
                Err(e)
            }
            None => Err(io::Error::other("read failed")),
        }
    }
}

/// Wraps `reader` in a decompressor chosen by its first bytes. Returns the first
/// bytes of the *decompressed* stream too (for format sniffing).
pub fn decompress(reader: DynRead) -> io::Result<(Compression, Vec<u8>, DynRead)> {
    let (head, reader) = peek(reader, 4);
    let (compression, reader): (Compression, DynRead) = if head.starts_with(GZIP_MAGIC) {
        (
            Compression::Gzip,
            Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(reader))),
        )
    } else if head.starts_with(ZSTD_MAGIC) {
        (
            Compression::Zstd,
            Box::new(zstd::stream::read::Decoder::new(reader)?),
        )
    } else {
        (Compression::None, reader)
    };
    let (head, reader) = peek(reader, 16);
    Ok((compression, head, reader))
}

/// Opens a file for reading, decompressing it if needed.
pub fn open_file(path: &Path) -> io::Result<(Compression, Vec<u8>, DynRead)> {
    let file = File::open(path)?;
    if file.metadata()?.is_dir() {
        return Err(io::Error::other("is a directory"));
    }
    decompress(Box::new(file))
}

/// What [`Stream::read_line`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    /// End of input: nothing was read.
    Eof,
    /// A line (without its `\n`) is in the buffer.
    Complete,
    /// The line was longer than the limit; it was skipped to its end and only its
    /// first `limit + 1` bytes are in the buffer. Holds its full length.
    TooLong(u64),
}

/// A buffered byte stream that knows how many bytes it has handed out and can take
/// bytes back.
pub struct Stream {
    inner: BufReader<DynRead>,
    /// Bytes pushed back, served before `inner`; `front[front_pos..]` is pending.
    front: Vec<u8>,
    front_pos: usize,
    /// Offset of the next byte to be read, in the (decompressed) stream.
    pos: u64,
}

impl Stream {
    pub fn new(reader: DynRead) -> Self {
        Stream {
            inner: BufReader::with_capacity(64 << 10, reader),
            front: Vec::new(),
            front_pos: 0,
            pos: 0,
        }
    }

    /// Offset of the next byte, in the decompressed stream.
    pub fn pos(&self) -> u64 {
        self.pos
    }

    fn fill(&mut self) -> io::Result<&[u8]> {
        if self.front_pos < self.front.len() {
            Ok(&self.front[self.front_pos..])
        } else {
            self.inner.fill_buf()
        }
    }

    fn consume(&mut self, n: usize) {
        if self.front_pos < self.front.len() {
            self.front_pos += n;
            if self.front_pos == self.front.len() {
                self.front.clear();
                self.front_pos = 0;
            }
        } else {
            self.inner.consume(n);
        }
        self.pos += n as u64;
    }

    /// Puts `bytes` back in front of the stream: they will be read again next.
    pub fn unread(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let mut front = Vec::with_capacity(bytes.len() + self.front.len() - self.front_pos);
        front.extend_from_slice(bytes);
        front.extend_from_slice(&self.front[self.front_pos..]);
        self.front = front;
        self.front_pos = 0;
        self.pos -= bytes.len() as u64;
    }

    /// Reads one line into `buf` (cleared first), without its `\n`, keeping at most
    /// `limit + 1` bytes of it. On an I/O error, `buf` holds what was read of the line.
    pub fn read_line(&mut self, buf: &mut Vec<u8>, limit: usize) -> io::Result<Line> {
        buf.clear();
        let mut total: u64 = 0;
        let mut any = false;
        loop {
            let avail = self.fill()?;
            if avail.is_empty() {
                break;
            }
            any = true;
            let (take, done) = match memchr::memchr(b'\n', avail) {
                Some(i) => (i, true),
                None => (avail.len(), false),
            };
            let room = (limit + 1).saturating_sub(buf.len());
            buf.extend_from_slice(&avail[..take.min(room)]);
            total += take as u64;
            self.consume(if done { take + 1 } else { take });
            if done {
                break;
            }
        }
        Ok(if !any {
            Line::Eof
        } else if total > limit as u64 {
            Line::TooLong(total)
        } else {
            Line::Complete
        })
    }

    /// Reads up to `n` bytes into `buf` (appended); returns how many were read
    /// (fewer than `n` only at end of input).
    pub fn read_upto(&mut self, buf: &mut Vec<u8>, n: u64) -> io::Result<u64> {
        let mut got = 0u64;
        while got < n {
            let avail = self.fill()?;
            if avail.is_empty() {
                break;
            }
            let take = avail.len().min((n - got) as usize);
            buf.extend_from_slice(&avail[..take]);
            self.consume(take);
            got += take as u64;
        }
        Ok(got)
    }

    /// Skips up to `n` bytes; returns how many were skipped.
    pub fn skip(&mut self, n: u64) -> io::Result<u64> {
        let mut got = 0u64;
        while got < n {
            let avail = self.fill()?;
            if avail.is_empty() {
                break;
            }
            let take = avail.len().min((n - got) as usize);
            self.consume(take);
            got += take as u64;
        }
        Ok(got)
    }

    /// Skips to the next occurrence of `pattern` (left unread); `false` if the
    /// input ends first (everything was skipped). Never holds more than the
    /// buffer's worth of bytes.
    pub fn skip_to(&mut self, pattern: &[u8]) -> io::Result<bool> {
        let keep = pattern.len().saturating_sub(1);
        loop {
            let avail = self.fill()?;
            if avail.is_empty() {
                return Ok(false);
            }
            if let Some(i) = memchr::memmem::find(avail, pattern) {
                self.consume(i);
                return Ok(true);
            }
            if avail.len() > keep {
                let n = avail.len() - keep;
                self.consume(n);
                continue;
            }
            // Fewer bytes at hand than the pattern: join them with what follows.
            let mut head = avail.to_vec();
            self.consume(head.len());
            let got = self.read_upto(&mut head, pattern.len() as u64)?;
            if got == 0 {
                return Ok(false);
            }
            self.unread(&head);
        }
    }

    /// True if the next bytes start with `prefix` (looks at most `prefix.len()` bytes
    /// ahead, without consuming them).
    pub fn starts_with(&mut self, prefix: &[u8]) -> io::Result<bool> {
        let mut head = Vec::with_capacity(prefix.len());
        let n = self.read_upto(&mut head, prefix.len() as u64)?;
        let yes = head == prefix;
        let _ = n;
        self.unread(&head);
        Ok(yes)
    }

    /// True at end of input.
    pub fn at_eof(&mut self) -> io::Result<bool> {
        Ok(self.fill()?.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(bytes: &[u8]) -> Stream {
        Stream::new(Box::new(Cursor::new(bytes.to_vec())))
    }

    #[test]
    fn bounded_lines() {
        let mut s = stream(b"short\nthis line is long\n\nlast");
        let mut buf = Vec::new();
        assert_eq!(s.read_line(&mut buf, 8).unwrap(), Line::Complete);
        assert_eq!(buf, b"short");
        assert_eq!(s.read_line(&mut buf, 8).unwrap(), Line::TooLong(17));
        assert_eq!(buf.len(), 9);
        assert_eq!(s.read_line(&mut buf, 8).unwrap(), Line::Complete);
        assert!(buf.is_empty());
        assert_eq!(s.read_line(&mut buf, 8).unwrap(), Line::Complete);
        assert_eq!(buf, b"last");
        assert_eq!(s.pos(), 29);
        assert_eq!(s.read_line(&mut buf, 8).unwrap(), Line::Eof);
    }

    #[test]
    fn unread_serves_bytes_again_and_moves_offset_back() {
        let mut s = stream(b"abcdef\nghi\n");
        let mut buf = Vec::new();
        s.read_upto(&mut buf, 4).unwrap();
        assert_eq!(s.pos(), 4);
        s.unread(&buf[1..]);
        assert_eq!(s.pos(), 1);
        assert!(s.starts_with(b"bcd").unwrap());
        assert_eq!(s.read_line(&mut buf, 100).unwrap(), Line::Complete);
        assert_eq!(buf, b"bcdef");
        assert_eq!(s.read_line(&mut buf, 100).unwrap(), Line::Complete);
        assert_eq!(buf, b"ghi");
        assert!(s.at_eof().unwrap());
    }

    #[test]
    fn skip_to_finds_a_pattern_across_buffer_ends() {
        let mut bytes = vec![b'x'; 200_000];
        bytes.extend_from_slice(b"WARC/1.0 rest");
        let mut s = stream(&bytes);
        assert!(s.skip_to(b"WARC/1.").unwrap());
        assert_eq!(s.pos(), 200_000);
        let mut buf = Vec::new();
        s.read_line(&mut buf, 100).unwrap();
        assert_eq!(buf, b"WARC/1.0 rest");
        // Split by an unread.
        let mut s = stream(b"aaWARC/1.0");
        let mut buf = Vec::new();
        s.read_upto(&mut buf, 5).unwrap();
        s.unread(&buf[2..]);
        assert!(s.skip_to(b"WARC/1.").unwrap());
        assert_eq!(s.pos(), 2);
        let mut s = stream(b"no pattern WARC/1");
        assert!(!s.skip_to(b"WARC/1.").unwrap());
        assert!(s.at_eof().unwrap());
    }

    #[test]
    fn detects_compression_by_magic() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"hello gzip").unwrap();
        let gz = gz.finish().unwrap();
        let (c, head, mut r) = decompress(Box::new(Cursor::new(gz))).unwrap();
        assert_eq!(c, Compression::Gzip);
        assert_eq!(head, b"hello gzip");
        let mut out = String::new();
        r.read_to_string(&mut out).unwrap();
        assert_eq!(out, "hello gzip");

        let zs = zstd::encode_all(&b"hello zstd"[..], 1).unwrap();
        let (c, _, mut r) = decompress(Box::new(Cursor::new(zs))).unwrap();
        assert_eq!(c, Compression::Zstd);
        let mut out = String::new();
        r.read_to_string(&mut out).unwrap();
        assert_eq!(out, "hello zstd");

        let (c, head, _) = decompress(Box::new(Cursor::new(b"ab".to_vec()))).unwrap();
        assert_eq!(c, Compression::None);
        assert_eq!(head, b"ab");
    }
}
