//! Rule tests on small inline texts in several languages and scripts. Each asserts the
//! exact removals (text and reason) and that the article sentences survive.

use super::*;

fn clean(text: &str) -> Cleaned {
    clean_document(&Document::text("t", text), &CleanOptions::default())
}

fn removals(c: &Cleaned) -> Vec<(&str, &str)> {
    c.removed
        .iter()
        .map(|r| (r.reason.as_str(), r.text.as_str()))
        .collect()
}

fn assert_kept(c: &Cleaned, sentences: &[&str]) {
    for s in sentences {
        assert!(c.text.contains(s), "lost {s:?} from:\n{}", c.text);
    }
}

const VI_1: &str = "Jens Stoltenberg, Tổng thư ký NATO, cho biết những điểm bất đồng quan trọng vẫn còn với Nga sau các cuộc đàm phán nhằm xoa dịu căng thẳng.";
const VI_2: &str = "Trả lời các phóng viên tại Brussels, bà Sherman cho biết các quan chức NATO đã vạch ra một kế hoạch cho các khu vực của Nga.";
const VI_3: &str = "Các cuộc đàm phán chính thức là cuộc họp của Hội đồng Nga-NATO, được thành lập vào năm 2002 để thảo luận về các mối quan ngại chung về an ninh.";

#[test]
fn vietnamese_teasers_credit_and_comment_form() {
    let input = format!(
        "CẬP NHẬT TRỰC TIẾP: Nga và NATO kết thúc đàm phán về cuộc khủng hoảng Ukraine\n\n\
         Băng hình\n\n\
         {VI_1}tín dụngtín dụng…Ảnh của Oliver Huslett\n\n\
         READ  Trung Quốc dịu giọng về virus Corona sau biểu tình\n\n\
         {VI_2}\n\n\
         {VI_3}\n\n\
         Trả lời\n\n\
         Email của bạn sẽ không được hiển thị công khai. Các trường bắt buộc được đánh dấu *"
    );
    let c = clean(&input);
    assert_eq!(
        c.title.as_deref(),
        Some("CẬP NHẬT TRỰC TIẾP: Nga và NATO kết thúc đàm phán về cuộc khủng hoảng Ukraine")
    );
    assert_eq!(
        removals(&c),
        [
            ("photo_credit", "tín dụngtín dụng…Ảnh của Oliver Huslett"),
            ("media_label", "Băng hình"),
            (
                "teaser",
                "READ Trung Quốc dịu giọng về virus Corona sau biểu tình"
            ),
            ("comment_form", "Trả lời"),
            (
                "comment_form",
                "Email của bạn sẽ không được hiển thị công khai. Các trường bắt buộc được đánh dấu *"
            ),
        ]
    );
    assert_eq!(c.text, format!("{VI_1}\n\n{VI_2}\n\n{VI_3}"));
}

const EN_1: &str = "NATO Secretary-General Jens Stoltenberg said there were significant differences with Russia following talks aimed at easing tensions with the West.";
const EN_2: &str = "Ms Sherman said the United States was ready to talk more with the Russians, but was not sure if Moscow would follow suit.";

#[test]
fn english_dateline_title_and_fused_debt_credit() {
    let input = format!(
        "December 4, 2022\n\nRussia, NATO talks on Ukraine crisis: Direct announcements\n\n\n\
         {EN_1}debtdebt…Pool photo of Oliver Hoslet\n\n{EN_2}"
    );
    let c = clean(&input);
    assert_eq!(
        c.title.as_deref(),
        Some("Russia, NATO talks on Ukraine crisis: Direct announcements")
    );
    assert_eq!(
        removals(&c),
        [
            ("photo_credit", "debtdebt…Pool photo of Oliver Hoslet"),
            ("dateline", "December 4, 2022"),
        ]
    );
    assert_eq!(c.text, format!("{EN_1}\n\n{EN_2}"));
}

