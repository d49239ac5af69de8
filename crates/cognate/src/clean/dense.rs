//! A linear main-content extractor: one pass of the tag scanner builds a light tree of
//! elements and the text blocks in them, no DOM. Subtrees that are boilerplate by their
//! tag (`nav`, `aside`, `footer`, `figcaption`…), by being hidden, or by their class and
//! id (readability's "unlikely candidates" plus share bars, newsletters, captions,
//! bylines…) are left out, unless that leaves under [`RETRY_CHARS`] characters. Each
//! paragraph scores its ancestors by its length and commas (Mozilla readability's
//! spread); the best element (weighed by its class and id, discounted by its link
//! density, moved up to a shared ancestor as readability does) is the main content, or
//! the element the page marks as the article body when it holds enough text; siblings
//! with prose and few links join it, and the headline and lead before it are kept.
//!
//! Time and memory are linear in the page: one scan, one node per element, each block
//! walking a bounded number of ancestors ([`MAX_ANCESTORS`], [`MAX_STACK`]).

use super::entities::decode_entities;
use super::html::{BLOCK, Extracted, RAW, TagScanner, VOID, attr};

/// Ancestors a block's length is added to (deeper nesting is rare and not content).
const MAX_ANCESTORS: usize = 64;
/// Open elements kept on the stack; deeper elements are read as flat text.
const MAX_STACK: usize = 512;
/// Elements whose end tag may be left out: a new one closes the open one.
const SELF_CLOSING_SIBLINGS: &[&str] = &["p", "li", "dt", "dd", "tr", "td", "th", "option"];
/// Elements that are never the article.
const BOILER_TAGS: &[&str] = &[
    "nav",
    "aside",
    "footer",
    "form",
    "button",
    "select",
    "menu",
    "dialog",
    "label",
    "figcaption",
];

/// Class and id parts of elements that hold boilerplate (readability's list, plus
/// share bars, newsletters and cookie notices).
const UNLIKELY: &[&str] = &[
    "-ad-",
    "banner",
    "breadcrumb",
    "combx",
    "comment",
    "community",
    "cover-wrap",
    "disqus",
    "extra",
    "footer",
    "gdpr",
    "legends",
    "menu",
    "related",
    "remark",
    "replies",
    "rss",
    "shoutbox",
    "sidebar",
    "skyscraper",
    "social",
    "sponsor",
    "supplemental",
    "ad-break",
    "agegate",
    "pagination",
    "pager",
    "popup",
    "share",
    "sharing",
    "newsletter",
    "cookie",
    "subscribe",
    "navbar",
    "navigation",
    "widget",
    "promo",
    "recommend",
    "trending",
    "most-popular",
    "outbrain",
    "taboola",
    "sr-only",
    "screen-reader",
    "visually-hidden",
    "caption",
    "credit",
    "author",
    "byline",
];
/// Class and id parts that save an element from [`UNLIKELY`].
const MAYBE: &[&str] = &[
    "and", "article", "body", "column", "content", "main", "shadow",
];
const POSITIVE: &[&str] = &[
    "article",
    "body",
    "content",
    "entry",
    "hentry",
    "h-entry",
    "main",
    "page",
    "pagination",
    "post",
    "text",
    "blog",
    "story",
];
const NEGATIVE: &[&str] = &[
    "-ad-",
    "hidden",
    "banner",
    "combx",
    "comment",
    "com-",
    "contact",
    "foot",
    "footer",
    "footnote",
    "gdpr",
    "masthead",
    "media",
    "meta",
    "outbrain",
    "promo",
    "related",
    "scroll",
    "share",
    "shoutbox",
    "sidebar",
    "skyscraper",
    "sponsor",
    "shopping",
    "tags",
    "tool",
    "widget",
    "byline",
    "author",
];

/// Class and id parts that name the article body on many sites.
const BODY_HINTS: &[&str] = &[
    "article-body",
    "articlebody",
    "article__body",
    "article-content",
    "article__content",
    "articletext",
    "article-text",
    "story-body",
    "storybody",
    "post-content",
    "post-body",
    "postbody",
    "entry-content",
    "entry-body",
    "td-post-content",
    "single-content",
    "news-text",
    "text-content",
];

struct Node {
    parent: usize,
    /// Marked as the article body by the page (`itemprop=articleBody`, `entry-content`…).
    hint: bool,
    /// Class and id weight (readability's ±25).
    weight: f32,
    score: f32,
    chars: usize,
    link_chars: usize,
    /// Sentences of prose under the element (blocks of 80+ characters ending in a stop).
    sentences: usize,
    /// `article`, `main` or `role=main`.
    landmark: bool,
    /// `h2`…`h6`.
    heading: bool,
}

