// A Proxmox VE cluster's Ceph on its General tab, in Chromium: the lab's
// cluster with a Ceph that has an OSD down (PVE_LAB_CEPH=warn), one node
// added with Add Host; the General tab shows the health and one line per
// health check, the monitors and OSD counts. Starts its own lab (with Ceph)
// and takes it down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pveLabCommand, pveLabOrSkip } from '../pve-lab';
import {
  addPveNodeThroughDialog,
  openPveInChromium,
  pveClusterItem,
  type PveInChromium,
} from './pve-fixture';

const canRun = pveLabOrSkip('pve-lab-ceph e2e');

let world: PveInChromium;

beforeAll(async () => {
  if (!canRun) return;
  pveLabCommand(['down']);
  // The lab's cluster gets a Ceph with one OSD down.
  pveLabCommand(['up', '3'], { ceph: 'warn' });
  world = await openPveInChromium('pve-ceph');
}, 120_000);

afterAll(async () => {
  await world?.close();
  if (canRun) pveLabCommand(['down']);
});

describe.skipIf(!canRun)('Ceph status on a Proxmox VE cluster’s General tab', () => {
  it('shows HEALTH_WARN with its checks, monitors and OSDs', async () => {
    const { page, lab } = world;
    await addPveNodeThroughDialog(page, lab, 'pve1');
    await pveClusterItem(page, lab).click();
    await page.getByRole('tab', { name: 'General' }).click();
    const ceph = page.getByRole('region', { name: 'Ceph' });
    await ceph.getByText('HEALTH_WARN').waitFor({ timeout: 30_000 });
    const checks = ceph.getByRole('list', { name: 'Ceph health checks' });
    await checks.getByText('OSD_DOWN: 1 osds down').waitFor();
    expect(await checks.getByRole('listitem').count()).toBe(2);
    await ceph.getByText('5 up, 6 in, of 6').waitFor();
    await ceph.getByText('pve1, pve2, pve3').waitFor();
    await ceph.getByText(/ceph-vm \(/).waitFor();
  }, 180_000);
});
