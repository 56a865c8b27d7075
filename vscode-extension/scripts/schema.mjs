// Regenerates schemas/workflow.schema.json from `python -m wf_lsp schema` (Python: $WF_LSP_PYTHON or ../.venv), and
// schemas/workflow-files.schema.json, which `jsonValidation` gives every JSON file: the workflow schema applies only
// when the top level has `nodes` or `connections`, the same files the server checks. The files are only replaced
// when the command succeeds and prints JSON.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const python = process.env.WF_LSP_PYTHON || path.join(root, '..', '.venv', 'bin', 'python');
const target = path.join(root, 'schemas', 'workflow.schema.json');

const text = execFileSync(python, ['-m', 'wf_lsp', 'schema'], { encoding: 'utf8', cwd: path.join(root, '..') });
const schema = JSON.parse(text);
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.writeFileSync(target, text);
console.log(`wrote ${path.relative(process.cwd(), target)} (${text.length} bytes)`);

const detecting = path.join(root, 'schemas', 'workflow-files.schema.json');
const detectingText = JSON.stringify(filesSchema(schema), null, 2) + '\n';
fs.writeFileSync(detecting, detectingText);
console.log(`wrote ${path.relative(process.cwd(), detecting)} (${detectingText.length} bytes)`);

/** The workflow schema, applied only to a top-level object with `nodes` or `connections` (`if`/`then`). */
function filesSchema(workflow) {
  // $id and $schema belong at the top: inside `$defs` an $id would start a new resource, and `#/$defs/...` would
  // then point into the workflow object itself.
  const { $defs = {}, $id, $schema, ...body } = workflow;
  return {
    $schema,
    $id: $id.replace(/workflow-/, 'workflow-files-'),
    title: 'MetaBuilder workflow (JSON files whose top level has "nodes" or "connections")',
    $defs: { ...$defs, Workflow: body },
    if: { type: 'object', anyOf: [{ required: ['nodes'] }, { required: ['connections'] }] },
    then: { $ref: '#/$defs/Workflow' },
  };
}
