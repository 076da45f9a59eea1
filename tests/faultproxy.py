"""A fault-injecting HTTP proxy for the Bot API (loopback only), between the bot and the emulator.

The bot is pointed at the proxy; the proxy forwards each request to the emulator, unless a fault
is on. Faults are the ways the real Bot API fails, none of which lets the request reach the API:

- ``"500"`` / ``"502"``: answer that status (JSON body, as Telegram's front ends do);
- ``"429"``: answer Too Many Requests with ``retry_after``;
- ``"timeout"``: read the request and never answer, until the bot gives up and hangs up;
- ``"refuse"`` / ``"restart"``: stop listening and drop every open connection, as a Bot API server
  restarting does: a request it already took is finished and answered first (a long poll is
  cut at once), then new connections are refused until the fault is off and it listens again
  on the same port.

(A connection cut after the API processed a request, without its answer, is the one failure a
client cannot tell from "never arrived"; the bot then sends that reply twice, see
docs/reliability.md. These faults never produce it.)

Everything runs in a background thread with its own loop; every wait is bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable
from typing import Any, TypeVar

from tests.loopthread import LoopThread

T = TypeVar("T")

#: Longest a "timeout" fault holds a request (the bot gives up long before).
MAX_HOLD = 60.0

_REASONS = {429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway"}


def _response(status: int, payload: dict[str, Any]) -> bytes:
    data = json.dumps(payload).encode()
    return (
        f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(data)}\r\n\r\n".encode()
        + data
    )


async def _read_response(reader: asyncio.StreamReader) -> bytes:
    """One whole HTTP response (status line, headers, Content-Length body) as raw bytes."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.decode("latin-1").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    return head + await reader.readexactly(length)


# --- HTTP/1.1 on raw connections: the faults need to hold, cut and refuse connections themselves


def _gone(client: asyncio.StreamReader | None) -> bool:
    """Whether the client of this connection has hung up (closed or reset it)."""
    return client is not None and (client.at_eof() or client.exception() is not None)


async def _unless_hung_up(reader: asyncio.StreamReader, work: Awaitable[T]) -> T | None:
    """The result of `work`, or None (and `work` cancelled) if the client closes first."""
    task = asyncio.ensure_future(work)
    hangup = asyncio.ensure_future(reader.read(1))  # HTTP/1.1 clients send nothing meanwhile
    await asyncio.wait({task, hangup}, return_when=asyncio.FIRST_COMPLETED)
    hangup.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await hangup
    if not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return None
    return task.result()


