import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { CONFIG_SECTION, DEFAULTS, expandVariables, mapSettings, objectConfig, onlySet, type ServerSettings } from '../src/settings';
import { EXTENSION_ROOT } from './paths';

interface Contributed {
  default?: unknown;
  enum?: unknown[];
  description?: string;
  markdownDescription?: string;
}

const manifest = JSON.parse(fs.readFileSync(path.join(EXTENSION_ROOT, 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, Contributed> } };
};
const contributed = manifest.contributes.configuration.properties;
const ctx = { workspaceFolder: '/ws', home: '/home/u', env: { REG: '/etc/reg.json' } };

describe('mapSettings', () => {
  it('gives the package.json defaults when nothing is set', () => {
    assert.deepEqual(mapSettings(objectConfig({})), DEFAULTS);
  });

  it('keeps DEFAULTS identical to the contributed defaults', () => {
    const defaults: Record<string, unknown> = {};
    for (const [key, spec] of Object.entries(contributed)) defaults[key.slice(CONFIG_SECTION.length + 1)] = spec.default;
    const mapped = mapSettings(objectConfig(defaults));
    assert.deepEqual(mapped, DEFAULTS);
    assert.equal(defaults.profile, 'recommended');
  });

  it('contributes a described setting for every server key', () => {
    const flatKeys = (s: ServerSettings): string[] =>
      Object.entries(s).flatMap(([k, v]) => (k === 'cache' ? Object.keys(v as object).map((c) => `cache.${c}`) : [k]));
    for (const key of [...flatKeys(DEFAULTS), 'serverCommand', 'interpreter', 'trace.server']) {
      const spec = contributed[`${CONFIG_SECTION}.${key}`];
      assert.ok(spec, `wfLsp.${key} is contributed`);
      assert.ok(spec.description ?? spec.markdownDescription, `wfLsp.${key} has a description`);
    }
    assert.deepEqual(contributed['wfLsp.profile']?.enum, ['oracle', 'recommended', 'strict']);
    assert.deepEqual(contributed['wfLsp.connectionKeys']?.enum, ['auto', 'name', 'id']);
    assert.deepEqual(contributed['wfLsp.dialect']?.enum, ['auto', 'metabuilder', 'n8n']);
  });

  it('maps every setting to the server camelCase keys', () => {
    const mapped = mapSettings(
      objectConfig({
        profile: 'strict',
        connectionKeys: 'id',
        dialect: 'n8n',
        n8nCatalog: '~/cat.json',
        tenantId: ' acme ',
        userId: 'u1',
        userLevel: 3,
        severity: { unreachable_node: 'Hint', MISSING_TENANT_ID: 'off', X: 'loud', Y: 'info' },
        ignore: ['dup', { code: 'x', files: '**/a.json', pointer: '/nodes/0' }, { files: '**/b.json' }, 7],
        files: ['flows/*.wflow'],
        include: ['**/workflows/**', ''],
        exclude: ['**/fixtures/**'],
        registry: ['${workspaceFolder}/reg.json', '~/r.json', '${env:REG}'],
        debounceMs: 0,
        respectGitignore: false,
        maxFileBytes: 4096,
        maxMessageBytes: 1 << 20,
        maxWorkspaceFiles: 50,
        maxDiagnostics: 0,
        cache: { maxEntries: 10, ttlSeconds: 60, redisUrl: 'redis://127.0.0.1:6379/0', redisTimeoutMs: 25 },
        configurationPreference: 'filesystemFirst',
      }),
      ctx,
    );
    assert.deepEqual(mapped, {
      profile: 'strict',
      connectionKeys: 'id',
      dialect: 'n8n',
      n8nCatalog: '/home/u/cat.json',
      tenantId: 'acme',
      userId: 'u1',
      userLevel: 3,
      severity: { UNREACHABLE_NODE: 'hint', MISSING_TENANT_ID: 'off', Y: 'information' },
      ignore: ['DUP', { code: 'X', files: '**/a.json', pointer: '/nodes/0' }, { code: '*', files: '**/b.json' }],
      files: ['flows/*.wflow'],
      include: ['**/workflows/**'],
      exclude: ['**/fixtures/**'],
      registry: ['/ws/reg.json', '/home/u/r.json', '/etc/reg.json'],
      debounceMs: 0,
      respectGitignore: false,
      maxFileBytes: 4096,
      maxMessageBytes: 1 << 20,
      maxWorkspaceFiles: 50,
      maxDiagnostics: 0,
      cache: { maxEntries: 10, ttlSeconds: 60, redisUrl: 'redis://127.0.0.1:6379/0', redisTimeoutMs: 25 },
      configurationPreference: 'filesystemFirst',
    });
  });

  it('sends only what the user has set, so the project settings file fills the rest', () => {
    const set = new Set(['profile', 'severity', 'cache.redisUrl', 'include']);
    const mapped = mapSettings(objectConfig({ profile: 'strict', severity: { A: 'off' }, include: ['a/*'], cache: { redisUrl: 'redis://h/0' } }));
    assert.deepEqual(onlySet(mapped, (key) => set.has(key)), {
      profile: 'strict',
      severity: { A: 'off' },
      files: ['a/*'],
      cache: { redisUrl: 'redis://h/0' },
    });
    assert.deepEqual(onlySet(DEFAULTS, () => false), {});
  });

  it('gives the schema to the same files the server checks', () => {
    const contributes = (JSON.parse(fs.readFileSync(path.join(EXTENSION_ROOT, 'package.json'), 'utf8')) as {
      contributes: { jsonValidation: { fileMatch: string[]; url: string }[] };
    }).contributes;
    const association = contributes.jsonValidation[0];
    assert.ok(association && contributes.jsonValidation.length === 1);
    assert.ok(association.fileMatch.includes('**/*.json') && association.fileMatch.includes('**/*.jsonc'));
    const schema = JSON.parse(fs.readFileSync(path.join(EXTENSION_ROOT, association.url), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(schema.if, { type: 'object', anyOf: [{ required: ['nodes'] }, { required: ['connections'] }] });
    assert.deepEqual(schema.then, { $ref: '#/$defs/Workflow' });
  });

  it('reads dotted keys flat, as vscode.WorkspaceConfiguration does', () => {
    const mapped = mapSettings(objectConfig({ 'cache.maxEntries': 7, 'cache.redisUrl': '' }));
    assert.equal(mapped.cache.maxEntries, 7);
    assert.equal(mapped.cache.redisUrl, null);
  });

  it('falls back to defaults for values of the wrong type or range', () => {
    const mapped = mapSettings(
      objectConfig({ profile: 'lax', connectionKeys: 3, tenantId: '', userLevel: 9, severity: [], ignore: 'X', debounceMs: -1 }),
    );
    assert.equal(mapped.profile, 'recommended');
    assert.equal(mapped.connectionKeys, 'auto');
    assert.equal(mapped.tenantId, null);
    assert.equal(mapped.userLevel, null);
    assert.deepEqual(mapped.severity, {});
    assert.deepEqual(mapped.ignore, []);
    assert.equal(mapped.debounceMs, 150);
    assert.equal(mapSettings(objectConfig({ userLevel: 2.5 })).userLevel, null);
    assert.equal(mapSettings(objectConfig({ userLevel: 0 })).userLevel, 0);
  });
});

describe('expandVariables', () => {
  it('expands known variables and leaves unknown ones', () => {
    assert.equal(expandVariables('${userHome}/x', ctx), '/home/u/x');
    assert.equal(expandVariables('~', ctx), '/home/u');
    assert.equal(expandVariables('a~b', ctx), 'a~b');
    assert.equal(expandVariables('${env:NOPE}x', ctx), 'x');
    assert.equal(expandVariables('${workspaceFolder}', { home: '/h', env: {} }), '${workspaceFolder}');
    assert.equal(expandVariables('${config:x}', ctx), '${config:x}');
  });
});
