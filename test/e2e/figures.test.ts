// End to end: figures that agree with each other and with the node. A node's
// memory on its General tab, its cluster's General tab and the Performance
// tab, against the node's /proc/meminfo and virsh; a pool that is one folder
// on two nodes counted once, local folders of one name per node; charts that
// keep their history while the tab is away, and a VM's history that follows
// it to another node. Runs alone: `LAB_BASE=NN npx vitest run --project lab test/e2e/figures.test.ts`.
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../core/backend';
import { formatBytes } from '../../shared/units';
import { labExec, taskFinished, virshOn, waitFor } from '../lab';
import { ARTIFACTS, ensureE2eCluster, vmItem, useE2e } from './fixtures';

const e2e = useE2e({ nodes: ['node1', 'node2', 'node3'] });
let page: Page;
let backend: Backend;
beforeAll(() => {
  ({ page, backend } = e2e);
});

const SHARED_DIR = '/var/tmp/clusterdeck-figures-shared';
// Under the nodes' private /var/lib/libvirt: one name, a folder of each node's own.
const LOCAL_DIR = '/var/lib/libvirt/figures-local';
const POOLS = [
  { name: 'figures-shared', dir: SHARED_DIR, nodes: ['node1', 'node2'] },
  { name: 'figures-local', dir: LOCAL_DIR, nodes: ['node1', 'node2'] },
];

function removePools(): void {
  for (const p of POOLS)
    for (const n of p.nodes) {
      const has = virshOn(n, ['pool-list', '--all', '--name'])
        .split('\n')
        .some((l) => l.trim() === p.name);
      if (!has) continue;
      try {
        virshOn(n, ['pool-destroy', '--pool', p.name]);
      } catch {
        // not running
      }
      virshOn(n, ['pool-undefine', '--pool', p.name]);
    }
  for (const n of ['node1', 'node2']) labExec(n, ['rm', '-rf', '--', SHARED_DIR, LOCAL_DIR]);
}

const hostId = (name: string) => backend.store.all('hosts').find((h) => h.name === name)!.id;
const vmOn = (name: string) => backend.store.all('vms').find((v) => v.name === name);

/** Puts lab-tiny-1 back on node1 if a test left it on node2 (resetLabGuests would undefine it). */
async function tinyBackOnNode1(): Promise<void> {
  const vm = vmOn('lab-tiny-1');
  if (!vm || vm.hostId === hostId('node1')) return;
  const { taskId } = (await backend.call('migrateVms', {
    vmIds: [vm.id],
    targetHostId: hostId('node1'),
  })) as { taskId: string };
  await taskFinished(backend, taskId, 120_000);
}

afterAll(async () => {
  await tinyBackOnNode1().catch((e: unknown) => console.error('[figures] move back:', e));
  removePools();
});

/** The value of a General tab's fact, by its label. */
const fact = (label: string): Locator =>
  page
    .locator('dt')
    .filter({ hasText: new RegExp(`^${label}$`) })
    .locator('xpath=following-sibling::dd[1]');

const UNITS: Record<string, number> = {
  B: 1,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
};
/** "22.5 GiB" back into bytes. */
function bytesOf(text: string): number {
  const m = text.match(/([\d.]+) (B|KiB|MiB|GiB|TiB)/);
  if (!m) throw new Error(`no size in "${text}"`);
  return Number(m[1]) * UNITS[m[2]!]!;
}

const meminfo = (node: string, key: string) =>
  Number(labExec(node, ['awk', `/^${key}:/ {print $2}`, '/proc/meminfo']).trim()) * 1024;

/** What the node's running guests were given, from virsh (currentMemory, KiB). */
function givenOnNode(node: string): { bytes: number; count: number } {
  const names = virshOn(node, ['list', '--name']).split('\n').filter(Boolean);
  const bytes = names.reduce((n, name) => {
    const used = virshOn(node, ['dominfo', name]).match(/^Used memory:\s+(\d+) KiB/m);
    return n + Number(used?.[1] ?? 0) * 1024;
  }, 0);
  return { bytes, count: names.length };
}

/** A chart's figure by its title, and what it says it holds. */
const chart = (title: string) =>
  page
    .locator('figure')
    .filter({ has: page.getByRole('img', { name: `${title} chart`, exact: true }) });
const points = async (title: string) =>
  Number((await chart(title).getAttribute('data-points')) ?? 0);

const GiB = 2 ** 30;

