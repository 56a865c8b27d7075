"""The rule catalog: every code wf-lsp reports, with severity, message, suggestion, docs and profiles."""

from __future__ import annotations

from dataclasses import dataclass

from wf_lsp.core.findings import Severity

E, W, I, H = Severity.ERROR, Severity.WARNING, Severity.INFORMATION, Severity.HINT
ALL = frozenset({"oracle", "recommended", "strict"})
REC = frozenset({"recommended", "strict"})
STRICT = frozenset({"strict"})
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

    @property
    def url(self) -> str:
        """Where the rule's documentation lives (codeDescription.href)."""
        return DOCS_URL + self.code.lower()


def _r(code: str, sev: Severity, concern: str, profiles: frozenset[str], message: str, suggestion: str, doc: str, fix: bool = False) -> Rule:
    return Rule(code, sev, message, suggestion, " ".join(doc.split()), fix, profiles, concern)


RULES: dict[str, Rule] = {
    r.code: r
    for r in [
        # --- document: text and structure (every profile; the real validator crashes or cannot parse) ---
        _r("JSON_SYNTAX_ERROR", E, "document", ALL, "<what is wrong>", "Fix the JSON syntax at the marked position.",
           """The text is not valid JSON. wf-lsp repairs the text step by step (a missing comma, a trailing comma, an
           unterminated string, a truncated file) so the rest of the workflow is still checked; each repair is reported here."""),
        _r("DUPLICATE_KEY", W, "document", ALL, 'Duplicate key "<key>": only the last value is kept',
           "Remove or rename one of the duplicate keys.",
           """An object has the same key twice. JSON parsers, the platform's included, silently keep the last value and
           drop the first, so data is lost without a word. Related information points at every occurrence."""),
        _r("INVALID_ENCODING", E, "document", ALL, "File is not valid UTF-8: ...", "Save the file as UTF-8.",
           """The file's bytes are not UTF-8 (or UTF-16/32 with a byte-order mark). Invalid bytes are replaced by U+FFFD
           and the rest is still checked."""),
        _r("FILE_TOO_LARGE", E, "document", ALL, "File has N characters, over the limit", "Split the workflow or raise maxFileBytes.",
           """The file is larger than the `maxFileBytes` setting (20 MiB by default) and is not validated, so that one huge
           file cannot stall an editor or a CI run."""),
        _r("NESTING_TOO_DEEP", E, "document", ALL, "JSON nesting is too deep to validate", "Flatten the nested structure.",
           """The JSON nests deeper than the parser's limit (about 1000 levels). No workflow needs that; it is reported
           instead of crashing."""),
        _r("INVALID_WORKFLOW_STRUCTURE", E, "structure", ALL, "Workflow must be a JSON object",
           "The top level of a workflow file must be an object with nodes and connections.",
           """The top-level value is not an object. The real validator throws a TypeError on such input; wf-lsp reports it."""),
        _r("INVALID_NODES", E, "structure", ALL, 'Workflow must have a "nodes" array',
           'Add a "nodes" array to the workflow.',
           """`nodes` is missing or is not an array. The real validator crashes here (it iterates `workflow.nodes`);
           wf-lsp reports it and still checks connections, variables and tenancy."""),
        _r("INVALID_NODE", E, "structure", ALL, "Node must be an object", "Replace the entry with a node object.",
           """An element of `nodes` is null or not an object. A null node crashes the real validator."""),
        _r("INVALID_NODE_FIELD_TYPE", E, "structure", ALL, "Node <field> must be a string", "Use a string value.",
           """A node's `id`, `name` or `type` is truthy but not a string (a number, a list, an object). The real validator
           crashes calling `.trim()` on it."""),
        _r("INVALID_VARIABLE_VALIDATION", E, "variables", ALL, "Variable validation pattern must be a string",
           "Write the pattern as a string.",
           """`variables.<name>.validation.pattern` is truthy but not a string; the real validator crashes on it."""),
        # --- the 23 codes of the real WorkflowValidator (profile oracle reproduces them exactly) ---
        _r("DUPLICATE_NODE_NAME", E, "nodes", ALL, 'Duplicate node name: "<name>"', "Use unique names for all nodes.",
           """Two nodes have the same `name`. Connections are keyed by name, so a duplicate makes every edge to or from it
           ambiguous. Nodes with no name at all collide too (as `undefined`). Fix: rename the later node (its connection
           key is left alone, since it is ambiguous which node it meant).""", True),
        _r("MISSING_NODE_ID", E, "nodes", ALL, "Node id is required and cannot be empty", "Give the node a non-empty id.",
           """A node's `id` is missing, empty or only whitespace. Id-keyed connections, triggers and the executor's step results all refer to nodes by id."""),
        _r("MISSING_NODE_NAME", E, "nodes", ALL, "Node name is required and cannot be empty", "Give the node a non-empty name.",
           """A node's `name` is missing, empty or only whitespace. Name-keyed connections cannot reach such a node, and all unnamed nodes collide as duplicates."""),
        _r("MISSING_NODE_TYPE", E, "nodes", ALL, "Node type is required and cannot be empty",
           "Set the node's type to a plugin id from the registry.",
           """A node's `type` is missing, empty or only whitespace. `nodeType` alone does not count, as in the platform."""),
        _r("OBJECT_SERIALIZATION_FAILURE", E, "nodes", ALL, 'Parameter value is "[object Object]" - object was not properly serialized',
           "Store the object itself, not its string form.",
           """A top-level parameter value is the literal string `[object Object]`: some tool wrote `String(obj)`
           instead of the object."""),
        _r("NESTED_NODE_ATTRIBUTES", E, "nodes", ALL, 'Node-level attribute "<k>" found in parameters. This indicates nested parameter wrapping.',
           "Move the attribute out of parameters to the node.",
           """`parameters` contains `name`, `typeVersion` or `position`, which belong to the node: a node was wrapped
           inside its own parameters."""),
        _r("EXCESSIVE_PARAMETER_NESTING", E, "nodes", ALL, "Parameters are nested too deeply (depth: <d>). Maximum depth should be 2.",
           "Flatten the nested parameters objects.",
           """`parameters.parameters.parameters...` is nested three or more levels deep: a node's parameters were wrapped in themselves repeatedly by an export or migration tool."""),
        _r("TIMEOUT_TOO_SHORT", W, "nodes", ALL, "Node timeout is very short (<t>ms). Minimum recommended: 1000ms",
           "Increase timeout for more reliable execution.",
           """A node's `timeout` is below 1000. The validator reads it as milliseconds (the v3 schema says seconds). Fix:
           raise it to 1000.""", True),
        _r("TIMEOUT_TOO_LONG", W, "nodes", ALL, "Node timeout is very long (<t>ms). Maximum recommended: 3600000ms",
           "Lower the timeout to at most 3600000 ms.", """A node's `timeout` is above one hour (3600000 ms), read as milliseconds as the platform's validator does. Fix: lower it to 3600000 (unsafe: check the unit you meant).""", True),
        _r("INVALID_CONNECTION_SOURCE", E, "connections", ALL, 'Source node "<S>" not found in workflow nodes',
           "Key the connection by an existing node.",
           """A key of `connections` names no node. Profile `oracle` and `connectionKeys: name` accept only node names
           (like the platform); `auto` also accepts ids; `id` only ids. Fixes: key by the node's name (when the key is an
           id), or a did-you-mean.""", True),
        _r("INVALID_CONNECTION_FORMAT", E, "connections", ALL, "Connection entry/targets have the wrong shape",
           "Use connections[source][main|error][index] = [targets].",
           """The connection map is not nested as `{source: {main|error: {"0": [targets]}}}` (or n8n's
           `{main: [[targets]]}`). A flat `main: [{node}]` lands here."""),
        _r("INVALID_OUTPUT_TYPE", E, "connections", ALL, 'Invalid output type "<T>". Must be "main" or "error"',
           'Use the output type "main" or "error".', """A connection map uses an output type other than `main` or `error` (for example n8n's `ai_tool` or a made-up `success`); the platform routes only those two, so the whole entry is ignored."""),
        _r("INVALID_OUTPUT_INDEX", E, "connections", ALL, 'Invalid output index "<X>". Must be non-negative integer',
           "Use a non-negative integer output index.", """An output index key does not start with a non-negative integer (the platform uses `parseInt`, so `"1abc"` passes and `"-1"` or `"abc"` fail); the targets under it are not checked."""),
        _r("INVALID_CONNECTION_TARGET", E, "connections", ALL, 'Connection target must have a "node" property',
           'Give every connection target a "node".', """A connection target is not an object or has no (or an empty) `node`, so the edge leads nowhere. Fix: remove the target."""),
        _r("INVALID_CONNECTION_TARGET_NODE", E, "connections", ALL, 'Target node "<node>" not found in workflow nodes',
           "Ensure target node exists in workflow.",
           """A connection target's `node` names no node (by the connection-key mode). Fixes: retarget to the closest
           node name (did-you-mean), or remove the target.""", True),
        _r("INVALID_VARIABLE_DEFINITION", E, "variables", ALL, "Variable definition must be an object",
           "Define the variable as an object with a type.", """A variable's definition is not an object (a bare string, number or null); its type and default cannot be read, and a null one crashes the platform's validator."""),
        _r("INVALID_VARIABLE_NAME", E, "variables", ALL, "Variable name must match pattern: [a-zA-Z_][a-zA-Z0-9_]*",
           "Rename the variable to letters, digits and underscores.", """A variable's key is not an identifier matching `[a-zA-Z_][a-zA-Z0-9_]*`, so expressions like `$workflow.variables.<name>` cannot name it."""),
        _r("MISSING_VARIABLE_TYPE", E, "variables", ALL, "Variable type is required",
           "Add a type: string, number, boolean, array, object, date or any.", """A variable has no (or an empty) `type`; the platform then also reports its default value as a type mismatch."""),
        _r("INVALID_VARIABLE_TYPE", E, "variables", ALL, 'Invalid variable type "<type>"',
           "Use string, number, boolean, array, object, date or any.",
           """A variable's `type` is not one of string, number, boolean, array, object, date, any (`integer` is not)."""),
        _r("VARIABLE_TYPE_MISMATCH", E, "variables", ALL, 'Default value type does not match declared type "<type>"',
           "Change the default value or the declared type so they agree.",
           """A variable's `defaultValue` does not match its `type`: strings, numbers and booleans by JSON type, `array` an array, `object` a non-null object, `date` a parsable date string; null matches only `any`."""),
        _r("REGEX_COMPLEXITY_WARNING", W, "variables", ALL, "Regex pattern is too complex (complexity: <n>). Risk of ReDoS attack.",
           "Simplify the validation pattern.", """A variable's `validation.pattern` scores over 100 on the platform's ReDoS heuristic."""),
        _r("MISSING_TENANT_ID", E, "tenancy", ALL, "Workflow must have a tenantId for multi-tenant safety",
           "Workflow must belong to a tenant.",
           """The workflow has no truthy `tenantId` (null is rejected too, despite the docs). Fix: add the configured
           tenant, or the `${TENANT_ID}` placeholder.""", True),
        _r("GLOBAL_SCOPE_VARIABLE", W, "tenancy", ALL,
           'Global-scope variables require explicit approval. Recommend using "workflow" or "execution" scope.',
           'Change the scope to "workflow".',
           """A variable has `scope: "global"`; the context builder skips it and then refuses to build. Fix: scope
           `workflow`.""", True),
        # --- recommended: what the platform's docs promise and its code never did ---
        _r("CIRCULAR_DEPENDENCY", E, "graph", REC, "Circular dependency: A -> B -> A", "Remove circular connections between nodes.",
           """The connections form a cycle. The platform's executor would loop forever; the docs promise an acyclic DAG.
           Related information lists the cycle's nodes."""),
        _r("INVALID_NODE_TYPE", E, "nodes", REC, 'Unknown node type "<t>"', "Use a valid node type from the registry.",
           """A node's type (or `nodeType` when `type` is a v3 category) is in no registry: node-registry.json, the TS
           executors and plugins, the Python/Go/Rust/C++ plugins, the game-engine steps, or a workspace registry file.
           It comes with a did-you-mean. Types that the corpus uses but nothing implements are UNIMPLEMENTED_NODE_TYPE."""),
        _r("UNIMPLEMENTED_NODE_TYPE", I, "nodes", REC, 'Node type "<t>" has no executor on the platform',
           "Map the node to an implemented plugin before running it.",
           """The type is known from real MetaBuilder files (`metabuilder.*` from the n8n migration script, `api.get`,
           `n8n-nodes-base.*`, ...) but no executor, registry entry or plugin implements it. Hundreds of real nodes use
           these types, so this is information, not an error: the file is fine as data, it just cannot run yet. Raise
           it with `severity` if your deployment must run every node."""),
        _r("MISSING_REQUIRED_FIELD", E, "nodes", REC, 'Node "<n>" (<type>) is missing required parameter "<p>"',
           "Add the missing parameter to the node.",
           """A parameter the registry marks required is absent. Fix: add it with a placeholder value (unsafe: you must
           fill it in).""", True),
        _r("TYPE_MISMATCH", E, "nodes", REC, 'Parameter "<p>" of <type> must be <t>, got <t>', "Change parameter type to match definition.",
           """A parameter's JSON type differs from the registry's. `{{ expression }}` strings are accepted for every type,
           since they are resolved at run time."""),
        _r("INVALID_ENUM_VALUE", E, "nodes", REC, 'Parameter "<p>" must be one of ...', "Use one of the allowed values.",
           """A parameter whose registry entry lists allowed values (an HTTP method, a browser, a trigger type) has another value; `{{ expression }}` values are accepted. Fix: the closest allowed value."""),
        _r("DUPLICATE_NODE_ID", E, "nodes", REC, 'Duplicate node id: "<id>"', "Use unique ids for all nodes.",
           """Two nodes share an `id`. Id-keyed connections, triggers and the executor's results all break.""", True),
        _r("INVALID_CONNECTION_TARGET_PORT", E, "connections", REC, "Connection target type/index is invalid",
           'Use type "main", "error" or "condition" and a non-negative integer index.',
           """A connection target's `type` is not main/error/condition or its `index` is not a non-negative integer."""),
        _r("MIXED_CONNECTION_KEYS", W, "connections", REC, "Connections are keyed by both node names and node ids",
           "Key all connections the same way.",
           """Some connection keys or targets use node names, others node ids. Every consumer reads one convention; fixes
           rewrite the map by name or by id.""", True),
        _r("INVALID_TRIGGER_NODE", E, "triggers", REC, 'Trigger nodeId "<id>" does not match any node', "Point the trigger at an existing node id.",
           """A trigger's `nodeId` names no node id, so the trigger starts nothing and the executor finds no start node. Fix: the closest node id (did-you-mean).""", True),
        _r("UNREACHABLE_NODE", W, "graph", REC, 'Node "<n>" is not reachable from any trigger', "Connect the node or remove it.",
           """No enabled trigger (or, without triggers, no start node) reaches the node, so it never runs."""),
        _r("TENANT_MISMATCH", E, "tenancy", REC, "Forbidden: Workflow <id> belongs to tenant <t>, user is in tenant <u>",
           "Workflow belongs to a different tenant. Check access permissions.",
           """The workflow's tenantId differs from the configured tenant and the configured user level may not cross
           tenants (only level 4, super-admin, may: then this is information). Placeholders like `${TENANT_ID}` match any tenant."""),
        _r("CROSS_TENANT_VARIABLE", E, "tenancy", REC, "Variable <v> belongs to different tenant <t>. Current tenant: <c>",
           "Remove the foreign _tenantId or move the variable to its tenant.",
           """A variable (its definition or its object default value) carries a `_tenantId` of another tenant; the context
           builder refuses to run such a workflow."""),
        _r("RESOURCE_LIMIT_EXCEEDED", W, "resources", REC, "Workflow has N nodes; the limit is 500", "Split the workflow.",
           """More than 500 nodes or 100 variables (the limits of the v3 schema and the integration plan)."""),
        _r("UNUSED_SUPPRESSION", W, "suppression", REC, 'Suppression of "<code>" suppresses nothing', "Remove the unused suppression.",
           """An `x-wf-ignore` entry (or a settings `ignore` entry with a pointer) matched no finding.""", True),
        # --- strict: advisories ---
        _r("MISSING_WORKFLOW_ID", W, "structure", STRICT, "Workflow has no id", "Add a workflow id.",
           """The workflow has no `id`; the platform's loader throws `Workflow must have an id`."""),
        _r("INVALID_TENANT_ID", I, "tenancy", STRICT, 'tenantId "<t>" is neither a UUID nor a placeholder', "Use a UUID tenant id or ${TENANT_ID}.",
           """The workflow's tenantId is neither a UUID (what the v3 schema wants) nor a placeholder such as `${TENANT_ID}` that deployment substitutes; free-form ids are easy to mistype across tenants."""),
        _r("INVALID_TRIGGER_KIND", W, "triggers", STRICT, 'Unknown trigger kind "<k>"', "Use a documented trigger kind.",
           """A trigger's `kind` is in neither the v3 enum (webhook, schedule, manual, event, email, message-queue, webhook-listen, polling, custom) nor the n8n one (queue, poll, other)."""),
        _r("MISSING_CONNECTION_TARGET_PORT", H, "connections", STRICT, 'Connection target lacks "type"/"index"', 'Add "type" and "index".',
           """A connection target has no `type` or `index`; the n8n schema and the platform's Python schema require both, though the TypeScript validator does not."""),
        _r("HARDCODED_SECRET", W, "security", STRICT, "Parameter <p> holds a literal secret", "Use a credential or {{ $env.NAME }}.",
           """A parameter the registry marks secret, or whose name looks like a password or token, holds a literal
           value instead of an expression or credential reference."""),
    ]
}

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
