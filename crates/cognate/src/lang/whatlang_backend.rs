use super::{LangGuess, LanguageIdentifier, to_iso639_1};

/// The model-free identifier (69 languages, trigram profiles), always available.
#[derive(Clone, Debug, Default)]
pub struct WhatlangIdentifier;

impl LanguageIdentifier for WhatlangIdentifier {
    fn identify(&self, text: &str) -> Option<LangGuess> {
        let info = whatlang::detect(text)?;
        Some(LangGuess {
            lang: to_iso639_1(info.lang().code()).to_string(),
            confidence: info.confidence() as f32,
        })
    }

    fn name(&self) -> &str {
        "whatlang"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifies_common_languages() {
        let id = WhatlangIdentifier;
        let cases = [
            (
                "en",
                "The leader of NATO said on Wednesday that significant differences remain.",
            ),
            (
                "it",
                "Il leader della Nato ha detto mercoledì che permangono differenze significative.",
            ),
            (
                "vi",
                "Nhà lãnh đạo NATO cho biết hôm thứ Tư rằng những khác biệt đáng kể vẫn còn.",
            ),
            (
                "ru",
                "Генеральный секретарь НАТО заявил, что разногласия между сторонами остаются.",
            ),
        ];
        for (want, text) in cases {
            assert_eq!(id.identify(text).unwrap().lang, want, "{text}");
        }
        assert!(id.identify("1234 5678").is_none());
    }
}
