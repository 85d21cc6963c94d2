"""Clean text from untrusted HTML (feed summaries, titles) with the lexbor HTML5 parser.

Scripts, styles and embedded objects are dropped with their content; block elements and
`<br>` become line breaks; entities are decoded; whitespace is tidied. The result is plain
text, to be escaped again wherever it is shown.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

__all__ = ["html_to_text", "html_to_line"]

_DROP = "script, style, noscript, template, iframe, object, embed, svg, math, head, form"
_BLOCKS = (
    "p, div, br, li, ul, ol, h1, h2, h3, h4, h5, h6, tr, table, blockquote, section, "
    "article, header, footer, figure, figcaption, pre, hr, dd, dt"
)
_SPACES = re.compile(r"[ \t\f\v\r\u00a0\u200b]+")
_BREAKS = re.compile(r"\n\s*\n\s*(\n\s*)+")


def html_to_text(html: str) -> str:
    """The readable text of an HTML fragment, paragraphs separated by blank lines."""
    if "<" not in html and "&" not in html:
        return _tidy(html)
    tree = LexborHTMLParser(html)
    for node in tree.css(_DROP):
        node.decompose()
    for node in tree.css(_BLOCKS):
        node.insert_after("\n\n" if node.tag in {"p", "div", "blockquote", "pre"} else "\n")
    root = tree.body or tree.root
    return _tidy(root.text(deep=True) if root is not None else "")


def html_to_line(html: str) -> str:
    """Like `html_to_text`, on one line (for titles)."""
    return " ".join(html_to_text(html).split())


def _tidy(text: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BREAKS.sub("\n\n", "\n".join(lines)).strip()
