"""The protocol: JSON-RPC intake that answers every request, and document sync into our own store."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Generator
from typing import Any

import cattrs
from lsprotocol import types
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.json_rpc import JsonRPCNotification, JsonRPCRequestMessage, JsonRPCResponseMessage
from pygls.protocol.language_server import lsp_method

log = logging.getLogger("wf_lsp.lsp.protocol")

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
SERVER_NOT_INITIALIZED = -32002
#: Longest protocol value (an id, a method name) quoted back in a log line or an error message.
_QUOTE = 60


def _quote(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _QUOTE else text[:_QUOTE] + "…"


def _describe(message: Any) -> str:
    """A message's shape, never its content (params may carry a workflow's text, secrets included)."""
    if not isinstance(message, dict):
        size = f" of {len(message)}" if isinstance(message, list | str) else ""
        return f"a JSON {type(message).__name__}{size}"
    parts = [f"{key} {_quote(message[key])}" for key in ("method", "id") if key in message]
    return ", ".join(parts + [f"members {', '.join(sorted(map(str, message)))[:_QUOTE]}"])


def _why(exc: Exception) -> str:
    """What was wrong with a message's fields, as the paths cattrs names ("... @ $.params.position.line")."""
    if isinstance(exc, cattrs.ClassValidationError | cattrs.IterableValidationError):
        try:
            return "; ".join(cattrs.transform_error(exc, path="$"))[:500]
        except Exception:  # a shape transform_error cannot describe: its own words will do
            pass
    return f"{type(exc).__name__}: {exc}"[:500]


#: What of pygls (2.1) this protocol relies on, beyond its public API; tests/lsp/test_protocol_internals.py checks each.
#: `_converter`, `_send_data`, `_include_headers`, `_shutdown`, `_request_futures`, `_result_types`, `_handle_response`,
#: `_server`, `fm` (its `features` and `builtin_features`), `lsp_method`, and that a handler overriding pygls's document
#: sync by the method's name `lsp_text_document__did_*` replaces it.
PYGLS_INTERNALS = (
    "_converter",
    "_send_data",
    "_include_headers",
    "_shutdown",
    "_request_futures",
    "_result_types",
    "_handle_response",
    "_server",
    "fm",
)


