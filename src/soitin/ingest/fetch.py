"""The one safe HTTP client: every outbound request of soitin goes through `SafeClient`.

Feed URLs are typed in by people and redirects are chosen by remote servers, so neither may
decide that we talk to the machine itself, the office network or a cloud metadata service.
The client resolves each host name once, refuses loopback, private, link-local, multicast,
reserved and other non-public addresses (unless a network is on the allowlist), and then
connects to exactly the address it checked, so a second DNS answer cannot slip in
(no DNS-rebinding gap). The same check runs for every redirect hop before any connection.
Only http and https, no proxies from the environment, timeouts, a total deadline and a
maximum body size (counted after decompression).
"""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from soitin.errors import ConfigError, SoitinError
from soitin.settings import Settings, get_settings

__all__ = [
    "FetchError",
    "FetchRefusedError",
    "FetchResponse",
    "Network",
    "Resolver",
    "SafeClient",
    "check_url",
    "parse_allowlist",
    "refusal_reason",
    "safe_get",
    "system_resolver",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
#: Host name → the IP addresses it resolves to (a hook so tests can answer without DNS).
Resolver = Callable[[str], Sequence[str]]

USER_AGENT = "soitin/0.1 (+https://github.com/soitin; feed reader)"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_TIMEOUT = 10.0
DEFAULT_DEADLINE = 60.0
DEFAULT_MAX_REDIRECTS = 5
MAX_URL_CHARS = 2048
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# inet_aton accepts the forms browsers do: 2130706433, 0x7f000001, 0177.0.0.1, 127.1.
_NUMERIC_HOST = re.compile(r"^(?:0x[0-9a-f]+|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}$", re.I)


class FetchError(SoitinError):
    """A fetch failed: network error, timeout, HTTP error status or a body too large."""


class FetchRefusedError(FetchError):
    """A fetch was refused before connecting: scheme, address or redirect not allowed.

    `host` is set when the address was refused (a private, loopback or other non-public one).
    """

    def __init__(self, message: str, *, host: str | None = None) -> None:
        super().__init__(message)
        self.host = host


@dataclass(frozen=True)
class FetchResponse:
    """A finished response: final URL, status, headers (lower-case names) and body."""

    url: str
    status_code: int
    headers: Mapping[str, str]
    content: bytes
    redirects: list[str] = field(default_factory=list)
    #: The `charset` of the Content-Type header, if any (httpx's `charset_encoding`).
    charset: str | None = None

    @property
    def not_modified(self) -> bool:
        """True for `304 Not Modified` (a conditional GET found nothing new)."""
        return self.status_code == 304


def system_resolver(host: str) -> list[str]:
    """The addresses the operating system's resolver gives for `host`."""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"Cannot resolve the host name {host!r}: {exc}.") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def parse_allowlist(value: str | Iterable[str]) -> tuple[Network, ...]:
    """Networks from `"10.1.0.0/16, 127.0.0.1"` (or a list); a bad entry is a `ConfigError`."""
    entries = value.split(",") if isinstance(value, str) else list(value)
    networks: list[Network] = []
    for entry in (e.strip() for e in entries):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ConfigError(
                f"SOITIN_FETCH_ALLOWLIST entry {entry!r} is not an IP address or network "
                "(write e.g. 10.1.2.0/24)."
            ) from exc
    return tuple(networks)


def literal_ip(host: str) -> IPAddress | None:
    """The address when `host` is an IP literal in any form (dotted, decimal, hex, octal)."""
    candidate = host.strip("[]")
    try:
        return ipaddress.ip_address(candidate.split("%", 1)[0])
    except ValueError:
        pass
    if _NUMERIC_HOST.match(candidate):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(candidate))
        except OSError:
            return None
    return None


def refusal_reason(ip: IPAddress) -> str | None:
    """Why `ip` is not a public address (None when it is)."""
    embedded = None
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
    for address in (embedded, ip):  # the embedded IPv4 says more than "::ffff:0:0/96"
        if address is None:
            continue
        if address.is_loopback:
            return "a loopback address"
        if address.is_unspecified:
            return "an unspecified address"
        if address.is_link_local:
            return "a link-local address (this includes cloud metadata services)"
        if address.is_multicast:
            return "a multicast address"
        if address.is_reserved:
            return "a reserved address"
        if address.is_private:
            return "a private address"
        if not address.is_global:
            return "not a public address"
    return None


