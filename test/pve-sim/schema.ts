// Loads Proxmox VE's official API schema (api-viewer/apidata.js of
// proxmox/pve-docs, see schema/README.md) and indexes it by method and path
// template, so the simulator and its validator work from Proxmox's own
// definitions instead of our reading of them. Test infrastructure only.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

export type PveVersion = 'pve8' | 'pve9';
export const PVE_VERSIONS: readonly PveVersion[] = ['pve8', 'pve9'];

/** A JSON schema node as PVE writes it (0/1 for booleans, format may be an object). */
export interface JsonSchema {
  type?: string | string[];
  optional?: 0 | 1 | boolean;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: 0 | 1 | boolean | JsonSchema;
  items?: JsonSchema;
  enum?: (string | number)[];
  pattern?: string;
  format?: string | Record<string, JsonSchema>;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  default_key?: 0 | 1;
  alias?: string;
  [key: string]: unknown;
}

export interface ApiMethod {
  method: string;
  name: string;
  parameters: JsonSchema;
  returns: JsonSchema;
  permissions?: unknown;
  protected?: 0 | 1;
  allowtoken?: 0 | 1;
}

interface SchemaNode {
  path: string;
  text: string;
  info?: Record<string, ApiMethod>;
  children?: SchemaNode[];
}

export interface RouteMatch {
  template: string;
  /** Path parameters by name, e.g. { node: 'pve1', vmid: '100' }. */
  pathParams: Record<string, string>;
  api: ApiMethod;
}

export interface ApiSchema {
  version: PveVersion;
  /** The method's definition at an exact template, or undefined. */
  get(method: string, template: string): ApiMethod | undefined;
  /** Every template the schema defines (any method). */
  templates(): string[];
  /** Matches a concrete path (without /api2/json) to its template. */
  match(method: string, path: string): RouteMatch | undefined;
  /** True when some method exists at the path (for PVE's 501 vs 404 distinction). */
  pathExists(path: string): boolean;
}

const here = dirname(fileURLToPath(import.meta.url));

/** The folder the pinned schema files are read from (see schema/README.md). */
export function schemaDir(): string {
  return process.env.PVE_SCHEMA_DIR ?? join(here, 'schema');
}

export function schemaFile(version: PveVersion): string {
  return join(schemaDir(), `${version}.apidata.js.gz`);
}

export function schemaAvailable(version: PveVersion): boolean {
  return existsSync(schemaFile(version));
}

/**
 * Whether both pinned schemas are in place. Without them (they are not in git,
 * schema/README.md says why) a suite cannot run the simulator: it prints this
 * line, naming itself, and skips rather than pass.
 */
export function pveSchemasOrSkip(suite: string): boolean {
  if (PVE_VERSIONS.every(schemaAvailable)) return true;
  console.log(
    `[${suite}] SKIPPED: Proxmox's API schema files are not in ${schemaDir()}; put them there (test/pve-sim/schema/README.md) or set PVE_SCHEMA_DIR`,
  );
  return false;
}

/** apidata.js is `const apiSchema = [ ...JSON... ];`: the JSON between. */
export function parseApidata(text: string): SchemaNode[] {
  const start = text.indexOf('[');
  const end = text.lastIndexOf(']');
  if (!text.startsWith('const apiSchema') || start < 0 || end < start) {
    throw new Error('not an apidata.js file (expected "const apiSchema = [...]")');
  }
  return JSON.parse(text.slice(start, end + 1)) as SchemaNode[];
}

interface Route {
  template: string;
  segments: string[];
  methods: Record<string, ApiMethod>;
}

function buildIndex(version: PveVersion, tree: SchemaNode[]): ApiSchema {
  const routes = new Map<string, Route>();
  const walk = (nodes: SchemaNode[]): void => {
    for (const n of nodes) {
      if (n.info) {
        routes.set(n.path, {
          template: n.path,
          segments: n.path.split('/').filter(Boolean),
          methods: n.info,
        });
      }
      if (n.children) walk(n.children);
    }
  };
  walk(tree);
  // Literal segments win over {param} ones (as PVE's router prefers a
  // registered subdirectory over a parameter), so sort routes by that.
  const ordered = [...routes.values()].sort(
    (a, b) => countParams(a.segments) - countParams(b.segments),
  );
  const matchRoute = (
    path: string,
  ): { route: Route; params: Record<string, string> } | undefined => {
    const parts = joinFragments(path.split('/').filter(Boolean).map(decodeURIComponent));
    for (const route of ordered) {
      if (route.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      const ok = route.segments.every((seg, i) => {
        const m = /^\{(.+)\}$/.exec(seg);
        if (m) {
          params[m[1]!] = parts[i]!;
          return true;
        }
        return seg === parts[i];
      });
      if (ok) return { route, params };
    }
    return undefined;
  };
  return {
    version,
    get: (method, template) => routes.get(template)?.methods[method.toUpperCase()],
    templates: () => [...routes.keys()],
    pathExists: (path) => matchRoute(path) !== undefined,
    match(method, path) {
      const found = matchRoute(path);
      const api = found?.route.methods[method.toUpperCase()];
      if (!found || !api) return undefined;
      return { template: found.route.template, pathParams: found.params, api };
    },
  };
}

/**
 * PVE mounts some handlers with `fragmentDelimiter => ''` (pve-storage's
 * API2/Storage/Status.pm for `{storage}/content`: "volume IDs may contain a
 * slash"): the router joins everything after that prefix into one path
 * component, so `…/content/local:backup/vzdump-….vma.zst` names one volume.
 */
const WHOLE_REST_AFTER: string[][] = [['nodes', '*', 'storage', '*', 'content']];

function joinFragments(parts: string[]): string[] {
  for (const prefix of WHOLE_REST_AFTER) {
    const n = prefix.length;
    if (parts.length > n + 1 && prefix.every((p, i) => p === '*' || p === parts[i]))
      return [...parts.slice(0, n), parts.slice(n).join('/')];
  }
  return parts;
}

function countParams(segments: string[]): number {
  return segments.filter((s) => s.startsWith('{')).length;
}

const cache = new Map<PveVersion, ApiSchema>();

/** The indexed schema of a pinned version; throws with directions if it is not in place. */
export function loadSchema(version: PveVersion): ApiSchema {
  const cached = cache.get(version);
  if (cached) return cached;
  const file = schemaFile(version);
  if (!existsSync(file)) {
    throw new Error(
      `Proxmox VE API schema ${file} is missing: place the pinned apidata.js files ` +
        'there (or set PVE_SCHEMA_DIR), as test/pve-sim/schema/README.md says',
    );
  }
  const index = buildIndex(version, parseApidata(gunzipSync(readFileSync(file)).toString('utf8')));
  cache.set(version, index);
  return index;
}