#[test]
fn russian_comment_form_on_english_page_entities_and_breadcrumb() {
    let input = "GENERICO.ruВ миреWhat did NATO and the Russian Federation agree on: Stoltenberg summed up the results\n\n\
        What did NATO and the Russian Federation agree on: Stoltenberg summed up the results\n\n\
        Russia will not receive security guarantees.\n\n\
        NATO talks continue in Geneva and Russia regarding & # 171; security guarantees & # 187; The Kremlin. Moscow demands that the Alliance not expand.\n\n\
        < p> However, NATO does not exclude the possibility of political and economic sanctions against Moscow.\n\n\
        ОСТАВЬТЕ ОТВЕТ\n\n\
        Пожалуйста, введите ваш комментарий!\n\
        пожалуйста, введите ваше имя здесь\n\n\
        Последнее в категории";
    let c = clean(input);
    assert_eq!(
        c.title.as_deref(),
        Some(
            "What did NATO and the Russian Federation agree on: Stoltenberg summed up the results"
        )
    );
    assert_eq!(
        removals(&c),
        [
            ("html_residue", "< p>"),
            ("glued_words", "миреWhat"),
            (
                "duplicate",
                "GENERICO.ruВ мире What did NATO and the Russian Federation agree on: Stoltenberg summed up the results"
            ),
            ("comment_form", "ОСТАВЬТЕ ОТВЕТ"),
            ("comment_form", "Пожалуйста, введите ваш комментарий!"),
            ("comment_form", "пожалуйста, введите ваше имя здесь"),
            ("link_list", "Последнее в категории"),
        ]
    );
    assert_kept(
        &c,
        &[
            "Russia will not receive security guarantees.",
            "regarding « security guarantees » The Kremlin.",
            "However, NATO does not exclude the possibility",
        ],
    );
}

const IT_1: &str = "Dopo i colloqui di lunedì, Sergey A. Ryabkov, che guidava la squadra russa, ha negato che la Russia avesse alcuna intenzione di una nuova invasione militare.";
const IT_2: &str = "Allo stesso tempo, Ryabkov ha avvertito che se l’Occidente non avesse acconsentito alle richieste della Russia ci sarebbero state conseguenze non specificate.";

#[test]
fn italian_page_with_spanish_bio_and_more_stories() {
    let input = format!(
        "{IT_1}\n{IT_2}\n«Defensor de la cultura pop. Quiero ser un erudito en comida. Experto en alcohol. Evangelista de la web».\n\
         More Stories\n\
         El tifón Kung-ri se acerca a Taiwán como tormenta de categoría 3\n\
         Rusia multa a Google con 20,5 millones de dólares, más que el PIB del mundo"
    );
    let c = clean(&input);
    assert_eq!(c.title, None);
    assert_eq!(
        removals(&c),
        [
            (
                "bio",
                "«Defensor de la cultura pop. Quiero ser un erudito en comida. Experto en alcohol. Evangelista de la web»."
            ),
            ("link_list", "More Stories"),
            (
                "link_list",
                "El tifón Kung-ri se acerca a Taiwán como tormenta de categoría 3"
            ),
            (
                "link_list",
                "Rusia multa a Google con 20,5 millones de dólares, más que el PIB del mundo"
            ),
        ]
    );
    assert_eq!(c.text, format!("{IT_1}\n\n{IT_2}"));
}

