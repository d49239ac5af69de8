//! Repair of broken HTML entities, markup residue and glued sentences in extracted text.
//!
//! Scraped text often carries what an extractor half-decoded: `&amp;`, `&#171;`, the
//! spaced-out forms a translation engine makes of them (`& # 171;`, `& amp;`), and
//! stray tags (`< p>`, `</div>`, `<br />`). Entities become the characters they name;
//! tags are dropped (a block tag becomes a line break) and reported as `html_residue`.

use super::Removed;

/// Named entities decoded (HTML 4 Latin-1 set plus the common punctuation ones).
const NAMED: &[(&str, char)] = &[
    ("amp", '&'),
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("apos", '\''),
    ("nbsp", ' '),
    ("ensp", ' '),
    ("emsp", ' '),
    ("thinsp", ' '),
    ("laquo", '«'),
    ("raquo", '»'),
    ("lsquo", '‘'),
    ("rsquo", '’'),
    ("sbquo", '‚'),
    ("ldquo", '“'),
    ("rdquo", '”'),
    ("bdquo", '„'),
    ("lsaquo", '‹'),
    ("rsaquo", '›'),
    ("ndash", '–'),
    ("mdash", '—'),
    ("hellip", '…'),
    ("bull", '•'),
    ("middot", '·'),
    ("copy", '©'),
    ("reg", '®'),
    ("trade", '™'),
    ("euro", '€'),
    ("pound", '£'),
    ("yen", '¥'),
    ("cent", '¢'),
    ("deg", '°'),
    ("times", '×'),
    ("divide", '÷'),
    ("plusmn", '±'),
    ("sect", '§'),
    ("para", '¶'),
    ("iexcl", '¡'),
    ("iquest", '¿'),
    ("ordf", 'ª'),
    ("ordm", 'º'),
    ("sup1", '¹'),
    ("sup2", '²'),
    ("sup3", '³'),
    ("frac12", '½'),
    ("frac14", '¼'),
    ("frac34", '¾'),
    ("shy", '\u{ad}'),
    ("zwj", '\u{200d}'),
    ("zwnj", '\u{200c}'),
    ("prime", '′'),
    ("Prime", '″'),
    ("dagger", '†'),
    ("szlig", 'ß'),
    ("Agrave", 'À'),
    ("Aacute", 'Á'),
    ("Acirc", 'Â'),
    ("Atilde", 'Ã'),
    ("Auml", 'Ä'),
    ("Aring", 'Å'),
    ("AElig", 'Æ'),
    ("Ccedil", 'Ç'),
    ("Egrave", 'È'),
    ("Eacute", 'É'),
    ("Ecirc", 'Ê'),
    ("Euml", 'Ë'),
    ("Igrave", 'Ì'),
    ("Iacute", 'Í'),
    ("Icirc", 'Î'),
    ("Iuml", 'Ï'),
    ("ETH", 'Ð'),
    ("Ntilde", 'Ñ'),
    ("Ograve", 'Ò'),
    ("Oacute", 'Ó'),
    ("Ocirc", 'Ô'),
    ("Otilde", 'Õ'),
    ("Ouml", 'Ö'),
    ("Oslash", 'Ø'),
    ("Ugrave", 'Ù'),
    ("Uacute", 'Ú'),
    ("Ucirc", 'Û'),
    ("Uuml", 'Ü'),
    ("Yacute", 'Ý'),
    ("THORN", 'Þ'),
    ("agrave", 'à'),
    ("aacute", 'á'),
    ("acirc", 'â'),
    ("atilde", 'ã'),
    ("auml", 'ä'),
    ("aring", 'å'),
    ("aelig", 'æ'),
    ("ccedil", 'ç'),
    ("egrave", 'è'),
    ("eacute", 'é'),
    ("ecirc", 'ê'),
    ("euml", 'ë'),
    ("igrave", 'ì'),
    ("iacute", 'í'),
    ("icirc", 'î'),
    ("iuml", 'ï'),
    ("eth", 'ð'),
    ("ntilde", 'ñ'),
    ("ograve", 'ò'),
    ("oacute", 'ó'),
    ("ocirc", 'ô'),
    ("otilde", 'õ'),
    ("ouml", 'ö'),
    ("oslash", 'ø'),
    ("ugrave", 'ù'),
    ("uacute", 'ú'),
    ("ucirc", 'û'),
    ("uuml", 'ü'),
    ("yacute", 'ý'),
    ("thorn", 'þ'),
    ("yuml", 'ÿ'),
    ("OElig", 'Œ'),
    ("oelig", 'œ'),
    ("Scaron", 'Š'),
    ("scaron", 'š'),
    ("Yuml", 'Ÿ'),
];