struct Block {
    node: usize,
    text: String,
    link_chars: usize,
}

fn class_and_id(attrs: &str) -> String {
    let mut s = attr(attrs, "class").unwrap_or_default();
    if let Some(id) = attr(attrs, "id") {
        s.push(' ');
        s.push_str(&id);
    }
    s.make_ascii_lowercase();
    s
}

fn hidden(attrs: &str) -> bool {
    attr(attrs, "hidden").is_some()
        || attr(attrs, "aria-hidden").is_some_and(|v| v == "true")
        || attr(attrs, "style").is_some_and(|v| {
            let v: String = v
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_ascii_lowercase();
            v.contains("display:none") || v.contains("visibility:hidden")
        })
}

/// Which of the class and id lists ([`UNLIKELY`], [`MAYBE`], [`POSITIVE`], [`NEGATIVE`],
/// [`BODY_HINTS`]) have a part in `ci`: one pass of an automaton over all of them.
#[derive(Clone, Copy)]
struct ClassLists(u8);

impl ClassLists {
    const UNLIKELY: u8 = 1;
    const MAYBE: u8 = 2;
    const POSITIVE: u8 = 4;
    const NEGATIVE: u8 = 8;
    const BODY: u8 = 16;

    fn of(ci: &str) -> Self {
        static AUTOMATON: std::sync::LazyLock<(aho_corasick::AhoCorasick, Vec<u8>)> =
            std::sync::LazyLock::new(|| {
                let mut parts: Vec<(&str, u8)> = Vec::new();
                for (list, bit) in [
                    (UNLIKELY, ClassLists::UNLIKELY),
                    (MAYBE, ClassLists::MAYBE),
                    (POSITIVE, ClassLists::POSITIVE),
                    (NEGATIVE, ClassLists::NEGATIVE),
                    (BODY_HINTS, ClassLists::BODY),
                ] {
                    for p in list {
                        match parts.iter_mut().find(|(q, _)| q == p) {
                            Some((_, bits)) => *bits |= bit,
                            None => parts.push((p, bit)),
                        }
                    }
                }
                let ac = aho_corasick::AhoCorasick::new(parts.iter().map(|(p, _)| p))
                    .expect("class patterns build");
                (ac, parts.into_iter().map(|(_, b)| b).collect())
            });
        if ci.is_empty() {
            return ClassLists(0);
        }
        let (ac, bits) = &*AUTOMATON;
        ClassLists(
            ac.find_overlapping_iter(ci)
                .fold(0, |m, hit| m | bits[hit.pattern().as_usize()]),
        )
    }

    fn has(self, bit: u8) -> bool {
        self.0 & bit != 0
    }

    /// Readability's ±25 class weight.
    fn weight(self) -> f32 {
        let mut w = 0.0;
        if self.has(Self::NEGATIVE) {
            w -= 25.0;
        }
        if self.has(Self::POSITIVE) {
            w += 25.0;
        }
        w
    }
}

/// Characters of text, whitespace runs counted once.
fn text_len(s: &str) -> usize {
    s.split_whitespace().map(|w| w.chars().count() + 1).sum()
}

/// Text between the headline and the chosen element taken as the article's lead, at most
/// (more is a page header, not a lead); blocks shorter than [`MIN_LEAD_BLOCK`] in it are
/// datelines, credits and buttons. Both chosen on the trafilatura evaluation set.
const MAX_LEAD_CHARS: usize = 3000;
const MIN_LEAD_BLOCK: usize = 30;

/// A block of prose: at least this many characters, ending like a sentence, few links.
const PROSE_CHARS: usize = 80;
const SENTENCE_END: [char; 9] = ['.', '!', '?', '。', '»', '"', '”', ':', ')'];

/// Below this many characters the class and id rules may have cut the article itself
/// (a page wrapper named `has-sidebar`, `social-…`): the page is read again without them,
/// as readability does, and with the HTML inside `<script type="text/template">`.
const RETRY_CHARS: usize = 500;

/// The main content of a page, or `None` when no block scores.
pub fn extract(html: &str) -> Option<Extracted> {
    let first = extract_with(html, true);
    if first.as_ref().is_some_and(|e| e.text.len() >= RETRY_CHARS) {
        return first;
    }
    let second = extract_with(html, false);
    match (first, second) {
        (Some(a), Some(b)) => Some(if b.text.len() > a.text.len() { b } else { a }),
        (a, b) => a.or(b),
    }
}

