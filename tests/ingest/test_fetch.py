"""The safe HTTP client: what it fetches, what it refuses, and that refusals come first."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from soitin.errors import ConfigError
from soitin.ingest.fetch import (
    FetchError,
    FetchRefusedError,
    SafeClient,
    parse_allowlist,
    safe_get,
)
from tests.ingest.conftest import FeedServer, Route


def _resolver(answers: dict[str, list[str]], calls: list[str]) -> Callable[[str], list[str]]:
    def resolve(host: str) -> list[str]:
        calls.append(host)
        if host not in answers:
            raise FetchError(f"test resolver has no answer for {host}")
        return answers[host]

    return resolve


def test_fetches_an_allowlisted_local_server(feed_server: FeedServer) -> None:
    feed_server.routes["/ok"] = Route(body=b"xin chao", headers={"Content-Type": "text/plain"})
    with SafeClient(allowlist="127.0.0.1/32") as client:
        response = client.get(feed_server.url("/ok"))
    assert response.status_code == 200
    assert response.content == b"xin chao"
    assert response.headers["content-type"] == "text/plain"


def test_safe_get_reads_the_allowlist_from_the_settings(feed_server: FeedServer) -> None:
    feed_server.routes["/ok"] = Route(body=b"ok")
    assert safe_get(feed_server.url("/ok")).content == b"ok"


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("[::1]", "loopback"),
        ("2130706433", "loopback"),  # decimal form of 127.0.0.1
        ("0x7f000001", "loopback"),  # hex form
        ("0177.0.0.1", "loopback"),  # octal form
        ("127.1", "loopback"),  # short form
        ("[::ffff:127.0.0.1]", "loopback"),  # IPv4-mapped IPv6
        ("localhost", "loopback"),
    ],
)
def test_loopback_in_every_spelling_is_refused_before_connecting(
    feed_server: FeedServer, host: str, reason: str
) -> None:
    feed_server.routes["/secret"] = Route(body=b"internal")
    port = feed_server.base.rsplit(":", 1)[1]
    with SafeClient(allowlist="") as client, pytest.raises(FetchRefusedError, match=reason):
        client.get(f"http://{host}:{port}/secret")
    assert feed_server.hits("/secret") == 0


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://10.0.0.1/feed.xml", "private"),
        ("http://192.168.1.1/", "private"),
        ("http://[fe80::1]/", "link-local"),
        ("http://224.0.0.1/", "multicast"),
        ("http://240.0.0.1/", "reserved"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://100.64.0.1/", "not a public address"),
    ],
)
def test_non_public_addresses_are_refused(url: str, reason: str) -> None:
    calls: list[str] = []
    with SafeClient(allowlist="", resolver=_resolver({}, calls)) as client:
        with pytest.raises(FetchRefusedError, match=reason):
            client.get(url)
    assert calls == []  # IP literals never reach the resolver


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "gopher://x/"])
def test_only_http_and_https(url: str) -> None:
    with SafeClient(allowlist="") as client, pytest.raises(FetchRefusedError, match="http"):
        client.get(url)


def test_public_looking_name_for_a_private_address_is_refused_before_connecting() -> None:
    calls: list[str] = []
    resolver = _resolver({"tin-tuc.example": ["10.0.0.1"]}, calls)
    with SafeClient(allowlist="", resolver=resolver, timeout=0.5) as client:
        with pytest.raises(FetchRefusedError, match=r"tin-tuc\.example resolves to 10\.0\.0\.1"):
            client.get("http://tin-tuc.example/rss")
    assert calls == ["tin-tuc.example"]


def test_a_name_resolving_to_our_own_server_is_refused_and_never_contacted(
    feed_server: FeedServer,
) -> None:
    feed_server.routes["/admin"] = Route(body=b"internal")
    port = feed_server.base.rsplit(":", 1)[1]
    resolver = _resolver({"bao-moi.example": ["127.0.0.1"]}, [])
    with SafeClient(allowlist="", resolver=resolver) as client:
        with pytest.raises(FetchRefusedError, match="loopback"):
            client.get(f"http://bao-moi.example:{port}/admin")
    assert feed_server.hits("/admin") == 0


def test_a_name_with_one_private_answer_among_public_ones_is_refused() -> None:
    resolver = _resolver({"mixed.example": ["93.184.216.34", "10.1.2.3"]}, [])
    with SafeClient(allowlist="", resolver=resolver) as client:
        with pytest.raises(FetchRefusedError, match="10.1.2.3"):
            client.get("http://mixed.example/")


def test_redirect_to_a_private_address_is_refused(feed_server: FeedServer) -> None:
    feed_server.routes["/go"] = Route(status=302, headers={"Location": "http://intranet.example/"})
    calls: list[str] = []
    resolver = _resolver({"intranet.example": ["10.0.0.1"]}, calls)
    with SafeClient(allowlist="127.0.0.1/32", resolver=resolver, timeout=0.5) as client:
        with pytest.raises(FetchRefusedError, match="intranet.example resolves to 10.0.0.1"):
            client.get(feed_server.url("/go"))
    assert calls == ["intranet.example"]


def test_redirect_to_the_metadata_service_is_refused(feed_server: FeedServer) -> None:
    feed_server.routes["/go"] = Route(
        status=301, headers={"Location": "http://169.254.169.254/latest/meta-data/"}
    )
    with SafeClient(allowlist="127.0.0.1/32") as client:
        with pytest.raises(FetchRefusedError, match="169.254.169.254"):
            client.get(feed_server.url("/go"))


def test_redirect_to_another_scheme_is_refused(feed_server: FeedServer) -> None:
    feed_server.routes["/go"] = Route(status=302, headers={"Location": "file:///etc/passwd"})
    with SafeClient(allowlist="127.0.0.1/32") as client:
        with pytest.raises(FetchRefusedError, match="only http and https"):
            client.get(feed_server.url("/go"))


def test_follows_a_few_relative_redirects(feed_server: FeedServer) -> None:
    feed_server.routes["/a"] = Route(status=301, headers={"Location": "/b"})
    feed_server.routes["/b"] = Route(status=307, headers={"Location": "c"})
    feed_server.routes["/c"] = Route(body=b"here")
    with SafeClient(allowlist="127.0.0.1/32") as client:
        response = client.get(feed_server.url("/a"))
    assert response.content == b"here"
    assert response.url == feed_server.url("/c")
    assert response.redirects == [feed_server.url("/a"), feed_server.url("/b")]


def test_too_many_redirects(feed_server: FeedServer) -> None:
    feed_server.routes["/loop"] = Route(status=302, headers={"Location": "/loop"})
    with SafeClient(allowlist="127.0.0.1/32", max_redirects=3) as client:
        with pytest.raises(FetchError, match="Too many redirects"):
            client.get(feed_server.url("/loop"))
    assert feed_server.hits("/loop") == 4


def test_connects_to_the_address_it_checked_no_second_lookup(feed_server: FeedServer) -> None:
    """DNS rebinding: the second answer would be private, but there is no second lookup."""
    feed_server.routes["/feed"] = Route(body=b"<rss/>")
    port = feed_server.base.rsplit(":", 1)[1]
    answers = iter([["127.0.0.1"], ["10.0.0.1"], ["10.0.0.1"]])
    calls: list[str] = []

    def rebinding(host: str) -> list[str]:
        calls.append(host)
        return next(answers)

    with SafeClient(allowlist="127.0.0.1/32", resolver=rebinding) as client:
        response = client.get(f"http://rebind.example:{port}/feed")
    assert response.content == b"<rss/>"
    assert calls == ["rebind.example"]
    assert feed_server.requests[-1][1]["host"] == f"rebind.example:{port}"


def test_slow_server_times_out(feed_server: FeedServer) -> None:
    feed_server.routes["/slow"] = Route(body=b"late", delay=1.5)
    with SafeClient(allowlist="127.0.0.1/32", timeout=0.3) as client:
        with pytest.raises(FetchError, match="timed out"):
            client.get(feed_server.url("/slow"))


def test_http_error_status_is_an_error(feed_server: FeedServer) -> None:
    feed_server.routes["/down"] = Route(status=503, body=b"busy")
    with SafeClient(allowlist="127.0.0.1/32") as client:
        with pytest.raises(FetchError, match="HTTP 503"):
            client.get(feed_server.url("/down"))
        assert client.get(feed_server.url("/down"), raise_for_status=False).status_code == 503


def test_closed_port_is_a_connection_error(feed_server: FeedServer) -> None:
    with SafeClient(allowlist="127.0.0.1/32", timeout=2) as client:
        with pytest.raises(FetchError, match="Cannot fetch") as info:
            client.get("http://127.0.0.1:9/")
    assert not isinstance(info.value, FetchRefusedError)


@pytest.mark.parametrize("announced", [True, False])
def test_body_over_the_limit_is_refused(feed_server: FeedServer, announced: bool) -> None:
    feed_server.routes["/big"] = Route(body=b"x" * 50_000, length=announced)
    with SafeClient(allowlist="127.0.0.1/32", max_bytes=1000) as client:
        with pytest.raises(FetchError, match="limit of 1,000 bytes"):
            client.get(feed_server.url("/big"))


def test_allowlist_entries_are_checked() -> None:
    assert [str(n) for n in parse_allowlist("10.1.0.0/16, 127.0.0.1 ,")] == [
        "10.1.0.0/16",
        "127.0.0.1/32",
    ]
    with pytest.raises(ConfigError, match="SOITIN_FETCH_ALLOWLIST"):
        parse_allowlist("intranet.local")


def test_post_goes_through_the_same_guard(feed_server: FeedServer) -> None:
    feed_server.routes["/hook"] = Route(body=b"ok")
    feed_server.routes["/moved"] = Route(status=307, headers={"Location": "/hook"})
    with SafeClient(allowlist="127.0.0.1/32") as client:
        response = client.post(feed_server.url("/hook"), content=b'{"a": 1}')
        assert response.content == b"ok" and feed_server.posted == [b'{"a": 1}']
        assert client.post(feed_server.url("/moved"), content=b"x").status_code == 307
    assert feed_server.hits("/hook") == 1  # redirects are not followed for POST
    port = feed_server.base.rsplit(":", 1)[1]
    resolver = _resolver({"hook.example": ["127.0.0.1"]}, [])
    with SafeClient(allowlist="", resolver=resolver) as client:
        with pytest.raises(FetchRefusedError, match="loopback"):
            client.post(f"http://hook.example:{port}/hook", content=b"x")
    assert feed_server.hits("/hook") == 1
