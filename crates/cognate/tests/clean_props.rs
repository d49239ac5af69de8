//! Properties: cleaning never panics, and no line it removed is still a whole line of
//! the text (except the kept first copy of a `duplicate` and a `title` repeat).

use cognate::clean::{CleanOptions, clean_document};
use cognate::{Content, Document};
use proptest::prelude::*;

const PIECES: &[&str] = &[
    "READ  Another story about something",
    "More Stories",
    "Related stories",
    "Trả lời",
    "Email của bạn sẽ không được hiển thị công khai. Các trường bắt buộc được đánh dấu *",
    "ОСТАВЬТЕ ОТВЕТ",
    "Пожалуйста, введите ваш комментарий!",
    "Последнее в категории",
    "«Defensor de la cultura pop. Quiero ser un erudito en comida. Experto en alcohol».",
    "December 4, 2022",
    "By John Smith",
    "Foto: ANSA",
    "Share this article",
    "Facebook Twitter Email",
    "We use cookies to improve your experience.",
    "© 2022 Example",
    "http://example.com/page",
    "Home > News > World",
    "Video",
    "The talks ended without agreement, officials said on Wednesday in Brussels.",
    "Il ministro ha detto che i colloqui continueranno la prossima settimana a Ginevra.",
    "Der Minister sagte, die Gespräche würden in Genf fortgesetzt werden.",
    "北约秘书长表示，北约与俄罗斯之间仍存在重大分歧。",
    "Президент заявил, что переговоры продолжатся на следующей неделе.",
    "of Ukraine.debtdebt…Pool photo of Oliver Hoslet",
    "regarding & # 171; security & # 187; guarantees",
    "< p> However, NATO said",
    "&amp; &#8220; &lt;p&gt;",
    "…",
    "a.B",
    "",
];

fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(PIECES).prop_map(str::to_string),
        2 => "\\PC{0,80}",
        1 => "[a-zA-Z&#;< >/.…]{0,30}",
    ]
}

fn text() -> impl Strategy<Value = String> {
    (prop::collection::vec(line(), 0..25), prop::bool::ANY)
        .prop_map(|(lines, blank)| lines.join(if blank { "\n\n" } else { "\n" }))
}

fn check(doc: &Document) {
    let c = clean_document(doc, &CleanOptions::default());
    let paragraphs: Vec<&str> = c.text.split("\n\n").collect();
    for r in &c.removed {
        if matches!(r.reason.as_str(), "duplicate" | "title") {
            continue;
        }
        assert!(
            !paragraphs.contains(&r.text.as_str()),
            "removed ({}) but still a line: {:?}\ntext: {:?}",
            r.reason,
            r.text,
            c.text
        );
    }
    let raw = clean_document(
        doc,
        &CleanOptions {
            keep_raw: true,
            ..CleanOptions::default()
        },
    );
    if !doc.content.is_html() {
        assert!(raw.removed.is_empty());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn text_cleaning_never_panics_and_removed_lines_are_gone(t in text()) {
        check(&Document::text("p", t));
    }

    #[test]
    fn html_cleaning_never_panics(t in text(), wrap in prop::bool::ANY) {
        let page = if wrap {
            let body: String = t.lines().map(|l| format!("<p>{l}</p>")).collect();
            format!("<html><head><title>T</title></head><body><article>{body}</article></body></html>")
        } else {
            t
        };
        let mut d = Document::text("p", "");
        d.content = Content::Html(page);
        check(&d);
    }

    #[test]
    fn arbitrary_unicode_never_panics(t in "\\PC{0,400}") {
        check(&Document::text("p", t));
    }
}
