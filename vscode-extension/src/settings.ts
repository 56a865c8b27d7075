/** Maps the `wfLsp.*` configuration onto the server's camelCase settings (pure: no `vscode` import). */

/** The configuration section the extension contributes. */
export const CONFIG_SECTION = 'wfLsp';
/** The section the server asks for in `workspace/configuration`. */
export const SERVER_SECTION = 'wf-lsp';

export const PROFILES = ['oracle', 'recommended', 'strict'] as const;
export const CONNECTION_KEYS = ['auto', 'name', 'id'] as const;
export const DIALECTS = ['auto', 'metabuilder', 'n8n'] as const;
export const SEVERITIES = ['error', 'warning', 'information', 'hint', 'off'] as const;
export const PREFERENCES = ['editorFirst', 'filesystemFirst', 'editorOnly'] as const;

export type Profile = (typeof PROFILES)[number];
export type ConnectionKeys = (typeof CONNECTION_KEYS)[number];
export type Dialect = (typeof DIALECTS)[number];
export type Severity = (typeof SEVERITIES)[number];
export type Preference = (typeof PREFERENCES)[number];

export interface IgnoreEntry {
  code: string;
  files?: string;
  pointer?: string;
}

/** What the server reads, under the names it reads them (initializationOptions and section `wf-lsp`). */
export interface ServerSettings {
  profile: Profile;
  connectionKeys: ConnectionKeys;
  dialect: Dialect;
  n8nCatalog: string | null;
  tenantId: string | null;
  userId: string | null;
  userLevel: number | null;
  severity: Record<string, Severity>;
  ignore: (string | IgnoreEntry)[];
  files: string[];
  include: string[];
  exclude: string[];
  registry: string[];
  debounceMs: number;
  respectGitignore: boolean;
  maxFileBytes: number;
  maxMessageBytes: number;
  maxWorkspaceFiles: number;
  maxDiagnostics: number;
  cache: { maxEntries: number; ttlSeconds: number; redisUrl: string | null; redisTimeoutMs: number };
  configurationPreference: Preference;
}

/** Anything with a `get(key)` like `vscode.WorkspaceConfiguration` for section `wfLsp`. */
export interface ConfigSource {
  get(key: string): unknown;
}

/** Where `${workspaceFolder}`, `${userHome}`, `${env:NAME}` and `~` point. */
export interface ExpandContext {
  workspaceFolder?: string;
  home: string;
  env: Readonly<Record<string, string | undefined>>;
}

/** Defaults, identical to those in package.json (a unit test keeps them in step). */
export const DEFAULTS: ServerSettings = {
  profile: 'recommended',
  connectionKeys: 'auto',
  dialect: 'auto',
  n8nCatalog: null,
  tenantId: null,
  userId: null,
  userLevel: null,
  severity: {},
  ignore: [],
  files: [],
  include: [],
  exclude: [],
  registry: [],
  debounceMs: 150,
  respectGitignore: true,
  maxFileBytes: 20 * 1024 * 1024,
  maxMessageBytes: 64 * 1024 * 1024,
  maxWorkspaceFiles: 20_000,
  maxDiagnostics: 1000,
  cache: { maxEntries: 512, ttlSeconds: 3600, redisUrl: null, redisTimeoutMs: 100 },
  configurationPreference: 'editorFirst',
};

/** Expands `${workspaceFolder}`, `${userHome}`, `${env:NAME}` and a leading `~` in a setting value. */
export function expandVariables(value: string, ctx: ExpandContext): string {
  let out = value.replace(/\$\{(workspaceFolder|userHome|env:([A-Za-z_][A-Za-z0-9_]*))\}/g, (whole, name: string, envName?: string) => {
    if (name === 'workspaceFolder') return ctx.workspaceFolder ?? whole;
    if (name === 'userHome') return ctx.home;
    return envName !== undefined ? (ctx.env[envName] ?? '') : whole;
  });
  if (out === '~' || out.startsWith('~/') || out.startsWith('~\\')) out = ctx.home + out.slice(1);
  return out;
}

