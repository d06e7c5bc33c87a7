// New Cluster's "Fencing" step for a high-availability cluster: per node, the
// agent that powers it off (fence_ipmilan with its BMC address, user and
// password, or another agent from `stonith_admin --list-installed` with its
// parameters) and a test that asks the agent for the node's power status,
// fencing nothing. Or, chosen explicitly with its risk shown, no fencing.
// The values (a password too) go to the backend only in the requests that
// test them and that store them in the cluster's own configuration.
import { useEffect, useState } from 'react';
import type { FenceAgentInfo, FenceTestResult, HaFencing } from '../../../shared/ha-form';
import type { Host } from '../../../shared/model';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { buttonClass } from '../../ui/Dialog';
import { Checkbox, RadioGroup, Select, TextArea, TextField } from '../../ui/forms';

const IPMI = 'fence_ipmilan';
/** Agents Pacemaker brings that fence no hardware: not offered. */
const NOT_OFFERED = ['fence_legacy', 'fence_watchdog'];

interface NodeFence {
  agent: string;
  values: Record<string, string>;
  /** Further parameters, one name=value a line. */
  extra: string;
  test?: FenceTestResult | 'running';
}

export interface FencingState {
  mode: 'devices' | 'none';
  acceptRisk: boolean;
  nodes: Record<string, NodeFence>;
  agents?: string[] | { error: string };
  meta: Record<string, FenceAgentInfo>;
}

