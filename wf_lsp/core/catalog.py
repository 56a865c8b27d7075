"""The rule catalog: every code wf-lsp reports, with severity, message, suggestion, docs and profiles."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources

from wf_lsp.core.findings import Severity

DOCS_URL = "https://github.com/wf-lsp/wf-lsp/blob/main/docs/rules.md#"
DEFAULT_SUGGESTION = "Fix this validation issue and retry."


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: its code, default severity, message template, suggestion, doc text, fix and profiles."""

    code: str
    severity: Severity
    message: str
    suggestion: str
    doc: str
    has_fix: bool
    profiles: frozenset[str]
    concern: str
    javascript: str = ""  # where the real validator's answer depends on JavaScript semantics, and how

    @property
    def url(self) -> str:
        """Where the rule's documentation lives (codeDescription.href)."""
        return DOCS_URL + self.code.lower()


def _load() -> dict[str, Rule]:
    raw = tomllib.loads(resources.files("wf_lsp.core").joinpath("data/rules.toml").read_text(encoding="utf-8"))
    return {
        code: Rule(
            code=code,
            severity=Severity.parse(t["severity"]),
            message=t["message"],
            suggestion=t["suggestion"],
            doc=" ".join(t["doc"].split()),
            has_fix=bool(t["fix"]),
            profiles=frozenset(t["profiles"]),
            concern=t["concern"],
            javascript=" ".join(t.get("javascript", "").split()),
        )
        for code, t in raw.items()
    }


#: Every code wf-lsp can report, in documentation order.
RULES: dict[str, Rule] = _load()

#: The oracle's suggestion table (spec 4.2): only these codes have specific text there.
ORACLE_SUGGESTIONS: dict[str, str] = {
    "MISSING_REQUIRED_FIELD": "Add the missing parameter to the node.",
    "INVALID_NODE_TYPE": "Use a valid node type from the registry.",
    "INVALID_CONNECTION_TARGET_NODE": "Ensure target node exists in workflow.",
    "TYPE_MISMATCH": "Change parameter type to match definition.",
    "MISSING_TENANT_ID": "Workflow must belong to a tenant.",
    "TIMEOUT_TOO_SHORT": "Increase timeout for more reliable execution.",
    "DUPLICATE_NODE_NAME": "Use unique names for all nodes.",
    "CIRCULAR_DEPENDENCY": "Remove circular connections between nodes.",
}


def suggestion_for(code: str) -> str:
    """The human hint for a code: the platform's table, completed for every wf-lsp code."""
    key = code.upper()
    if key in ORACLE_SUGGESTIONS:
        return ORACLE_SUGGESTIONS[key]
    rule = RULES.get(key)
    return rule.suggestion if rule else DEFAULT_SUGGESTION


def codes_for(profile: str) -> frozenset[str]:
    """Codes a profile enables."""
    return frozenset(code for code, rule in RULES.items() if profile in rule.profiles)
