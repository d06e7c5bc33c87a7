// An HA VM in Chromium, against the HA lab (issue 14): Migrate VM moves it
// through Pacemaker (the wizard asks only for the target, the commands say
// crm_resource), maintenance mode is Pacemaker standby (the plan names where
// the VM goes), and when the node it runs on loses its power the VM runs on
// another node within a bounded time, the window shows the node lost and the
// VM's new place, and the node rejoins once powered on. Every effect is
// checked on the nodes with virsh and crm_mon; at no moment do two nodes run
// the VM. Its own setup (not useE2e): the libvirt lab is not needed.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addHaNodes,
  clusterView,
  copiesRunning,
  dropGuestCopy,
  ensureHaCluster,
  haExec,
  haLabCommand,
  haNodeIsOn,
  haRun,
  nodesRunning,
  readHaLab,
  startGuestCopy,
} from '../ha-lab';
import { taskFinished, waitFor } from '../lab';
import { startShellInChromium, type ShellInChromium } from './chromium';
import { ARTIFACTS } from './fixtures';

const canRun = existsSync('/usr/sbin/corosync') && process.getuid?.() === 0;
if (!canRun) console.log('[ha-failover e2e] skipped: needs root and corosync, pacemaker, crmsh');
const VM = 'hafo-vm';
const NODES = ['hanode1', 'hanode2', 'hanode3'];
let env: ShellInChromium | undefined;
let page: Page;
let home: string;
let startedLab = false;

/** Every second, which nodes run the VM: at most one, whatever Pacemaker is doing. */
function watchCopies(): () => void {
  const seen: string[][] = [];
  const timer = setInterval(() => seen.push(copiesRunning(VM)), 1000);
  return () => {
    clearInterval(timer);
    for (const s of seen) expect(s.length, `${VM} ran on ${s.join(' and ')}`).toBeLessThan(2);
  };
}

const only = async (node: string, what: string, ms = 120_000) =>
  waitFor(() => nodesRunning(VM).join() === node || undefined, what, ms);

function cleanUp(): void {
  const on = NODES.filter(haNodeIsOn);
  for (const n of NODES) haRun(on[0]!, ['crm', 'node', 'online', n]);
  dropGuestCopy(VM);
}

beforeAll(async () => {
  if (!canRun) return;
  startedLab = ensureHaCluster().startedLab;
  cleanUp();
  startGuestCopy(VM);
  mkdirSync(ARTIFACTS, { recursive: true });
  home = mkdtempSync(join(tmpdir(), 'clusterdeck-e2e-hafo-'));
  writeFileSync(
    join(home, 'settings.json'),
    JSON.stringify({ version: 1, hosts: [], secrets: {}, vmActionTimeoutSeconds: 6 }),
  );
  env = await startShellInChromium(home);
  const backend = env.backend;
  await addHaNodes(backend);
  // Protected through the backend: Protect with HA's own window is ha-state.test.ts's.
  const vm = await waitFor(
    () =>
      backend.store.all('clusters').some((c) => c.ha)
        ? backend.store.all('vms').find((v) => v.name === VM)
        : undefined,
    `${VM} and the HA cluster read`,
    60_000,
  );
  const { taskId } = (await backend.call('protectHa', { vmId: vm.id, preferred: [] })) as {
    taskId: string;
  };
  const task = await taskFinished(backend, taskId, 120_000);
  expect(task.state, JSON.stringify(task.log)).toBe('succeeded');
  // The lab's shared folder is a bind mount libvirt takes for a local disk
  // (NFS, GFS2 or Ceph on a real cluster): live moves need --unsafe here. And
  // the tiny guest ignores ACPI, so a stop would wait out its timeout: force it.
  // A changed parameter restarts the resource: wait until Pacemaker has settled.
  for (const [name, value] of [
    ['migrate_options', '--unsafe'],
    ['force_stop', 'true'],
  ] as const)
    haExec('hanode1', [
      'crm_resource',
      '--resource',
      VM,
      '--set-parameter',
      name,
      '--parameter-value',
      value,
    ]);
  haExec('hanode1', ['crm_resource', '--wait', '--timeout=180'], 200_000);
  await waitFor(() => nodesRunning(VM).length === 1 || undefined, `${VM} running again`, 120_000);
  page = await env.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(env.shell.url);
  await page.getByRole('tree', { name: 'Resources' }).waitFor();
}, 300_000);

afterAll(async () => {
  if (!canRun) return;
  await env?.close();
  if (home) rmSync(home, { recursive: true, force: true });
  for (const n of NODES) if (!haNodeIsOn(n)) haLabCommand(['power-on', n]);
  cleanUp();
  if (startedLab) haLabCommand(['down']);
}, 300_000);