function params(n: NodeFence, info: FenceAgentInfo | undefined): Record<string, string> {
  const p: Record<string, string> = {};
  if (n.agent === IPMI) p['lanplus'] = '1';
  const names =
    n.agent === IPMI ? ['ip', 'username', 'password'] : (info?.parameters.map((x) => x.name) ?? []);
  for (const k of names) if (n.values[k]?.trim()) p[k] = n.values[k].trim();
  for (const line of n.extra.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) p[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return p;
}

/** The wizard's fencing state (kept across its steps), the spec it makes, and whether it may go on. */
export function useHaFencing(hosts: readonly Host[]) {
  const [state, setState] = useState<FencingState>({
    mode: 'devices',
    acceptRisk: false,
    nodes: {},
    meta: {},
  });
  const node = (id: string): NodeFence => state.nodes[id] ?? { agent: '', values: {}, extra: '' };
  const devices = hosts.map((h) => {
    const n = node(h.id);
    return { hostId: h.id, agent: n.agent, params: params(n, state.meta[n.agent]) };
  });
  const spec: HaFencing | undefined =
    state.mode === 'none'
      ? state.acceptRisk
        ? { mode: 'none', acceptRisk: true }
        : undefined
      : devices.every((d) => d.agent)
        ? { mode: 'devices', devices }
        : undefined;
  // Every node's device answered its test with the values it has now.
  const ready =
    !!spec &&
    (state.mode === 'none' ||
      hosts.every((h) => {
        const t = node(h.id).test;
        return typeof t === 'object' && t.ok;
      }));
  return { state, setState, node, spec, ready };
}

type Fencing = ReturnType<typeof useHaFencing>;

export function HaFencingStep({
  hosts,
  clusterHostIds,
  fencing,
}: {
  /** The nodes to fence (the cluster's members that run already keep theirs). */
  hosts: readonly Host[];
  /** Every node of the cluster: a test runs on another one than the node it fences. */
  clusterHostIds: string[];
  fencing: Fencing;
}) {
  const { state, setState, node } = fencing;
  const hostIds = hosts.map((h) => h.id);
  const first = hostIds[0];

  useEffect(() => {
    if (!first || state.agents) return;
    api.haFenceAgents({ hostId: first }).then(
      ({ agents }) => {
        const offered = agents.filter((a) => !NOT_OFFERED.includes(a));
        const pick = offered.includes(IPMI) ? IPMI : (offered[0] ?? '');
        setState((s) => ({
          ...s,
          agents: offered,
          nodes: Object.fromEntries(
            hostIds.map((id) => [id, s.nodes[id] ?? { agent: pick, values: {}, extra: '' }]),
          ),
        }));
      },
      (e: unknown) => setState((s) => ({ ...s, agents: { error: errorMessage(e) } })),
    );
  }, [first]);

  // Each agent's parameters, read once from its metadata.
  const chosen = [...new Set(hostIds.map((id) => node(id).agent).filter(Boolean))];
  useEffect(() => {
    for (const agent of chosen)
      if (first && agent !== IPMI && !state.meta[agent])
        void api.haFenceAgent({ hostId: first, agent }).then(
          (info) => setState((s) => ({ ...s, meta: { ...s.meta, [agent]: info } })),
          () => undefined,
        );
  }, [chosen.join(',')]);

  const change = (id: string, patch: Partial<NodeFence>) =>
    setState((s) => {
      const { test: _stale, ...old } = s.nodes[id] ?? { agent: '', values: {}, extra: '' };
      return { ...s, nodes: { ...s.nodes, [id]: { ...old, ...patch } } };
    });
  const setTest = (id: string, test: NodeFence['test']) =>
    setState((s) => ({ ...s, nodes: { ...s.nodes, [id]: { ...s.nodes[id]!, test } } }));

  const test = (h: Host) => {
    const n = node(h.id);
    setTest(h.id, 'running');
    api
      .testFenceDevice({
        hostIds: clusterHostIds,
        device: { hostId: h.id, agent: n.agent, params: params(n, state.meta[n.agent]) },
      })
      .then(
        (r) => setTest(h.id, r),
        (e: unknown) => setTest(h.id, { ok: false, message: errorMessage(e) }),
      );
  };

  const agents = Array.isArray(state.agents) ? state.agents : [];
  return (
    <div className="space-y-3">
      <RadioGroup
        legend="How are the nodes fenced?"
        value={state.mode}
        onChange={(mode) => setState((s) => ({ ...s, mode }))}
        options={[
          { value: 'devices', label: 'A fence device per node (recommended)' },
          { value: 'none', label: 'No fencing' },
        ]}
      />
      <p className="text-sm text-slate-600 dark:text-slate-400">
        When a node stops answering, Pacemaker powers it off through its fence device before it
        starts that node’s VMs elsewhere. The settings, passwords too, are kept only in the
        cluster’s own configuration on the nodes (its CIB).
      </p>
      {state.mode === 'none' && (
        <div role="alert" className="rounded bg-amber-50 p-2 text-sm dark:bg-amber-950">
          <p>
            Without fencing, a node that only lost its network still runs its VMs while the others
            start them too: a split brain runs a VM twice on the same shared disks, which corrupts
            them. Pacemaker is told stonith-enabled=false.
          </p>
          <Checkbox
            className="mt-2 flex items-center gap-2"
            checked={state.acceptRisk}
            onChange={(acceptRisk) => setState((s) => ({ ...s, acceptRisk }))}
          >
            I understand: form the cluster without fencing
          </Checkbox>
        </div>
      )}
      {state.mode === 'devices' && state.agents && 'error' in state.agents && (
        <p role="alert" className="text-red-700 dark:text-red-400">
          {state.agents.error}
        </p>
      )}
      {state.mode === 'devices' && !state.agents && <p>Reading the installed fence agents…</p>}
      {state.mode === 'devices' &&
        hosts.map((h) => {
          const n = node(h.id);
          const info = state.meta[n.agent];
          return (
            <fieldset
              key={h.id}
              className="rounded border border-slate-300 p-2 dark:border-slate-700"
            >
              <legend className="px-1 font-medium">{h.name}</legend>
              <Select
                label="Fence agent"
                value={n.agent}
                onChange={(agent) => change(h.id, { agent, values: {} })}
                options={agents.map((a) => ({ value: a, label: a }))}
                emptyLabel="(no fence agent installed)"
              />
              {n.agent === IPMI ? (
                <>
                  <TextField
                    label="BMC address"
                    value={n.values['ip'] ?? ''}
                    spellCheck={false}
                    onChange={(v) => change(h.id, { values: { ...n.values, ip: v } })}
                  />
                  <TextField
                    label="BMC user"
                    value={n.values['username'] ?? ''}
                    spellCheck={false}
                    onChange={(v) => change(h.id, { values: { ...n.values, username: v } })}
                  />
                  <TextField
                    label="BMC password"
                    type="password"
                    autoComplete="off"
                    value={n.values['password'] ?? ''}
                    onChange={(v) => change(h.id, { values: { ...n.values, password: v } })}
                  />
                </>
              ) : (
                info?.parameters
                  .filter((p) => p.required)
                  .map((p) => (
                    <TextField
                      key={p.name}
                      label={`${p.name} (${p.description})`}
                      type={p.secret ? 'password' : 'text'}
                      value={n.values[p.name] ?? ''}
                      onChange={(v) => change(h.id, { values: { ...n.values, [p.name]: v } })}
                    />
                  ))
              )}
              <TextArea
                label="Other parameters (name=value, one a line)"
                rows={2}
                spellCheck={false}
                value={n.extra}
                onChange={(extra) => change(h.id, { extra })}
              />
              <div className="mt-2 flex items-center gap-2">
                <button
                  type="button"
                  className={`${buttonClass} whitespace-nowrap`}
                  aria-label={`Test fencing of ${h.name}`}
                  disabled={!n.agent || n.test === 'running'}
                  onClick={() => test(h)}
                >
                  Test (status only)
                </button>
                {n.test === 'running' && <span role="status">Asking the agent…</span>}
                {typeof n.test === 'object' && (
                  <span
                    role="status"
                    className={
                      n.test.ok
                        ? 'text-emerald-700 dark:text-emerald-400'
                        : 'text-red-700 dark:text-red-400'
                    }
                  >
                    {n.test.ok ? 'Works: ' : 'Failed: '}
                    {n.test.message}
                  </span>
                )}
              </div>
            </fieldset>
          );
        })}
      {state.mode === 'devices' && (
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Test each node’s device before going on: the test asks its power status and fences
          nothing.
        </p>
      )}
    </div>
  );
}
