//! Markdown bodies as safe HTML. Case bodies and follow-up descriptions are Markdown
//! (CommonMark with tables and strikethrough); partner sites show them as HTML, so the
//! server renders them once, with a maintained parser (pulldown-cmark), and sanitises the
//! result with a maintained HTML sanitiser (ammonia): no `<script>` or `<style>`, no event
//! handler attributes, no `javascript:` or other non-web URLs, links that cannot reach back
//! into the page that shows them.

use std::sync::LazyLock;

use pulldown_cmark::{Options, Parser, html};

/// URL schemes a link or image may use.
const URL_SCHEMES: [&str; 3] = ["https", "http", "mailto"];

/// The sanitiser: ammonia's allow-list of tags and attributes (no script, style, iframe,
/// form or event handler), the schemes above only, `rel` set on every link.
static SANITISER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .url_schemes(URL_SCHEMES.into_iter().collect())
        .link_rel(Some("noopener noreferrer nofollow ugc"))
        .strip_comments(true);
    builder
});

/// `markdown` rendered to sanitised HTML.
pub fn to_safe_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut rendered = String::with_capacity(markdown.len() + markdown.len() / 4);
    html::push_html(&mut rendered, Parser::new_ext(markdown, options));
    SANITISER.clean(&rendered).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_html() {
        let html = to_safe_html("# Cold chain\n\nExports **grew**; see [the report](https://example.org/r).");
        assert!(html.contains("<h1>Cold chain</h1>"), "{html}");
        assert!(html.contains("<strong>grew</strong>"), "{html}");
        assert!(html.contains(r#"href="https://example.org/r""#), "{html}");
        assert!(html.contains(r#"rel="noopener noreferrer nofollow ugc""#), "{html}");
    }

    #[test]
    fn scripts_handlers_and_javascript_urls_are_removed() {
        let body = "Hello <script>alert(1)</script>\n\n<img src=\"x\" onerror=\"alert(2)\">\n\n\
                    [click](javascript:alert(3)) <a href=\"javascript:alert(4)\">me</a> \
                    <a href=\"JaVaScRiPt:alert(5)\">too</a>\n\n<style>body{display:none}</style>\
                    <iframe src=\"https://evil.example\"></iframe><div onclick=\"alert(6)\">x</div>";
        let html = to_safe_html(body).to_lowercase();
        for forbidden in ["<script", "alert(1)", "onerror", "javascript:", "<style", "<iframe", "onclick"] {
            assert!(!html.contains(forbidden), "{forbidden} survived in {html}");
        }
        assert!(html.contains("hello"), "{html}");
    }

    #[test]
    fn text_in_every_language_survives() {
        let html = to_safe_html("跨境电商 **物流**\n\nالتجارة الإلكترونية عبر الحدود");
        assert!(html.contains("跨境电商 <strong>物流</strong>"), "{html}");
        assert!(html.contains("التجارة الإلكترونية عبر الحدود"), "{html}");
    }
}
