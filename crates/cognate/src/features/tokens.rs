//! Word tokens for shingling, in any script.

use unicode_segmentation::UnicodeSegmentation;

/// Lower-cased words (Unicode word boundaries). Scripts written without spaces
/// (Chinese, Japanese, Thai…) come out one character per token, which is what
/// character shingling of such scripts needs.
pub fn words(text: &str) -> Vec<String> {
    text.unicode_words()
        .flat_map(|w| {
            if w.chars().any(is_unspaced_script) {
                w.chars()
                    .map(|c| c.to_lowercase().collect::<String>())
                    .collect::<Vec<_>>()
            } else {
                vec![w.to_lowercase()]
            }
        })
        .collect()
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
        assert_eq!(words("北约秘书长"), vec!["北", "约", "秘", "书", "长"]);
        assert_eq!(
            words("Nhà lãnh đạo NATO"),
            vec!["nhà", "lãnh", "đạo", "nato"]
        );
        assert!(words("  ... ").is_empty());
    }
}
