//! Word tokens for shingling, in any script.

use unicode_segmentation::UnicodeSegmentation;

/// How runs of scripts written without spaces (Chinese, Japanese, Thai, Lao, Khmer,
/// Burmese) are split into tokens.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Unspaced {
    /// Dictionary or model words (ICU4X, [`crate::lang::segment_words`]).
    #[default]
    Words,
    /// One token per character (the earlier behaviour; kept for measurements).
    Characters,
}

/// Lower-cased words (Unicode word boundaries). Runs of scripts written without
/// spaces are split into real words by ICU4X's dictionary (Chinese, Japanese) or LSTM
/// (Thai, Lao, Khmer, Burmese) segmenter; text without such characters takes the
/// plain UAX #29 path and never touches ICU.
pub fn words(text: &str) -> Vec<String> {
    words_with(text, Unspaced::Words)
}

/// [`words`] with a choice of how unspaced scripts are split.
pub fn words_with(text: &str, unspaced: Unspaced) -> Vec<String> {
    let mut out = Vec::new();
    let Some(first) = text.find(is_unspaced_script) else {
        // Fast path: spaced scripts only.
        out.extend(text.unicode_words().map(str::to_lowercase));
        return out;
    };
    let mut rest = text;
    let mut at = first;
    loop {
        // `rest[..at]` is spaced text; an unspaced run starts at `at` (if any).
        out.extend(rest[..at].unicode_words().map(str::to_lowercase));
        if at >= rest.len() {
            break;
        }
        let run_start = at;
        let run_len = rest[run_start..]
            .find(|c: char| !is_unspaced_script(c))
            .unwrap_or(rest.len() - run_start);
        let run = &rest[run_start..run_start + run_len];
        match unspaced {
            Unspaced::Words => out.extend(
                crate::lang::word_slices(run)
                    .into_iter()
                    .map(str::to_lowercase),
            ),
            Unspaced::Characters => out.extend(run.chars().map(String::from)),
        }
        rest = &rest[run_start + run_len..];
        at = rest.find(is_unspaced_script).unwrap_or(rest.len());
    }
    out
}

/// Characters of scripts that do not separate words by spaces.
pub fn is_unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF      // Thai, Lao
        | 0x1000..=0x109F    // Myanmar
        | 0x1780..=0x17FF    // Khmer
        | 0x3040..=0x30FF    // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xF900..=0xFAFF    // CJK compatibility
        | 0x20000..=0x2FA1F) // CJK extensions B…
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_spaced_and_unspaced_scripts() {
        assert_eq!(
            words("Hello, World! 100.000"),
            vec!["hello", "world", "100.000"]
        );
        assert_eq!(
            words_with("北约秘书长", Unspaced::Characters),
            vec!["北", "约", "秘", "书", "长"]
        );
        assert_eq!(
            words("Nhà lãnh đạo NATO"),
            vec!["nhà", "lãnh", "đạo", "nato"]
        );
        assert!(words("  ... ").is_empty());
        assert!(words("").is_empty());
    }

    #[test]
    fn unspaced_runs_become_words() {
        let w = words("北约秘书长周三表示，双方仍存在重大分歧。");
        for want in ["北约", "周三", "表示", "双方", "存在", "重大", "分歧"] {
            assert!(w.iter().any(|x| x == want), "{want} not in {w:?}");
        }
        assert!(w.len() < 16, "{w:?}");
        let w = words("นายกรัฐมนตรีเดินทางไปประเทศญี่ปุ่น");
        assert!(w.iter().any(|x| x == "ประเทศ"), "{w:?}");
        assert!(w.len() >= 4 && w.len() < 12, "{w:?}");
    }

    #[test]
    fn mixed_runs_keep_order_and_case_folding() {
        let w = words("NATO峰会2024年在华盛顿举行 Biden said");
        assert_eq!(w.first().map(String::as_str), Some("nato"));
        assert_eq!(&w[w.len() - 2..], ["biden", "said"]);
        assert!(w.iter().any(|x| x == "2024"), "{w:?}");
        assert!(w.iter().any(|x| x == "华盛顿"), "{w:?}");
        // Character mode: the same spaced tokens, one token per ideograph.
        let c = words_with("NATO峰会 Biden", Unspaced::Characters);
        assert_eq!(c, vec!["nato", "峰", "会", "biden"]);
    }
}
