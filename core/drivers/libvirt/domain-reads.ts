// Every VM of a node read at once, for an inventory load. Reading each VM on
// its own (dumpxml, domstate and dominfo) costs
// three virsh commands and a dozen libvirtd calls per VM, most of them in
// dominfo; a node with a hundred guests spent most of its load there. Here
// which VMs are persistent, autostarted, running, paused or shut off comes
// from one `virsh list` each, by UUID, for the whole node, and each VM costs
// one `dumpxml` (plus `dumpxml --inactive` when it runs), all written to the
// open virsh at once (virsh-shell.ts pipelines them). The facts are the
// same as those per-VM reads give (test/integration/inventory-batch.test.ts
// compares the two on a node with many guests).
import type { VmState } from '../../../shared/model';
import {
  dumpDomainXml,
  listDomainUuids,
  readDomainState,
  withDefinedDisks,
  type DomainFacts,
} from './commands';
import { parseDomainXml, type DomainXmlFacts } from './parse-domain';
import type { VirshShell } from './virsh-shell';

/** What the node's lists say of its VMs, by UUID. */
export interface DomainLists {
  /** Every VM, in `virsh list`'s order. */
  uuids: string[];
  persistent: Set<string>;
  autostart: Set<string>;
  /** Running, paused or shut off; a VM in another state (or that changed between lists) is absent. */
  states: Map<string, VmState>;
}

/**
 * The state filters of `virsh list` match libvirt's state exactly (running
 * is not blocked, shut off is not crashed); every other state (blocked, in
 * shutdown, crashed, pmsuspended) is left to `domstate`.
 */
const STATE_FILTERS: readonly (readonly [string, VmState])[] = [
  ['--state-running', 'running'],
  ['--state-paused', 'paused'],
  ['--state-shutoff', 'shutoff'],
];

export async function listDomains(shell: VirshShell): Promise<DomainLists> {
  const [uuids, persistent, autostart, ...byState] = await Promise.all([
    listDomainUuids(shell),
    listDomainUuids(shell, ['--persistent']),
    listDomainUuids(shell, ['--autostart']),
    ...STATE_FILTERS.map(([filter]) => listDomainUuids(shell, [filter])),
  ]);
  return {
    uuids,
    persistent: new Set(persistent),
    autostart: new Set(autostart),
    states: statesOf(byState.map((listed, i) => [STATE_FILTERS[i]![1], listed] as const)),
  };
}

/**
 * Each listed VM's state. A VM in two lists changed state between them:
 * neither is trusted, `domstate` says which it is now.
 */
export function statesOf(
  lists: readonly (readonly [VmState, readonly string[]])[],
): Map<string, VmState> {
  const states = new Map<string, VmState>();
  const twice = new Set<string>();
  for (const [state, uuids] of lists) {
    for (const uuid of uuids) {
      if (states.has(uuid)) twice.add(uuid);
      states.set(uuid, state);
    }
  }
  for (const uuid of twice) states.delete(uuid);
  return states;
}

/**
 * Each VM's XML as last parsed, live and as defined: an event reloads every
 * VM of the node, and most of their documents have not changed since, so
 * only the ones that did are parsed again (parsing is a large share of this
 * process's time in a load). The facts are shared: never mutated.
 */
export class ParsedDomains {
  private readonly byKey = new Map<string, { xml: string; facts: DomainXmlFacts }>();

  /** The facts of `xml`, parsed again only when it differs from the last one under `key`. */
  parse(key: string, xml: string): DomainXmlFacts {
    const last = this.byKey.get(key);
    if (last?.xml === xml) return last.facts;
    const facts = parseDomainXml(xml);
    this.byKey.set(key, { xml, facts });
    return facts;
  }

  /** Forgets VMs no longer listed. */
  keepOnly(uuids: readonly string[]): void {
    const listed = new Set(uuids);
    for (const key of this.byKey.keys())
      if (!listed.has(key.split(' ')[0]!)) this.byKey.delete(key);
  }
}

/** One listed VM: its XML, its state from the lists (else `domstate`), its definition when it runs. */
export async function readListedDomain(
  shell: VirshShell,
  uuid: string,
  lists: DomainLists,
  parsed: ParsedDomains = new ParsedDomains(),
): Promise<DomainFacts> {
  const listed = lists.states.get(uuid);
  const [xmlText, state] = await Promise.all([
    dumpDomainXml(shell, uuid),
    listed ?? readDomainState(shell, uuid),
  ]);
  return withDefinedDisks(
    shell,
    uuid,
    {
      ...parsed.parse(uuid, xmlText),
      state,
      persistent: lists.persistent.has(uuid),
      autostart: lists.autostart.has(uuid),
    },
    (xml) => parsed.parse(`${uuid} inactive`, xml),
  );
}