describe('figures in Chromium', () => {
  it("shows a node's memory the same on its General tab, its cluster's and the Performance tab, as the node counts it", async () => {
    await ensureE2eCluster();
    const total = meminfo('node1', 'MemTotal');
    // Memory moves on a shared machine (other labs start guests beside this one):
    // the node's own readings from before the first click to after the last read
    // bound what the window may show, with half a GiB either side.
    const seen = [meminfo('node1', 'MemAvailable')];
    const withinSeen = (bytes: number) => {
      seen.push(meminfo('node1', 'MemAvailable'));
      expect(bytes).toBeGreaterThan(Math.min(...seen) - GiB / 2);
      expect(bytes).toBeLessThan(Math.max(...seen) + GiB / 2);
    };
    await page.getByRole('treeitem', { name: /^node1 Connected/ }).click();
    await page.getByRole('tab', { name: 'General' }).click();
    expect(await fact('Memory total').textContent()).toBe(formatBytes(total));
    await expect.poll(() => fact('Memory available to new guests').textContent()).not.toBe('—');
    const available = bytesOf((await fact('Memory available to new guests').textContent())!);
    withinSeen(available);
    const given = givenOnNode('node1');
    expect(given.count).toBeGreaterThan(0);
    expect(await fact('Memory given to running VMs').textContent()).toBe(
      `${formatBytes(given.bytes)} (${given.count} ${given.count === 1 ? 'VM' : 'VMs'})`,
    );

    await page.screenshot({ path: join(ARTIFACTS, 'e2e-figures-node.png') });
    // The Performance tab: the same total, and used + available = total.
    await page.getByRole('tab', { name: 'Performance' }).click();
    const memChart = chart('Memory of node1');
    await expect.poll(() => points('Memory of node1'), { timeout: 20_000 }).toBeGreaterThan(0);
    const summary = (await memChart.locator('p').textContent())!;
    expect(summary).toContain(`Of ${formatBytes(total)} total`);
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-figures-performance.png') });
    const used = bytesOf(summary.match(/latest: Used ([^,]+),/)![1]!);
    const chartAvailable = bytesOf(summary.match(/Available to new guests ([\d.]+ \w+)/)![1]!);
    expect(Math.abs(used + chartAvailable - total)).toBeLessThan(0.1 * GiB);
    withinSeen(chartAvailable);

    // The cluster: every member's total, summed; node1's row as on node1's own tab.
    await page.getByRole('treeitem', { name: /^e2e-cluster/ }).click();
    await page.getByRole('tab', { name: 'General' }).click();
    const totals = ['node1', 'node2', 'node3'].reduce((n, x) => n + meminfo(x, 'MemTotal'), 0);
    expect(await fact('Memory total').textContent()).toBe(formatBytes(totals));
    const all = ['node1', 'node2', 'node3'].map(givenOnNode);
    const sum = all.reduce((n, g) => n + g.bytes, 0);
    const count = all.reduce((n, g) => n + g.count, 0);
    expect(await fact('Memory given to running VMs').textContent()).toBe(
      `${formatBytes(sum)} (${count} ${count === 1 ? 'VM' : 'VMs'})`,
    );
    const row = page.getByRole('table', { name: 'Members' }).getByRole('row', { name: /^node1 / });
    expect(await row.locator('td').nth(3).textContent()).toBe(formatBytes(total));
    await expect.poll(() => row.locator('td').nth(4).textContent()).not.toBe('—');
    const rowAvailable = bytesOf((await row.locator('td').nth(4).textContent())!);
    withinSeen(rowAvailable);

    // The cluster's Performance tab: node1's used of the same total.
    await page.getByRole('tab', { name: 'Performance' }).click();
    const busiest = page
      .getByRole('table', { name: 'Busiest nodes' })
      .getByRole('row', { name: /^node1 / });
    await expect
      .poll(() => busiest.locator('td').nth(2).textContent(), { timeout: 20_000 })
      .toMatch(new RegExp(` of ${formatBytes(total).replace('.', '\\.')}$`));
    await page.getByRole('tab', { name: 'General' }).click();
  }, 90_000);

  it("counts a pool that is one folder on two nodes once, and lists each node's own folders under it", async () => {
    await ensureE2eCluster();
    removePools();
    for (const p of POOLS)
      for (const n of p.nodes) {
        labExec(n, ['mkdir', '-p', '--', p.dir]);
        virshOn(n, ['pool-define-as', '--name', p.name, '--type', 'dir', '--target', p.dir]);
        virshOn(n, ['pool-start', '--pool', p.name]);
      }
    await waitFor(
      () =>
        POOLS.every(
          (p) =>
            backend.store.all('pools').filter((x) => x.name === p.name && x.state === 'running')
              .length === 2,
        ),
      'the new pools in the inventory',
      30_000,
    );
    const availableOf = (n: string, pool: string) =>
      Number(
        virshOn(n, ['pool-info', '--bytes', '--pool', pool]).match(/^Available:\s+(\d+)/m)![1],
      );
    const sharedFree = availableOf('node1', 'figures-shared');

    await page.getByRole('treeitem', { name: /^e2e-cluster/ }).click();
    await page.getByRole('tab', { name: 'General' }).click();
    await expect
      .poll(() => fact('Shared pools').textContent(), { timeout: 30_000 })
      .toBe('figures-shared (node1, node2)');
    const free = (await fact('Shared storage free').textContent())!;
    expect(free).toMatch(/\(each shared pool counted once\)$/);
    // Once, not once per node: within a GiB of what the pool itself reports.
    expect(Math.abs(bytesOf(free) - sharedFree)).toBeLessThan(GiB);
    // The same-named local folders stay each node's own, with their own free space.
    const each = page.getByRole('table', { name: 'Storage of each node' });
    for (const n of ['node1', 'node2']) {
      const cells = each.getByRole('row', { name: new RegExp(`^${n} `) }).locator('td');
      const own = (await cells.nth(1).textContent())!;
      expect(own).toContain('figures-local');
      expect(own).not.toContain('figures-shared');
      // lab-images and figures-local are folders of one filesystem: its free space once.
      // Each pool's figure is libvirt's reading at that pool's last refresh, and
      // other tests fill this disk meanwhile: the node's figure is one of the two
      // (within a GiB), never their sum.
      const shown = bytesOf((await cells.nth(2).textContent())!);
      const nearest = Math.min(
        ...['lab-images', 'figures-local'].map((pool) => Math.abs(shown - availableOf(n, pool))),
      );
      expect(nearest).toBeLessThan(GiB);
    }
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-figures-cluster.png') });
    const node3 = each.getByRole('row', { name: /^node3 / }).locator('td');
    expect(await node3.nth(1).textContent()).toBe('lab-images');
    const node3Free = bytesOf((await node3.nth(2).textContent())!);
    expect(Math.abs(node3Free - availableOf('node3', 'lab-images'))).toBeLessThan(GiB);
  }, 90_000);

  it('keeps collecting while the Performance tab is away: the chart has those readings when it comes back', async () => {
    await ensureE2eCluster();
    await page.getByRole('treeitem', { name: /^node2 Connected/ }).click();
    await page.getByRole('tab', { name: 'Performance' }).click();
    await expect.poll(() => points('CPU of node2'), { timeout: 20_000 }).toBeGreaterThan(1);
    const before = await points('CPU of node2');
    await page.getByRole('tab', { name: 'General' }).click();
    await chart('CPU of node2').waitFor({ state: 'detached' });
    await new Promise((r) => setTimeout(r, 16_000));
    await page.getByRole('tab', { name: 'Performance' }).click();
    // At once (the first ask brings what was read meanwhile), not 5 s a reading from now.
    await expect
      .poll(() => points('CPU of node2'), { timeout: 3000 })
      .toBeGreaterThanOrEqual(before + 3);
    expect(await chart('CPU of node2').getAttribute('data-gaps')).toBe('0');
    await page.getByRole('tab', { name: 'General' }).click();
  }, 90_000);

  it('charts what a VM was given, and keeps its earlier readings when it moves to another node', async () => {
    await ensureE2eCluster();
    const vm = vmOn('lab-tiny-1')!;
    expect(vm.hostId).toBe(hostId('node1'));
    await vmItem('lab-tiny-1', 'Running').click();
    await page.getByRole('tab', { name: 'Performance' }).click();
    await expect.poll(() => points('Memory'), { timeout: 20_000 }).toBeGreaterThan(1);
    // What the guest was given (its allocation here), never QEMU's resident size.
    const maxKiB = Number(
      virshOn('node1', ['dominfo', 'lab-tiny-1']).match(/^Max memory:\s+(\d+)/m)![1],
    );
    const summary = (await chart('Memory').locator('p').textContent())!;
    expect(summary).toContain(`latest: Given ${formatBytes(maxKiB * 1024)}.`);
    expect(summary).toContain(`Allocation ${formatBytes(maxKiB * 1024)}`);
    const first = Number(await chart('Memory').getAttribute('data-first'));

    const { taskId } = (await backend.call('migrateVms', {
      vmIds: [vm.id],
      targetHostId: hostId('node2'),
    })) as { taskId: string };
    try {
      const task = await taskFinished(backend, taskId, 120_000);
      expect(task.error).toBeUndefined();
      expect(virshOn('node2', ['domstate', 'lab-tiny-1']).trim()).toBe('running');
      const movedAt = Date.now();
      await vmItem('lab-tiny-1', 'Running').click();
      await page.getByRole('tab', { name: 'Performance' }).click();
      // Readings from node2 now, after those from node1.
      await expect
        .poll(async () => Number(await chart('CPU').getAttribute('data-last')), { timeout: 30_000 })
        .toBeGreaterThan(movedAt);
      await page.screenshot({ path: join(ARTIFACTS, 'e2e-figures-vm-moved.png') });
      expect(Number(await chart('CPU').getAttribute('data-first'))).toBe(first);
      expect(Number(await chart('Memory').getAttribute('data-first'))).toBe(first);
    } finally {
      await tinyBackOnNode1();
    }
    expect(virshOn('node1', ['domstate', 'lab-tiny-1']).trim()).toBe('running');
  }, 240_000);
});