/// Tags whose residue is removed; the block ones become a line break.
const BLOCK_TAGS: &[&str] = &[
    "p",
    "br",
    "div",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "section",
    "article",
    "figure",
    "figcaption",
    "table",
    "tr",
    "td",
    "th",
    "header",
    "footer",
    "aside",
    "nav",
    "hr",
    "pre",
    "main",
];
const INLINE_TAGS: &[&str] = &[
    "a", "b", "i", "u", "s", "em", "strong", "span", "img", "small", "sup", "sub", "font",
    "iframe", "script", "style", "noscript", "source", "picture", "video", "audio", "time", "abbr",
    "cite", "mark", "ins", "del", "label", "input", "button", "form", "svg", "meta", "link",
];

/// Decodes an entity starting at `s[0] == '&'`, tolerating the spaced-out forms
/// (`& # 171;`, `& amp;`). Returns the character and the length consumed.
fn decode_entity_at(s: &str) -> Option<(char, usize)> {
    let b = s.as_bytes();
    debug_assert_eq!(b.first(), Some(&b'&'));
    let mut i = 1;
    let skip_spaces = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i] == b' ' && *i - start < 2 {
            *i += 1;
        }
    };
    skip_spaces(&mut i);
    if i < b.len() && b[i] == b'#' {
        i += 1;
        skip_spaces(&mut i);
        let hex = i < b.len() && (b[i] == b'x' || b[i] == b'X');
        if hex {
            i += 1;
        }
        let start = i;
        while i < b.len()
            && i - start < 8
            && b[i].is_ascii_hexdigit()
            && (hex || b[i].is_ascii_digit())
        {
            i += 1;
        }
        if i == start {
            return None;
        }
        let code = u32::from_str_radix(&s[start..i], if hex { 16 } else { 10 }).ok()?;
        skip_spaces(&mut i);
        if i >= b.len() || b[i] != b';' {
            return None;
        }
        let c = match code {
            // Windows-1252 code points that pages put in numeric entities.
            0x80..=0x9f => cp1252(code as u8)?,
            _ => char::from_u32(code)?,
        };
        if c.is_control() && !matches!(c, '\n' | '\t') {
            return None;
        }
        return Some((c, i + 1));
    }
    let start = i;
    while i < b.len() && i - start < 8 && b[i].is_ascii_alphanumeric() {
        i += 1;
    }
    if i == start || i >= b.len() || b[i] != b';' {
        return None;
    }
    let name = &s[start..i];
    let c = NAMED
        .iter()
        .find(|(n, _)| *n == name)
        .or_else(|| {
            // Case-insensitive fallback for the unambiguous lower-case names.
            NAMED.iter().find(|(n, _)| {
                n.eq_ignore_ascii_case(name) && n.chars().all(|c| c.is_ascii_lowercase())
            })
        })?
        .1;
    Some((c, i + 1))
}

fn cp1252(b: u8) -> Option<char> {
    Some(match b {
        0x80 => '€',
        0x82 => '‚',
        0x84 => '„',
        0x85 => '…',
        0x86 => '†',
        0x91 => '‘',
        0x92 => '’',
        0x93 => '“',
        0x94 => '”',
        0x95 => '•',
        0x96 => '–',
        0x97 => '—',
        0x99 => '™',
        _ => return None,
    })
}

/// Decodes the (possibly broken) entities in `text`. Double-escaped ones
/// (`&amp;#171;`) are decoded through.
pub fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let once = decode_once(text);
    // `&amp;#171;` became `&#171;`: decode again only where the first pass made an entity.
    if once.contains('&') && text.contains("amp;") {
        decode_once(&once)
    } else {
        once
    }
}

