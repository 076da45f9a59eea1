"""HTTP to the Bot API: `AiohttpRequest`, PTB's request interface (`BaseRequest`) over aiohttp.

PTB's stock transport is httpx. Under `bench/e2e.py`'s load (64 updates in flight, 8
connections), a profile of a trivial echo bot on it showed 73 % of the time in httpx and
httpcore, a fifth of it in the pool's bookkeeping: each time a request starts or ends, the pool
walks every connection and every queued request and polls idle sockets (encode/httpcore#1035,
pydantic/httpx2#1075). That echo bot used 2.4-3.0 ms of CPU per message on httpx and
0.6-0.85 ms on this transport; ours, with the whole engine, 1.2-1.6 ms.

- Calls go as one JSON body (the Bot API accepts JSON or forms; a form percent-encodes every byte
  of Russian text in Python). Uploads go as multipart forms.
- At most `connection_pool_size` calls at once. A call waits up to `pool_timeout` for a free slot
  and then fails with `TimedOut` without having been sent, so retrying it cannot double a reply.
- Timeouts: `connect_timeout` to resolve the host and connect, `read_timeout` between bytes of
  the answer. aiohttp has no write timeout: a JSON call fits in the socket's buffer at once, so
  a server that stops reading is caught by the read timeout; an upload gets a limit on the whole
  call instead (connect + write + read, the write part `media_write_timeout` by default).
- As with PTB's httpx transport: certificates from ``SSL_CERT_FILE`` or ``SSL_CERT_DIR`` if set,
  else certifi's (slim containers have no system store); proxies from ``HTTPS_PROXY`` /
  ``HTTP_PROXY`` / ``ALL_PROXY`` and ``NO_PROXY``, read once at `initialize` (aiohttp's own
  ``trust_env`` reads them, and ``~/.netrc``, on every call: four times the CPU); idle
  connections kept for 5 s.
- Errors: timeouts become PTB's `TimedOut`, other connection failures `NetworkError`. Their
  messages keep the cause's text with the bot token (it is in the URL) masked, and drop the
  cause itself, which may quote the URL.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import ssl
import urllib.request
from typing import IO, Any
from urllib.parse import urlsplit

import aiohttp
import certifi
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.tg import redact

#: Seconds an idle connection is kept open (httpx's default).
KEEPALIVE = 5.0
_NOT_SENT = "Pool timeout: every connection is busy; the request was not sent"
_TOKEN_IN_URL = re.compile(r"/bot([^/]+)/")


class AiohttpRequest(BaseRequest):
    """PTB's `BaseRequest` over one aiohttp session (keep-alive, up to `connection_pool_size`)."""

    def __init__(
        self,
        connection_pool_size: int = 1,
        *,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        if connection_pool_size < 1:
            raise ValueError("connection_pool_size must be at least 1")
        self._size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._slots: asyncio.Semaphore | None = None
        self._proxies: dict[str, str] = {}  # scheme -> proxy URL ("no": the bypass list)
        self._proxy_of: dict[tuple[str, str], str | None] = {}  # (scheme, host:port) -> proxy

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout; PTB adds it to the long-polling timeout of getUpdates."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (again, after `shutdown`), reading certificates and proxies."""
        if self._session is None or self._session.closed:
            self._proxies = urllib.request.getproxies_environment()
            self._proxy_of = {}
            self._slots = asyncio.Semaphore(self._size)  # bound to this event loop
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=self._size, ssl=_ssl_context(), keepalive_timeout=KEEPALIVE
                ),
                headers={"User-Agent": self.USER_AGENT},
                cookie_jar=aiohttp.DummyCookieJar(),  # the Bot API sets none
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one call and return the HTTP status and body; see `BaseRequest.do_request`."""
        if self._session is None or self._session.closed:
            await self.initialize()
        assert self._session is not None and self._slots is not None
        upload = request_data is not None and request_data.contains_files
        connect = _given(connect_timeout, self._connect_timeout)
        read = _given(read_timeout, self._read_timeout)
        write = _given(write_timeout, self._media_write_timeout if upload else self._write_timeout)
        whole = connect + write + read if upload and None not in (connect, write, read) else None
        timeout = aiohttp.ClientTimeout(total=whole, connect=connect, sock_connect=connect, sock_read=read)
        try:
            async with asyncio.timeout(_given(pool_timeout, self._pool_timeout)):
                await self._slots.acquire()
        except TimeoutError:
            raise TimedOut(_NOT_SENT) from None
        try:
            async with self._session.request(
                method,
                url,
                timeout=timeout,
                allow_redirects=False,
                proxy=self._proxy(url),
                **_body(request_data),
            ) as response:
                return response.status, await response.read()
        # `from None`: the causes may quote the URL, and with it the token.
        except TimeoutError as exc:  # aiohttp's own timeouts subclass it too
            raise TimedOut(f"Timed out: {_masked(exc, url)}" if str(exc) else None) from None
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{exc.__class__.__name__}: {_masked(exc, url)}") from None
        finally:
            self._slots.release()

    def _proxy(self, url: str) -> str | None:
        """The proxy for `url` from the environment, as urllib (and httpx) choose it."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc.rpartition("@")[2])
        if key not in self._proxy_of:
            proxy = self._proxies.get(parts.scheme) or self._proxies.get("all")
            if proxy and urllib.request.proxy_bypass_environment(key[1], self._proxies):
                proxy = None
            self._proxy_of[key] = proxy
        return self._proxy_of[key]


def _given(value: Any, default: float | None) -> float | None:
    return default if value is BaseRequest.DEFAULT_NONE else value


def _ssl_context() -> ssl.SSLContext:
    """Certificates as httpx finds them: ``SSL_CERT_FILE``, ``SSL_CERT_DIR``, else certifi's."""
    if path := os.environ.get("SSL_CERT_FILE"):
        return ssl.create_default_context(cafile=path)
    if path := os.environ.get("SSL_CERT_DIR"):
        return ssl.create_default_context(capath=path)
    return ssl.create_default_context(cafile=certifi.where())


def _body(request_data: RequestData | None) -> dict[str, Any]:
    """aiohttp keyword arguments for the call's parameters: a JSON body, or a multipart form."""
    if request_data is None:
        return {}
    if not request_data.contains_files:
        text = json.dumps(request_data.parameters, ensure_ascii=False, separators=(",", ":"))
        # "replace": a lone surrogate (from a user's odd text) cannot be UTF-8; send "?" for it.
        return {"data": text.encode("utf-8", "replace"), "headers": {"Content-Type": "application/json"}}
    form = aiohttp.FormData(quote_fields=False)  # raw UTF-8 file names, as Telegram reads them
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        data = content if isinstance(content, bytes) else _read_back(content)
        form.add_field(name, data, filename=filename, content_type=mimetype)
    return {"data": form}


def _read_back(handle: IO[bytes]) -> bytes:
    """The rest of the caller's file, leaving it open where it was (aiohttp would close it)."""
    start = handle.tell() if handle.seekable() else None
    data = handle.read()
    if start is not None:
        handle.seek(start)
    return data


def _masked(exc: BaseException, url: str) -> str:
    """The error's text with the bot token of `url` (and its secret half) redacted."""
    token = match.group(1) if (match := _TOKEN_IN_URL.search(url)) else None
    return redact.redact(str(exc), redact.secret_parts(token))
