"""The multi-tenant context and the error handler's envelope, as the platform defines them (spec sections 3 and 4)."""

from __future__ import annotations

import pytest

from wf_lsp.core import envelope
from wf_lsp.core.tenancy import build_context, can_access_workflow, is_placeholder


@pytest.mark.parametrize(
    ("user_tenant", "level", "wf_tenant", "allowed"),
    [
        ("acme", 1, "acme", True),
        ("acme", 3, "globex", False),  # admins are denied cross-tenant access (the platform's own test asserts this)
        ("acme", 4, "globex", True),  # super-admin
        ("acme", 1, "${TENANT_ID}", True),  # placeholders are substituted at deploy time
    ],
)
def test_can_access_workflow(user_tenant: str, level: int, wf_tenant: str, allowed: bool) -> None:
    assert can_access_workflow(user_tenant, level, wf_tenant) is allowed


def test_build_context_reports_every_problem_without_throwing() -> None:
    wf = {
        "id": "wf-9",
        "tenantId": "globex",
        "variables": {
            "g": {"type": "string", "scope": "global"},
            "cfg": {"type": "object", "defaultValue": {"_tenantId": "initech"}},
            "ok": {"type": "number", "defaultValue": 3},
        },
        "credentials": [{"nodeId": "a", "credentialType": "x", "credentialId": 1}],
    }
    ctx = build_context(wf, "acme", user_id="", user_level=0)
    codes = [(i.code, i.path) for i in ctx.issues]
    assert ("TENANT_MISMATCH", "multiTenant.tenantId") in codes
    assert ("UNAUTHORIZED_ACCESS", "user.level") in codes
    assert ("MISSING_REQUIRED_FIELD", "user.id") in codes
    assert ("SCOPE_VIOLATION", "variables.g") in codes
    assert ("CROSS_TENANT_VARIABLE", "variables.cfg") in codes
    assert not ctx.valid
    assert ctx.variables == {
        "cfg": {"_tenantId": "initech"},
        "ok": 3,
        "_tenantId": "acme",
        "_userId": "",
        "_userLevel": 0,
    }
    msg = next(i.message for i in ctx.issues if i.code == "TENANT_MISMATCH")
    assert msg == "Forbidden: Workflow wf-9 belongs to tenant globex, user is in tenant acme"


def test_same_tenant_context_is_valid() -> None:
    ctx = build_context({"id": "w", "tenantId": "acme", "variables": {}}, "acme", user_id="u1", user_level=2)
    assert ctx.valid and ctx.issues == []
    assert is_placeholder("${TENANT_ID}") and not is_placeholder("acme")


def test_error_codes_come_from_the_real_tables() -> None:
    status, message, hint = envelope.describe("TENANT_MISMATCH")
    assert (status, message) == (403, "Tenant mismatch - cannot access workflow")
    assert hint == "Workflow belongs to a different tenant. Check access permissions."
    assert envelope.describe("EXECUTION_TIMEOUT")[0] == 504  # the code's table, not the seed's 500
    assert envelope.describe("NO_SUCH_CODE") == envelope.describe("UNKNOWN_ERROR")
    assert len(envelope._TABLE) == 38
