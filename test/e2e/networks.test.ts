// End to end: the real renderer in Debian's Chromium, through the browser
// shell, against the real backend and the lab's nodes (test/e2e/fixtures.ts).
// Libvirt networks on node1: New Network (isolated, NAT, routed), start,
// stop, autostart and delete from the tree's context menu with their plans,
// Delete refused while a VM uses the network, the node's Networking tab with
// its interfaces, New VM starting an inactive network in place, and the
// context menu on a pool's volume rows. Each effect is checked with virsh.
//
// The lab's nodes share the machine's network namespace (docs/lab.md), and
// other labs run beside this one: every name here carries LAB_BASE, the
// network that is started has no address at all (a bridge only: no private
// address, no dnsmasq, only the bridge's own firewall rules, removed with it),
// and the NAT and routed networks are defined, never started (starting them
// would add masquerading and forwarding to the machine's firewall): their
// libvirt XML is checked on the node instead. The first network start on a
// machine leaves libvirt's own LIBVIRT_* chains behind, empty; they are kept:
// every running libvirtd that made or saw them assumes they stay (removing
// them makes its next net-start fail).
// Runs alone: `LAB_BASE=NN npx vitest run --project lab test/e2e/networks.test.ts`.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../core/backend';
import { labExec, virshOn, waitFor } from '../lab';
import { closeDialogs, openNewVmOnNode1, useE2e } from './fixtures';

const BASE = process.env['LAB_BASE'] ?? '20';
const ISO = `cd${BASE}-iso`;
const NAT = `cd${BASE}-nat`;
const ROUTED = `cd${BASE}-rt`;
const USER_VM = `cd${BASE}-netuser`;
const COPY = `cd${BASE}-copy.qcow2`;
const SUBNET = `10.123.${BASE}`;

const e2e = useE2e({ nodes: ['node1'] });
let page: Page;
let backend: Backend;

const netNames = () =>
  virshOn('node1', ['net-list', '--all', '--name'])
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
const netInfo = (name: string) => virshOn('node1', ['net-info', name]);
const netUuid = (name: string) => virshOn('node1', ['net-uuid', name]).trim();

/** Takes back every network and guest this file made on node1. */
function cleanUp(): void {
  const ours = [ISO, NAT, ROUTED];
  for (const n of netNames().filter((x) => ours.includes(x))) {
    if (/Active:\s+yes/.test(netInfo(n))) virshOn('node1', ['net-destroy', n]);
    virshOn('node1', ['net-undefine', n]);
  }
  if (virshOn('node1', ['list', '--name']).includes(USER_VM))
    virshOn('node1', ['destroy', USER_VM]);
  if (virshOn('node1', ['list', '--all', '--name']).includes(USER_VM))
    virshOn('node1', ['undefine', USER_VM]);
  if (virshOn('node1', ['vol-list', 'lab-images']).includes(COPY))
    virshOn('node1', ['vol-delete', '--pool', 'lab-images', COPY]);
}

beforeAll(() => {
  ({ page, backend } = e2e);
  cleanUp();
});
// A failed test leaves no dialog in the next one's way.
beforeEach(() => closeDialogs());
afterAll(() => {
  cleanUp();
  // The lab's own network stays as `lab up` left it: defined, inactive.
  expect(netInfo('default')).toMatch(/Active:\s+no/);
});

const node1 = () => page.getByRole('treeitem', { name: /^node1/ }).first();
const netItem = (name: string) => page.getByRole('treeitem', { name: new RegExp(`^${name} `) });

/** Opens a network's menu in the tree and picks an item. */
async function fromNetMenu(name: string, item: string) {
  await netItem(name).click({ button: 'right' });
  const menu = page.getByRole('menu', { name: `Actions for ${name}` });
  await menu.getByRole('menuitem', { name: item, exact: true }).click();
}

/** The confirmation of a network action: its commands shown, then confirmed. */
async function confirmPlan(title: RegExp, command: string, button: string) {
  const ask = page.getByRole('alertdialog', { name: title });
  await ask.getByRole('list', { name: 'Commands' }).getByText(command).waitFor();
  await ask.getByRole('button', { name: button }).click();
  await ask.waitFor({ state: 'detached' });
}

/** New Network from node1's menu in the tree, through its steps to the summary. */
async function newNetwork(fill: (w: ReturnType<Page['getByRole']>) => Promise<void>) {
  await node1().click({ button: 'right' });
  await page
    .getByRole('menu', { name: 'Actions for node1' })
    .getByRole('menuitem', { name: 'New network…' })
    .click();
  const wizard = page.getByRole('dialog', { name: 'New Network' });
  await fill(wizard);
  return wizard;
}

