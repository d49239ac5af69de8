//! Word segmentation in any script, with real words for scripts written without spaces.
//!
//! Built on ICU4X's word segmenter (`icu_segmenter`, Unicode UAX #29 rules) with its
//! compiled data, embedded in the binary by the `compiled_data` feature: nothing is
//! read or downloaded at build or run time. Chinese and Japanese are split with ICU's
//! dictionary; Thai, Lao, Khmer and Burmese with ICU's LSTM models (the `auto`
//! configuration, the smaller of the two).

use std::sync::LazyLock;

use icu_segmenter::WordSegmenter;
use icu_segmenter::WordSegmenterBorrowed;
use icu_segmenter::options::WordBreakInvariantOptions;

static SEGMENTER: LazyLock<WordSegmenterBorrowed<'static>> =
    LazyLock::new(|| WordSegmenter::new_auto(WordBreakInvariantOptions::default()));

/// The word-like segments of `text` (letters, ideographs or numbers; no spaces or
/// punctuation), as slices of it, in order. `北约秘书长周三表示` → `北约`, `秘书长`,
/// `周三`, `表示`; `Hello, world 100.000` → `Hello`, `world`, `100.000`.
pub fn word_slices(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut breaks = SEGMENTER.segment_str(text);
    let mut start = match breaks.next() {
        Some(b) => b,
        None => return out,
    };
    while let Some(end) = breaks.next() {
        if breaks.is_word_like() {
            out.push(&text[start..end]);
        }
        start = end;
    }
    out
}

/// Lower-cased words of `text` in any script: the same contract as
/// `features::tokens::words`, except that Chinese, Japanese, Thai, Lao, Khmer and
/// Burmese come out as dictionary or model words rather than one character each.
pub fn segment_words(text: &str) -> Vec<String> {
    word_slices(text)
        .into_iter()
        .map(str::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaced_scripts_split_like_unicode_words() {
        assert_eq!(
            segment_words("Hello, World! 100.000 l'OTAN"),
            vec!["hello", "world", "100.000", "l'otan"]
        );
        assert_eq!(
            segment_words("Nhà lãnh đạo NATO"),
            vec!["nhà", "lãnh", "đạo", "nato"]
        );
        assert_eq!(
            segment_words("Генсек НАТО Столтенберг"),
            vec!["генсек", "нато", "столтенберг"]
        );
        assert!(segment_words("  ... — ").is_empty());
        assert!(segment_words("").is_empty());
    }

    #[test]
    fn chinese_splits_into_words() {
        let w = segment_words("北约秘书长周三表示，双方仍存在重大分歧。");
        for want in [
            "北约", "秘书", "周三", "表示", "双方", "存在", "重大", "分歧",
        ] {
            assert!(w.iter().any(|x| x == want), "{want} not in {w:?}");
        }
        assert!(!w.iter().any(|x| x == "，" || x == "。"), "{w:?}");
    }

    #[test]
    fn japanese_splits_into_words() {
        let w = segment_words("東京都知事は記者会見で新しい政策を発表した。");
        for want in ["東京", "知事", "記者", "会見", "政策", "発表"] {
            assert!(w.iter().any(|x| x.contains(want)), "{want} not in {w:?}");
        }
        assert!(w.len() >= 6, "{w:?}");
    }

    #[test]
    fn thai_splits_into_words() {
        let w = segment_words("นายกรัฐมนตรีเดินทางไปประเทศญี่ปุ่น");
        for want in ["เดินทาง", "ประเทศ", "ญี่ปุ่น"] {
            assert!(w.iter().any(|x| x == want), "{want} not in {w:?}");
        }
        assert!(w.len() >= 4, "{w:?}");
    }

    #[test]
    fn mixed_scripts_and_numbers() {
        let w = segment_words("NATO峰会2024年在华盛顿举行");
        assert!(w.contains(&"nato".to_string()), "{w:?}");
        assert!(w.iter().any(|x| x == "华盛顿"), "{w:?}");
        assert!(w.iter().any(|x| x.starts_with("2024")), "{w:?}");
        let s = "Tokyo 東京 Bangkok กรุงเทพ";
        for piece in word_slices(s) {
            assert!(s.contains(piece));
        }
    }
}
