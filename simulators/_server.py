"""Run any ASGI app under uvicorn in a background thread with its own event loop, on loopback."""

from __future__ import annotations

import asyncio
import socket
import threading
from typing import TYPE_CHECKING, Any, Self

import uvicorn

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType


__all__ = ["ServerThread"]


class _Server(uvicorn.Server):
    """uvicorn's server, telling a thread once it accepts connections (or failed to start)."""

    def __init__(self, config: uvicorn.Config, ready: threading.Event) -> None:
        super().__init__(config)
        self._ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets=sockets)
        finally:
            self._ready.set()


class ServerThread:
    """An ASGI app served on `127.0.0.1` (an ephemeral port by default) from a daemon thread.

    The app is always taken as ASGI 3: a coroutine function, a bound async method or an object with an
    async `__call__`.

    `start()` returns once the socket accepts connections (or raises after `startup_timeout` seconds, e.g.
    when the app never completes the lifespan startup); `stop()` shuts down gracefully and, after
    `shutdown_timeout` seconds, cancels handlers that are still running (e.g. sleeping), so it never hangs.
    """

    def __init__(
        self,
        app: Callable[..., Any],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        name: str = "asgi-server",
        shutdown_timeout: int = 1,
        startup_timeout: float = 10.0,
        log_level: str = "warning",
    ) -> None:
        self.app = app
        self.host = host
        self.name = name
        self.shutdown_timeout = shutdown_timeout
        self.startup_timeout = startup_timeout
        self._requested_port = port
        self._log_level = log_level
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._server: _Server | None = None
        self._socket: socket.socket | None = None
        self._port: int | None = None
        self._error: BaseException | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    @property
    def port(self) -> int:
        """The bound port (only after `start()`)."""
        if self._port is None:
            raise RuntimeError(f"{self.name} is not started")
        return self._port

    @property
    def url(self) -> str:
        """Base URL, e.g. `http://127.0.0.1:54321` (no trailing slash)."""
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        """Whether the serving thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> Self:
        """Bind, start serving in the background, and wait until connections are accepted."""
        if self._thread is not None:
            raise RuntimeError(f"{self.name} was already started")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Inherited by accepted sockets: otherwise each response body waits ~40 ms behind its headers.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((self.host, self._requested_port))
        sock.listen(128)
        sock.setblocking(False)  # noqa: FBT003 - the socket API
        self._socket = sock
        self._port = int(sock.getsockname()[1])
        config = uvicorn.Config(
            self.app,
            log_level=self._log_level,
            http="h11",
            loop="asyncio",
            # Always ASGI 3: uvicorn's "auto" takes a bound async method for an ASGI 2 app and breaks it.
            interface="asgi3",
            lifespan="auto",
            timeout_graceful_shutdown=self.shutdown_timeout,
            access_log=False,
        )
        self._server = _Server(config, self._ready)
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()
        if not self._ready.wait(self.startup_timeout):
            self._server.should_exit = self._server.force_exit = True
            raise RuntimeError(
                f"{self.name} did not start within {self.startup_timeout}s: does the app answer "
                '"lifespan.startup" with "lifespan.startup.complete" (or ignore lifespan scopes)?'
            )
        if self._error is not None or not self._server.started:
            self.stop()
            raise RuntimeError(f"{self.name} failed to start") from self._error
        return self

    def _run(self) -> None:
        if self._server is None or self._socket is None:
            return
        loop = asyncio.new_event_loop()
        self.loop = loop
        try:
            loop.run_until_complete(self._server.serve(sockets=[self._socket]))
        except BaseException as exc:
            self._error = exc
        finally:
            self._ready.set()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    def stop(self) -> None:
        """Stop serving; waits at most about `shutdown_timeout` plus a second."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.should_exit = True
        thread.join(self.shutdown_timeout + 1.0)
        if thread.is_alive():
            server.force_exit = True
            thread.join(2.0)
        if self._socket is not None:
            self._socket.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