#[test]
fn other_language_line_at_the_end_goes_but_not_in_the_middle() {
    let it = "Il ministro ha detto che i colloqui continueranno la prossima settimana a Ginevra con tutte le delegazioni.";
    let it2 = "La delegazione russa ha chiesto garanzie scritte prima di qualsiasi nuovo incontro con gli alleati europei.";
    let de = "Der Minister sagte, die Gespräche würden in der nächsten Woche in Genf fortgesetzt werden.";
    let el = "Αγαπητέ λαέ της Ευρώπης, σε Ελλάδα, Ισπανία, Ιταλία ή οπουδήποτε αλλού!";
    let ru = "Главные новости дня в нашем канале каждый вечер";
    let de_mid =
        "Die Delegationen wollen sich im Februar erneut in Wien treffen, hieß es aus Berlin.";
    let el_mid =
        "Η αντιπροσωπεία θα συναντηθεί ξανά τον Φεβρουάριο στη Βιέννη, ανέφεραν αξιωματούχοι.";
    let c = clean(&format!(
        "{ru}\n{it}\n{de_mid}\n{el_mid}\n{it2}\n{de}\n{el}"
    ));
    assert_eq!(
        removals(&c),
        [
            ("other_language", ru),
            ("other_language", de),
            ("other_language", el)
        ]
    );
    assert_eq!(c.text, format!("{it}\n\n{de_mid}\n\n{el_mid}\n\n{it2}"));
}

const DE_1: &str = "Die Bundesregierung hat am Mittwoch neue Regeln für den Zugverkehr beschlossen, die ab dem kommenden Jahr gelten sollen.";
const DE_2: &str = "Kritiker bemängeln, dass die Finanzierung der Maßnahmen noch nicht geklärt sei und die Länder mehr Geld forderten.";

#[test]
fn german_teaser_newsletter_cookies_credit_byline() {
    let input = format!(
        "Von Max Mustermann und Erika Musterfrau\n\
         Aktualisiert am 12.01.2022, 10:31 Uhr\n\
         {DE_1}\n\
         Foto: dpa/Michael Kappeler\n\
         Lesen Sie auch: Warum die Bahn ständig zu spät kommt\n\
         {DE_2}\n\
         Newsletter abonnieren\n\
         Wir verwenden Cookies, um Ihnen das beste Nutzererlebnis zu bieten.\n\
         © 2022 Beispiel Verlag GmbH"
    );
    let c = clean(&input);
    assert_eq!(
        removals(&c),
        [
            ("byline", "Von Max Mustermann und Erika Musterfrau"),
            ("dateline", "Aktualisiert am 12.01.2022, 10:31 Uhr"),
            ("photo_credit", "Foto: dpa/Michael Kappeler"),
            (
                "teaser",
                "Lesen Sie auch: Warum die Bahn ständig zu spät kommt"
            ),
            ("newsletter", "Newsletter abonnieren"),
            (
                "cookies",
                "Wir verwenden Cookies, um Ihnen das beste Nutzererlebnis zu bieten."
            ),
            ("copyright", "© 2022 Beispiel Verlag GmbH"),
        ]
    );
    assert_eq!(c.text, format!("{DE_1}\n\n{DE_2}"));
}

#[test]
fn french_and_spanish_share_teaser_comment() {
    let fr = "Le gouvernement a présenté mercredi un projet de loi sur la réforme des retraites, qui sera débattu au printemps.";
    let c = clean(&format!(
        "{fr}\nLIRE AUSSI Les syndicats appellent à la grève\nPartager cet article\nLes syndicats ont annoncé une journée de mobilisation nationale pour le mois prochain.\nLaisser un commentaire"
    ));
    assert_eq!(
        removals(&c),
        [
            ("teaser", "LIRE AUSSI Les syndicats appellent à la grève"),
            ("share", "Partager cet article"),
            ("comment_form", "Laisser un commentaire"),
        ]
    );
    let es = "El presidente anunció este martes un paquete de medidas para contener la subida de los precios de la energía.";
    let c = clean(&format!(
        "{es}\nLea también: El Gobierno aprueba el decreto\nLa oposición criticó que las medidas llegan tarde y pidió una rebaja de impuestos.\nFacebook Twitter WhatsApp Email"
    ));
    assert_eq!(
        removals(&c),
        [
            ("teaser", "Lea también: El Gobierno aprueba el decreto"),
            ("share", "Facebook Twitter WhatsApp Email"),
        ]
    );
}

