//! Language-independent anchors: facts that survive translation. Numbers are
//! normalised (`100.000` = `100,000` = `100 000`), names transliterated to ASCII and
//! reduced to a consonant skeleton so inflection and spelling variants meet.

use std::collections::HashSet;

use xxhash_rust::xxh3::xxh3_64_with_seed;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AnchorKind {
    Number = 0,
    Name = 1,
}

impl AnchorKind {
    pub fn of_hash(hash: u64) -> AnchorKind {
        match hash >> 62 {
            0 => AnchorKind::Number,
            _ => AnchorKind::Name,
        }
    }
}

/// One anchor, with the normalised key it is compared by and the surface form it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Anchor {
    pub kind: AnchorKind,
    pub key: String,
    pub surface: String,
    /// Occurrences in the text.
    pub count: u32,
    /// Whether it occurs in the lead (the first [`LEAD_CHARS`] characters), where news
    /// puts what the story is about.
    pub in_lead: bool,
}

/// Length of the lead, in bytes.
pub const LEAD_CHARS: usize = 400;

impl Anchor {
    /// The anchor's identity: kind in the top two bits, its weight class in the next
    /// three, a hash of the key below, so a bare `u64` carries what scoring needs.
    pub fn hash(&self) -> u64 {
        ((self.kind as u64) << 62)
            | ((weight_class(self.kind, &self.key) as u64) << 59)
            | (xxh3_64_with_seed(self.key.as_bytes(), 7) >> 5)
    }

    /// How much sharing this anchor says about two texts, before corpus rarity is known.
    pub fn prior_weight(&self) -> f32 {
        prior_weight(self.hash())
    }
}

/// Long and exact numbers say more than two-digit ones and years; names less than
/// numbers (transliteration is lossy); acronyms less than names.
fn weight_class(kind: AnchorKind, key: &str) -> u8 {
    match kind {
        AnchorKind::Number => {
            let digits = key.bytes().filter(u8::is_ascii_digit).count();
            let year_like = digits == 4 && (key.starts_with("19") || key.starts_with("20"));
            match digits {
                _ if key.contains('.') => 5,
                0..=2 => 0,
                3 => 1,
                4 if year_like => 2,
                4 => 3,
                _ => 4,
            }
        }
        AnchorKind::Name if key.ends_with('.') => 1,
        AnchorKind::Name => 0,
    }
}

/// Weight of an anchor (by its hash) from its kind and key alone.
pub fn prior_weight(hash: u64) -> f32 {
    let class = (hash >> 59) & 7;
    match AnchorKind::of_hash(hash) {
        AnchorKind::Number => [0.5, 0.8, 0.6, 1.0, 1.5, 1.2, 1.0, 1.0][class as usize],
        AnchorKind::Name => [0.4, 0.25, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4][class as usize],
    }
}

/// Most anchors kept per document; the first ones met win, so the lead counts most.
pub const MAX_ANCHORS: usize = 128;

impl Anchor {
    /// How central the anchor is to the text, 1..=255: grows with the log of its count
    /// and doubles in the lead.
    pub fn salience(&self) -> u8 {
        let s =
            8.0 * (1.0 + (self.count.max(1) as f32).ln()) * if self.in_lead { 2.0 } else { 1.0 };
        s.round().clamp(1.0, 255.0) as u8
    }
}

/// The anchors of a text, deduplicated by key, in order of first appearance.
pub fn extract_anchors(text: &str) -> Vec<Anchor> {
    let mut out: Vec<Anchor> = Vec::new();
    let mut index: std::collections::HashMap<(AnchorKind, String), usize> =
        std::collections::HashMap::new();
    let found = numbers(text)
        .into_iter()
        .map(|(s, k, at)| (AnchorKind::Number, s, k, at))
        .chain(
            names(text)
                .into_iter()
                .map(|(s, k, at)| (AnchorKind::Name, s, k, at)),
        );
    for (kind, surface, key, at) in found {
        let in_lead = at < LEAD_CHARS;
        match index.get(&(kind, key.clone())) {
            Some(&i) => {
                out[i].count += 1;
                out[i].in_lead |= in_lead;
            }
            None if out.len() < MAX_ANCHORS => {
                index.insert((kind, key.clone()), out.len());
                out.push(Anchor {
                    kind,
                    key,
                    surface,
                    count: 1,
                    in_lead,
                });
            }
            None => {}
        }
    }
    out
}

/// A letter that makes adjacent digits part of a code ("COVID19"); characters of
/// scripts written without spaces do not ("2022年").
fn is_code_letter(c: char) -> bool {
    c.is_alphabetic() && !crate::features::tokens::is_unspaced_script(c)
}

