// The router: every contract method reaches exactly one service, and a call
// the contract does not allow never reaches one.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { methods } from '../../shared/api';
import { Backend } from '../backend';
import { NO_PERSISTENT_SECRETS } from '../store/secrets';
import { fakeVm } from '../testing/fake-node';
import { fakeWorld } from '../testing/fake-context';
import { createServices, route } from './router';

async function emptyBackend(): Promise<Backend> {
  const dataDir = mkdtempSync(join(tmpdir(), 'clusterdeck-router-'));
  return Backend.start({
    dataDir,
    secretBox: NO_PERSISTENT_SECRETS,
    userKnownHosts: join(dataDir, 'none'),
    sshConfig: join(dataDir, 'none'),
  });
}

describe('router', () => {
  it('routes every contract method to exactly one service', async () => {
    const services = createServices((await fakeWorld()).ctx);
    const owners = new Map<string, string[]>();
    for (const [service, { handlers }] of Object.entries(services))
      for (const m of Object.keys(handlers)) owners.set(m, [...(owners.get(m) ?? []), service]);
    const twice = [...owners].filter(([, s]) => s.length > 1);
    expect(twice).toEqual([]);
    expect([...owners.keys()].sort()).toEqual(Object.keys(methods).sort());
    const handlers = route(services);
    for (const m of Object.keys(methods))
      expect(typeof handlers[m as keyof typeof handlers]).toBe('function');
  });

  it('refuses an unknown method as invalid input', async () => {
    const backend = await emptyBackend();
    try {
      await expect(backend.call('formatDisk', {})).rejects.toMatchObject({
        code: 'invalid-input',
        message: 'Unknown method formatDisk.',
      });
      await expect(backend.call('toString', {})).rejects.toMatchObject({ code: 'invalid-input' });
    } finally {
      backend.close();
    }
  });

  it('refuses invalid params before any handler runs, naming the field', async () => {
    const backend = await emptyBackend();
    try {
      await expect(
        backend.call('vmAction', { vmId: 'x', action: 'explode' }),
      ).rejects.toMatchObject({
        code: 'invalid-input',
        message: expect.stringMatching(/^action: /),
      });
      await expect(backend.call('probeHost', { port: 22 })).rejects.toMatchObject({
        code: 'invalid-input',
        message: expect.stringMatching(/^address: /),
      });
      // No task started, nothing reached a node.
      expect(backend.store.all('tasks')).toEqual([]);
    } finally {
      backend.close();
    }
  });

  it('hands valid params to the handler', async () => {
    const backend = await emptyBackend();
    try {
      expect(await backend.call('getInventory', undefined)).toEqual(backend.store.snapshot());
      await expect(
        backend.call('vmAction', { vmId: 'gone', action: 'start' }),
      ).rejects.toMatchObject({ code: 'not-found' });
    } finally {
      backend.close();
    }
  });

  it('runs a VM action through the driver of the VM’s node', async () => {
    const world = await fakeWorld();
    const node = world.addNode('node1');
    const vm = fakeVm(node.id, 'web');
    world.ctx.store.put('vms', vm.id, vm);
    const handlers = route(createServices(world.ctx));
    const { taskId } = await handlers.vmAction({ vmId: vm.id, action: 'start' }, {});
    const task = await world.settled(taskId);
    expect(task).toMatchObject({ state: 'succeeded', title: 'Start web', target: 'node1 / web' });
    expect(node.actions).toEqual([{ vm: 'web', action: 'start' }]);
  });
});