fn decode_once(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        let tail = &rest[p..];
        match decode_entity_at(tail) {
            Some((c, n)) => {
                out.push(c);
                rest = &tail[n..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// If `s` starts with a tag of a known name (`<p>`, `< p>`, `</div >`, `<br/>`,
/// `<a href="…">`), returns its length and whether it is a block tag.
fn tag_at(s: &str) -> Option<(usize, bool)> {
    let b = s.as_bytes();
    let mut i = 1;
    let spaces = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i] == b' ' && *i - start < 3 {
            *i += 1;
        }
    };
    spaces(&mut i);
    if i < b.len() && b[i] == b'/' {
        i += 1;
        spaces(&mut i);
    }
    let start = i;
    while i < b.len() && i - start < 12 && b[i].is_ascii_alphanumeric() {
        i += 1;
    }
    if i == start {
        return None;
    }
    let name = s[start..i].to_ascii_lowercase();
    let block = if BLOCK_TAGS.contains(&name.as_str()) {
        true
    } else if INLINE_TAGS.contains(&name.as_str()) {
        false
    } else {
        return None;
    };
    // Right after the name: `>`, `/>`, or attributes (which must look like attributes,
    // so that `a < b and c > d` is not taken for a tag).
    let rest = &s[i..];
    let close = rest.find('>')?;
    if close > 400 {
        return None;
    }
    let inner = &rest[..close];
    if inner.contains('<') || inner.contains('\n') {
        return None;
    }
    let inner_t = inner.trim();
    let ok = inner_t.is_empty()
        || inner_t == "/"
        || (inner.starts_with([' ', '/'])
            && inner_t.contains('=')
            && inner_t.contains(['"', '\'']));
    if !ok {
        return None;
    }
    Some((i + close + 1, block))
}

/// Removes markup residue (stray tags), decodes entities, drops invisible characters.
/// Tags are reported in `removed` as `html_residue`.
pub fn repair(text: &str, removed: &mut Vec<Removed>) -> String {
    let decoded = decode_entities(text);
    let mut out = String::with_capacity(decoded.len());
    let mut rest = decoded.as_str();
    while let Some(p) = rest.find('<') {
        out.push_str(&rest[..p]);
        let tail = &rest[p..];
        match tag_at(tail) {
            Some((n, block)) => {
                removed.push(Removed {
                    text: tail[..n].to_string(),
                    reason: "html_residue".into(),
                });
                out.push(if block { '\n' } else { ' ' });
                rest = &tail[n..];
            }
            None => {
                out.push('<');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out.retain(|c| !matches!(c, '\u{200b}' | '\u{feff}' | '\u{ad}' | '\u{2060}'));
    out
}

/// Both splits below ([`unglue_sentences`], then [`unglue_words`]), each glued token
/// reported (reason `glued_words`, the token as it was): the split changes the text, and
/// `removed` is the whole account of what cleaning changed.
pub fn unglue(line: &str, removed: &mut Vec<Removed>) -> String {
    let out = unglue_words(&unglue_sentences(line));
    if out.len() == line.len() {
        return out;
    }
    // Only spaces were inserted, so each token of the line is one or more tokens of
    // the output, in order.
    let mut parts = out.split(' ');
    for token in line.split(' ') {
        let mut joined = String::new();
        let mut pieces = 0;
        while joined.len() < token.len() {
            match parts.next() {
                Some(p) => {
                    joined.push_str(p);
                    pieces += 1;
                }
                None => break,
            }
        }
        if joined != token {
            // Not a pure insertion of spaces (cannot happen today): report the line.
            removed.push(Removed {
                text: line.to_string(),
                reason: "glued_words".into(),
            });
            return out;
        }
        if pieces > 1 {
            removed.push(Removed {
                text: token.to_string(),
                reason: "glued_words".into(),
            });
        }
    }
    out
}

/// Puts a space into sentences glued at a full stop (`Ukraine.The`), which is what
/// is left when a caption or link was cut out of the middle. Web addresses
/// (`GENERICO.ru`, `example.com/Page`) are left alone: the letter after the stop must
/// be upper case and followed by lower case, the word before must be lower case.
pub fn unglue_sentences(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len() + 8);
    let mut word_start = 0;
    for (i, &c) in chars.iter().enumerate() {
        if c.is_whitespace() {
            word_start = i + 1;
        }
        out.push(c);
        if c == '.'
            && i >= 2
            && chars[i - 1].is_lowercase()
            && chars[i - 2].is_lowercase()
            && chars.get(i + 1).is_some_and(|c| c.is_uppercase())
            && chars.get(i + 2).is_some_and(|c| c.is_lowercase())
        {
            let word: String = chars[word_start..i].iter().collect();
            let url_like = word.contains(['/', '@', ':']) || word.to_lowercase().starts_with("www");
            if !url_like {
                out.push(' ');
            }
        }
    }
    out
}

/// Tokens written with a lower-case letter then a capital inside that are not word
/// joins: brand names whose first part is a whole lower-case word.
const CAMEL_BRANDS: &[&str] = &["easyjet", "thyssenkrupp"];

/// Puts a space into words glued where a tag was cut out (`pipelineThe report`,
/// `chínhTheo`): a lower-case letter then a capital inside a token is a join when the
/// part before is a lower-case word of at least 3 letters (so `iPhone`, `McDonald`,
/// `YouTube`, `eBay`, `PlayStation` stay) and the part after is a sentence-case word
/// (a capital, then lower case: not `macOS`, `openSUSE`) followed by more text on the
/// line. Web addresses, handles and code-like tokens are left alone.
/// Also a phrase glued to its own repetition (`tín dụngtín dụng`, a heading repeated
/// without its tag) gets its space back.
pub fn unglue_words(line: &str) -> String {
    let words: Vec<&str> = line.split(' ').collect();
    let mut out = String::with_capacity(line.len() + 8);
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let last = i + 1 == words.len();
        match glue_point(w, last).or_else(|| repeated_phrase_point(&words, i)) {
            Some(at) => {
                out.push_str(&w[..at]);
                out.push(' ');
                out.push_str(&w[at..]);
            }
            None => out.push_str(w),
        }
    }
    out
}

/// Byte offset of a lower→Upper join inside `word` (see [`unglue_words`]).
fn glue_point(word: &str, last_on_line: bool) -> Option<usize> {
    if word.contains(['/', '@', '_', '\\', '=', '#', ':', '.']) {
        return None;
    }
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    // The left run: lower-case letters from the token's start (after opening
    // punctuation such as quotes or brackets).
    let start = chars.iter().position(|(_, c)| c.is_alphabetic())?;
    let mut k = start;
    while k < chars.len() && chars[k].1.is_lowercase() {
        k += 1;
    }
    let left = k - start;
    if left < 3 || k >= chars.len() || !chars[k].1.is_uppercase() {
        return None;
    }
    // The right part: a capital then at least two lower-case letters.
    let mut m = k + 1;
    while m < chars.len() && chars[m].1.is_lowercase() {
        m += 1;
    }
    if m - k < 3 || (m < chars.len() && chars[m].1.is_alphabetic()) {
        return None;
    }
    // Followed by more text: not the line's last word unless the right part ends a
    // sentence itself.
    let ends_sentence = m < chars.len() && matches!(chars[m].1, '.' | '!' | '?' | ',' | ';');
    if last_on_line && !ends_sentence {
        return None;
    }
    let lower = word.to_lowercase();
    if CAMEL_BRANDS.iter().any(|b| lower.contains(b)) {
        return None;
    }
    Some(chars[k].0)
}

/// `… p1 p2…pk-1 [pk+p1] p2 … pk …`: a phrase of 2–4 words glued to its repetition.
/// Returns the offset in `words[i]` where the second copy starts.
fn repeated_phrase_point(words: &[&str], i: usize) -> Option<usize> {
    let w = words[i];
    if w.chars().count() < 4 || !w.chars().all(char::is_alphabetic) {
        return None;
    }
    for k in 2..=4usize {
        if i + 1 < k || i + k > words.len() {
            continue;
        }
        let first = words[i + 1 - k];
        let last = words[i + k - 1];
        if first.len() + last.len() != w.len() || !w.ends_with(first) || !w.starts_with(last) {
            continue;
        }
        // The words between repeat too: p2…pk-1 before and after the glued token.
        let before = &words[i + 2 - k..i];
        let after = &words[i + 1..i + k - 1];
        if before == after && first.chars().count() >= 2 && last.chars().count() >= 2 {
            return Some(last.len());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unglues_words_joined_where_a_tag_was_cut() {
        assert_eq!(
            unglue_words("the data pipelineThe report said on Monday"),
            "the data pipeline The report said on Monday"
        );
        assert_eq!(
            unglue_words("theo Bộ Tài chínhTheo báo cáo mới"),
            "theo Bộ Tài chính Theo báo cáo mới"
        );
        assert_eq!(unglue_words("«pipelineThe end."), "«pipeline The end.");
        assert_eq!(
            unglue_words("tăng trưởng tín dụngtín dụng năm nay"),
            "tăng trưởng tín dụng tín dụng năm nay"
        );
        assert_eq!(
            unglue_words("Die Zentralbank erhöhtDie Zentralbank erhöht die Zinsen"),
            "Die Zentralbank erhöht Die Zentralbank erhöht die Zinsen"
        );
        // Brand and code-like names stay whole.
        for keep in [
            "He bought an iPhone and watched YouTube at McDonald's today",
            "PlayStation and JavaScript and WordPress and LinkedIn users",
            "macOS and openSUSE and eBay and mRNA vaccines",
            "flights by easyJet were cancelled",
            "see example.com/pageName or @userName or snake_caseName now",
            "the last word is camelCase",
            "murmur couscous bonbon",
        ] {
            assert_eq!(unglue_words(keep), keep);
        }
    }

    #[test]
    fn decodes_broken_and_regular_entities() {
        assert_eq!(
            decode_entities("regarding & # 171; security guarantees & # 187; The"),
            "regarding « security guarantees » The"
        );
        assert_eq!(decode_entities("Tom &amp; Jerry"), "Tom & Jerry");
        assert_eq!(decode_entities("Tom & amp; Jerry"), "Tom & Jerry");
        assert_eq!(decode_entities("&#8220;x&#8221; &#x2014; y"), "“x” — y");
        assert_eq!(decode_entities("&amp;#171;hi&amp;#187;"), "«hi»");
        assert_eq!(decode_entities("caf&eacute; &Uuml;ber"), "café Über");
        assert_eq!(decode_entities("&#150; dash"), "– dash");
        // Not entities: left as they are.
        assert_eq!(decode_entities("AT&T & co; R&D"), "AT&T & co; R&D");
        assert_eq!(
            decode_entities("&#0; &#xZZ; &bogus;"),
            "&#0; &#xZZ; &bogus;"
        );
    }

    #[test]
    fn removes_tag_residue_but_not_comparisons() {
        let mut r = Vec::new();
        let out = repair(
            "< p> However, NATO</p> said <a href=\"x\">this</a>.",
            &mut r,
        );
        assert_eq!(out, "\n However, NATO\n said  this .");
        let texts: Vec<&str> = r.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, ["< p>", "</p>", "<a href=\"x\">", "</a>"]);
        assert!(r.iter().all(|r| r.reason == "html_residue"));
        let mut r = Vec::new();
        assert_eq!(repair("if a < b and c > d", &mut r), "if a < b and c > d");
        assert_eq!(repair("x &lt;p&gt; y", &mut r), "x \n y");
        assert_eq!(r.len(), 1);
    }

    #[test]
    fn reports_each_glued_token() {
        let mut removed = Vec::new();
        let out = unglue(
            "of Ukraine.The data pipelineThe report, tín dụngtín dụng and iPhone",
            &mut removed,
        );
        assert_eq!(
            out,
            "of Ukraine. The data pipeline The report, tín dụng tín dụng and iPhone"
        );
        let texts: Vec<&str> = removed.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, ["Ukraine.The", "pipelineThe", "dụngtín"]);
        assert!(removed.iter().all(|r| r.reason == "glued_words"));
        let mut none = Vec::new();
        assert_eq!(
            unglue("the iPhone and YouTube", &mut none),
            "the iPhone and YouTube"
        );
        assert!(none.is_empty());
    }

    #[test]
    fn unglues_sentences_not_addresses() {
        assert_eq!(
            unglue_sentences("of Ukraine.The talks"),
            "of Ukraine. The talks"
        );
        assert_eq!(
            unglue_sentences("see GENERICO.ru and Chronicle.info"),
            "see GENERICO.ru and Chronicle.info"
        );
        assert_eq!(unglue_sentences("the U.S.Army"), "the U.S.Army");
        assert_eq!(unglue_sentences("www.example.Com"), "www.example.Com");
        assert_eq!(unglue_sentences("в Киеве.Президент"), "в Киеве. Президент");
    }
}