fn is_group_separator(c: char) -> bool {
    matches!(
        c,
        '.' | ',' | '\'' | '’' | ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}'
    )
}

/// The first code point (digit zero) of each run of ten decimal digits that news
/// text writes numbers in besides ASCII: Arabic-Indic, Persian/Urdu, the Indic
/// scripts, Thai, Lao, Tibetan, Myanmar, Khmer and Mongolian. Fullwidth digits (CJK)
/// are left out on purpose: reading them as numbers lowered WMT22 ja-en family
/// precision (B³ 0.938 → 0.923), Japanese articles of different stories sharing the
/// small numbers they write in fullwidth.
const DIGIT_ZEROS: [u32; 19] = [
    0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66,
    0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x17E0, 0x1810,
];

/// A decimal digit of any of those scripts as its ASCII digit, so that "٢٠٢٢" and
/// "२०२२" meet "2022"; the Arabic decimal separator as `.`, its thousands
/// separator as `,`. Everything else is returned unchanged.
pub fn ascii_digit(c: char) -> char {
    let u = c as u32;
    if u < 0x0660 {
        return c;
    }
    match c {
        '\u{66b}' => return '.',
        '\u{66c}' => return ',',
        _ => {}
    }
    for zero in DIGIT_ZEROS {
        if (zero..zero + 10).contains(&u) {
            return char::from(b'0' + (u - zero) as u8);
        }
    }
    c
}

/// Numbers with at least two digits, normalised: thousands separators dropped (a
/// separator followed by exactly three digits), a decimal comma or point written `.`.
pub fn numbers(text: &str) -> Vec<(String, String, usize)> {
    let surface: Vec<char> = text.chars().collect();
    let chars: Vec<char> = surface.iter().map(|&c| ascii_digit(c)).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit()
            || (i > 0 && (chars[i - 1].is_ascii_digit() || is_code_letter(chars[i - 1])))
        {
            // Digits glued to letters ("COVID19", "B52") are codes, not quantities.
            i += 1;
            continue;
        }
        let start = i;
        let mut key = String::new();
        while i < chars.len() && chars[i].is_ascii_digit() {
            key.push(chars[i]);
            i += 1;
        }
        // Thousands grouping starts with one to three digits: "2021 100" is two numbers.
        let may_group = key.len() <= 3;
        loop {
            if i + 1 >= chars.len()
                || !is_group_separator(chars[i])
                || !chars[i + 1].is_ascii_digit()
            {
                break;
            }
            let mut j = i + 1;
            while j < chars.len() && chars[j].is_ascii_digit() {
                j += 1;
            }
            let group = j - (i + 1);
            if group == 3 && may_group {
                key.extend(&chars[i + 1..j]);
                i = j;
            } else if matches!(chars[i], '.' | ',') && !key.contains('.') && group <= 2 {
                key.push('.');
                key.extend(&chars[i + 1..j]);
                i = j;
                break;
            } else {
                break;
            }
        }
        if i < chars.len() && is_code_letter(chars[i]) {
            continue;
        }
        if key.bytes().filter(u8::is_ascii_digit).count() >= 2 {
            out.push((surface[start..i].iter().collect(), key, start));
        }
    }
    out
}

/// Capitalised words that stand mid-sentence somewhere in the text (so they are names,
/// not sentence starts), and acronyms, keyed by [`name_key`], with their byte offsets.
pub fn names(text: &str) -> Vec<(String, String, usize)> {
    let mut mid_sentence = HashSet::new();
    let mut words: Vec<(&str, usize)> = Vec::new();
    let mut sentence_start = true;
    let base = text.as_ptr() as usize;
    for token in text.split(char::is_whitespace) {
        if token.is_empty() {
            continue;
        }
        let word = name_part(token);
        if let Some(word) = word {
            if !sentence_start {
                mid_sentence.insert(word);
            }
            words.push((word, word.as_ptr() as usize - base));
        }
        sentence_start = token.ends_with(['.', '!', '?', ':', '…', '。'])
            || (sentence_start && !token.chars().any(char::is_alphanumeric));
    }
    let mut out = Vec::new();
    for (word, at) in words {
        if !is_acronym(word) && !mid_sentence.contains(word) {
            continue;
        }
        if let Some(key) = name_key(word) {
            out.push((word.to_string(), key, at));
        }
    }
    out
}

/// The capitalised word inside a token, without punctuation, elided articles
/// (`l’Ucraina`) or possessives (`Ukraine's`).
fn name_part(token: &str) -> Option<&str> {
    let token = token.trim_matches(|c: char| !c.is_alphanumeric());
    let word = token
        .split(['\'', '’'])
        .find(|part| part.chars().next().is_some_and(char::is_uppercase))?;
    let word = word.trim_matches(|c: char| !c.is_alphanumeric());
    word.chars()
        .next()
        .is_some_and(char::is_uppercase)
        .then_some(word)
}