class WfProtocol(LanguageServerProtocol):
    """pygls's protocol, hardened, with document sync routed to our store.

    Document sync: didOpen, didChange and didClose update `server.documents` (wf_lsp/lsp/documents.py) before the
    server's own handlers run: pygls 2.1 re-splits the whole text on every incremental edit (12 ms at 47k lines), our
    store patches the text and the line starts near the edit.

    Intake: it never drops a request without an answer.

    pygls structures messages inside `json.loads` (as its object hook), so a request whose params have the wrong types
    raises before its id is known and is never answered; a message without `"jsonrpc"` crashes the handler; requests
    after `shutdown` are dropped in silence. Here the hook keeps plain objects and `handle_message` checks the top level
    first: invalid messages get InvalidRequest, unknown methods MethodNotFound, bad params InvalidParams, requests
    before `initialize` ServerNotInitialized and after `shutdown` InvalidRequest, each with a log line; notifications
    that cannot be handled are ignored (as the spec says) with a log line."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initialize_seen = False
        self._ignored_methods: set[str] = set()
        self._writes: set[asyncio.Future[Any]] = set()

    @property
    def converter(self) -> Any:
        """The cattrs converter that turns lsprotocol objects into JSON values."""
        return self._converter

    def notify_json(self, method: str, params: dict[str, Any]) -> None:
        """Send a notification whose params are plain JSON values already (converted off the event loop)."""
        self._send_data({"jsonrpc": self.VERSION, "method": method, "params": params})

    def send_encoded(self, body: bytes) -> None:
        """Send a message already written as UTF-8 JSON (off the event loop), framed as pygls frames what it sends."""
        if self.writer is None:
            log.error("cannot send a message: no transport")
            return
        header = b""
        if self._include_headers:
            kind = f"{self.CONTENT_TYPE}; charset={self.CHARSET}"
            header = f"Content-Length: {len(body)}\r\nContent-Type: {kind}\r\n\r\n".encode("ascii")
        try:
            res = self.writer.write(header + body)
            if inspect.isawaitable(res):  # an asynchronous writer: kept until it is done
                task = asyncio.ensure_future(res)
                self._writes.add(task)
                task.add_done_callback(self._writes.discard)
        except BrokenPipeError:
            log.exception("the client's pipe is closed")
            raise
        except Exception:
            log.exception("sending a message failed")

    # -- document sync ------------------------------------------------------------------------
    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams) -> Generator[Any, Any, None]:
        self._server.documents.open(params.text_document)  # type: ignore[attr-defined]
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_OPEN)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> Generator[Any, Any, None]:
        doc = self._server.documents.change(params, self.workspace.position_codec)  # type: ignore[attr-defined]
        if doc is not None and (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams) -> Generator[Any, Any, None]:
        doc = self._server.documents.close(params.text_document.uri)  # type: ignore[attr-defined]
        if doc is not None and (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CLOSE)) is not None:
            yield handler, (params,), None

    # -- intake -------------------------------------------------------------------------------
    @property
    def shutdown_received(self) -> bool:
        """Whether the client asked to shut down (the exit code depends on it)."""
        return self._shutdown

    def structure_message(self, data: dict[str, Any]) -> Any:
        """The `json.loads` object hook: keep every object as parsed (the top level is structured in handle_message;
        the frame reader, framing.read_messages, hands over objects as parsed without calling it)."""
        return data

    def reply_error(self, msg_id: int | str | None, code: int, message: str) -> None:
        """Send an error response (id null when the request's id could not be read)."""
        self._send_data({"jsonrpc": self.VERSION, "id": msg_id, "error": {"code": code, "message": message}})

    def handle_message(self, message: Any) -> None:
        if not isinstance(message, dict):
            log.warning("invalid JSON-RPC message (not an object): %s", _describe(message))
            self.reply_error(
                None, INVALID_REQUEST, f"Invalid Request: a message must be a JSON object, not {type(message).__name__}"
            )
            return
        method = message.get("method")
        msg_id = message.get("id")
        is_request = "method" in message and "id" in message
        if "method" not in message and "id" not in message:
            log.warning("invalid JSON-RPC message (no method and no id): %s", _describe(message))
            self.reply_error(None, INVALID_REQUEST, "Invalid Request: neither a request, a notification nor a response")
            return
        problem = self._invalid(message, method, msg_id)
        if problem is not None:
            log.warning("invalid JSON-RPC message (%s): %s", problem, _describe(message))
            good_id = msg_id if isinstance(msg_id, int | str) and not isinstance(msg_id, bool) else None
            if "method" in message:
                self.reply_error(good_id, INVALID_REQUEST, f"Invalid Request: {problem}")
            elif good_id in self._request_futures:  # a response is not answered: the request it answers fails instead
                self._handle_response(
                    good_id, None, types.ResponseError(code=INVALID_REQUEST, message=f"invalid response: {problem}")
                )
            return
        if "method" not in message:
            self._response(message, msg_id)
            return
        method = str(method)  # checked above
        if self._refused(method, msg_id, is_request):
            return
        if method not in self.fm.builtin_features and method not in self.fm.features and method != types.CANCEL_REQUEST:
            if is_request:
                log.warning("request %s for an unknown method %r: MethodNotFound", _quote(msg_id), method)
                self.reply_error(msg_id, METHOD_NOT_FOUND, f"Method Not Found: {method}")
            elif (
                method not in self._ignored_methods
            ):  # said once per method: some clients send one with every keystroke
                self._ignored_methods.add(method)
                log.info("ignored notification %r (unknown method)", method)
            return
        try:
            structured = self._structure(message)
        except Exception as exc:
            why = _why(exc)
            if is_request:
                log.warning("request %s (%s) has invalid params: %s", _quote(msg_id), method, why)
                self.reply_error(msg_id, INVALID_PARAMS, f"Invalid params for {method}: {why}")
            elif method == types.TEXT_DOCUMENT_DID_CHANGE:  # nothing can be applied: say what that means
                log.error(
                    "ignored a didChange with invalid params (%s): the document may now differ from the editor's", why
                )
            else:
                log.warning("ignored notification %r: invalid params: %s", method, why)
            return
        if method == types.INITIALIZE:
            self.initialize_seen = True
        super().handle_message(structured)

    # -- checks -------------------------------------------------------------------------------
    def _invalid(self, message: dict[str, Any], method: Any, msg_id: Any) -> str | None:
        """Why a message is not valid JSON-RPC 2.0, or None."""
        if message.get("jsonrpc") != self.VERSION:
            return f'"jsonrpc" must be "2.0", got {_quote(message.get("jsonrpc"))}'
        if "method" in message and not isinstance(method, str):
            return f'"method" must be a string, got {_quote(method)}'
        if "id" in message and (isinstance(msg_id, bool) or not isinstance(msg_id, int | str | None)):
            return f'"id" must be a number or a string, got {_quote(msg_id)}'
        if "method" in message and "params" in message and not isinstance(message["params"], dict | list | None):
            return f'"params" must be an object or an array, got {_quote(message["params"])}'
        return None

    def _refused(self, method: str, msg_id: Any, is_request: bool) -> bool:
        """Requests after shutdown and before initialize are refused, notifications then are dropped (except exit)."""
        if method == types.EXIT:
            return False
        if self._shutdown:
            if is_request:
                log.warning("request %s (%s) after shutdown: InvalidRequest", _quote(msg_id), method)
                self.reply_error(
                    msg_id, INVALID_REQUEST, f"Invalid Request: the server is shutting down ({method} after shutdown)"
                )
            else:
                log.info("ignored notification %r after shutdown", method)
            return True
        if not self.initialize_seen and method != types.INITIALIZE:
            if is_request:
                log.warning("request %s (%s) before initialize: ServerNotInitialized", _quote(msg_id), method)
                self.reply_error(msg_id, SERVER_NOT_INITIALIZED, f"Server not initialized: {method} before initialize")
            else:
                log.info("ignored notification %r before initialize", method)
            return True
        return False

    def _structure(self, data: dict[str, Any]) -> Any:
        """The typed message for a top-level object (pygls's structure_message without its swallowing of the id)."""
        method = data.get("method")
        if "id" in data:
            if "error" in data:
                kind: Any = types.ResponseErrorMessage
            elif method is not None:
                kind = self.get_message_type(method) or JsonRPCRequestMessage
            else:
                kind = self._result_types.pop(data["id"], None) or JsonRPCResponseMessage
        else:
            kind = self.get_message_type(method or "") or JsonRPCNotification
        return self._converter.structure(data, kind)

    def _response(self, message: dict[str, Any], msg_id: Any) -> None:
        """A response from the client; one that cannot be read fails the server's pending request instead of hanging
        it."""
        try:
            structured = self._structure(message)
        except Exception as exc:
            why = _why(exc)
            log.warning("the client's response %s cannot be read: %s", _quote(msg_id), why)
            self._handle_response(
                msg_id, None, types.ResponseError(code=INVALID_PARAMS, message=f"unreadable response: {why}")
            )
            return
        super().handle_message(structured)
