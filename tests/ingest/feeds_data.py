"""Feed documents for the tests (built in code: nothing copied from real sites)."""

from __future__ import annotations

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Báo Thử Nghiệm</title>
  <link>https://bao-thu.example/</link>
  <language>vi</language>
  <item>
    <guid isPermaLink="false">bai-1</guid>
    <title>&lt;b&gt;Cảnh báo&lt;/b&gt; lừa đảo
      &lt;script&gt;alert(1)&lt;/script&gt;qua tin nhắn</title>
    <link>/tin-tuc/bai-1.html</link>
    <dc:creator>Nguyễn Văn Phóng Viên</dc:creator>
    <pubDate>Thứ hai, 12/5/2025, 08:30 (GMT+7)</pubDate>
    <description>Tóm tắt</description>
    <content:encoded><![CDATA[<p>Người dân <strong>cần cảnh giác</strong>.</p>
      <script>document.location='https://evil.example/'</script>
      <p>Đoạn hai.</p>]]></content:encoded>
  </item>
  <item>
    <guid isPermaLink="false">bai-2</guid>
    <title>Tin không có ngày</title>
    <link>https://bao-thu.example/tin-tuc/bai-2.html</link>
    <description>&lt;p&gt;Nội dung hai&lt;/p&gt;</description>
  </item>
  <item>
    <guid isPermaLink="false">bai-3</guid>
    <title>Tin RFC 822</title>
    <link>javascript:alert(1)</link>
    <pubDate>Mon, 12 May 2025 01:30:00 GMT</pubDate>
    <description>Ba</description>
  </item>
</channel>
</rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Trang Atom</title>
  <id>urn:atom-thu</id>
  <updated>2025-05-12T08:30:00+07:00</updated>
  <entry>
    <id>urn:atom-thu:1</id>
    <title type="html">&lt;i&gt;Thông tin&lt;/i&gt; sai sự thật</title>
    <link href="bai/1"/>
    <updated>2025-05-12T08:30:00+07:00</updated>
    <author><name>Biên tập</name></author>
    <content type="html">&lt;p&gt;Nội dung &amp;amp; chi tiết&lt;/p&gt;</content>
  </entry>
</feed>
"""


def rss_with(*items: str, encoding: str = "utf-8") -> str:
    """An RSS document with the given <item> bodies."""
    body = "".join(f"<item>{item}</item>" for item in items)
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>'
        f'<rss version="2.0"><channel><title>T</title>{body}</channel></rss>'
    )


BOMB = """<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
  <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
  <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
  <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
]>
<rss version="2.0"><channel><title>bomb</title>
<item><guid>x</guid><title>&g;</title></item></channel></rss>
"""


def xxe(path: str) -> str:
    """A feed whose title would be the content of `path` if external entities were resolved."""
    return f"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file://{path}">]>
<rss version="2.0"><channel><title>x</title>
<item><guid>x</guid><title>&secret;</title></item></channel></rss>
"""


def external_dtd(url: str) -> str:
    """A feed that names an external DTD (which must never be fetched)."""
    return f"""<?xml version="1.0"?>
<!DOCTYPE rss SYSTEM "{url}">
<rss version="2.0"><channel><title>x</title>
<item><guid>dtd-1</guid><title>Tin</title></item></channel></rss>
"""
