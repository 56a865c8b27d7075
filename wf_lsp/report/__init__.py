"""Output formats of `wf-lsp check`: text, JSON, SARIF 2.1.0 and GitHub annotations, plus per-tenant reports."""
