"""Tenancy rules: tenantId presence (P5), global variables, and access against the configured tenant and level."""

from __future__ import annotations

from typing import Any

from wf_lsp.core.fix import fixes
from wf_lsp.core.js import jsval
from wf_lsp.core.rules.context import Context
from wf_lsp.core.rules.rule import rule
from wf_lsp.core.tenancy import can_access_workflow, foreign_tenants, is_placeholder, is_uuid


@rule("MISSING_TENANT_ID")
def missing_tenant_id(ctx: Context) -> None:
    """The platform's P5: a workflow with no (truthy) tenantId, with a fix that sets the configured tenant."""
    wf = ctx.wf
    if not jsval.truthy(wf.get("tenantId")):
        value = ctx.settings.tenant_id or "${TENANT_ID}"
        fix = (
            fixes.replace_value(("tenantId",), value, f"Set tenantId to '{value}'", safe=True)
            if "tenantId" in wf
            else fixes.insert_member((), "tenantId", value, f"Add tenantId '{value}'", safe=True)
        )
        ctx.report("MISSING_TENANT_ID", ("tenantId",), fix=fix)


@rule("GLOBAL_SCOPE_VARIABLE")
def global_scope_variable(ctx: Context) -> None:
    """The platform's P5: a variable declared with global scope."""
    variables = ctx.wf.get("variables")
    if jsval.truthy(variables):
        is_list = isinstance(variables, list)
        for name, definition in variables.items() if isinstance(variables, dict) else jsval.entries(variables):
            if isinstance(definition, dict) and definition.get("scope") == "global":
                vptr = ("variables", int(name) if is_list else name, "scope")
                fix = fixes.replace_value(vptr, "workflow", "Change scope to 'workflow'", safe=True)
                ctx.report("GLOBAL_SCOPE_VARIABLE", vptr, path=f"variables.{name}.scope", fix=fix)


@rule("TENANT_MISMATCH")
def tenant_mismatch(ctx: Context) -> None:
    """A workflow of another tenant than the configured one (information only when the user's level may cross)."""
    tenant = ctx.wf.get("tenantId")
    configured = ctx.settings.tenant_id
    if not configured:
        return
    wf = ctx.wf if isinstance(ctx.wf, dict) else {}
    level = ctx.settings.user_level if ctx.settings.user_level is not None else 1
    if isinstance(tenant, str) and tenant and tenant != configured and not is_placeholder(tenant):
        wf_id = wf.get("id")
        if not can_access_workflow(configured, level, tenant):
            workflow = jsval.to_str(wf_id, missing="id" not in wf)
            ctx.report("TENANT_MISMATCH", ("tenantId",), workflow=workflow, tenant=tenant, user=configured)
        else:
            f = ctx.report("TENANT_MISMATCH", ("tenantId",), variant="super_admin", tenant=tenant, level=level)
            if f is not None:
                f.tags = ("super-admin",)  # the engine lowers it to information


@rule("CROSS_TENANT_VARIABLE")
def cross_tenant_variable(ctx: Context) -> None:
    """Variables tagged with another tenant's `_tenantId` (against the configured tenant, else the workflow's)."""
    tenant = ctx.wf.get("tenantId")
    current = ctx.settings.tenant_id or (
        tenant if isinstance(tenant, str) and tenant and not is_placeholder(tenant) else None
    )
    wf = ctx.wf if isinstance(ctx.wf, dict) else {}
    variables = wf.get("variables")
    if not current or not isinstance(variables, dict):
        return
    for name, definition in variables.items():
        if not isinstance(definition, dict) or not _tagged(definition):
            continue
        for owner in foreign_tenants(definition, current):
            ptr = (
                ("variables", name, "_tenantId")
                if isinstance(definition.get("_tenantId"), str)
                else ("variables", name, "defaultValue", "_tenantId")
            )
            ctx.report("CROSS_TENANT_VARIABLE", ptr, path=f"variables.{name}", name=name, owner=owner, current=current)


def _tagged(definition: dict[str, Any]) -> bool:
    """Whether a variable carries a `_tenantId`, on itself or on its object default (else it has no owner to check)."""
    default = definition.get("defaultValue")
    return "_tenantId" in definition or (isinstance(default, dict) and "_tenantId" in default)


@rule("INVALID_TENANT_ID")
def invalid_tenant_id(ctx: Context) -> None:
    """A tenantId that is neither a UUID nor a placeholder."""
    tenant = ctx.wf.get("tenantId")
    if jsval.truthy(tenant) and not is_uuid(tenant) and not is_placeholder(tenant):
        ctx.report("INVALID_TENANT_ID", ("tenantId",), tenant=jsval.to_str(tenant))