async def _read_request(
    reader: asyncio.StreamReader,
) -> tuple[str, str, dict[str, str], bytes] | None:
    """One request (verb, target, lower-case headers, body), or None once the client is done."""
    line = await reader.readline()
    if not line.strip():
        return None
    verb, target, _version = line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while (header := await reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = header.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if "transfer-encoding" in headers:
        raise ValueError("the proxy takes bodies with a Content-Length only (the bot sends no other)")
    return verb, target, headers, await reader.readexactly(int(headers.get("content-length", 0)))


class FaultProxy(LoopThread):
    """Forwards 127.0.0.1:<port> to the emulator's port; `fault` switches failures on and off."""

    thread_name = "fault-proxy"

    def __init__(self, upstream_port: int, retry_after: int = 1) -> None:
        self.upstream_port = upstream_port
        self.retry_after = retry_after
        self.port = 0
        self.mode: str | None = None
        self.faulted: dict[str, int] = {}  #: requests answered with a fault, by mode
        self.forwarded = 0
        self.dropped = 0  #: connections cut by "refuse" / "restart"
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._busy: set[asyncio.StreamWriter] = set()  # forwarding a request other than a long poll
        self._polls: dict[asyncio.StreamReader, asyncio.StreamWriter] = {}  # bot side -> upstream

    @property
    def url(self) -> str:
        """Root URL to give the bot as its Bot API server."""
        return f"http://127.0.0.1:{self.port}"

    # --- control (from tests) ------------------------------------------------------------------

    def fault(self, mode: str | None) -> None:
        """Switch a fault on (see the module docstring), or off with None."""
        assert mode in (None, "500", "502", "429", "timeout", "refuse", "restart"), mode
        self._run(self._set(mode))

    def _run(self, coroutine: Any) -> Any:
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(10)

    async def _set(self, mode: str | None) -> None:
        was, self.mode = self.mode, mode
        if mode in ("refuse", "restart"):
            await self._drop_all()
        elif was in ("refuse", "restart") and self._server is None:
            await self._listen()

    # --- serving -------------------------------------------------------------------------------

    async def _open(self) -> None:
        await self._listen()

    async def _close(self) -> None:
        await self._drop_all()

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._client, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _drop_all(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        self.dropped += len(self._writers)
        for writer in list(self._writers - self._busy):  # busy ones close after their answer
            writer.close()
        self._writers &= self._busy

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        try:
            while (request := await _read_request(reader)) is not None:
                verb, target, headers, body = request
                mode = self.mode
                if mode in ("500", "502", "429"):
                    self.faulted[mode] = self.faulted.get(mode, 0) + 1
                    status = int(mode)
                    payload: dict[str, Any] = {"ok": False, "error_code": status,
                                               "description": _REASONS[status]}  # fmt: skip
                    if status == 429:
                        payload["description"] = f"Too Many Requests: retry after {self.retry_after}"
                        payload["parameters"] = {"retry_after": self.retry_after}
                    writer.write(_response(status, payload))
                    await writer.drain()
                    continue
                if mode == "timeout":
                    self.faulted[mode] = self.faulted.get(mode, 0) + 1
                    with contextlib.suppress(TimeoutError):  # until the bot hangs up
                        await asyncio.wait_for(reader.read(1), MAX_HOLD)
                    break
                if mode in ("refuse", "restart"):
                    break
                if upstream is None:
                    upstream = await asyncio.open_connection("127.0.0.1", self.upstream_port)
                if target.endswith("/getUpdates"):
                    await self._end_abandoned_polls()
                    self._polls[reader] = upstream[1]
                else:
                    self._busy.add(writer)
                head = f"{verb} {target} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
                upstream[1].write(head.encode("latin-1") + b"\r\n" + body)
                await upstream[1].drain()
                # If the bot hangs up meanwhile (an abandoned long poll), hang up on the API too.
                response = await _unless_hung_up(
                    reader, asyncio.wait_for(_read_response(upstream[0]), MAX_HOLD)
                )
                if response is None:
                    break  # the long poll is ended upstream on the way out
                self._polls.pop(reader, None)
                self.forwarded += 1
                writer.write(response)
                await writer.drain()
                self._busy.discard(writer)
                if self.mode in ("refuse", "restart"):
                    break
        except (ConnectionError, asyncio.IncompleteReadError, TimeoutError, ValueError):
            pass
        finally:
            await self._end_poll(reader)
            self._busy.discard(writer)
            self._writers.discard(writer)
            writer.close()
            if upstream is not None:
                upstream[1].close()

    async def _end_poll(self, bot_side: asyncio.StreamReader) -> None:
        """Hang up upstream on a long poll the bot hung up on; forget it once that is done."""
        upstream = self._polls.get(bot_side)
        if upstream is not None:
            upstream.close()
            with contextlib.suppress(ConnectionError):
                await upstream.wait_closed()
            self._polls.pop(bot_side, None)

    async def _end_abandoned_polls(self) -> None:
        """End, upstream, every long poll the bot has hung up on, before a new one goes through.

        On a real network the API sees the bot's hang-up before its next request; here the two
        race through the proxy, and the API would answer the old poll 409 Conflict. A poll stays
        listed until its upstream connection is closed, also while its own connection task is
        closing it, so a new poll never overtakes that hang-up.
        """
        await asyncio.gather(*(self._end_poll(bot_side) for bot_side in list(self._polls) if _gone(bot_side)))