#[test]
fn russian_and_ukrainian_teasers_and_credits() {
    let ru = "Президент заявил, что переговоры продолжатся на следующей неделе в Женеве при участии всех делегаций.";
    let c = clean(&format!(
        "{ru}\nФото: РИА Новости\nЧитайте также: Путин провел телефонный разговор с Байденом\nМинистр иностранных дел отказался комментировать детали будущей встречи с коллегами.\nПодпишитесь на наш канал в Telegram"
    ));
    assert_eq!(
        removals(&c),
        [
            ("photo_credit", "Фото: РИА Новости"),
            (
                "teaser",
                "Читайте также: Путин провел телефонный разговор с Байденом"
            ),
            ("newsletter", "Подпишитесь на наш канал в Telegram"),
        ]
    );
    let uk = "Міністр заявив, що переговори триватимуть наступного тижня у Женеві за участю всіх делегацій.";
    let c = clean(&format!(
        "{uk}\nЧитайте також: Що відомо про переговори\nУкраїнська делегація наполягає на тому, що жодних поступок щодо суверенітету не буде."
    ));
    assert_eq!(
        removals(&c),
        [("teaser", "Читайте також: Що відомо про переговори")]
    );
}

#[test]
fn chinese_japanese_korean_arabic() {
    let zh = "北约秘书长斯托尔滕贝格表示，北约与俄罗斯之间仍存在重大分歧，双方将继续进行对话。";
    let c = clean(&format!(
        "{zh}\n相关阅读：俄罗斯外长拉夫罗夫谈乌克兰局势\n俄罗斯副外长表示，俄方要求北约停止东扩，并撤回部署在东欧的部队和武器。\nThis is a completely different English line here\n版权所有 © 新闻网"
    ));
    assert_eq!(
        removals(&c),
        [
            ("teaser", "相关阅读：俄罗斯外长拉夫罗夫谈乌克兰局势"),
            (
                "other_language",
                "This is a completely different English line here"
            ),
            ("copyright", "版权所有 © 新闻网"),
        ]
    );
    let ja = "北大西洋条約機構の事務総長は、ロシアとの間に重大な相違が残っていると述べ、対話を続ける考えを示した。";
    let c = clean(&format!(
        "{ja}\n関連記事\nロシア外相が会見\nウクライナ情勢の今後\nロシア側は北大西洋条約機構の東方拡大の停止と東欧からの部隊撤収を改めて要求した。"
    ));
    let reasons: Vec<&str> = c.removed.iter().map(|r| r.reason.as_str()).collect();
    assert_eq!(reasons, ["link_list", "link_list", "link_list"]);
    let ko = "나토 사무총장은 러시아와의 중대한 견해 차이가 여전히 남아 있다고 밝히며 대화를 계속하겠다고 말했다.";
    let c = clean(&format!(
        "{ko}\n관련기사 러시아 외무장관 기자회견\n러시아 측은 나토의 동진 중단과 동유럽 배치 병력의 철수를 다시 요구했다고 관계자들이 전했다."
    ));
    assert_eq!(
        removals(&c),
        [("teaser", "관련기사 러시아 외무장관 기자회견")]
    );
    let ar = "قال الأمين العام لحلف شمال الأطلسي إن هناك خلافات كبيرة مع روسيا بعد المحادثات التي جرت في بروكسل.";
    let c = clean(&format!(
        "{ar}\nاقرأ أيضا: لافروف يتحدث عن الأزمة\nوطالبت موسكو الحلف بوقف توسعه شرقا وسحب قواته من دول أوروبا الشرقية المجاورة لها."
    ));
    assert_eq!(
        removals(&c),
        [("teaser", "اقرأ أيضا: لافروف يتحدث عن الأزمة")]
    );
}

