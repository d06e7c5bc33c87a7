// What every handler gets, and the errors it throws. Kept apart from the
// server so handlers can be read (and tested) without HTTP.
import type { Duplex } from 'node:stream';
import type { ApiSchema, JsonSchema } from './schema';
import { findNode, type ClusterState, type SimNode } from './state';
import type { TaskEngine } from './tasks';

/** An error PVE would answer with this HTTP status and message. */
export class PveError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Per-parameter messages, as PVE's raise_param_exc answers them (status 400). */
    readonly errors?: Record<string, string>,
  ) {
    super(message);
  }
}

/** PVE's raise_param_exc: 400 "Parameter verification failed." with the parameters' messages. */
export function paramError(errors: Record<string, string>): PveError {
  return new PveError(400, 'Parameter verification failed.\n', errors);
}

/** A node of a lab of separate nodes (scripts/lab-pve up --bare): what a join needs to reach it. */
export interface NetNode {
  name: string;
  /** Its address (API and corosync link): what a join's `hostname` names. */
  ip: string;
  /** SHA-256 fingerprint of its API certificate, `AB:CD:…`. */
  fingerprint: string;
  /** Its root@pam password, which a join into its cluster must give. */
  rootPassword: string;
  /** The state its pveproxy answers from: its own until it joins a cluster. */
  front: { sim: Sim };
}

/** Nodes that can reach each other (a join, /cluster/config/join's fingerprints). */
export interface SimNet {
  nodes: NetNode[];
}

export interface Sim {
  schema: ApiSchema;
  /** The other nodes this one can reach, where the simulator runs several apart. */
  net?: SimNet;
  state: ClusterState;
  tasks: TaskEngine;
  /** API tokens accepted: `user@realm!tokenid` -> secret (a UUID); token creation adds to it. */
  tokens: Record<string, string>;
  /** The guests' real displays (a QEMU VNC server), where the simulator has one (console.ts). */
  displays?: DisplaySource;
  /** The cluster's root CA as vncproxy returns it (`cert`). */
  rootCa?: string;
}

/** A guest's VNC server and the QMP commands vncproxy gives it, as `qm vncproxy` does. */
export interface GuestDisplay {
  /** QMP `set_password` (vnc) then `expire_password` (+seconds). */
  setPassword(password: string, expireSeconds: number): Promise<void>;
  /** A new connection to the VNC server (QEMU's /var/run/qemu-server/<vmid>.vnc). */
  connect(): Promise<Duplex>;
}

/** The display of a running guest, or undefined when it has none (not running, or none simulated). */
export type DisplaySource = (vmid: number) => Promise<GuestDisplay | undefined>;

export interface Ctx {
  sim: Sim;
  /** Validated parameters: path, query and body merged, as sent (strings for forms). */
  params: Record<string, unknown>;
  /** The authenticated user, `user@realm!tokenid` for a token. */
  user: string;
  /** The method's `returns` schema (handlers shape typed values by it). */
  returns: JsonSchema;
  /** The node whose pveproxy answers (the `local` one in /cluster/status). */
  local?: string;
  /** Set by a handler whose answer PVE pages: sent as `total` beside `data`. */
  total?: number;
}

export type Handler = (ctx: Ctx) => unknown;

/** The node a request names; missing or offline as pveproxy reports it. */
export function requireNode(ctx: Ctx): SimNode {
  const name = String(ctx.params.node);
  const node = findNode(ctx.sim.state, name);
  if (!node) {
    throw new PveError(
      500,
      `hostname lookup '${name}' failed - failed to get address info for: ${name}: Name or service not known\n`,
    );
  }
  if (!node.online) throw new PveError(595, `Connection refused`);
  return node;
}

/** A PVE boolean parameter (0/1 or a JSON boolean). */
export function flag(v: unknown): boolean {
  return v === true || v === 1 || v === '1';
}

/**
 * Config values typed as the schema declares them: PVE's JSON output has
 * numbers for integer/number/boolean options and strings for the rest.
 */
export function typedByschema(
  values: Record<string, unknown>,
  schema: JsonSchema,
): Record<string, unknown> {
  const props = schema.properties ?? {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    const m = /^(.*?)(\d+)$/.exec(k);
    const type = (props[k] ?? (m ? props[`${m[1]}[n]`] : undefined))?.type;
    out[k] = type === 'integer' || type === 'number' || type === 'boolean' ? Number(v) : String(v);
  }
  return out;
}
