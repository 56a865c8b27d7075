import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { it } from 'node:test';
import { EXTENSION_ROOT, REPO_ROOT, pythonInterpreter } from './paths';

it('schema is up to date (schemas/workflow.schema.json = `python -m wf_lsp schema`; fix with `npm run schema`)', () => {
  const generated = execFileSync(pythonInterpreter(), ['-m', 'wf_lsp', 'schema'], { encoding: 'utf8', cwd: REPO_ROOT });
  const file = path.join(EXTENSION_ROOT, 'schemas', 'workflow.schema.json');
  assert.ok(fs.existsSync(file), 'schemas/workflow.schema.json exists: run `npm run schema`');
  assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), JSON.parse(generated), 'the packaged schema is stale: run `npm run schema`');
});
