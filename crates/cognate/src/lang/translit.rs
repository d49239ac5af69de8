//! Names across scripts, in ASCII: so `Столтенберг`, `Στόλτενμπεργκ` and `Stoltenberg`
//! can be compared.
//!
//! Built on `any_ascii`, which transliterates character by character with one fixed
//! reading per character, whatever the language:
//! - Cyrillic and Greek: a standard romanization (`Столтенберг` → `Stoltenberg`,
//!   `Αθήνα` → `Athina`, `Эрдоган` → `Erdogan`); Ukrainian and Russian share one
//!   table (`Зеленський` and `Зеленский` both → `Zelenskiy`, the soft sign dropped).
//! - Latin with diacritics: the base letters (`Müller` → `Muller`, `Łódź` → `Lodz`,
//!   `Đạo` → `Dao`), `ß` → `ss`.
//! - Arabic and Hebrew: consonants only, as the scripts write them (`محمد` → `Mhmd`,
//!   `أردوغان` → `Rdwghn`), so they do not meet English spellings (`Mohammed`,
//!   `Erdogan`); compare them with care.
//! - Chinese characters: Mandarin pinyin without tones (`习近平` → `Xijinping`), also for
//!   Japanese kanji (`東京` → `Dongjing`, not `Tokyo`); kana become romaji (`トヨタ` →
//!   `Toyota`); Hangul a revised romanization (`서울` → `Seoul`).
//!
//! Syllables of scripts without spaces run together: `to_ascii_name` cannot tell where
//! a Chinese given name starts. [`name_key`] drops case and separators so `Xi Jinping`
//! and `习近平` both give `xijinping`.

/// A name in ASCII letters, for display and comparison across scripts (see the module
/// documentation for what each script becomes).
///
/// Transliterates with `any_ascii`, keeps letters, digits and the separators `-` `'`
/// and space (others become a space), and collapses runs of spaces. Words that had no
/// Latin letters — their case came from the transliteration table, as in `XiJinPing` —
/// are capitalized as names: first letter upper case, the rest lower case. Words
/// written in Latin keep their case (`McDonald`, `NATO`).
pub fn to_ascii_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for word in name.split_whitespace() {
        let latin = word.chars().any(|c| c.is_ascii_alphabetic())
            || word
                .chars()
                .any(|c| c.is_alphabetic() && is_latin_extended(c));
        let ascii = any_ascii::any_ascii(word);
        let mut piece = String::with_capacity(ascii.len());
        for c in ascii.chars() {
            // An apostrophe is the writer's in Latin (`O'Brien`), a soft sign or a
            // glottal stop of the table's in other scripts (`Зеленський` →
            // `Zelens'kiy`): names drop the latter.
            if c == '\'' && !latin {
                continue;
            }
            if c.is_ascii_alphanumeric() || c == '-' || c == '\'' {
                piece.push(c);
            } else {
                piece.push(' ');
            }
        }
        for part in piece.split_whitespace() {
            let part = part.trim_matches(|c| c == '-' || c == '\'');
            if part.is_empty() {
                continue;
            }
            if !out.is_empty() {
                out.push(' ');
            }
            if latin {
                out.push_str(part);
            } else {
                capitalize_into(part, &mut out);
            }
        }
    }
    out
}

/// A comparison key for names: [`to_ascii_name`], lower-cased, letters and digits only.
/// `Stoltenberg`, `Столтенберг` and `STOLTENBERG` all give `stoltenberg`; `Xi Jinping`
/// and `习近平` give `xijinping`.
pub fn name_key(name: &str) -> String {
    to_ascii_name(name)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Latin letters beyond ASCII (Latin-1 Supplement to Latin Extended Additional).
fn is_latin_extended(c: char) -> bool {
    matches!(c as u32, 0x00C0..=0x024F | 0x1E00..=0x1EFF)
}

/// `XiJinPing` → `Xijinping`; `zelenskyi` → `Zelenskyi`; hyphenated parts each
/// capitalized (`rimskiy-korsakov` → `Rimskiy-Korsakov`).
fn capitalize_into(part: &str, out: &mut String) {
    let mut start_of_word = true;
    for c in part.chars() {
        if start_of_word && c.is_ascii_alphabetic() {
            out.push(c.to_ascii_uppercase());
            start_of_word = false;
        } else {
            out.push(c.to_ascii_lowercase());
            if c == '-' {
                start_of_word = true;
            } else if c.is_ascii_alphanumeric() {
                start_of_word = false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_across_scripts() {
        assert_eq!(to_ascii_name("Столтенберг"), "Stoltenberg");
        assert_eq!(to_ascii_name("Йенс Столтенберг"), "Yens Stoltenberg");
        assert_eq!(to_ascii_name("Зеленський"), "Zelenskiy");
        assert_eq!(to_ascii_name("Αθήνα"), "Athina");
        assert_eq!(to_ascii_name("Μητσοτάκης"), "Mitsotakis");
        assert_eq!(to_ascii_name("Müller"), "Muller");
        assert_eq!(to_ascii_name("Łódź"), "Lodz");
        assert_eq!(to_ascii_name("Nguyễn Phú Trọng"), "Nguyen Phu Trong");
        assert_eq!(to_ascii_name("习近平"), "Xijinping");
        assert_eq!(to_ascii_name("北京"), "Beijing");
        assert_eq!(to_ascii_name("トヨタ"), "Toyota");
        assert_eq!(to_ascii_name("서울"), "Seoul");
        assert_eq!(to_ascii_name("Римский-Корсаков"), "Rimskiy-Korsakov");
        assert_eq!(to_ascii_name("McDonald"), "McDonald");
        assert_eq!(to_ascii_name("NATO"), "NATO");
        assert_eq!(to_ascii_name("«Газпром»"), "Gazprom");
        assert_eq!(to_ascii_name("  "), "");
        assert_eq!(to_ascii_name("Эрдоган"), "Erdogan");
        assert_eq!(to_ascii_name("O'Brien"), "O'Brien");
        assert_eq!(to_ascii_name("Straße"), "Strasse");
        assert_eq!(to_ascii_name("محمد"), "Mhmd");
        assert_eq!(to_ascii_name("נתניהו"), "Ntnyhv");
    }

    #[test]
    fn keys_match_across_scripts() {
        assert_eq!(name_key("Столтенберг"), name_key("STOLTENBERG"));
        assert_eq!(name_key("Xi Jinping"), name_key("习近平"));
        assert_eq!(name_key("Jens Stoltenberg"), "jensstoltenberg");
        assert_eq!(name_key("Α"), "a");
    }
}