class _AddressRefused(Exception):
    """Raised inside the connection layer; `SafeClient` turns it into `FetchRefusedError`."""

    def __init__(self, host: str, ip: str, reason: str) -> None:
        super().__init__(f"{host} resolves to {ip}, {reason}")
        self.host, self.ip, self.reason = host, ip, reason


class _Guard:
    """Resolves a host once and returns addresses that passed the policy."""

    def __init__(self, allowlist: Sequence[Network], resolver: Resolver) -> None:
        self.allowlist = tuple(allowlist)
        self.resolver = resolver

    def allowed(self, ip: IPAddress) -> bool:
        return any(ip.version == net.version and ip in net for net in self.allowlist)

    def check_ip(self, host: str, ip: IPAddress) -> None:
        if self.allowed(ip):
            return
        reason = refusal_reason(ip)
        if reason:
            raise _AddressRefused(host, str(ip), reason)

    def addresses(self, host: str) -> list[str]:
        literal = literal_ip(host)
        if literal is not None:
            self.check_ip(host, literal)
            return [str(literal)]
        answers = list(self.resolver(host))
        if not answers:
            raise FetchError(f"The host name {host!r} has no addresses.")
        checked = []
        for answer in answers:
            try:
                ip = ipaddress.ip_address(answer.split("%", 1)[0])
            except ValueError as exc:
                raise FetchError(f"The resolver gave {answer!r} for {host!r}.") from exc
            # Every answer must pass: a name that mixes public and private addresses is refused.
            self.check_ip(host, ip)
            checked.append(str(ip))
        return checked


class _GuardedBackend(httpcore.NetworkBackend):
    """Opens TCP connections only to addresses the guard checked, and to exactly those."""

    def __init__(self, guard: _Guard) -> None:
        self.guard = guard
        self.inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        last: Exception | None = None
        for ip in self.guard.addresses(host):
            try:
                return self.inner.connect_tcp(ip, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None  # noqa: S101 - addresses() never returns an empty list
        raise last

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise _AddressRefused(path, path, "a Unix socket")

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


class _GuardedTransport(httpx.HTTPTransport):
    def __init__(self, guard: _Guard) -> None:
        super().__init__(trust_env=False, retries=0)
        self._pool.close()
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=10,
            max_keepalive_connections=5,
            keepalive_expiry=5.0,
            retries=0,
            network_backend=_GuardedBackend(guard),
        )


def check_url(url: str, allowlist: str | Iterable[str] | None = None) -> None:
    """What `SafeClient` checks of a URL before resolving its host, without a client: the
    scheme, a host, the length, and a host that is an IP literal or `localhost` refused
    unless on `allowlist` (default: `SOITIN_FETCH_ALLOWLIST`); `FetchRefusedError` if not."""
    networks = parse_allowlist(get_settings().fetch_allowlist if allowlist is None else allowlist)
    _check_url(url, _Guard(networks, system_resolver))


