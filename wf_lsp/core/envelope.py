"""The platform's error handler: its 38-code table and the validation error envelope of `check --format json`."""

from __future__ import annotations

from typing import Any

from wf_lsp.core.findings import Finding, Severity

#: code -> (HTTP status, message, hint), exactly as workflow-error-handler.ts has them.
_TABLE: dict[str, tuple[int, str, str]] = {
    "VALIDATION_ERROR": (
        400,
        "Workflow validation failed",
        "Verify workflow structure, check nodes, connections, and parameters.",
    ),
    "MISSING_REQUIRED_FIELD": (
        400,
        "Missing required field in workflow definition",
        "Ensure all required fields are populated.",
    ),
    "INVALID_NODE_TYPE": (
        400,
        "Invalid node type specified",
        "Use a node type from the available registry. Check the workflow editor.",
    ),
    "INVALID_CONNECTION": (
        400,
        "Invalid connection between nodes",
        "Ensure target node exists and input/output types are compatible.",
    ),
    "INVALID_WORKFLOW_STRUCTURE": (
        400,
        "Workflow structure is invalid",
        "Review workflow layout and ensure proper node organization.",
    ),
    "DUPLICATE_NODE_NAME": (400, "Duplicate node name detected", "Rename nodes to have unique names."),
    "CIRCULAR_DEPENDENCY": (
        400,
        "Circular dependency detected in workflow",
        "Reorganize workflow to eliminate circular references.",
    ),
    "TYPE_MISMATCH": (400, "Type mismatch in node parameters", "Verify parameter types match node input requirements."),
    "INVALID_TENANT_ID": (400, "Invalid tenant ID format", "Use a valid tenant ID format."),
    "MISSING_TENANT_ID": (400, "Tenant ID is required", "Workflow must be associated with a tenant."),
    "EXECUTION_ERROR": (
        500,
        "Workflow execution failed",
        "Check node parameters and verify target resources are available.",
    ),
    "EXECUTION_FAILED": (500, "Workflow execution failed", "Review execution logs for more details about the failure."),
    "NODE_EXECUTION_FAILED": (500, "Node execution failed", "Check the node configuration and input data."),
    "EXECUTION_TIMEOUT": (
        504,
        "Workflow execution timed out",
        "Increase timeout settings or optimize the workflow for performance.",
    ),
    "NODE_NOT_FOUND": (500, "Node not found in workflow", "Verify the node exists in the workflow definition."),
    "EXECUTOR_NOT_REGISTERED": (500, "Node executor not registered", "The required node executor is not available."),
    "WORKFLOW_EXECUTION_ABORTED": (
        500,
        "Workflow execution was aborted",
        "Execution was aborted. Review the abort reason and retry.",
    ),
    "INSUFFICIENT_RESOURCES": (
        503,
        "Insufficient resources to execute workflow",
        "System does not have sufficient resources. Try again later.",
    ),
    "MEMORY_LIMIT_EXCEEDED": (
        503,
        "Memory limit exceeded during execution",
        "Reduce workflow complexity or data size.",
    ),
    "EXECUTION_QUEUE_FULL": (
        503,
        "Execution queue is full, please try again later",
        "Wait a moment and retry the execution.",
    ),
    "MISSING_WORKFLOW_DEFINITION": (422, "Workflow definition is required", "Provide a valid workflow definition."),
    "INVALID_WORKFLOW_FORMAT": (422, "Workflow format is invalid", "Ensure workflow format is correct."),
    "INVALID_CONTEXT": (422, "Invalid execution context", "Verify execution context (user, tenant, variables)."),
    "INVALID_PARAMETER": (422, "Invalid parameter value", "Check parameter values and types in node configuration."),
    "MISSING_VARIABLE": (422, "Required variable is missing", "Ensure all referenced variables are defined."),
    "INVALID_EXPRESSION": (422, "Invalid expression syntax", "Review expression syntax and variable references."),
    "FORBIDDEN": (403, "Access to workflow is forbidden", "Contact your administrator for access."),
    "TENANT_MISMATCH": (
        403,
        "Tenant mismatch - cannot access workflow",
        "Workflow belongs to a different tenant. Check access permissions.",
    ),
    "UNAUTHORIZED": (401, "Unauthorized - authentication required", "Log in again or refresh your credentials."),
    "PERMISSION_DENIED": (
        403,
        "Permission denied for this action",
        "Contact your administrator for required permissions.",
    ),
    "NOT_FOUND": (404, "Resource not found", "Verify the resource exists and is accessible."),
    "WORKFLOW_NOT_FOUND": (404, "Workflow not found", "Workflow has been deleted or is inaccessible."),
    "EXECUTION_NOT_FOUND": (404, "Execution not found", "Execution record not found. Check the execution ID."),
    "RESOURCE_NOT_FOUND": (404, "Requested resource not found", "The requested resource no longer exists."),
    "RATE_LIMITED": (429, "Too many requests, please try again later", "Wait a moment and retry the request."),
    "CONCURRENT_EXECUTION_LIMIT": (
        429,
        "Concurrent execution limit reached",
        "Too many workflows running simultaneously. Try again later.",
    ),
    "UNKNOWN_ERROR": (500, "An unknown error occurred", "Check logs for more information."),
    "INTERNAL_SERVER_ERROR": (
        500,
        "Internal server error",
        "The server encountered an error. Our team has been notified.",
    ),
}


def describe(code: str) -> tuple[int, str, str]:
    """(status, message, hint) of an error-handler code; unknown codes read as UNKNOWN_ERROR."""
    return _TABLE.get(code, _TABLE["UNKNOWN_ERROR"])


def validation_envelope(findings: list[Finding], summary: dict[str, Any]) -> dict[str, Any]:
    """handleValidationError(): first 10 errors with suggestions, first 5 warnings, hint, distinct suggestions."""
    errors = [f for f in findings if f.severity == Severity.ERROR]
    warnings = [f for f in findings if f.severity == Severity.WARNING]
    status, _message, hint = describe("VALIDATION_ERROR")
    suggestions: list[str] = []
    for f in errors:
        if f.suggestion and f.suggestion not in suggestions:
            suggestions.append(f.suggestion)
    return {
        "success": False,
        "statusCode": status,
        "error": {
            "code": "VALIDATION_ERROR",
            "message": f"Workflow validation failed: {len(errors)} error(s), {len(warnings)} warning(s)",
            "details": {"errorCount": len(errors), "warningCount": len(warnings), "action": "validate"},
        },
        "context": {"workflowId": summary.get("workflowId"), "tenantId": summary.get("tenantId")},
        "diagnostics": {
            "errors": [_item(f, with_suggestion=True) for f in errors[:10]],
            "warnings": [_item(f, with_suggestion=False) for f in warnings[:5]],
            "hint": hint,
        },
        "suggestions": suggestions[:5],
    }


def _item(f: Finding, with_suggestion: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"path": f.path, "message": f.message, "severity": f.severity.label, "code": f.code}
    if with_suggestion:
        out["suggestion"] = f.suggestion
    return out