#[test]
fn article_sentences_with_lexicon_words_survive() {
    let lines = [
        "Read the full statement, the minister told reporters on Wednesday after the long meeting in Brussels.",
        "By the end of the year, the company said, millions of users will subscribe to the new service and share their data.",
        "The regulator said the website uses cookies to track users without consent, which breaks the law on privacy.",
        "Trả lời các phóng viên tại Brussels, bà Sherman cho biết các quan chức NATO đã vạch ra một kế hoạch.",
        "Di Maio ha detto che il governo italiano sosterrà la linea degli alleati nei prossimi giorni.",
        "More troops were sent to the border, officials said on Tuesday, as talks stalled in Geneva.",
        "MORE TROOPS SENT TO THE BORDER",
        "Video footage showed Russian tanks moving towards the border with Ukraine on Monday evening.",
        "In 2014 Russia annexed Crimea, and fighting broke out in the east of Ukraine soon after that year.",
    ];
    let input = lines.join("\n");
    let c = clean(&input);
    assert!(c.removed.is_empty(), "{:?}", c.removed);
    assert_eq!(c.text, lines.join("\n\n"));
    assert_eq!(c.title, None);
}

#[test]
fn keep_raw_only_normalises() {
    let input = "READ  Something\n\nBody text  here.\nMore Stories\n< p> x &amp; y";
    let c = clean_document(
        &Document::text("t", input),
        &CleanOptions {
            keep_raw: true,
            ..CleanOptions::default()
        },
    );
    assert!(c.removed.is_empty());
    assert_eq!(
        c.text,
        "READ Something\n\nBody text here.\n\nMore Stories\n\n< p> x &amp; y"
    );
    assert_eq!(c.title, None);
}

#[test]
fn declared_title_repeated_in_first_line_goes() {
    let mut d = Document::text(
        "t",
        "Talks end in Brussels\nThe talks ended on Wednesday without agreement, officials said after four hours.",
    );
    d.title = Some("Talks end in  Brussels".into());
    let c = clean_document(&d, &CleanOptions::default());
    assert_eq!(c.title.as_deref(), Some("Talks end in Brussels"));
    assert_eq!(removals(&c), [("title", "Talks end in Brussels")]);
    assert!(c.text.starts_with("The talks ended"));
}

#[test]
fn single_line_is_not_taken_for_a_title() {
    let c = clean("Talks end in Brussels");
    assert_eq!(c.title, None);
    assert_eq!(c.text, "Talks end in Brussels");
}

#[test]
fn trailing_credit_after_a_sentence() {
    let s = "Il ministro ha parlato ai giornalisti davanti al palazzo del governo a Roma.";
    let s2 = "Il premier ha confermato che il governo sosterrà la linea comune degli alleati.";
    let c = clean(&format!("{s} Foto: ANSA/Fabio Frustaci\n{s2}"));
    assert_eq!(
        removals(&c),
        [("photo_credit", "Foto: ANSA/Fabio Frustaci")]
    );
    assert_eq!(c.text, format!("{s}\n\n{s2}"));
}

#[test]
fn glued_sentences_are_separated() {
    let c = clean(
        "The talks ended without agreement in the Belgian capital.The delegations will meet again next week.",
    );
    assert_eq!(
        c.text,
        "The talks ended without agreement in the Belgian capital. The delegations will meet again next week."
    );
}

#[test]
fn recurring_lines_drop_only_across_unrelated_documents() {
    let slogan = "Noticias al minuto, todo lo que pasa en tu ciudad";
    let stories = [
        "El alcalde anunció un nuevo plan de transporte para la ciudad que entrará en vigor en marzo.",
        "La selección ganó el partido por dos goles a cero y se clasificó para la final del torneo.",
        "Las lluvias de esta semana dejaron inundaciones en varios barrios del sur de la provincia.",
    ];
    let docs: Vec<Document> = stories
        .iter()
        .enumerate()
        .map(|(i, s)| Document::text(format!("d{i}"), format!("{s}\n{slogan}")))
        .collect();
    let mut rec = RecurringLines::new(3);
    for d in &docs {
        rec.add_document(d);
    }
    let c = clean_document_with(&docs[0], &CleanOptions::default(), Some(&rec));
    assert_eq!(removals(&c), [("recurring", slogan)]);
    assert_eq!(c.text, stories[0]);
    // Without the counts, the line stays.
    let c = clean_document(&docs[0], &CleanOptions::default());
    assert!(c.text.contains(slogan));
}

