//! Turning bytes into text: byte order marks, UTF-8 (lossily when it must),
//! legacy charsets declared by HTTP or `<meta>`, and the checks every body gets.

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};

/// Decoded text and whether decoding had to replace invalid bytes.
#[derive(Debug, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    pub lossy: bool,
}

/// Strips a UTF-8 byte order mark.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// UTF-8, lossily when the bytes are not valid UTF-8 (no BOM handling).
pub fn utf8_lossy(bytes: &[u8]) -> Decoded {
    match std::str::from_utf8(bytes) {
        Ok(s) => Decoded {
            text: s.to_string(),
            lossy: false,
        },
        Err(_) => Decoded {
            text: String::from_utf8_lossy(bytes).into_owned(),
            lossy: true,
        },
    }
}

fn decode_with(encoding: &'static Encoding, bytes: &[u8]) -> Decoded {
    if encoding == UTF_8 {
        return utf8_lossy(bytes);
    }
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    Decoded {
        text: text.into_owned(),
        lossy: had_errors,
    }
}

/// Text of a plain-text file: BOM (UTF-8 or UTF-16) honoured, otherwise UTF-8,
/// lossily if needed.
pub fn decode_text(bytes: &[u8]) -> Decoded {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        return decode_with(encoding, &bytes[bom_len..]);
    }
    utf8_lossy(bytes)
}

/// Text of an HTML page: a BOM wins; valid UTF-8 is taken as such; otherwise the
/// charset declared by HTTP (`Content-Type`), then by `<meta>`; otherwise UTF-8,
/// lossily.
pub fn decode_html(bytes: &[u8], http_content_type: Option<&str>) -> Decoded {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        return decode_with(encoding, &bytes[bom_len..]);
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Decoded {
            text: s.to_string(),
            lossy: false,
        };
    }
    let declared = http_content_type
        .and_then(charset_of_content_type)
        .and_then(|label| Encoding::for_label(label.as_bytes()))
        .or_else(|| meta_charset(bytes));
    match declared {
        Some(encoding) => decode_with(html_encoding(encoding), bytes),
        None => utf8_lossy(bytes),
    }
}

/// HTML rules: a page cannot really be UTF-16 if it was not detected by BOM.
fn html_encoding(encoding: &'static Encoding) -> &'static Encoding {
    if encoding == UTF_16LE || encoding == UTF_16BE {
        UTF_8
    } else {
        encoding.output_encoding()
    }
}

/// The `charset` parameter of a `Content-Type` value.
pub fn charset_of_content_type(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if name.trim().eq_ignore_ascii_case("charset") {
            let value = value.trim().trim_matches(|c| c == '"' || c == '\'').trim();
            (!value.is_empty()).then(|| value.to_string())
        } else {
            None
        }
    })
}

/// A charset declared by `<meta charset=…>` or `<meta http-equiv=… content="…;
/// charset=…">` in the first 4 KiB of a page (a simplified prescan).
pub fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let lower = head.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = memchr::memmem::find(&lower[from..], b"<meta") {
        let start = from + i + 5;
        let end = memchr::memchr(b'>', &lower[start..]).map_or(lower.len(), |j| start + j);
        let tag = &lower[start..end];
        if let Some(k) = memchr::memmem::find(tag, b"charset") {
            let rest = &tag[k + 7..];
            let rest = trim_start(rest);
            if let Some(rest) = rest.strip_prefix(b"=") {
                let rest = trim_start(rest);
                let rest = rest
                    .strip_prefix(b"\"")
                    .or_else(|| rest.strip_prefix(b"'"))
                    .unwrap_or(rest);
                let len = rest
                    .iter()
                    .position(|&b| !(b.is_ascii_alphanumeric() || b"-_.:".contains(&b)))
                    .unwrap_or(rest.len());
                if let Some(encoding) = Encoding::for_label(&rest[..len]) {
                    return Some(encoding);
                }
            }
        }
        from = end.max(start);
    }
    None
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let n = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    &bytes[n..]
}

/// Why a body cannot be a document, if it cannot: binary (NUL byte) or empty.
pub fn check_body(bytes: &[u8]) -> Result<(), String> {
    if let Some(i) = memchr::memchr(0, bytes) {
        return Err(format!(
            "binary content (NUL byte at offset {i}), not a text document"
        ));
    }
    Ok(())
}

/// Why a decoded text cannot be a document, if it cannot: empty or blank.
pub fn check_text(text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        Err("empty document (no text)".to_string())
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_and_utf16() {
        let d = decode_text(b"\xEF\xBB\xBFhello");
        assert_eq!(d.text, "hello");
        assert!(!d.lossy);
        let d = decode_text(b"\xFF\xFEh\0i\0");
        assert_eq!(d.text, "hi");
    }

    #[test]
    fn invalid_utf8_is_lossy() {
        let d = decode_text(b"caf\xE9");
        assert_eq!(d.text, "caf\u{FFFD}");
        assert!(d.lossy);
    }

    #[test]
    fn html_charset_from_header_then_meta() {
        let latin1 = b"<p>caf\xE9</p>";
        let d = decode_html(latin1, Some("text/html; charset=ISO-8859-1"));
        assert_eq!(d.text, "<p>caf\u{e9}</p>");
        assert!(!d.lossy);
        let page = b"<html><head><meta charset=\"windows-1251\"></head>\xCF\xF0\xE8\xE2\xE5\xF2";
        let d = decode_html(page, Some("text/html"));
        assert!(d.text.ends_with("Привет"), "{}", d.text);
        let page = b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=shift_jis\">\x93\xfa\x96\x7b";
        let d = decode_html(page, None);
        assert!(d.text.ends_with("日本"), "{}", d.text);
        let d = decode_html(b"<p>\xE9</p>", None);
        assert!(d.lossy);
        // Valid UTF-8 wins over a wrong declaration.
        let d = decode_html("<p>é</p>".as_bytes(), Some("text/html; charset=iso-8859-1"));
        assert_eq!(d.text, "<p>é</p>");
    }

    #[test]
    fn content_type_charset() {
        assert_eq!(
            charset_of_content_type("text/html; Charset=\"UTF-8\"").as_deref(),
            Some("UTF-8")
        );
        assert_eq!(charset_of_content_type("text/html"), None);
    }

    #[test]
    fn checks() {
        assert!(check_body(b"a\0b").unwrap_err().contains("offset 1"));
        assert!(check_text("  \n").is_err());
        assert!(check_text("x").is_ok());
    }
}
