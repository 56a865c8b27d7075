"""The rule catalog: every code wf-lsp reports, with severity, message templates, suggestion, docs and profiles."""

from __future__ import annotations

import string
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from wf_lsp.core.findings import Severity

DOCS_URL = "https://github.com/wf-lsp/wf-lsp/blob/main/docs/rules.md#"
DEFAULT_SUGGESTION = "Fix this validation issue and retry."


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: its code, default severity, message templates, suggestion, doc text, fix and profiles."""

    code: str
    severity: Severity
    message: str
    suggestion: str
    doc: str
    has_fix: bool
    profiles: frozenset[str]
    javascript: str = ""  # where the real validator's answer depends on JavaScript semantics, and how
    #: the workflow dialects the rule runs on
    dialects: frozenset[str] = frozenset({"metabuilder", "n8n"})
    #: other wordings of the message, by name (`ctx.report(code, ptr, variant=name, ...)`)
    variants: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """Where the rule's documentation lives (codeDescription.href)."""
        return DOCS_URL + self.code.lower()

    def template(self, variant: str | None = None) -> str:
        """The message template of a variant (None: the main message)."""
        return self.message if variant is None else self.variants[variant]

    def fields(self, variant: str | None = None) -> frozenset[str]:
        """The `{field}` names a template asks for."""
        return frozenset(name for _, name, _, _ in string.Formatter().parse(self.template(variant)) if name)


def _load() -> dict[str, Rule]:
    # read beside this module rather than through importlib.resources, whose import costs start-up time
    raw = tomllib.loads((Path(__file__).parent.parent / "data" / "rules.toml").read_text(encoding="utf-8"))
    return {
        code: Rule(
            code=code,
            severity=Severity.parse(t["severity"]),
            message=t["message"],
            suggestion=t["suggestion"],
            doc=" ".join(t["doc"].split()),
            has_fix=bool(t["fix"]),
            profiles=frozenset(t["profiles"]),
            javascript=" ".join(t.get("javascript", "").split()),
            variants=dict(t.get("variants", {})),
            dialects=frozenset(t.get("dialects", ("metabuilder", "n8n"))),
        )
        for code, t in raw.items()
    }


#: Every code wf-lsp can report, in documentation order.
RULES: dict[str, Rule] = _load()


def suggestion_for(code: str) -> str:
    """The human hint for a code (the platform's own wording where it has one)."""
    rule = RULES.get(code.upper())
    return rule.suggestion if rule else DEFAULT_SUGGESTION


def codes_for(profile: str) -> frozenset[str]:
    """Codes a profile enables."""
    return frozenset(code for code, rule in RULES.items() if profile in rule.profiles)


def codes_not_on(dialect: str) -> frozenset[str]:
    """Codes whose rules do not run on files of a dialect."""
    return frozenset(code for code, rule in RULES.items() if dialect not in rule.dialects)
