"""Agent and bot text reach the widget as text: exact output of addons/widget_text.py."""

from __future__ import annotations

import pytest

from addons.widget_text import as_text


@pytest.mark.parametrize(
    ("text", "sent"),
    [
        ("Your balance is 54.17 EUR.", "Your balance is 54.17 EUR."),
        ("Hello! Is that all? (yes/no)", "Hello! Is that all? (yes/no)"),
        ("![p](http://x.test/a.png)", "!&#91;p&#93;(http://x.test/a.png)"),
        ("[x](javascript:alert(1))", "&#91;x&#93;(javascript:alert(1))"),
        ("<javascript://%0aalert(1)>", "&#60;javascript://%0aalert(1)&#62;"),
        ("<img src=x onerror=alert(1)>", "&#60;img src=x onerror=alert(1)&#62;"),
        ("[x]: javascript:alert(1)", "&#91;x&#93;: javascript:alert(1)"),
        ("write to mailto:a@b.test", "write to &#109;&#97;&#105;&#108;&#116;&#111;&#58;a@b.test"),
        (
            "**bold** _it_ `code` ~~s~~",
            "&#42;&#42;bold&#42;&#42; &#95;it&#95; &#96;code&#96; &#126;&#126;s&#126;&#126;",
        ),
        ("# title\n> quote | cell", "&#35; title\n&#62; quote &#124; cell"),
        ("\\[x\\](y) &#91;", "&#92;&#91;x&#92;&#93;(y) &#38;&#35;91;"),
        (
            "Pay here: https://pay.example.com/p/a_b?x=1&y=2 today",
            "Pay here: https://pay.example.com/p/a_b?x=1&y=2 today",
        ),
        (
            "[ok](https://pay.example.com/p/1)",
            "&#91;ok&#93;(https://pay.example.com/p/1)",
        ),
        ("[card number removed]", "&#91;card number removed&#93;"),
        ("Maria (billing team): Hello!", "Maria (billing team): Hello!"),
    ],
)
def test_markdown_syntax_is_sent_as_character_references(text: str, sent: str) -> None:
    assert as_text(text) == sent


def test_only_http_urls_are_left_to_be_links() -> None:
    assert as_text("see http://a.test/x_y and ftp://b.test/x_y") == (
        "see http://a.test/x_y and ftp://b.test/x&#95;y"
    )
