"""Pydantic models of a workflow document (both dialects), used to publish its JSON Schema."""

# The schema drives completion and hovers in editors' own JSON support; it is deliberately lenient about what wf-lsp's
# rules already report with exact messages (missing names, missing tenantId), so users never see a problem twice.

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from wf_lsp import __version__
from wf_lsp.core.rules.vocab import OnError, TriggerKind, VariableType


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ConnectionTarget(_Open):
    """One edge end: the target node (by name or id), its input type and index."""

    node: str = Field(description="Name (or id) of the target node")
    type: Literal["main", "error", "condition"] = Field("main", description="Input type on the target")
    index: int = Field(0, ge=0, description="Input index on the target")


TargetList = list[ConnectionTarget]
#: Either MetaBuilder's {"0": [...]} or n8n's [[...]]
IndexMap = dict[str, TargetList] | list[TargetList]


class NodeConnections(BaseModel):
    """The outputs of one source node."""

    model_config = ConfigDict(extra="forbid")
    main: IndexMap | None = Field(None, description="Regular outputs by output index")
    error: IndexMap | None = Field(None, description="Error outputs by output index")


class Node(_Open):
    """A workflow node (n8n shape; v3 files put a category in `type` and the plugin id in `nodeType`)."""

    id: str = Field(min_length=1, description="Unique node id")
    name: str | None = Field(None, description="Unique node name (connections are keyed by it)")
    type: str = Field(min_length=1, description="Plugin id such as logic.if, or a v3 category")
    typeVersion: float | None = Field(None, ge=1)
    nodeType: str | None = Field(None, description="Plugin id when `type` is a v3 category")
    position: list[float] | None = Field(None, min_length=2, max_length=2)
    parameters: dict[str, Any] = Field(default_factory=dict)
    disabled: bool | None = None
    timeout: float | None = Field(None, description="Milliseconds (the validator's reading)")
    onError: OnError | dict[str, Any] | None = Field(None, description="Error policy (legacy files use an object)")
    x_wf_ignore: list[str] | None = Field(
        None, alias="x-wf-ignore", description="wf-lsp rule codes to suppress on this node"
    )


class Trigger(_Open):
    """What starts the workflow."""

    nodeId: str = Field(min_length=1, description="Id of the node the trigger starts")
    kind: TriggerKind
    enabled: bool = True


class Variable(_Open):
    """A workflow variable definition."""

    type: VariableType
    defaultValue: Any = None
    required: bool | None = None
    scope: Literal["workflow", "execution", "global"] = "workflow"
    description: str | None = None


class Workflow(_Open):
    """A MetaBuilder workflow document."""

    id: str | None = None
    name: str | None = None
    version: str | None = None
    tenantId: str | None = Field(None, description="Owning tenant (or a ${TENANT_ID} placeholder)")
    nodes: list[Node]
    connections: dict[str, NodeConnections] = Field(default_factory=dict)
    triggers: list[Trigger] = Field(default_factory=list)
    variables: dict[str, Variable] = Field(default_factory=dict)
    x_wf_ignore: list[str] | None = Field(
        None, alias="x-wf-ignore", description="wf-lsp rule codes to suppress in this file"
    )


def workflow_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a workflow file."""
    schema = Workflow.model_json_schema(by_alias=True)
    schema.update({"title": "MetaBuilder workflow", "$id": f"https://wf-lsp.dev/schema/workflow-{__version__}.json"})
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def schema_text() -> str:
    """The schema as stable, pretty-printed JSON text."""
    return json.dumps(workflow_schema(), indent=2, sort_keys=True) + "\n"