describe('libvirt networks in Chromium', () => {
  it('creates an isolated network with New Network and starts it with the node', async () => {
    const wizard = await newNetwork(async (w) => {
      expect(await w.getByLabel('Node', { exact: true }).inputValue()).toBe(
        backend.store.all('hosts').find((h) => h.name === 'node1')!.id,
      );
      // Next checks the step, in the app's words.
      await w.getByRole('button', { name: 'Next' }).click();
      await w.getByText('Enter a name for the network.').waitFor();
      await w.getByLabel('Name', { exact: true }).fill(ISO);
      await w.getByRole('radio', { name: /^Isolated/ }).check();
      await w.getByRole('button', { name: 'Next' }).click();
      // A DHCP range outside the subnet is refused before the summary.
      await w.getByLabel('Node’s address on the network').fill(`${SUBNET}.1`);
      await w.getByLabel('First DHCP address').fill('10.99.0.10');
      await w.getByRole('button', { name: 'Next' }).click();
      await w.getByText(`10.99.0.10 is not a host address of ${SUBNET}.0/24.`).waitFor();
      // No address at all: a plain switch (nothing private lands on the machine).
      await w.getByLabel('Node’s address on the network').fill('');
      await w.getByLabel('Hand out addresses with DHCP').uncheck();
      await w.getByLabel(/^Bridge name/).fill(`cd${BASE}iso`);
      await w.getByRole('button', { name: 'Next' }).click();
    });
    const commands = wizard.getByRole('list', { name: 'Commands' });
    for (const c of ['net-define --file /dev/stdin', `net-start ${ISO}`, `net-autostart ${ISO}`])
      await commands.getByText(`virsh -c qemu:///system ${c}`).waitFor();
    await wizard.getByRole('button', { name: 'Create' }).click();
    await wizard.waitFor({ state: 'detached' });
    await netItem(ISO).filter({ hasText: 'active' }).waitFor({ timeout: 20_000 });
    await waitFor(() => /Autostart:\s+yes/.test(netInfo(ISO)), `${ISO} autostarts`);
    expect(netInfo(ISO)).toMatch(/Active:\s+yes/);
    const xml = virshOn('node1', ['net-dumpxml', ISO]);
    expect(xml).toContain(`<bridge name='cd${BASE}iso'`);
    expect(xml).not.toMatch(/<forward|<ip /);
  });

  it("shows node1's interfaces and networks on its Networking tab", async () => {
    await node1().click();
    await page.getByRole('tab', { name: 'Networking' }).click();
    const ifs = page.getByRole('table', { name: 'Interfaces of node1' });
    // The bridge the network made, as the node's own `ip` reports it.
    const bridgeRow = ifs.getByRole('row', { name: new RegExp(`^cd${BASE}iso bridge`) });
    await bridgeRow.waitFor({ timeout: 15_000 });
    const link = JSON.parse(labExec('node1', ['ip', '-j', 'link', 'show', `cd${BASE}iso`])) as {
      address: string;
    }[];
    expect(await bridgeRow.textContent()).toContain(link[0]!.address);
    await ifs.getByRole('row', { name: /^lo loopback .*127\.0\.0\.1\/8/ }).waitFor();
    const row = page
      .getByRole('table', { name: 'Libvirt networks on node1' })
      .getByRole('row', { name: new RegExp(`^${ISO} Active isolated`) });
    // The network's own menu, here too.
    await row.click({ button: 'right' });
    const menu = page.getByRole('menu', { name: `Actions for ${ISO}` });
    expect(await menu.getByRole('menuitem', { name: 'Start network' }).isDisabled()).toBe(true);
    expect(await menu.getByRole('menuitem', { name: 'Stop network…' }).isEnabled()).toBe(true);
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
    await page.getByRole('tab', { name: 'General' }).click();
  });

  it("stops it and turns its autostart off from the tree's menu, each plan shown first", async () => {
    const uuid = netUuid(ISO);
    await fromNetMenu(ISO, 'Stop network…');
    await confirmPlan(
      new RegExp(`Stop the network ${ISO} on node1`),
      `virsh -c qemu:///system net-destroy ${uuid}`,
      'Stop network',
    );
    await netItem(ISO).filter({ hasText: 'inactive' }).waitFor({ timeout: 20_000 });
    expect(netInfo(ISO)).toMatch(/Active:\s+no/);

    await fromNetMenu(ISO, 'Do not start with the node');
    await confirmPlan(
      /Stop starting/,
      `virsh -c qemu:///system net-autostart --disable ${uuid}`,
      'No autostart for network',
    );
    await waitFor(() => /Autostart:\s+no/.test(netInfo(ISO)), `${ISO} no longer autostarts`);
  });

  it('New VM starts an inactive network in place, then offers it', async () => {
    const { wizard, next } = await openNewVmOnNode1();
    await wizard.getByLabel('VM name').fill(`cd${BASE}-wants-net`);
    await next();
    await wizard.getByLabel('Memory (MiB)').fill('128');
    await next();
    await wizard.getByRole('radio', { name: 'No disk' }).check();
    await next();
    await wizard.getByRole('radio', { name: 'Network boot (PXE)' }).check();
    await next();
    await wizard.getByRole('radio', { name: 'A libvirt network' }).check();
    const offer = wizard.getByRole('list', { name: 'Networks not listed' });
    await offer.getByText(`${ISO} is not active; start it on node1 to use it.`).waitFor();
    await offer.getByRole('button', { name: `Start network “${ISO}”` }).click();
    // Once node1 says it runs, it is the wizard's choice and the step goes on.
    await expect
      .poll(() => wizard.getByLabel('Libvirt network', { exact: true }).inputValue(), {
        timeout: 20_000,
      })
      .toBe(ISO);
    expect(netInfo(ISO)).toMatch(/Active:\s+yes/);
    await next();
    await wizard.getByRole('list', { name: 'Commands' }).waitFor();
    await wizard.getByRole('button', { name: 'Cancel' }).click();
    await wizard.waitFor({ state: 'detached' });
  });

  it('defines NAT and routed networks with their addresses and DHCP range', async () => {
    for (const [name, mode, dev] of [
      [NAT, /^NAT/, ''],
      [ROUTED, /^Routed/, 'lo'],
    ] as const) {
      const wizard = await newNetwork(async (w) => {
        await w.getByLabel('Name', { exact: true }).fill(name);
        await w.getByRole('radio', { name: mode }).check();
        await w.getByRole('button', { name: 'Next' }).click();
        await w.getByLabel('Node’s address on the network').fill(`${SUBNET}.1`);
        await w.getByLabel('Prefix length').fill('24');
        await w.getByLabel('First DHCP address').fill(`${SUBNET}.100`);
        await w.getByLabel('Last DHCP address').fill(`${SUBNET}.50`);
        await w.getByRole('button', { name: 'Next' }).click();
        await w.getByText('The DHCP range ends before it starts.').waitFor();
        await w.getByLabel('Last DHCP address').fill(`${SUBNET}.200`);
        await w.getByLabel(/^Bridge name/).fill(`cd${BASE}${name === NAT ? 'nat' : 'rt'}`);
        if (dev) await w.getByLabel(/^Forward device/).fill(dev);
        // Started, it would change the machine's firewall: defined only.
        await w.getByLabel('Start it now').uncheck();
        await w.getByLabel('Start it with the node').uncheck();
        await w.getByRole('button', { name: 'Next' }).click();
      });
      const commands = wizard.getByRole('list', { name: 'Commands' });
      await commands.getByText('virsh -c qemu:///system net-define --file /dev/stdin').waitFor();
      expect(await commands.getByRole('listitem').count()).toBe(1);
      await wizard.getByRole('button', { name: 'Create' }).click();
      await wizard.waitFor({ state: 'detached' });
      await netItem(name).waitFor({ timeout: 20_000 });
      const xml = virshOn('node1', ['net-dumpxml', name]);
      const forward = /<forward [^>]*>/.exec(xml)?.[0] ?? '';
      expect(forward).toContain(`mode='${name === NAT ? 'nat' : 'route'}'`);
      expect(forward.includes(`dev='lo'`)).toBe(!!dev);
      expect(xml).toContain(`<ip address='${SUBNET}.1' prefix='24'>`);
      expect(xml).toContain(`<range start='${SUBNET}.100' end='${SUBNET}.200'`);
      expect(netInfo(name)).toMatch(/Active:\s+no[\s\S]*Autostart:\s+no/);
    }
  });

  it('refuses to delete a network a VM uses, naming it, then deletes it once free', async () => {
    // A shut-off guest with a NIC on the network, defined on the node by virsh.
    const dir = labExec('node1', ['mktemp', '-d']).trim();
    labExec('node1', [
      'sh',
      '-c',
      `cat > ${dir}/vm.xml <<'EOF'
<domain type='qemu'><name>${USER_VM}</name><memory unit='MiB'>64</memory>
<os><type>hvm</type></os>
<devices><interface type='network'><source network='${ISO}'/></interface></devices></domain>
EOF`,
    ]);
    virshOn('node1', ['define', `${dir}/vm.xml`]);
    labExec('node1', ['rm', '-r', dir]);
    await page.getByRole('treeitem', { name: new RegExp(`^${USER_VM} `) }).waitFor();

    await fromNetMenu(ISO, 'Delete network…');
    await page
      .getByRole('alert')
      .getByText(`${USER_VM} on node1 uses the network ${ISO}: give it another network first.`)
      .waitFor();
    expect(netNames()).toContain(ISO);

    // Stop says which running guests lose the network, before anything runs.
    virshOn('node1', ['start', USER_VM]);
    await page.getByRole('treeitem', { name: new RegExp(`^${USER_VM} Running`) }).waitFor();
    await fromNetMenu(ISO, 'Stop network…');
    const stop = page.getByRole('alertdialog', { name: new RegExp(`Stop the network ${ISO}`) });
    await stop
      .getByRole('note')
      .getByText(new RegExp(`^${USER_VM} loses its connection on ${ISO} until`))
      .waitFor();
    await stop.getByRole('button', { name: 'Cancel' }).click();
    expect(netInfo(ISO)).toMatch(/Active:\s+yes/);
    virshOn('node1', ['destroy', USER_VM]);

    virshOn('node1', ['undefine', USER_VM]);
    await page.getByRole('treeitem', { name: new RegExp(`^${USER_VM} `) }).waitFor({
      state: 'detached',
    });
    const uuid = netUuid(ISO);
    await fromNetMenu(ISO, 'Delete network…');
    const ask = page.getByRole('alertdialog', { name: new RegExp(`Delete the network ${ISO}`) });
    const commands = ask.getByRole('list', { name: 'Commands' });
    // It runs: stopped first, then forgotten.
    await commands.getByText(`virsh -c qemu:///system net-destroy ${uuid}`).waitFor();
    await commands.getByText(`virsh -c qemu:///system net-undefine ${uuid}`).waitFor();
    await ask.getByRole('button', { name: 'Delete network' }).click();
    await netItem(ISO).waitFor({ state: 'detached', timeout: 20_000 });
    expect(netNames()).not.toContain(ISO);
    await closeDialogs();
  });

  it("has a context menu on a pool's volume rows with the volume's actions", async () => {
    virshOn('node1', ['vol-create-as', 'lab-images', COPY, '1M', '--format', 'qcow2']);
    virshOn('node1', ['pool-refresh', 'lab-images']);
    await page
      .getByRole('treeitem', { name: /^lab-images/ })
      .first()
      .click();
    const volumes = page.getByRole('table', { name: 'Volumes' });
    const copyRow = volumes.getByRole('row', { name: new RegExp(`^${COPY.replace('.', '\\.')} `) });
    await copyRow.click({ button: 'right' });
    let menu = page.getByRole('menu', { name: `Actions for ${COPY}` });
    for (const item of ['Resize…', 'Clone…', 'Download', 'Delete…'])
      await menu.getByRole('menuitem', { name: item, exact: true }).waitFor();
    await menu.getByRole('menuitem', { name: 'Resize…' }).click();
    const size = page.getByLabel(`New size of ${COPY}`);
    await size.fill('2M');
    await size.press('Enter');
    await waitFor(
      () =>
        /Capacity:\s+2\.00 MiB/.test(virshOn('node1', ['vol-info', '--pool', 'lab-images', COPY])),
      `${COPY} resized to 2 MiB`,
      20_000,
    );

    // The keyboard opens it too, on the focused row.
    await copyRow.getByRole('button', { name: `Resize ${COPY}` }).focus();
    await page.keyboard.press('Shift+F10');
    menu = page.getByRole('menu', { name: `Actions for ${COPY}` });
    await menu.getByRole('menuitem', { name: 'Delete…' }).click();
    const ask = page.getByRole('alertdialog', { name: `Delete the volume ${COPY}?` });
    await ask.getByRole('button', { name: 'Delete volume' }).click();
    await copyRow.waitFor({ state: 'detached', timeout: 20_000 });
    expect(virshOn('node1', ['vol-list', 'lab-images'])).not.toContain(COPY);
  });
});