/** The server settings for a `wfLsp` configuration; wrong types fall back to the defaults. */
export function mapSettings(config: ConfigSource, ctx?: ExpandContext): ServerSettings {
  const expand = (s: string): string => (ctx ? expandVariables(s, ctx) : s);
  return {
    profile: oneOf(config.get('profile'), PROFILES, DEFAULTS.profile),
    connectionKeys: oneOf(config.get('connectionKeys'), CONNECTION_KEYS, DEFAULTS.connectionKeys),
    dialect: oneOf(config.get('dialect'), DIALECTS, DEFAULTS.dialect),
    n8nCatalog: optionalPath(config.get('n8nCatalog'), expand),
    tenantId: optionalString(config.get('tenantId')),
    userId: optionalString(config.get('userId')),
    userLevel: userLevel(config.get('userLevel')),
    severity: severity(config.get('severity')),
    ignore: ignore(config.get('ignore')),
    files: strings(config.get('files')),
    include: strings(config.get('include')),
    exclude: strings(config.get('exclude')),
    registry: strings(config.get('registry')).map(expand),
    debounceMs: count(config.get('debounceMs'), DEFAULTS.debounceMs),
    respectGitignore: flag(config.get('respectGitignore'), DEFAULTS.respectGitignore),
    maxFileBytes: count(config.get('maxFileBytes'), DEFAULTS.maxFileBytes),
    maxMessageBytes: count(config.get('maxMessageBytes'), DEFAULTS.maxMessageBytes),
    maxWorkspaceFiles: count(config.get('maxWorkspaceFiles'), DEFAULTS.maxWorkspaceFiles),
    maxDiagnostics: count(config.get('maxDiagnostics'), DEFAULTS.maxDiagnostics),
    cache: {
      maxEntries: count(config.get('cache.maxEntries'), DEFAULTS.cache.maxEntries),
      ttlSeconds: count(config.get('cache.ttlSeconds'), DEFAULTS.cache.ttlSeconds),
      redisUrl: optionalString(config.get('cache.redisUrl')),
      redisTimeoutMs: count(config.get('cache.redisTimeoutMs'), DEFAULTS.cache.redisTimeoutMs),
    },
    configurationPreference: oneOf(config.get('configurationPreference'), PREFERENCES, DEFAULTS.configurationPreference),
  };
}

/** Server settings whose values come from the user's settings (`isSet(key)`, keys as in `wfLsp.<key>`), the rest
 * left out: the server then takes those keys from the project's `pyproject.toml` / `wf-lsp.toml`, not from our
 * defaults. `files` and `include` go to the server as one `files` list. */
export function onlySet(settings: ServerSettings, isSet: (key: string) => boolean): Partial<ServerSettings> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings)) {
    if (key === 'cache') {
      const cache = Object.fromEntries(Object.entries(value as object).filter(([sub]) => isSet(`cache.${sub}`)));
      if (Object.keys(cache).length > 0) out.cache = cache;
    } else if (key !== 'files' && key !== 'include' && isSet(key)) {
      out[key] = value;
    }
  }
  if (isSet('files') || isSet('include')) out.files = [...settings.files, ...settings.include];
  return out;
}

/** A ConfigSource over a plain object, reading `a.b` keys nested (`{a: {b}}`) or flat (`{"a.b"}`). */
export function objectConfig(values: Readonly<Record<string, unknown>>): ConfigSource {
  return {
    get(key: string): unknown {
      if (key in values) return values[key];
      let node: unknown = values;
      for (const part of key.split('.')) {
        if (typeof node !== 'object' || node === null || !(part in node)) return undefined;
        node = (node as Record<string, unknown>)[part];
      }
      return node;
    },
  };
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

function optionalPath(value: unknown, expand: (s: string) => string): string | null {
  const text = optionalString(value);
  return text === null ? null : expand(text);
}

function optionalString(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

function userLevel(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 4 ? value : null;
}

function count(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : fallback;
}

function flag(value: unknown, fallback: boolean): boolean {
  return typeof value === 'boolean' ? value : fallback;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v !== '') : [];
}

function severity(value: unknown): Record<string, Severity> {
  const out: Record<string, Severity> = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return out;
  for (const [code, level] of Object.entries(value as Record<string, unknown>)) {
    const word = typeof level === 'string' ? level.toLowerCase() : '';
    const normalised = word === 'info' ? 'information' : word;
    if ((SEVERITIES as readonly string[]).includes(normalised)) out[code.toUpperCase()] = normalised as Severity;
  }
  return out;
}

function ignore(value: unknown): (string | IgnoreEntry)[] {
  if (!Array.isArray(value)) return [];
  const out: (string | IgnoreEntry)[] = [];
  for (const item of value as unknown[]) {
    if (typeof item === 'string' && item !== '') out.push(item.toUpperCase());
    else if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
      const { code, files, pointer } = item as Record<string, unknown>;
      const entry: IgnoreEntry = { code: typeof code === 'string' && code !== '' ? code.toUpperCase() : '*' };
      if (typeof files === 'string' && files !== '') entry.files = files;
      if (typeof pointer === 'string' && pointer !== '') entry.pointer = pointer;
      out.push(entry);
    }
  }
  return out;
}
