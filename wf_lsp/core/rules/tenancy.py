"""Tenancy rules: tenantId presence (P5), global variables, and access against the configured tenant and level."""

from __future__ import annotations

from typing import Any

from wf_lsp.core import jsval
from wf_lsp.core.context import Context
from wf_lsp.core.rules import fixes
from wf_lsp.core.tenancy import can_access_workflow, foreign_tenants, is_placeholder, is_uuid


def check(ctx: Context) -> None:
    """Tenant presence and global variables as the platform checks them; then the configured tenant's view."""
    wf = ctx.wf if isinstance(ctx.wf, dict) else {}
    tenant = wf.get("tenantId")
    if not jsval.truthy(tenant):
        value = ctx.settings.tenant_id or "${TENANT_ID}"
        fix = (
            fixes.replace_value(("tenantId",), value, f"Set tenantId to '{value}'", safe=True)
            if "tenantId" in wf
            else fixes.insert_member((), "tenantId", value, f"Add tenantId '{value}'", safe=True)
        )
        ctx.add("MISSING_TENANT_ID", "Workflow must have a tenantId for multi-tenant safety", "tenantId", ("tenantId",), fix=fix)
    variables = wf.get("variables")
    if jsval.truthy(variables):
        is_list = isinstance(variables, list)
        for name, definition in variables.items() if isinstance(variables, dict) else jsval.entries(variables):
            if isinstance(definition, dict) and definition.get("scope") == "global":
                vptr = ("variables", int(name) if is_list else name, "scope")
                ctx.add(
                    "GLOBAL_SCOPE_VARIABLE",
                    'Global-scope variables require explicit approval. Recommend using "workflow" or "execution" scope.',
                    f"variables.{name}.scope",
                    vptr,
                    fix=fixes.replace_value(vptr, "workflow", "Change scope to 'workflow'", safe=True),
                )
    if ctx.oracle:
        return
    _configured_tenant(ctx, tenant)
    _foreign_variables(ctx, tenant)
    if ctx.on("INVALID_TENANT_ID") and jsval.truthy(tenant) and not is_uuid(tenant) and not is_placeholder(tenant):
        ctx.add("INVALID_TENANT_ID", f'tenantId "{jsval.to_str(tenant)}" is neither a UUID nor a placeholder', "tenantId", ("tenantId",))


def _configured_tenant(ctx: Context, tenant: object) -> None:
    configured = ctx.settings.tenant_id
    if not configured:
        return
    wf = ctx.wf if isinstance(ctx.wf, dict) else {}
    level = ctx.settings.user_level if ctx.settings.user_level is not None else 1
    if isinstance(tenant, str) and tenant and tenant != configured and not is_placeholder(tenant):
        wf_id = wf.get("id")
        if not can_access_workflow(configured, level, tenant):
            ctx.add(
                "TENANT_MISMATCH",
                f"Forbidden: Workflow {jsval.to_str(wf_id, missing='id' not in wf)} belongs to tenant {tenant}, user is in tenant {configured}",
                "tenantId",
                ("tenantId",),
            )
        else:
            f = ctx.add(
                "TENANT_MISMATCH",
                f"Cross-tenant access: workflow belongs to tenant {tenant}; allowed only because user level {level} is super-admin",
                "tenantId",
                ("tenantId",),
            )
            if f is not None:
                f.tags = ("super-admin",)  # the engine lowers it to information


def _foreign_variables(ctx: Context, tenant: object) -> None:
    """Variables tagged with another tenant's `_tenantId` (against the configured tenant, else the workflow's)."""
    current = ctx.settings.tenant_id or (tenant if isinstance(tenant, str) and tenant and not is_placeholder(tenant) else None)
    wf = ctx.wf if isinstance(ctx.wf, dict) else {}
    variables = wf.get("variables")
    if not current or not isinstance(variables, dict):
        return
    for name, definition in variables.items():
        if not isinstance(definition, dict) or not _tagged(definition):
            continue
        for owner in foreign_tenants(definition, current):
            ptr = ("variables", name, "_tenantId") if isinstance(definition.get("_tenantId"), str) else ("variables", name, "defaultValue", "_tenantId")
            ctx.add(
                "CROSS_TENANT_VARIABLE",
                f"Variable {name} belongs to different tenant {owner}. Current tenant: {current}",
                f"variables.{name}",
                ptr,
            )


def _tagged(definition: dict[str, Any]) -> bool:
    """Whether a variable carries a `_tenantId`, on itself or on its object default (else it has no owner to check)."""
    default = definition.get("defaultValue")
    return "_tenantId" in definition or (isinstance(default, dict) and "_tenantId" in default)
