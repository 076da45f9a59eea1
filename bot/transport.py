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
- Timeouts: `connect_timeout` to open a connection, `read_timeout` between bytes of the answer.
  aiohttp has no write timeout; `write_timeout` is accepted and unused. A JSON call fits in the
  socket's buffer at once, so a server that stops reading is caught by the read timeout; an
  upload larger than that buffer (the bot sends none) could wait on such a server.
- Like PTB's transport: certificates come from certifi (not the system's store, which slim
  containers lack), and ``HTTPS_PROXY`` / ``HTTP_PROXY`` / ``NO_PROXY`` are honoured.
- Errors: timeouts become PTB's `TimedOut`, other connection failures `NetworkError`, as with
  PTB's own transport. Messages name the failure, never the URL (it contains the bot token).
"""

from __future__ import annotations

import asyncio
import json
import ssl
from typing import Any

import aiohttp
import certifi
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_NOT_SENT = "Pool timeout: every connection is busy; the request was not sent"


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
    ) -> None:
        if connection_pool_size < 1:
            raise ValueError("connection_pool_size must be at least 1")
        self._size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout  # see the module docstring
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._slots = asyncio.Semaphore(connection_pool_size)
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout; PTB adds it to the long-polling timeout of getUpdates."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (again, after `shutdown`)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=self._size, ssl=ssl.create_default_context(cafile=certifi.where())
                ),
                headers={"User-Agent": self.USER_AGENT},
                cookie_jar=aiohttp.DummyCookieJar(),  # the Bot API sets none
                trust_env=True,
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
            raise RuntimeError("This AiohttpRequest is not initialized")
        timeout = aiohttp.ClientTimeout(
            sock_connect=self._connect_timeout
            if connect_timeout is BaseRequest.DEFAULT_NONE
            else connect_timeout,
            sock_read=self._read_timeout if read_timeout is BaseRequest.DEFAULT_NONE else read_timeout,
        )
        try:
            async with asyncio.timeout(
                self._pool_timeout if pool_timeout is BaseRequest.DEFAULT_NONE else pool_timeout
            ):
                await self._slots.acquire()
        except TimeoutError as exc:
            raise TimedOut(_NOT_SENT) from exc
        try:
            async with self._session.request(
                method, url, timeout=timeout, allow_redirects=False, **_body(request_data)
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:  # aiohttp's own timeouts subclass it too
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{exc.__class__.__name__}: {_without(url, exc)}") from exc
        finally:
            self._slots.release()


def _body(request_data: RequestData | None) -> dict[str, Any]:
    """aiohttp keyword arguments for the call's parameters: a JSON body, or a multipart form."""
    if request_data is None:
        return {}
    if not request_data.contains_files:
        text = json.dumps(request_data.parameters, ensure_ascii=False, separators=(",", ":"))
        return {"data": text.encode(), "headers": {"Content-Type": "application/json"}}
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return {"data": form}


def _without(url: str, exc: BaseException) -> str:
    """The error's text without the URL, whose path holds the bot token."""
    return str(exc).replace(url, "<Bot API URL>")
