"""The multi-tenant context: who is editing, whether they may see a workflow, and what the context would hold."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from wf_lsp.core.js import jsval

#: 1 viewer, 2 editor, 3 admin, 4 super-admin (the Next.js request scale).
SUPER_ADMIN = 4
_PLACEHOLDER = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*\}$|^\{\{.*\}\}$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def is_placeholder(tenant: Any) -> bool:
    """`${TENANT_ID}`-style values, substituted at deploy time, match any tenant."""
    return isinstance(tenant, str) and bool(_PLACEHOLDER.match(tenant))


def is_uuid(tenant: Any) -> bool:
    """Whether a tenant id has the v3 schema's UUID format."""
    return isinstance(tenant, str) and bool(_UUID.match(tenant))


def can_access_workflow(user_tenant: str, user_level: int, workflow_tenant: Any) -> bool:
    """The platform's rule: the same tenant at any level, or a super-admin (level 4) anywhere."""
    if is_placeholder(workflow_tenant) or workflow_tenant == user_tenant:
        return True
    return user_level >= SUPER_ADMIN


@dataclass(slots=True)
class ContextIssue:
    """A problem building the context: a code, a JSON path and a message."""

    code: str
    path: str
    message: str
    severity: str = "error"


@dataclass(slots=True)
class TenantContext:
    """What an execution context for this workflow and user would hold."""

    tenant_id: str
    user_id: str
    user_level: int
    workflow_id: str | None
    workflow_tenant: Any
    variables: dict[str, Any] = field(default_factory=dict)
    issues: list[ContextIssue] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """No error-level issue."""
        return not any(i.severity == "error" for i in self.issues)


def build_context(workflow: Any, tenant_id: str, user_id: str = "", user_level: int = 1) -> TenantContext:
    """Build and validate a context (the platform's MultiTenantContextBuilder.validate, without throwing)."""
    wf = workflow if isinstance(workflow, dict) else {}
    wf_tenant = wf.get("tenantId")
    wf_id = wf.get("id") if isinstance(wf.get("id"), str) else None
    ctx = TenantContext(tenant_id, user_id, user_level, wf_id, wf_tenant)
    if not isinstance(wf_tenant, str) or not jsval.trim(wf_tenant):
        ctx.issues.append(ContextIssue("MISSING_REQUIRED_FIELD", "workflow.tenantId", "Workflow must have a tenantId"))
    elif not can_access_workflow(tenant_id, user_level, wf_tenant):
        ctx.issues.append(
            ContextIssue(
                "TENANT_MISMATCH",
                "multiTenant.tenantId",
                f"Forbidden: Workflow {wf_id} belongs to tenant {wf_tenant}, user is in tenant {tenant_id}",
            )
        )
    if not 1 <= user_level <= 4:
        ctx.issues.append(ContextIssue("UNAUTHORIZED_ACCESS", "user.level", f"Invalid user level: {user_level}"))
    if not user_id:
        ctx.issues.append(ContextIssue("MISSING_REQUIRED_FIELD", "user.id", "User ID is required"))
    variables = wf.get("variables")
    if isinstance(variables, dict):
        for name, definition in variables.items():
            if not isinstance(definition, dict):
                continue
            if definition.get("scope") == "global":
                ctx.issues.append(
                    ContextIssue(
                        "SCOPE_VIOLATION",
                        f"variables.{name}",
                        "Global-scope variable will be skipped for security",
                        "warning",
                    )
                )
                continue
            for owner in foreign_tenants(definition, tenant_id):
                ctx.issues.append(
                    ContextIssue(
                        "CROSS_TENANT_VARIABLE",
                        f"variables.{name}",
                        f"Variable {name} belongs to different tenant {owner}. Current tenant: {tenant_id}",
                    )
                )
            ctx.variables[name] = definition.get("defaultValue")
    ctx.variables.update({"_tenantId": tenant_id, "_userId": user_id, "_userLevel": user_level})
    creds = wf.get("credentials")
    if isinstance(creds, list) and creds:
        ctx.issues.append(
            ContextIssue(
                "INVALID_CREDENTIALS",
                "credentials",
                f"{len(creds)} credential(s) will be validated during execution",
                "info",
            )
        )
    return ctx


def foreign_tenants(definition: dict[str, Any], tenant_id: str) -> list[str]:
    """`_tenantId` values on a variable definition or its object default that name another tenant."""
    out = []
    for holder in (definition, definition.get("defaultValue")):
        if isinstance(holder, dict):
            owner = holder.get("_tenantId")
            if jsval.truthy(owner) and owner != tenant_id and not is_placeholder(owner):
                out.append(jsval.to_str(owner))
    return out