#[test]
fn html_article_with_date_and_boilerplate() {
    let html = r#"<!doctype html><html lang="en"><head><title>Talks end in Brussels | Example News</title>
<meta property="article:published_time" content="2022-01-12T15:04:00+01:00">
<script>var x = 1;</script></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article><h1>Talks end in Brussels</h1>
<p>NATO Secretary General Jens Stoltenberg said on Wednesday that significant differences remained between the alliance and Russia after four hours of talks.</p>
<p>READ Another story about something else</p>
<p>The allies urged Russia to de-escalate the situation in Ukraine, where nearly 100,000 Russian troops are massed near the border, officials said.</p>
<p>Ms Sherman said the United States was ready to hold more talks with the Russians, but was not sure whether Moscow would follow suit.</p>
</article>
<footer><p>© 2022 Example News. All rights reserved.</p><p>Privacy policy</p></footer>
</body></html>"#;
    let mut d = Document::text("h", "");
    d.content = Content::Html(html.into());
    let c = clean_document(&d, &CleanOptions::default());
    assert_eq!(
        c.published.as_ref().map(|p| p.timestamp),
        Published::parse("2022-01-12T14:04:00Z").map(|p| p.timestamp)
    );
    assert!(
        c.title
            .as_deref()
            .unwrap()
            .starts_with("Talks end in Brussels")
    );
    assert_kept(
        &c,
        &[
            "significant differences remained between the alliance and Russia",
            "nearly 100,000 Russian troops are massed near the border",
            "but was not sure whether Moscow would follow suit.",
        ],
    );
    assert!(!c.text.contains("READ Another"), "{}", c.text);
    assert!(!c.text.contains("All rights reserved"), "{}", c.text);
    assert!(!c.text.contains("Home"), "{}", c.text);
    assert!(c.text.contains("\n\n"), "paragraphs kept apart");
}

