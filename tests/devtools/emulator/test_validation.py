"""The emulator refuses outgoing text as Telegram does, so a test passing against it holds on Telegram."""

import pytest

from devtools.emulator.faults import ApiError
from devtools.emulator.validation import MAX_TEXT_LENGTH, visible_text


@pytest.mark.parametrize(
    ("html", "seen"),
    [
        ("<b>bold</b> and <i>it</i>", "bold and it"),
        ("1 &lt; 2 &amp;&amp; 3 &gt; 2 &quot;q&quot;", '1 < 2 && 3 > 2 "q"'),
        ("&#65;&#x42; &nbsp; & alone", "AB &nbsp; & alone"),
        ('<a href="https://example.org">link</a>', "link"),
        ('<span class="tg-spoiler">s</span><pre><code class="language-py">x</code></pre>', "sx"),
    ],
)
def test_well_formed_html_is_read_as_telegram_reads_it(html: str, seen: str) -> None:
    assert visible_text(html, "HTML") == seen


@pytest.mark.parametrize(
    ("html", "problem"),
    [
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("/x<b>", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<x>y</x>", 'Unsupported start tag "x" at byte offset 0'),
        ("é<br>", 'Unsupported start tag "br" at byte offset 2'),
        ("<i><b>x</i></b>", 'Unmatched end tag at byte offset 7, expected "</b>"'),
        ("x</b>", "Unmatched end tag at byte offset 1"),
        ("<b", "Unclosed start tag at byte offset 0"),
    ],
)
def test_malformed_html_is_refused(html: str, problem: str) -> None:
    with pytest.raises(ApiError) as refused:
        visible_text(html, "HTML")
    assert refused.value.code == 400
    assert refused.value.description.startswith(f"Bad Request: can't parse entities: {problem}")


def test_the_limit_counts_visible_characters_in_utf_16_code_units() -> None:
    assert visible_text("<b>" + "y" * MAX_TEXT_LENGTH + "</b>", "HTML")  # tags do not count
    assert visible_text("😀" * (MAX_TEXT_LENGTH // 2), None)
    for text in (
        "y" * (MAX_TEXT_LENGTH + 1),
        "😀" * (MAX_TEXT_LENGTH // 2 + 1),
        "&amp;" * (MAX_TEXT_LENGTH + 1),
    ):
        with pytest.raises(ApiError, match="message is too long"):
            visible_text(text, "HTML")


@pytest.mark.parametrize("text", ["\ud800", "a\udfffb"])
def test_lone_surrogates_are_refused(text: str) -> None:
    with pytest.raises(ApiError, match="must be encoded in UTF-8"):
        visible_text(text, None)


@pytest.mark.parametrize("text", ["", "  \n", "<b> </b>"])
def test_empty_text_is_refused(text: str) -> None:
    with pytest.raises(ApiError, match="message text is empty"):
        visible_text(text, "HTML")
