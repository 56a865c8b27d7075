"""The fixed vocabularies of a workflow document (enums), without importing pydantic."""

from __future__ import annotations

from typing import Literal

VariableType = Literal["string", "number", "boolean", "array", "object", "date", "any"]
TriggerKind = Literal[
    "webhook",
    "schedule",
    "manual",
    "event",
    "email",
    "message-queue",
    "webhook-listen",
    "polling",
    "custom",
    "queue",
    "poll",
    "other",
]
OnError = Literal["stopWorkflow", "continueRegularOutput", "continueErrorOutput", "retry"]