def _check_url(url: str, guard: _Guard) -> None:
    if len(url) > MAX_URL_CHARS:
        raise FetchRefusedError(f"Refused a URL longer than {MAX_URL_CHARS} characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchRefusedError(f"Refused {url[:200]!r}: not a valid URL ({exc}).") from exc
    if parts.scheme.lower() not in {"http", "https"}:
        raise FetchRefusedError(f"Refused {url[:200]!r}: only http and https URLs may be fetched.")
    if not parts.hostname:
        raise FetchRefusedError(f"Refused {url[:200]!r}: the URL has no host.")
    if port == 0:
        raise FetchRefusedError(f"Refused {url[:200]!r}: port 0.")
    # a final dot names the same host ("127.0.0.1.", "localhost.")
    host = parts.hostname.rstrip(".")
    # `localhost` is the machine itself whatever a resolver says: checked as 127.0.0.1
    local = host == "localhost" or host.endswith(".localhost")
    literal = ipaddress.IPv4Address("127.0.0.1") if local else literal_ip(host)
    if literal is not None:
        try:
            guard.check_ip(parts.hostname, literal)
        except _AddressRefused as exc:
            raise FetchRefusedError(
                f"Refused {url[:200]}: the host is {exc.ip}, {exc.reason}.", host=host
            ) from None


class SafeClient:
    """GET over http(s) to public addresses only; see the module docstring for the rules.

    `allowlist` defaults to `SOITIN_FETCH_ALLOWLIST`; `resolver` to the system resolver.
    Use as a context manager, or call `close()`.
    """

    def __init__(
        self,
        *,
        allowlist: str | Iterable[str] | None = None,
        resolver: Resolver | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        deadline: float = DEFAULT_DEADLINE,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
        settings: Settings | None = None,
        user_agent: str = USER_AGENT,
    ) -> None:
        if allowlist is None:
            allowlist = (settings or get_settings()).fetch_allowlist
        self._guard = _Guard(parse_allowlist(allowlist), resolver or system_resolver)
        self.timeout = timeout
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self._http = httpx.Client(
            transport=_GuardedTransport(self._guard),
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": user_agent},
        )

    def __enter__(self) -> SafeClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close pooled connections."""
        self._http.close()

    def check_url(self, url: str) -> None:
        """Refuse a URL with another scheme, no host, or a refused host (`check_url`)."""
        _check_url(url, self._guard)

    def get(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        raise_for_status: bool = True,
    ) -> FetchResponse:
        """Fetch `url`, following at most `max_redirects` redirects, each one checked.

        Returns 2xx and 304 responses (and any status when `raise_for_status` is False);
        raises `FetchRefusedError` for refusals and `FetchError` for every other failure.
        """
        started = time.monotonic()
        current = url
        history: list[str] = []
        while True:
            self.check_url(current)
            response = self._send("GET", current, headers)
            try:
                location = response.headers.get("location")
                if response.status_code in _REDIRECTS and location:
                    if len(history) >= self.max_redirects:
                        raise FetchError(
                            f"Too many redirects (more than {self.max_redirects}) from {url}."
                        )
                    history.append(current)
                    current = urljoin(current, location.strip())
                    continue
                if raise_for_status and response.status_code >= 400:
                    phrase = response.reason_phrase or "error"
                    raise FetchError(f"{current} answered HTTP {response.status_code} {phrase}.")
                content = self._read(response, current, started)
            finally:
                response.close()
            return FetchResponse(
                url=current,
                status_code=response.status_code,
                headers={k.lower(): v for k, v in response.headers.items()},
                content=content,
                redirects=history,
                charset=response.charset_encoding,
            )

    def post(
        self,
        url: str,
        *,
        content: bytes,
        headers: Mapping[str, str] | None = None,
        raise_for_status: bool = True,
    ) -> FetchResponse:
        """POST `content` to `url` under the same address rules; redirects are not followed.

        Raises `FetchRefusedError` for refusals and `FetchError` for every other failure
        (and for statuses of 400 and above when `raise_for_status`).
        """
        started = time.monotonic()
        self.check_url(url)
        response = self._send("POST", url, headers, content)
        try:
            if raise_for_status and response.status_code >= 400:
                phrase = response.reason_phrase or "error"
                raise FetchError(f"{url} answered HTTP {response.status_code} {phrase}.")
            body = self._read(response, url, started)
        finally:
            response.close()
        return FetchResponse(
            url=url,
            status_code=response.status_code,
            headers={k.lower(): v for k, v in response.headers.items()},
            content=body,
        )

    def _send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        content: bytes | None = None,
    ) -> httpx.Response:
        try:
            request = self._http.build_request(
                method, url, headers=dict(headers or {}), content=content
            )
            return self._http.send(request, stream=True)
        except _AddressRefused as exc:
            raise FetchRefusedError(
                f"Refused {url[:200]}: {exc}; soitin fetches only public addresses "
                "(see SOITIN_FETCH_ALLOWLIST)."
            ) from None
        except httpx.TimeoutException as exc:
            raise FetchError(f"{url} timed out after {self.timeout:g} s.") from exc
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise FetchRefusedError(f"Refused {url[:200]!r}: {exc}.") from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"Cannot fetch {url}: {exc or type(exc).__name__}.") from exc

    def _read(self, response: httpx.Response, url: str, started: float) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(
                f"{url} announces {int(declared):,} bytes, "
                f"over the limit of {self.max_bytes:,} bytes."
            )
        body = bytearray()
        try:
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > self.max_bytes:
                    raise FetchError(f"{url} sent more than the limit of {self.max_bytes:,} bytes.")
                if time.monotonic() - started > self.deadline:
                    raise FetchError(f"{url} took longer than {self.deadline:g} s in total.")
        except httpx.TimeoutException as exc:
            raise FetchError(f"{url} timed out after {self.timeout:g} s.") from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"Cannot read {url}: {exc or type(exc).__name__}.") from exc
        return bytes(body)


def safe_get(
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    settings: Settings | None = None,
    resolver: Resolver | None = None,
    **options: Any,
) -> FetchResponse:
    """One GET through a fresh `SafeClient` (see `SafeClient.get`)."""
    with SafeClient(settings=settings, resolver=resolver, **options) as client:
        return client.get(url, headers=headers)
