// A service context for unit tests: the real inventory store, task runner
// and settings file (in a temporary folder), with fake nodes in place of
// SSH connections. Test code only.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Task } from '../../shared/model';
import { InventoryStore } from '../inventory/store';
import { Connections, type ServiceContext } from '../services/context';
import { JumpHosts } from '../ssh/jump';
import { KnownHosts } from '../ssh/known-hosts';
import { NO_PERSISTENT_SECRETS } from '../store/secrets';
import { SettingsStore } from '../store/settings';
import { TaskRunner } from '../tasks/runner';
import { FakeNode } from './fake-node';
import { defaultDriverRegistry } from '../drivers/registry';

export interface FakeWorld {
  ctx: ServiceContext;
  /** Adds a connected node to the inventory and the connections. */
  addNode(name: string): FakeNode;
  /** Resolves once the task has ended, with its final state. */
  settled(taskId: string): Promise<Task>;
}

export async function fakeWorld(): Promise<FakeWorld> {
  const dataDir = mkdtempSync(join(tmpdir(), 'clusterdeck-services-'));
  const store = new InventoryStore();
  const settings = new SettingsStore(dataDir);
  await settings.load();
  const knownHosts = new KnownHosts(join(dataDir, 'known_hosts'));
  const connections = new Connections();
  const ctx: ServiceContext = {
    opts: { dataDir, secretBox: NO_PERSISTENT_SECRETS, sshConfig: join(dataDir, 'no-config') },
    store,
    tasks: new TaskRunner(store),
    settings,
    knownHosts,
    jumps: new JumpHosts(knownHosts, join(dataDir, 'no-config')),
    connections,
    connection: (hostId) => connections.get(hostId),
    drivers: defaultDriverRegistry(),
  };
  let next = 1;
  return {
    ctx,
    addNode(name) {
      const n = next++;
      const node = new FakeNode({
        id: `host-${n}`,
        name,
        address: `192.0.2.${n}`,
        port: 22,
        user: 'root',
        auth: 'key',
      });
      const { id, address, port, user, auth } = node.config;
      store.put('hosts', id, { id, name, address, port, user, auth, state: 'connected' });
      connections.set(node.asConnection());
      return node;
    },
    settled: (taskId) =>
      new Promise((resolve) => {
        const check = () => {
          const t = store.get('tasks', taskId);
          if (t && t.state !== 'running') {
            stop();
            resolve(t);
          }
        };
        const stop = store.onPatch(check);
        check();
      }),
  };
}
