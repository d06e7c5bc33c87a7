// What a new guest is made from, as the simulator answers it over HTTPS:
// /cluster/nextid, node networks, storage content; and the refusals of
// create and destroy where PVE refuses. Every answer is checked against the
// pinned schema (`violations`).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pveCall } from './client';
import { PVE_VERSIONS, pveSchemasOrSkip } from './schema';
import { startPveSim, type PveSim } from './server';

const haveSchemas = pveSchemasOrSkip('pve-sim provision');
const tokenId = 'root@pam!clusterdeck';
const secret = '6b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e';

let sim: PveSim;
const call = (method: string, path: string, params: Record<string, string | number> = {}) =>
  pveCall(sim, method, path, params, { token: `${tokenId}=${secret}` });

async function endOf(node: string, upid: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const r = await call('GET', `/nodes/${node}/tasks/${encodeURIComponent(upid)}/status`);
    const st = r.body.data as { status: string; exitstatus?: string };
    if (st.status === 'stopped') return st.exitstatus ?? '';
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error(`task ${upid} did not end`);
}

describe.skipIf(!haveSchemas).each(PVE_VERSIONS)(
  'the %s simulator provisions guests',
  (version) => {
    beforeAll(async () => {
      sim = await startPveSim({ version, tokens: { [tokenId]: secret }, taskStepMs: 10 });
    });
    afterAll(() => sim.close());
    afterEach(() => expect(sim.violations).toEqual([]));

    it('proposes the next free id, and says when a given one is taken', async () => {
      expect((await call('GET', '/cluster/nextid')).body.data).toBe(102);
      expect((await call('GET', '/cluster/nextid', { vmid: 150 })).body.data).toBe(150);
      const taken = await call('GET', '/cluster/nextid', { vmid: 100 });
      expect([taken.status, taken.body.errors]).toEqual([400, { vmid: 'VM 100 already exists' }]);
    });

    it("lists a node's bridges, and all its interfaces without a type", async () => {
      const bridges = (await call('GET', '/nodes/pve1/network', { type: 'any_bridge' })).body
        .data as { iface: string }[];
      expect(bridges.map((b) => b.iface)).toEqual(['vmbr0', 'vmbr1']);
      const all = (await call('GET', '/nodes/pve2/network')).body.data as { iface: string }[];
      expect(all.map((b) => b.iface)).toEqual(['eno1', 'vmbr0']);
    });

    it("lists a storage's ISO images, templates and guest volumes as the node sees them", async () => {
      const content = async (node: string, storage: string, kind?: string) =>
        (
          (
            await call(
              'GET',
              `/nodes/${node}/storage/${storage}/content`,
              kind ? { content: kind } : {},
            )
          ).body.data as { volid: string }[]
        ).map((v) => v.volid);
      expect(await content('pve2', 'local', 'vztmpl')).toEqual([
        'local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst',
      ]);
      expect(await content('pve1', 'local', 'vztmpl')).toHaveLength(2);
      expect(await content('pve3', 'nfs-shared', 'iso')).toEqual([
        'nfs-shared:iso/ubuntu-24.04.1-live-server-amd64.iso',
      ]);
      // local-lvm is per node: pve1's holds web01's and dns01's volumes, pve2's none of them.
      expect(await content('pve1', 'local-lvm')).toEqual([
        'local-lvm:vm-100-disk-0',
        'local-lvm:vm-200-disk-0',
      ]);
      expect(await content('pve2', 'local-lvm')).toEqual([]);
      const unknown = await call('GET', '/nodes/pve1/storage/nope/content');
      expect([unknown.status, unknown.body.message]).toEqual([
        500,
        "storage 'nope' does not exist\n",
      ]);
    });

    it('refuses to create on an unknown storage, one without that content, a missing ISO or template', async () => {
      const vm = { vmid: 500, name: 'x', scsi0: 'nope:8' };
      const noStorage = await call('POST', '/nodes/pve1/qemu', vm);
      expect([noStorage.status, noStorage.body.message]).toEqual([
        500,
        "storage 'nope' does not exist\n",
      ]);
      const noImages = await call('POST', '/nodes/pve1/qemu', { ...vm, scsi0: 'local:8' });
      expect([noImages.status, noImages.body.errors]).toEqual([
        400,
        { storage: "storage 'local' does not support vm images" },
      ]);
      const noIso = await call('POST', '/nodes/pve1/qemu', {
        ...vm,
        scsi0: 'local-lvm:8',
        ide2: 'local:iso/missing.iso,media=cdrom',
      });
      expect(noIso.body.message).toBe("volume 'local:iso/missing.iso' does not exist\n");
      const noRootdir = await call('POST', '/nodes/pve2/lxc', {
        vmid: 501,
        ostemplate: 'local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst',
        rootfs: 'nfs-shared:4',
      });
      expect(noRootdir.body.errors).toEqual({
        storage: "storage 'nfs-shared' does not support container directories",
      });
      const noTemplate = await call('POST', '/nodes/pve2/lxc', {
        vmid: 501,
        ostemplate: 'local:vztmpl/alpine-3.20-default_20240908_amd64.tar.xz',
        rootfs: 'local-lvm:4',
      });
      expect(noTemplate.body.message).toBe(
        "can't find file 'local:vztmpl/alpine-3.20-default_20240908_amd64.tar.xz'\n",
      );
      expect(sim.state.guests.has(500) || sim.state.guests.has(501)).toBe(false);
    });

    it('destroys a stopped VM, refuses a running one, and a forced container goes running', async () => {
      const running = await call('DELETE', '/nodes/pve1/qemu/100', { purge: 1 });
      expect([running.status, running.body.message]).toEqual([
        500,
        'VM 100 is running - destroy failed\n',
      ]);
      const ct = await call('DELETE', '/nodes/pve1/lxc/200');
      expect(ct.body.message).toBe('unable to destroy CT 200 - container is running\n');
      const forced = await call('DELETE', '/nodes/pve1/lxc/200', { force: 1 });
      expect(await endOf('pve1', forced.body.data as string)).toBe('OK');
      expect(sim.state.guests.has(200)).toBe(false);
      const db = await call('DELETE', '/nodes/pve2/qemu/101', {
        purge: 1,
        'destroy-unreferenced-disks': 1,
      });
      expect(await endOf('pve2', db.body.data as string)).toBe('OK');
      expect(sim.state.guests.has(101)).toBe(false);
      expect((await call('GET', '/cluster/nextid')).body.data).toBe(101);
    });
  },
);