fn extract_with(html: &str, class_rules: bool) -> Option<Extracted> {
    let mut nodes = vec![Node {
        parent: 0,
        hint: false,
        weight: 0.0,
        score: 0.0,
        chars: 0,
        link_chars: 0,
        sentences: 0,
        landmark: false,
        heading: false,
    }];
    // Open elements: (name, node, boilerplate).
    let mut stack: Vec<(String, usize, bool)> = Vec::new();
    let mut blocks: Vec<Block> = Vec::new();
    let mut current = String::new();
    let mut current_links = 0usize;
    let mut in_link = 0usize;
    let mut title: Option<String> = None;
    let mut og_title: Option<String> = None;
    let mut h1: Option<String> = None;
    let mut in_h1 = false;
    let mut h1_node: Option<usize> = None;
    let mut h1_text = String::new();

    let container = |stack: &[(String, usize, bool)]| -> (usize, bool) {
        stack
            .iter()
            .rev()
            .find(|(n, _, _)| BLOCK.contains(&n.as_str()))
            .or(stack.last())
            .map_or((0, false), |(_, i, b)| (*i, *b))
    };
    let flush = |current: &mut String,
                 current_links: &mut usize,
                 blocks: &mut Vec<Block>,
                 stack: &[(String, usize, bool)]| {
        if current.trim().is_empty() {
            current.clear();
            *current_links = 0;
            return;
        }
        let (node, boiler) = container(stack);
        let text = std::mem::take(current);
        if !boiler {
            blocks.push(Block {
                node,
                text,
                link_chars: *current_links,
            });
        }
        *current_links = 0;
    };

    let mut sc = TagScanner::new(html);
    let mut last = 0;
    while let Some(t) = sc.next() {
        let segment = &html[last.min(t.start)..t.start];
        last = t.end;
        if !segment.is_empty() {
            let boiler = stack.last().is_some_and(|(_, _, b)| *b);
            if !boiler {
                current.push_str(segment);
                if in_link > 0 {
                    current_links += text_len(segment);
                }
            }
            if in_h1 {
                h1_text.push_str(segment);
            }
        }
        let name = t.name.as_str();
        if name == "!" {
            continue;
        }
        if name == "title" && !t.closing {
            let from = t.end;
            sc.skip_raw("title");
            if title.is_none() {
                title = Some(decode_entities(&html[from..sc.pos().max(from)]));
            }
            last = sc.pos();
            continue;
        }
        if name == "meta" {
            if og_title.is_none()
                && attr(t.attrs, "property").is_some_and(|p| p.eq_ignore_ascii_case("og:title"))
            {
                og_title = attr(t.attrs, "content");
            }
            continue;
        }
        // The second pass also reads HTML kept in a template (Blogger puts the post
        // body in `<script type="text/template">`).
        let template = !class_rules
            && name == "script"
            && attr(t.attrs, "type").is_some_and(|v| v.eq_ignore_ascii_case("text/template"));
        if RAW.contains(&name) && !t.closing && !t.self_closing && !template {
            sc.skip_raw(name);
            last = sc.pos();
            continue;
        }
        let block = BLOCK.contains(&name);
        if block {
            flush(&mut current, &mut current_links, &mut blocks, &stack);
        }
        if name == "h1" {
            if t.closing && in_h1 {
                in_h1 = false;
                if h1.is_none() {
                    h1 = Some(decode_entities(&h1_text));
                }
            } else if !t.closing {
                in_h1 = true;
                h1_text.clear();
            }
        }
        if t.closing {
            if let Some(k) = stack.iter().rposition(|(n, _, _)| n == name) {
                for (n, _, _) in stack.drain(k..) {
                    if n == "a" {
                        in_link = in_link.saturating_sub(1);
                    }
                }
            }
            continue;
        }
        if t.self_closing || VOID.contains(&name) {
            if name == "br" || name == "hr" {
                flush(&mut current, &mut current_links, &mut blocks, &stack);
            }
            continue;
        }
        if SELF_CLOSING_SIBLINGS.contains(&name) && stack.last().is_some_and(|(n, _, _)| n == name)
        {
            stack.pop();
        }
        if stack.len() >= MAX_STACK {
            continue;
        }
        let (parent, parent_boiler) = stack.last().map_or((0, false), |(_, i, b)| (*i, *b));
        let mut boiler = parent_boiler || BOILER_TAGS.contains(&name) || hidden(t.attrs);
        let lists = ClassLists::of(&class_and_id(t.attrs));
        if !boiler
            && class_rules
            && !matches!(name, "body" | "html" | "a" | "article" | "main")
            && lists.has(ClassLists::UNLIKELY)
            && !lists.has(ClassLists::MAYBE)
        {
            boiler = true;
        }
        let hint = !boiler
            && (attr(t.attrs, "itemprop").is_some_and(|v| v.eq_ignore_ascii_case("articlebody"))
                || lists.has(ClassLists::BODY));
        nodes.push(Node {
            parent,
            hint,
            weight: lists.weight(),
            score: 0.0,
            chars: 0,
            link_chars: 0,
            sentences: 0,
            landmark: matches!(name, "article" | "main")
                || attr(t.attrs, "role").is_some_and(|r| r.eq_ignore_ascii_case("main")),
            heading: matches!(name, "h2" | "h3" | "h4" | "h5" | "h6"),
        });
        if name == "a" {
            in_link += 1;
        }
        if name == "h1" && h1_node.is_none() && !boiler {
            h1_node = Some(nodes.len() - 1);
        }
        stack.push((t.name, nodes.len() - 1, boiler));
    }
    if last < html.len() {
        current.push_str(&html[last..]);
    }
    flush(&mut current, &mut current_links, &mut blocks, &stack);

    // Decode and measure each block; add its length to its ancestors.
    let mut texts: Vec<(String, usize)> = Vec::with_capacity(blocks.len());
    for b in &blocks {
        let text = decode_entities(&b.text)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let len = text.chars().count();
        let prose = len >= PROSE_CHARS && b.link_chars * 4 < len && text.ends_with(SENTENCE_END);
        let mut n = b.node;
        for _ in 0..MAX_ANCESTORS {
            nodes[n].chars += len;
            nodes[n].link_chars += b.link_chars.min(len);
            nodes[n].sentences += usize::from(prose);
            if n == 0 {
                break;
            }
            n = nodes[n].parent;
        }
        if len >= 25 && b.link_chars * 2 < len {
            let score = 1.0
                + text.matches([',', '،', '，', '、']).count() as f32
                + (len / 100).min(3) as f32;
            // Mozilla readability's spread: the paragraph's parent gets the whole
            // score, the next ancestors a half, a sixth, a ninth, a twelfth.
            let mut n = nodes[b.node].parent;
            for level in 0..5 {
                let divider = match level {
                    0 => 1.0,
                    1 => 2.0,
                    l => l as f32 * 3.0,
                };
                nodes[n].score += score / divider;
                if n == 0 {
                    break;
                }
                n = nodes[n].parent;
            }
        }
        texts.push((text, len));
    }
    let final_score = |n: &Node| -> f32 {
        let density = if n.chars == 0 {
            0.0
        } else {
            n.link_chars as f32 / n.chars as f32
        };
        // The class weight moves a score by at most its own size: a short block named
        // `entry-…` must not beat the long article next to it.
        (n.score + n.weight.clamp(-n.score, n.score)) * (1.0 - density)
    };
    let (best, best_score) = nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.score > 0.0)
        .map(|(i, n)| (i, final_score(n)))
        .fold(None, |acc: Option<(usize, f32)>, (i, s)| match acc {
            Some((_, bs)) if bs >= s => acc,
            _ => Some((i, s)),
        })?;
    // The page's own marking wins when it holds a fair part of the text.
    let hinted = nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.hint && n.chars >= 200 && n.link_chars * 2 < n.chars)
        .max_by_key(|(i, n)| (n.chars, std::cmp::Reverse(*i)))
        .map(|(i, _)| i);
    let ancestors = |mut n: usize| -> Vec<usize> {
        let mut out = Vec::new();
        while n != 0 && out.len() < MAX_STACK {
            n = nodes[n].parent;
            out.push(n);
        }
        out
    };
    // Readability: when three of the five best candidates scoring within a quarter of
    // the best sit under one ancestor of it, the article is that ancestor (content
    // split over sibling blocks).
    let mut ranked: Vec<(usize, f32)> = nodes
        .iter()
        .enumerate()
        .filter(|(i, n)| *i != best && n.score > 0.0)
        .map(|(i, n)| (i, final_score(n)))
        .filter(|(_, s)| *s >= best_score * 0.75)
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked.truncate(5);
    let mut best = best;
    if ranked.len() >= 3 {
        let lists: Vec<Vec<usize>> = ranked.iter().map(|&(i, _)| ancestors(i)).collect();
        for a in ancestors(best) {
            if a == 0 {
                break;
            }
            if lists.iter().filter(|l| l.contains(&a)).count() >= 3 {
                best = a;
                break;
            }
        }
    }
    // Readability: walk up while the parent scores at least a third of the child, and
    // take the parent when it scores more.
    let mut last_score = nodes[best].score;
    let threshold_up = last_score / 3.0;
    let mut p = nodes[best].parent;
    while p != 0 {
        let ps = nodes[p].score;
        if ps < threshold_up {
            break;
        }
        if ps > last_score {
            best = p;
            break;
        }
        last_score = ps;
        p = nodes[p].parent;
    }
    if let Some(h) = hinted {
        best = h;
    }
    let best_score = final_score(&nodes[best]);
    // Siblings of the best element that score nearly as well, or hold prose and few
    // links, are part of it (articles split over sibling blocks).
    let best_parent = nodes[best].parent;
    let threshold = (best_score * 0.2).max(10.0);
    let chosen: Vec<bool> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            i == best
                || (best != 0
                    && i != 0
                    && n.parent == best_parent
                    && (final_score(n) >= threshold
                        || (n.sentences > 0 && n.link_chars * 4 < n.chars && n.weight >= 0.0)))
        })
        .collect();
    let inside = |mut n: usize| -> bool {
        for _ in 0..MAX_STACK {
            if chosen[n] {
                return true;
            }
            if n == 0 {
                return false;
            }
            n = nodes[n].parent;
        }
        false
    };
    let mut keep: Vec<bool> = blocks.iter().map(|b| inside(b.node)).collect();
    let under = |mut n: usize, m: usize| -> bool {
        for _ in 0..MAX_STACK {
            if n == m {
                return true;
            }
            if n == 0 {
                return false;
            }
            n = nodes[n].parent;
        }
        false
    };
    // Prose elsewhere in the `article` or `main` holding the chosen element is the
    // article's too (sections split over sibling containers, a lead in a header).
    let landmark = std::iter::once(best)
        .chain(ancestors(best))
        .find(|&a| a != 0 && nodes[a].landmark);
    if let Some(m) = landmark {
        for (i, b) in blocks.iter().enumerate() {
            let (t, len) = &texts[i];
            let prose = *len >= PROSE_CHARS && b.link_chars * 4 < *len && t.ends_with(SENTENCE_END);
            if !keep[i] && prose && under(b.node, m) {
                keep[i] = true;
            }
        }
    }
    let mut lead = vec![false; blocks.len()];
    // The headline and the lead between it and the chosen element: many pages put
    // them in a header outside the article's text container.
    let first_in = keep.iter().position(|k| *k);
    let h1_block = h1_node.and_then(|h| {
        blocks
            .iter()
            .position(|b| b.node == h || ancestors(b.node).contains(&h))
    });
    if let (Some(f), Some(h)) = (first_in, h1_block)
        && h < f
        && texts[h..f].iter().map(|(_, l)| *l).sum::<usize>() <= MAX_LEAD_CHARS
    {
        for (i, l) in lead.iter_mut().enumerate().take(f).skip(h) {
            *l = blocks[i].link_chars * 2 <= texts[i].1 && (i == h || texts[i].1 >= MIN_LEAD_BLOCK);
        }
    }
    let mut text = String::new();
    for (i, (b, (t, len))) in blocks.iter().zip(&texts).enumerate() {
        if *len == 0 || !(keep[i] || lead[i]) {
            continue;
        }
        // Link lists inside the article (related stories, tags).
        if b.link_chars * 2 > *len {
            continue;
        }
        // A heading right before a link list introduces the list ("Related articles",
        // "Ähnliche Beiträge"), not the article.
        if nodes[b.node].heading && *len < 50 && !t.ends_with(['.', '!', '?']) {
            let next = (i + 1..blocks.len()).find(|&j| texts[j].1 > 0);
            if next.is_some_and(|j| blocks[j].link_chars * 2 > texts[j].1) {
                continue;
            }
        }
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(t);
    }
    let title = og_title
        .or(h1)
        .or(title)
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "));
    (!text.is_empty()).then_some(Extracted {
        title: title.filter(|t| !t.is_empty()),
        text,
        date: None,
        looked_for_date: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARA: &str = "NATO Secretary General Jens Stoltenberg said there were significant \
        differences with Russia, after four hours of talks in Brussels on Wednesday, officials said.";

    #[test]
    fn keeps_the_article_and_drops_navigation_comments_and_hidden_text() {
        let body: String = (0..6).map(|i| format!("<p>{i}: {PARA}</p>")).collect();
        let page = format!(
            "<html><head><title>Talks | News</title></head><body>\
             <nav><a href=/>Home</a> <a href=/w>World</a></nav>\
             <h1>Talks end without agreement</h1><p class=lead>The lead paragraph of the story.</p>\
             <div class=\"article-content\">{body}</div>\
             <div id=comments><p>{PARA} (a reader)</p></div>\
             <div style=\"display: none\">Hidden teaser text that nobody sees on the page.</div>\
             <footer>© 2022 News. All rights reserved.</footer></body></html>"
        );
        let e = extract(&page).expect("an article");
        assert!(
            e.text
                .starts_with("Talks end without agreement\nThe lead paragraph")
        );
        assert_eq!(e.text.matches("Stoltenberg").count(), 6);
        for gone in ["Home", "a reader", "Hidden teaser", "All rights reserved"] {
            assert!(!e.text.contains(gone), "{gone} in {:?}", e.text);
        }
        assert_eq!(e.title.as_deref(), Some("Talks end without agreement"));
    }

    #[test]
    fn a_stray_quote_in_a_tag_does_not_swallow_the_page() {
        let page = format!(
            "<html><head><script src=\"a.js\" \" type=\"text/javascript\"></script></head>\
             <body><article><p>{PARA}</p><p>{PARA}</p></article></body></html>"
        );
        let e = extract(&page).expect("an article");
        assert_eq!(e.text.matches("Stoltenberg").count(), 2);
    }

    #[test]
    fn a_page_named_like_boilerplate_is_read_again_without_class_rules() {
        let body: String = (0..4).map(|_| format!("<p>{PARA}</p>")).collect();
        let page = format!("<body><div class=\"wrapper has-sidebar\">{body}</div></body>");
        let e = extract(&page).expect("an article");
        assert_eq!(e.text.matches("Stoltenberg").count(), 4);
    }

    #[test]
    fn prose_elsewhere_in_the_article_joins_the_chosen_element() {
        let body: String = (0..5).map(|i| format!("<p>{i}: {PARA}</p>")).collect();
        let page = format!(
            "<body><nav><a href=/>Home</a></nav><main>\
             <section><div class=intro><p>The first section says why: {PARA}</p></div></section>\
             <section><div class=text>{body}</div></section></main>\
             <p>Outside the main element, a paragraph long enough to count as prose here.</p></body>"
        );
        let e = extract(&page).expect("an article");
        assert!(e.text.contains("The first section says why"), "{}", e.text);
        assert_eq!(e.text.matches("Stoltenberg").count(), 6);
        assert!(!e.text.contains("Outside the main element"));
    }

    #[test]
    fn a_heading_over_a_link_list_goes_with_the_list() {
        let body: String = (0..4).map(|i| format!("<p>{i}: {PARA}</p>")).collect();
        let page = format!(
            "<body><article>{body}<h2>More on the talks</h2><p>{PARA}</p>\
             <h3>Related articles</h3><ul><li><a href=/a>One story about the talks in Brussels</a></li>\
             <li><a href=/b>Another story about the talks in Brussels</a></li></ul></article></body>"
        );
        let e = extract(&page).expect("an article");
        assert!(e.text.contains("More on the talks"), "{}", e.text);
        assert!(!e.text.contains("Related articles"), "{}", e.text);
    }

    #[test]
    fn a_post_kept_in_a_template_is_read_when_nothing_else_is_found() {
        let page = format!(
            "<body><h2>Blog</h2><div class=post-body><script type='text/template'>\
             <p>{PARA}</p><p>{PARA}</p></script></div></body>"
        );
        let e = extract(&page).expect("an article");
        assert_eq!(e.text.matches("Stoltenberg").count(), 2);
    }

    #[test]
    fn deep_nesting_and_no_text_do_not_fail() {
        assert!(extract(&"<div>".repeat(20_000)).is_none());
        assert!(extract("").is_none());
        let deep = format!("{}<p>{PARA}</p>", "<div><span>".repeat(3_000));
        assert!(extract(&deep).is_some_and(|e| e.text.contains("Stoltenberg")));
    }
}
