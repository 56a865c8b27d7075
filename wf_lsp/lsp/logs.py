"""Logging surfaced to the client as window/logMessage (thread-safe), with stderr for what happens before a client."""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from typing import TYPE_CHECKING

from lsprotocol import types

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

_LEVELS = (
    (logging.ERROR, types.MessageType.Error),
    (logging.WARNING, types.MessageType.Warning),
    (logging.INFO, types.MessageType.Info),
)


class ClientLogHandler(logging.Handler):
    """Sends records to the client; records from worker threads are handed to the event loop first."""

    def __init__(self, server: LanguageServer) -> None:
        super().__init__()
        self._server = server
        self.loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Remember the event loop that owns the connection."""
        self.loop = loop
        self._loop_thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            kind = next((t for level, t in _LEVELS if record.levelno >= level), types.MessageType.Log)
            params = types.LogMessageParams(type=kind, message=self.format(record))
            if self.loop is None:
                sys.stderr.write(params.message + "\n")
            elif threading.get_ident() == self._loop_thread:
                self._server.window_log_message(params)
            elif not self.loop.is_closed():
                self.loop.call_soon_threadsafe(self._server.window_log_message, params)
        except Exception:
            self.handleError(record)


#: pygls messages that are routine in a healthy session, and the level they deserve (pygls logs them as warnings).
_ROUTINE = (
    # a client cancels a request the server has already answered: every editor does this all day
    ("Cancel notification for unknown message id", logging.DEBUG),
    # a notification the server does not handle (`$/setTrace`, `workspace/didChangeWatchedFiles` before registering)
    ("Ignoring notification for unknown method", logging.INFO),
)


class _Relevel(logging.Filter):
    """Gives pygls's routine messages their own level, so editors do not show them as problems."""

    def filter(self, record: logging.LogRecord) -> bool:
        for prefix, level in _ROUTINE:
            if record.name.startswith("pygls") and isinstance(record.msg, str) and record.msg.startswith(prefix):
                record.levelno, record.levelname = level, logging.getLevelName(level)
        return True


def setup(server: LanguageServer, level: str) -> ClientLogHandler:
    """Route the `wf_lsp` loggers and pygls's warnings to the client as log messages, each at its own level
    (stderr, which editors show as errors, only before a client is connected)."""
    handler = ClientLogHandler(server)
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    handler.addFilter(_Relevel())  # on the handler: filters on the `pygls` logger miss its child loggers' records
    ours = logging.getLogger("wf_lsp")
    ours.handlers[:] = [handler]
    ours.setLevel(getattr(logging, str(level).upper(), logging.INFO))
    ours.propagate = False
    pygls_log = logging.getLogger("pygls")
    pygls_log.handlers[:] = [handler]
    pygls_log.setLevel(logging.WARNING)
    pygls_log.propagate = False
    return handler
