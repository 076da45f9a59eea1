"""A loopback server with its own asyncio loop on a background thread (the emulator, the proxy)."""

from __future__ import annotations

import asyncio
import threading
from typing import Self


class LoopThread:
    """`start()` runs `_open()` in a new loop on a daemon thread and serves until `stop()`,
    which runs `_close()`, cancels what is still running (e.g. open connections) and joins the
    thread. Also a context manager."""

    thread_name = "loopback-server"
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None

    def start(self) -> Self:
        """Open in a background thread; returns once `_open()` is done."""
        ready = threading.Event()

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            loop.run_until_complete(self._open())
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._close())
            loop.run_until_complete(_cancel_remaining_tasks())
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=serve, name=self.thread_name, daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError(f"{self.thread_name} did not start")
        return self

    def stop(self) -> None:
        """Stop serving and join the thread."""
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def _open(self) -> None:
        """Inside the loop, before serving: e.g. start listening."""
        raise NotImplementedError

    async def _close(self) -> None:
        """Inside the loop, after serving."""


async def _cancel_remaining_tasks() -> None:
    """Cancel every other task of the loop and wait for each to finish (closing its connection).

    A task left pending when the loop closes is destroyed later, by the garbage collector, with
    an "Event loop is closed" error and an unclosed socket.
    """
    tasks = asyncio.all_tasks() - {asyncio.current_task()}
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.sleep(0)  # the connections' close callbacks, scheduled by those tasks