fn is_acronym(word: &str) -> bool {
    let n = word.chars().count();
    (2..=6).contains(&n) && word.chars().all(|c| c.is_uppercase())
}

/// The key of a name: ASCII transliteration, lower case, then a consonant skeleton
/// (first letter, then consonants with look-alike spellings merged and repeats
/// collapsed), cut to five letters. Acronyms keep their letters. `None` for keys
/// too short to mean anything.
pub fn name_key(word: &str) -> Option<String> {
    let ascii: String = any_ascii::any_ascii(word)
        .chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if is_acronym(word) {
        return (ascii.len() >= 2).then(|| format!("{ascii}."));
    }
    if ascii.len() < 4 {
        return None;
    }
    let bytes = ascii.as_bytes();
    let mut key = String::new();
    key.push(bytes[0] as char);
    let mut last = canonical(bytes[0]);
    for &b in &bytes[1..] {
        let c = canonical(b);
        if matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'h') {
            last = c;
            continue;
        }
        if c != last {
            key.push(c as char);
        }
        last = c;
        if key.len() == 5 {
            break;
        }
    }
    (key.len() >= 3).then_some(key)
}

fn canonical(b: u8) -> u8 {
    match b {
        b'c' | b'q' => b'k',
        b'w' => b'v',
        b'z' => b's',
        b'y' | b'j' => b'i',
        b'x' => b'k',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<String> {
        numbers(text).into_iter().map(|(_, k, _)| k).collect()
    }

    #[test]
    fn numbers_meet_across_digit_scripts() {
        assert_eq!(
            keys("عام ٢٠٢٢ قتل ١٢٬٥٠٠ شخص بنسبة ٣٫٥"),
            ["2022", "12500", "3.5"]
        );
        assert_eq!(keys("۱۴۰۱ और २०२२ ๒๕๖๕"), ["1401", "2022", "2565"]);
        assert!(
            keys("於２０２２年").is_empty(),
            "fullwidth digits are not read"
        );
        assert_eq!(numbers("٢٠٢٢")[0].0, "٢٠٢٢", "the surface stays as written");
    }

    #[test]
    fn numbers_normalise_across_conventions() {
        assert_eq!(keys("quasi 100.000 soldati"), vec!["100000"]);
        assert_eq!(keys("nearly 100,000 troops"), vec!["100000"]);
        assert_eq!(keys("près de 100 000 soldats"), vec!["100000"]);
        assert_eq!(keys("3,5 Prozent und 3.5 percent"), vec!["3.5", "3.5"]);
        assert_eq!(keys("in 2021 100 people"), vec!["2021", "100"]);
        assert_eq!(keys("COVID19 and 7 and B52"), Vec::<String>::new());
        assert_eq!(keys("1.234.567,89 €"), vec!["1234567.89"]);
        assert_eq!(keys("2022年1月12日，约10万人"), vec!["2022", "12", "10"]);
    }

    #[test]
    fn names_meet_across_scripts_and_inflection() {
        assert_eq!(name_key("Stoltenberg"), name_key("Столтенберг"));
        assert_eq!(name_key("Lavrov"), name_key("Лавров"));
        assert_eq!(name_key("Ukraine"), name_key("Ucraina"));
        assert_eq!(name_key("NATO").as_deref(), Some("nato."));
        assert_eq!(name_key("Al"), None);
    }

    #[test]
    fn elisions_and_possessives_keep_the_name() {
        let found: Vec<String> = names("accettare l’Ucraina e la Ukraine's forza")
            .into_iter()
            .map(|(s, _, _)| s)
            .collect();
        assert_eq!(found, vec!["Ucraina", "Ukraine"]);
    }

    #[test]
    fn salience_counts_repetition_and_lead() {
        let text = format!(
            "Stoltenberg met Lavrov. {} Then Stoltenberg left, and Blinken too.",
            "x ".repeat(300)
        );
        let a = extract_anchors(&text);
        let get = |s: &str| a.iter().find(|x| x.surface == s).unwrap().salience();
        assert!(get("Stoltenberg") > get("Lavrov"));
        assert!(get("Lavrov") > get("Blinken"));
    }

    #[test]
    fn sentence_starts_are_not_names_unless_seen_mid_sentence() {
        let found: Vec<String> =
            names("Yesterday Stoltenberg spoke. Stoltenberg said NATO will meet Russia.")
                .into_iter()
                .map(|(s, _, _)| s)
                .collect();
        assert!(found.contains(&"Stoltenberg".to_string()));
        assert!(found.contains(&"NATO".to_string()));
        assert!(!found.contains(&"Yesterday".to_string()));
    }
}