#[test]
fn html_dates_from_json_ld_and_time() {
    let p = html::published_date(
        r#"<script type="application/ld+json">{"@type":"NewsArticle","datePublished": "2022-01-21T09:30:00Z"}</script>"#,
    );
    assert_eq!(p.unwrap().raw, "2022-01-21T09:30:00Z");
    let p = html::published_date(
        r#"<p><time datetime="2020-05-01">May 1</time> <time itemprop="datePublished" datetime="2022-01-21">x</time></p>"#,
    );
    assert_eq!(p.unwrap().raw, "2022-01-21");
    let p = html::published_date(r#"<meta itemprop="datePublished" content="2022-01-12">"#);
    assert_eq!(p.unwrap().raw, "2022-01-12");
    assert!(html::published_date("<p>no date here</p>").is_none());
}

#[test]
fn html_keep_raw_keeps_all_visible_text() {
    let mut d = Document::text("h", "");
    d.content = Content::Html(
        "<html><head><title>T</title><style>p{}</style></head><body><nav>Home</nav><p>Body &amp; soul.</p><script>x()</script></body></html>".into(),
    );
    let c = clean_document(
        &d,
        &CleanOptions {
            keep_raw: true,
            ..CleanOptions::default()
        },
    );
    assert_eq!(c.text, "Home\n\nBody & soul.");
    assert_eq!(c.title.as_deref(), Some("T"));
}

#[test]
fn visible_text_and_depth() {
    let (t, body) =
        html::visible_text("<title>A &amp; B</title><div><p>x</p><!-- c --><p>y<br>z</p></div>");
    assert_eq!(t.as_deref(), Some("A & B"));
    assert_eq!(normalize_text(&body), "x\n\ny\n\nz");
    assert_eq!(html::nesting_depth("<div><div><p>a<p>b</div></div>"), 2);
    assert_eq!(html::nesting_depth(&"<div>".repeat(5000)), 5000);
}

#[test]
fn glued_words_are_split_in_cleaned_text() {
    let d = Document::text(
        "g",
        "The ministry published its annual report on the data pipelineThe report said exports grew by a tenth last year.\n\nExports of machinery led the growth, the ministry said in a statement on Monday.",
    );
    let c = clean_document(&d, &CleanOptions::default());
    assert!(c.text.contains("data pipeline The report"), "{}", c.text);
    // Raw keeps the text as it came.
    let c = clean_document(
        &d,
        &CleanOptions {
            keep_raw: true,
            ..CleanOptions::default()
        },
    );
    assert!(c.text.contains("pipelineThe"));
}

#[test]
fn recurring_lines_spare_copies_and_edited_copies_of_one_article() {
    // One article copied with edits into many documents (a family), and a footer in
    // unrelated short stories: the article's lines recur as often as each other, so
    // they stay; the footer recurs far more than the stories' own lines, so it goes.
    let article = [
        "The central bank raised its main interest rate by half a point on Thursday to fight inflation.",
        "Inflation reached its highest level in three decades last month, driven by energy prices.",
        "Economists expect further increases before the end of the year, the bank's governor said.",
    ];
    let footer = "Subscribe to our daily briefing for the stories that matter";
    let mut rec = RecurringLines::new(5);
    for i in 0..8 {
        let mut lines: Vec<String> = article.iter().map(|s| s.to_string()).collect();
        // Edited copies: one line changes in each.
        let edits = [
            "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
        ];
        lines[i % 3] = format!("{} ({})", lines[i % 3], edits[i]);
        lines.push(footer.to_string());
        rec.add_text(&lines.join("\n"));
    }
    let towns = ["Ashford", "Bexley", "Carlow", "Dundee", "Ennis", "Fermoy"];
    for t in towns {
        rec.add_text(&format!(
            "This story tells of a different event in {t}, a town far away from the others.\n{footer}"
        ));
    }
    // Exact copies add nothing.
    let before = rec.distinct_documents(footer);
    rec.add_text(&format!(
        "This story tells of a different event in Bexley, a town far away from the others.\n{footer}"
    ));
    assert_eq!(rec.distinct_documents(footer), before);
    let family_doc: Vec<&str> = article.iter().copied().chain([footer]).collect();
    // In the family's document the footer (14 texts) is not 3 times the article's
    // lines (5 or 6 texts each): kept there.
    assert_eq!(rec.recurring_in(&family_doc), [false, false, false, false]);
    let story = [
        "This story tells of a different event in Dundee, a town far away from the others.",
        footer,
    ];
    assert_eq!(rec.recurring_in(&story), [false, true]);

    // A window forgets the oldest documents.
    let mut w = RecurringWindow::new(2, 3);
    for t in &towns[..3] {
        w.push(RecurringLines::keys_of(&format!(
            "Unrelated story about the town of {t} today.\n{footer}"
        )));
    }
    assert_eq!(w.lines().distinct_documents(footer), 3);
    for t in &towns[..3] {
        w.push(RecurringLines::keys_of(&format!(
            "Another story about the village of {t} today."
        )));
    }
    assert_eq!(w.lines().distinct_documents(footer), 0);
    assert_eq!(w.lines().documents(), 3);
}

#[test]
fn letters_whose_lower_case_changes_length_do_not_shift_offsets() {
    // Found by the property test: `Ꟍ` shrinks and `Ⱥ` grows when lower-cased, so the
    // line's total length is unchanged while every offset in between moves.
    let c = clean("\u{a7dc} of Ukraine.debtdebt…Pool photo of Oliver Hoslet ?Ⱥ");
    assert!(c.text.contains("of Ukraine."), "{:?}", c.text);
    let line = "\u{a7dc} The delegations met for four hours in Brussels today. Foto: ANSA Ⱥ";
    let c = clean(line);
    assert!(c.text.contains("four hours"), "{:?}", c.text);
}
