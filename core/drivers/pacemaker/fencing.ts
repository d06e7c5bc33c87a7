// Fencing for New Cluster's "High availability": which fence agents a node
// has (`stonith_admin --list-installed`), what parameters one takes (its
// metadata), a test that asks the agent for the node's power `status`
// without fencing it, and the CIB stonith resource that stores a node's
// device in the cluster's own configuration. Secrets go on standard input
// only: never on a command line, never in the task log or the summary.
import type { FenceAgentInfo } from '../../../shared/ha-form';

/** A value inside an XML attribute (double-quoted). */
export function xmlEscape(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export const LIST_AGENTS_ARGV = ['stonith_admin', '--list-installed'] as const;

/** The fence-agents style agents in `stonith_admin --list-installed` (not its summary line). */
export function parseInstalledAgents(out: string): string[] {
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^fence_[a-z0-9_]+$/.test(l))
    .sort();
}

export function metadataArgv(agent: string): string[] {
  return ['stonith_admin', '--metadata', '--agent', agent];
}

/** Parameters a person sets; the rest Pacemaker or the agent fills in. */
const HIDDEN_PARAMS = new Set(['action', 'plug', 'port', 'nodename', 'help', 'version']);
const SECRET = /passw|secret|community|key$/;

/** The agent's description and settable parameters, from its metadata XML. */
export function parseAgentMetadata(name: string, xml: string): FenceAgentInfo {
  const description =
    /<resource-agent[^>]*shortdesc="([^"]*)"/.exec(xml)?.[1] ??
    /<shortdesc[^>]*>([^<]*)</.exec(xml)?.[1] ??
    '';
  const parameters: FenceAgentInfo['parameters'] = [];
  for (const m of xml.matchAll(/<parameter\s([^>]*)>([\s\S]*?)<\/parameter>/g)) {
    const attrs = m[1] ?? '';
    const pname = /name="([^"]+)"/.exec(attrs)?.[1];
    if (!pname || HIDDEN_PARAMS.has(pname) || /deprecated="1"/.test(attrs)) continue;
    if (!/^[a-z][a-z0-9_]*$/.test(pname)) continue;
    parameters.push({
      name: pname,
      required: /required="1"/.test(attrs),
      secret: SECRET.test(pname),
      description: unescape(/<shortdesc[^>]*>([\s\S]*?)<\/shortdesc>/.exec(m[2] ?? '')?.[1] ?? ''),
    });
  }
  return { name, description: unescape(description), parameters };
}

const unescape = (s: string) =>
  s
    .trim()
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

/** Whether the agent takes the target as plug/port (a PDU, the lab's agent) rather than one address per device (a BMC). */
export function takesPlug(metadataXml: string): boolean {
  return /<parameter\s[^>]*name="(plug|port)"/.test(metadataXml);
}

/**
 * The agent's `status` of the node, without fencing it: the agent itself
 * with its options as key=value lines on standard input (the fence-agents
 * interface), so a password never reaches a command line.
 */
export function statusTest(
  agent: string,
  target: string,
  params: Record<string, string>,
  withPlug: boolean,
): { argv: string[]; stdin: string } {
  const lines = ['action=status', ...(withPlug ? [`plug=${target}`] : [])];
  for (const [k, v] of Object.entries(params)) lines.push(`${k}=${v}`);
  return { argv: [agent], stdin: `${lines.join('\n')}\n` };
}

/** The ids of a node's stonith resource and its constraint in the CIB. */
export const fenceIds = (node: string) => ({
  primitive: `fence-${node}`,
  avoid: `fence-${node}-avoids-${node}`,
});

/** A CIB id from a parameter name: letters, digits, - and _. */
const idPart = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');

/**
 * The stonith resource that fences `node` (pcmk_host_list names it), with
 * the agent's parameters; `hide` shows secrets as a placeholder (the
 * summary and the task's shown input), the real XML goes on stdin.
 */
export function stonithPrimitiveXml(
  node: string,
  agent: string,
  params: Record<string, string>,
  secret: (name: string) => boolean,
  hide = false,
): string {
  const { primitive: id } = fenceIds(node);
  const pairs = [['pcmk_host_list', node] as const, ...Object.entries(params)].map(
    ([k, v]) =>
      `      <nvpair id="${id}-ia-${idPart(k)}" name="${xmlEscape(k)}" value="${hide && secret(k) ? '(hidden)' : xmlEscape(v)}"/>`,
  );
  return [
    `<primitive id="${id}" class="stonith" type="${xmlEscape(agent)}">`,
    `  <instance_attributes id="${id}-ia">`,
    ...pairs,
    '  </instance_attributes>',
    '  <operations>',
    `    <op id="${id}-monitor" name="monitor" interval="60s"/>`,
    '  </operations>',
    '</primitive>',
  ].join('\n');
}

/** As with a BMC, a node does not run the device that fences itself. */
export function avoidSelfXml(node: string): string {
  const { primitive, avoid } = fenceIds(node);
  return `<rsc_location id="${avoid}" rsc="${primitive}" node="${xmlEscape(node)}" score="-INFINITY"/>`;
}

export const secretParam = (name: string) => SECRET.test(name);

/** Adds XML from stdin to a CIB section (no file, nothing on the command line). */
export function cibCreateArgv(scope: 'resources' | 'constraints'): string[] {
  return ['cibadmin', '--create', '--scope', scope, '--xml-pipe'];
}