/**
 * The VM's running row in the tree, found with the tree's filter and
 * selected. (The node it was protected on keeps its shut-off definition,
 * which the tree shows with where Pacemaker runs it.)
 */
async function selectVm(): Promise<Locator> {
  await page.getByRole('searchbox', { name: 'Filter the tree' }).fill(VM);
  // Running here, and Pacemaker says so (no "on <another node>"): the window has caught up.
  const item = page.getByRole('treeitem', { name: new RegExp(`^${VM} Running, HA Started$`) });
  await item.click({ timeout: 30_000 }).catch(async (e: unknown) => {
    const names = await page
      .getByRole('treeitem')
      .evaluateAll((els) => els.map((el) => el.getAttribute('aria-label') ?? el.textContent));
    throw new Error(`${String(e)}\nThe tree shows: ${names.join(' | ')}`);
  });
  return item;
}

const haSection = () => page.getByRole('region', { name: 'High availability' });

describe.skipIf(!canRun)('an HA VM in Chromium', () => {
  it('Migrate VM moves it through Pacemaker, live, with no second copy and no constraint left', async () => {
    const from = await waitFor(() => nodesRunning(VM)[0], `${VM} running`, 60_000);
    const to = NODES.find((n) => n !== from)!;
    await (await selectVm()).click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Migrate…' }).click();
    const wizard = page.getByRole('dialog', { name: `Migrate ${VM}` });
    await wizard.getByText(/is protected with HA .*: Pacemaker moves it live/).waitFor();
    // libvirt's own choices do not apply to Pacemaker's move.
    expect(await wizard.getByRole('radio', { name: /^Encrypted through SSH/ }).count()).toBe(0);
    await wizard.getByLabel('Target node').selectOption({ label: to });
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard
      .getByRole('list', { name: 'Preflight checks' })
      .getByText(new RegExp(`^${VM} runs on ${from}; ${to} is online`))
      .waitFor({ timeout: 30_000 });
    await wizard.getByRole('button', { name: 'Next' }).click();
    const commands = wizard.getByRole('list', { name: 'Commands' });
    await commands.getByText(/crm_resource --move --resource/).waitFor();
    await commands.getByText(/crm_resource --clear --resource/).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'ha-migrate-plan.png') });
    const stop = watchCopies();
    try {
      await wizard.getByRole('button', { name: 'Migrate' }).click();
      await only(to, `${VM} on ${to} alone`);
      await waitFor(
        () =>
          !haExec(to, ['cibadmin', '--query', '--scope', 'constraints']).includes('cli-') ||
          undefined,
        'the move constraint cleared',
        120_000,
      );
    } finally {
      stop();
    }
    // A live migration (migrate_to / migrate_from), not a stop and a start.
    const ops = [...haExec(to, ['cibadmin', '-Q', '-o', 'status']).matchAll(/<lrm_rsc_op [^>]*>/g)]
      .map((m) => m[0])
      .filter((op) => op.includes(`operation_key="${VM}_`));
    const said = ops
      .map((op) => /operation_key="([^"]+)".*on_node="([^"]+)".*rc-code="(\d+)"/.exec(op))
      .map((m) => (m ? `${m[1]} on ${m[2]}: rc ${m[3]}` : '?'))
      .join('; ');
    expect(
      ops.some(
        (op) => op.includes(`operation_key="${VM}_migrate_from_0"`) && op.includes('rc-code="0"'),
      ),
      `Pacemaker's operations: ${said}`,
    ).toBe(true);
    await haSection()
      .getByText(new RegExp(`Started on ${to}`))
      .first()
      .waitFor({ timeout: 15_000 });
  }, 300_000);

  it('maintenance mode is Pacemaker standby: the plan names where the VM goes; the node empties and comes back', async () => {
    const from = nodesRunning(VM)[0]!;
    await page.getByRole('searchbox', { name: 'Filter the tree' }).fill('');
    await page.getByRole('treeitem', { name: new RegExp(`^${from} Connected`) }).click();
    await page.getByRole('tab', { name: 'General' }).click();
    await page.getByRole('button', { name: 'Enter maintenance mode…' }).click();
    const dialog = page.getByRole('dialog', { name: `Maintenance mode for ${from}` });
    const where = dialog.getByText(new RegExp(`^${VM}: Pacemaker puts it on (hanode\\d)$`));
    await where.waitFor({ timeout: 30_000 });
    const to = (await where.textContent())!.match(/on (hanode\d)$/)![1]!;
    expect(to).not.toBe(from);
    await dialog.getByText(/crm node standby/).waitFor();
    const stop = watchCopies();
    try {
      await dialog.getByRole('button', { name: 'Enter maintenance mode' }).click();
      await page
        .getByRole('treeitem', { name: new RegExp(`^${from} Connected, (maintenance|HA standby)`) })
        .waitFor({ timeout: 120_000 });
      await only(to, `${VM} on ${to}`);
    } finally {
      stop();
    }
    expect(haExec(to, ['crm_mon', '-1'])).toMatch(new RegExp(`Node ${from}: standby`));
    const panel = page.getByRole('region', { name: 'Maintenance mode' });
    await panel.getByRole('button', { name: 'Exit maintenance mode' }).click();
    const ask = page.getByRole('alertdialog', { name: `Exit maintenance mode on ${from}?` });
    await ask.getByRole('button', { name: 'Exit maintenance mode' }).click();
    await page
      .getByRole('treeitem', { name: new RegExp(`^${from} Connected$`) })
      .waitFor({ timeout: 120_000 });
    expect(clusterView(to).online).toContain(from);
    expect(haExec(to, ['crm_mon', '-1'])).not.toContain('standby');
    // Stickiness keeps the VM where standby put it.
    expect(nodesRunning(VM)).toEqual([to]);
  }, 400_000);

  it('when its node loses power the VM runs on another node; the window shows the node lost, the VM’s new place, and the node’s return', async () => {
    const lost = nodesRunning(VM)[0]!;
    const { clusterName } = readHaLab();
    const t = Date.now();
    haLabCommand(['fence', lost]);
    const stop = watchCopies();
    let survivor: string;
    try {
      survivor = await waitFor(
        () => nodesRunning(VM).find((n) => n !== lost),
        `${VM} running on a survivor`,
        150_000,
      );
    } finally {
      stop();
    }
    console.log(
      `[ha-failover e2e] ${VM} ran on ${survivor} ${Date.now() - t} ms after ${lost}'s loss`,
    );
    // Pacemaker fenced the lost node before it recovered the VM.
    expect(haExec(survivor, ['stonith_admin', '--history', lost])).toMatch(
      new RegExp(`reboot of ${lost} successful`),
    );
    // The window: the cluster's HA section says the node is lost and where the VM runs now.
    await page.getByRole('searchbox', { name: 'Filter the tree' }).fill('');
    await page
      .getByRole('treeitem', {
        name: new RegExp(`^${clusterName} 2 of 3 nodes connected, HA: quorate`),
      })
      .click({ timeout: 60_000 });
    await page.getByRole('tab', { name: 'General' }).click();
    const nodes = haSection().getByRole('table', { name: 'HA nodes' });
    await nodes
      .getByRole('row', { name: new RegExp(`^${lost}.* (Offline|Unclean)`) })
      .waitFor({ timeout: 30_000 });
    await haSection()
      .getByRole('table', { name: 'HA VMs' })
      .getByRole('row', { name: new RegExp(`^${VM} ${VM} Started on ${survivor}`) })
      .waitFor({ timeout: 30_000 });
    await page
      .getByRole('treeitem', { name: new RegExp(`^${lost} (Unreachable|Disconnected|Connecting)`) })
      .waitFor({ timeout: 60_000 });
    // The tree: the VM running on the survivor; what the lost node left is unknown,
    // with where Pacemaker runs it now.
    await page.getByRole('searchbox', { name: 'Filter the tree' }).fill(VM);
    await page
      .getByRole('treeitem', { name: new RegExp(`^${VM} Unknown, HA Started on ${survivor}$`) })
      .waitFor({ timeout: 30_000 });
    await page
      .getByRole('treeitem', { name: new RegExp(`^${VM} Running, HA Started$`) })
      .waitFor({ timeout: 30_000 });
    expect(await page.getByRole('treeitem', { name: new RegExp(`^${VM} Running`) }).count()).toBe(
      1,
    );
    await page.getByRole('searchbox', { name: 'Filter the tree' }).fill('');
    await page.screenshot({ path: join(ARTIFACTS, 'ha-node-lost.png') });

    // Power back: the node rejoins the cluster, and the window says so.
    haLabCommand(['power-on', lost]);
    await nodes
      .getByRole('row', { name: new RegExp(`^${lost}.* Online`) })
      .waitFor({ timeout: 180_000 });
    expect(clusterView(survivor).online.sort()).toEqual(NODES);
    await page
      .getByRole('treeitem', { name: new RegExp(`^${lost} Connected`) })
      .waitFor({ timeout: 120_000 });
    // Stickiness: the VM stays where it was recovered.
    expect(nodesRunning(VM)).toEqual([survivor]);
  }, 600_000);
});
