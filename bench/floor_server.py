"""Framework floor: a trivial pygls 2 server that publishes an empty diagnostics list on every open and change."""

from __future__ import annotations

import argparse

from lsprotocol import types
from pygls.lsp.server import LanguageServer


def make_server(sync: str) -> LanguageServer:
    """A server that does nothing but let pygls apply the edit and answer with no diagnostics."""
    kind = types.TextDocumentSyncKind.Incremental if sync == "incremental" else types.TextDocumentSyncKind.Full
    server = LanguageServer("wf-lsp-bench-floor", "0", text_document_sync_kind=kind)

    def _publish(ls: LanguageServer, uri: str, version: int) -> None:
        # Touch the text as a real server must (pygls has already applied the change by now).
        doc = ls.workspace.get_text_document(uri)
        _ = doc.source
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=[]))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: LanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        _publish(ls, params.text_document.uri, params.text_document.version)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: LanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        _publish(ls, params.text_document.uri, params.text_document.version)

    return server


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sync", choices=("full", "incremental"), default="full")
    make_server(ap.parse_args().sync).start_io()


if __name__ == "__main__":
    main()
