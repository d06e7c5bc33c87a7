import { execFileSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pveCall, type CallOptions } from './client';
import { loadSchema, PVE_VERSIONS, pveSchemasOrSkip } from './schema';
import { startPveSim, type PveSim } from './server';
import { parseUpid } from './tasks';
import { validateParams, validateReturns } from './validate';

// Proxmox's schema files are not in git (schema/README.md says why and where
// from): without them these tests cannot run, and say so.
const haveSchemas = pveSchemasOrSkip('pve-sim');

const tokenId = 'root@pam!clusterdeck';
const secret = '4a2b6c8d-1e3f-4a5b-9c7d-0e1f2a3b4c5d';
const token = `${tokenId}=${secret}`;

let sim: PveSim;
const call = (
  method: string,
  path: string,
  params: Record<string, string | number | boolean> = {},
  opts: CallOptions = {},
) => pveCall(sim, method, path, params, { token, ...opts });

async function waitTask(node: string, upid: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 200; i++) {
    const r = await call('GET', `/nodes/${node}/tasks/${encodeURIComponent(upid)}/status`);
    expect(r.status).toBe(200);
    const st = r.body.data as Record<string, unknown>;
    if (st.status === 'stopped') return st;
    await new Promise((res) => setTimeout(res, 25));
  }
  throw new Error(`task ${upid} did not end`);
}

async function logOf(node: string, upid: string): Promise<string[]> {
  const r = await call('GET', `/nodes/${node}/tasks/${encodeURIComponent(upid)}/log`);
  expect(r.status).toBe(200);
  expect(r.body.total).toBe((r.body.data as unknown[]).length);
  return (r.body.data as { t: string }[]).map((l) => l.t);
}

describe.skipIf(!haveSchemas)('pinned Proxmox VE API schemas', () => {
  it.each(PVE_VERSIONS)('%s indexes the endpoints Clusterdeck uses', (v) => {
    const s = loadSchema(v);
    const start = s.get('POST', '/nodes/{node}/qemu/{vmid}/status/start');
    expect(start?.parameters.properties?.vmid?.format).toBe('pve-vmid');
    expect(
      s.get('GET', '/nodes/{node}/tasks/{upid}/status')?.returns.properties?.status?.enum,
    ).toEqual(['running', 'stopped']);
    const m = s.match('GET', '/nodes/pve1/tasks/UPID:pve1:0001/log');
    expect(m?.template).toBe('/nodes/{node}/tasks/{upid}/log');
    expect(m?.pathParams).toEqual({ node: 'pve1', upid: 'UPID:pve1:0001' });
    // a literal segment wins over a parameter (status/current, not {vmid}-like matches)
    expect(s.match('GET', '/nodes/pve1/qemu/100/status/current')?.template).toBe(
      '/nodes/{node}/qemu/{vmid}/status/current',
    );
    expect(s.match('GET', '/nodes/pve1/no-such-thing')).toBeUndefined();
  });

  it('tells PVE 8 from PVE 9 (HA rules are new in 9)', () => {
    expect(loadSchema('pve8').get('GET', '/cluster/ha/rules')).toBeUndefined();
    expect(loadSchema('pve9').get('GET', '/cluster/ha/rules')).toBeDefined();
    expect(loadSchema('pve8').get('GET', '/cluster/ha/groups')).toBeDefined();
  });

  it('checks results against returns', () => {
    const s = loadSchema('pve9');
    const status = s.get('GET', '/nodes/{node}/tasks/{upid}/status')!;
    expect(() => validateReturns('GET', 'x', status.returns, { status: 'done' })).toThrow(/status/);
    const list = s.get('GET', '/nodes/{node}/qemu')!;
    expect(() =>
      validateReturns('GET', 'x', list.returns, [{ vmid: '100', status: 'running' }]),
    ).toThrow(/JSON number/);
    expect(() =>
      validateReturns('GET', 'x', list.returns, [{ vmid: 100, status: 'running' }]),
    ).not.toThrow();
  });

  it('checks property strings and numbered options loosely but with PVE messages', () => {
    const create = loadSchema('pve9').get('POST', '/nodes/{node}/qemu')!;
    expect(
      validateParams(create.parameters, { node: 'pve1', vmid: '150', net0: 'virtio,bridge=vmbr0' }),
    ).toBeUndefined();
    const errors = validateParams(create.parameters, {
      node: 'pve1',
      vmid: '150',
      net0: 'virtio,colour=red',
    });
    expect(errors?.net0).toBe(
      'invalid format - invalid key in comma-separated list property: colour\n',
    );
  });
});

describe.skipIf(!haveSchemas).each(PVE_VERSIONS)('simulator speaking %s over HTTPS', (version) => {
  beforeAll(async () => {
    sim = await startPveSim({ version, tokens: { [tokenId]: secret }, taskStepMs: 20 });
  });
  afterAll(() => sim.close());
  afterEach(() => {
    // every answer of every test was checked against its `returns`
    expect(sim.violations).toEqual([]);
    sim.tasks.stepMs = 20;
  });

  it('answers 401 without a token or with a wrong secret', async () => {
    const none = await pveCall(sim, 'GET', '/version', {}, {});
    expect([none.status, none.reason]).toEqual([401, 'No ticket']);
    const wrong = await pveCall(
      sim,
      'GET',
      '/version',
      {},
      { token: `${tokenId}=00000000-0000-0000-0000-000000000000` },
    );
    expect(wrong.status).toBe(401);
  });

  it('reports its version, cluster, nodes, resources and storages', async () => {
    const v = await call('GET', '/version');
    expect(
      (v.body.data as { release: string }).release.startsWith(version === 'pve8' ? '8.' : '9.'),
    ).toBe(true);
    const st = (await call('GET', '/cluster/status')).body.data as {
      type: string;
      quorate?: number;
    }[];
    expect(st.filter((e) => e.type === 'node')).toHaveLength(3);
    expect(st.find((e) => e.type === 'cluster')?.quorate).toBe(1);
    const vms = (await call('GET', '/cluster/resources', { type: 'vm' })).body.data as {
      type: string;
    }[];
    expect(new Set(vms.map((r) => r.type))).toEqual(new Set(['qemu', 'lxc']));
    const all = (await call('GET', '/cluster/resources')).body.data as { type: string }[];
    expect(new Set(all.map((r) => r.type))).toEqual(new Set(['node', 'qemu', 'lxc', 'storage']));
    expect((await call('GET', '/nodes')).body.data).toHaveLength(3);
    expect((await call('GET', '/nodes/pve1/status')).status).toBe(200);
    const storages = (await call('GET', '/nodes/pve1/storage', { content: 'images' })).body
      .data as { storage: string }[];
    expect(storages.map((s) => s.storage).sort()).toEqual(['local-lvm', 'nfs-shared']);
    expect((await call('GET', '/nodes/pve1/lxc')).body.data).toHaveLength(1);
  });

  it('rejects an unknown parameter, a wrong type and a missing one as PVE does', async () => {
    const unknown = await call('POST', '/nodes/pve1/qemu/100/status/start', { colour: 'red' });
    expect([unknown.status, unknown.reason]).toEqual([400, 'Parameter verification failed.']);
    expect(unknown.body).toEqual({
      data: null,
      message: 'Parameter verification failed.\n',
      errors: {
        colour:
          'property is not defined in schema and the schema does not allow additional properties',
      },
    });
    const wrongType = await call('GET', '/nodes/pve1/tasks', { limit: 'abc' });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.errors).toEqual({ limit: "type check ('integer') failed - got 'abc'" });
    const missing = await call('POST', '/nodes/pve1/qemu', { name: 'nameless' });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual({ vmid: 'property is missing and it is not optional' });
    const bool = await call('GET', '/nodes/pve1/qemu', { full: 'true' });
    expect(bool.body.errors).toEqual({ full: "type check ('boolean') failed - got 'true'" });
    const badVmid = await call('GET', '/nodes/pve1/qemu/12/status/current');
    expect(badVmid.body.errors).toEqual({
      vmid: 'invalid format - value does not look like a valid VM ID\n',
    });
    const badEnum = await call('GET', '/cluster/resources', { type: 'disk' });
    expect(badEnum.body.errors?.type).toBe(
      "value 'disk' does not have a value in the enumeration 'vm, storage, node, sdn'",
    );
    const range = await call('POST', '/nodes/pve1/qemu/100/config', { cores: 0 }, { json: true });
    expect(range.body.errors).toEqual({ cores: 'value must have a minimum value of 1' });
  });

  it('creates a VM, starts it, and follows both tasks to their end through status and log', async () => {
    const created = await call(
      'POST',
      '/nodes/pve1/qemu',
      {
        vmid: 150,
        name: 'sim-test',
        memory: 1024,
        cores: 2,
        scsihw: 'virtio-scsi-single',
        scsi0: 'local-lvm:16,iothread=1',
        net0: 'virtio,bridge=vmbr0',
        ostype: 'l26',
      },
      { json: true },
    );
    expect(created.status).toBe(200);
    const upid = created.body.data as string;
    expect(parseUpid(upid)).toMatchObject({
      node: 'pve1',
      type: 'qmcreate',
      id: '150',
      user: tokenId,
    });
    expect(upid).toMatch(
      /^UPID:pve1:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:qmcreate:150:root@pam!clusterdeck:$/,
    );
    const done = await waitTask('pve1', upid);
    expect(done.exitstatus).toBe('OK');
    expect(await logOf('pve1', upid)).toEqual([
      "scsi0: successfully created disk 'local-lvm:vm-150-disk-0,iothread=1,size=16G'",
      'TASK OK',
    ]);
    const start = await call('POST', '/nodes/pve1/qemu/150/status/start');
    const started = await waitTask('pve1', start.body.data as string);
    expect(started.exitstatus).toBe('OK');
    expect((await logOf('pve1', start.body.data as string)).at(-1)).toBe('TASK OK');
    const cur = (await call('GET', '/nodes/pve1/qemu/150/status/current')).body.data as {
      status: string;
      maxmem: number;
    };
    expect(cur).toMatchObject({ status: 'running', maxmem: 1024 * 1024 * 1024 });
    const tasks = await call('GET', '/nodes/pve1/tasks', { vmid: 150 });
    expect((tasks.body.data as { status: string }[]).map((t) => t.status)).toEqual(['OK', 'OK']);
    expect(tasks.body.total).toBe(2);
    const paged = await call('GET', '/nodes/pve1/tasks', { vmid: 150, start: 1, limit: 1 });
    expect([(paged.body.data as unknown[]).length, paged.body.total]).toEqual([1, 2]);
  });

  it('ends a task made to fail with its error, leaving the guest as it was', async () => {
    sim.tasks.failNext('vzstart', "startup for container '200' failed");
    await waitTask(
      'pve1',
      (await call('POST', '/nodes/pve1/lxc/200/status/stop')).body.data as string,
    );
    const start = await call('POST', '/nodes/pve1/lxc/200/status/start');
    const st = await waitTask('pve1', start.body.data as string);
    expect(st.exitstatus).toBe("startup for container '200' failed");
    expect((await logOf('pve1', start.body.data as string)).at(-1)).toBe(
      "TASK ERROR: startup for container '200' failed",
    );
    const cur = (await call('GET', '/nodes/pve1/lxc/200/status/current')).body.data as {
      status: string;
    };
    expect(cur.status).toBe('stopped');
    const errs = (await call('GET', '/nodes/pve1/tasks', { errors: 1 })).body.data as {
      upid: string;
    }[];
    expect(errs.map((t) => t.upid)).toContain(start.body.data);
  });

  it('cancels a running task by DELETE', async () => {
    sim.tasks.stepMs = 5_000;
    const shut = await call('POST', '/nodes/pve1/qemu/100/status/shutdown', { timeout: 60 });
    const upid = shut.body.data as string;
    expect(
      (
        (await call('GET', `/nodes/pve1/tasks/${encodeURIComponent(upid)}/status`)).body.data as {
          status: string;
        }
      ).status,
    ).toBe('running');
    const active = (await call('GET', '/nodes/pve1/tasks', { source: 'active' })).body.data as {
      upid: string;
    }[];
    expect(active.map((t) => t.upid)).toEqual([upid]);
    expect((await call('DELETE', `/nodes/pve1/tasks/${encodeURIComponent(upid)}`)).status).toBe(
      200,
    );
    const st = await waitTask('pve1', upid);
    expect(st.exitstatus).toBe('interrupted by signal');
    expect((await logOf('pve1', upid)).at(-1)).toBe('TASK ERROR: interrupted by signal');
    const cur = (await call('GET', '/nodes/pve1/qemu/100/status/current')).body.data as {
      status: string;
    };
    expect(cur.status).toBe('running');
  });

  it('refuses a config change whose digest is not the current one', async () => {
    const before = (await call('GET', '/nodes/pve1/qemu/100/config')).body.data as {
      digest: string;
      cores: number;
      memory: unknown;
    };
    expect(before.digest).toMatch(/^[0-9a-f]{40}$/);
    expect(before.cores).toBe(2);
    const ok = await call('PUT', '/nodes/pve1/qemu/100/config', {
      cores: 4,
      digest: before.digest,
    });
    expect(ok.status).toBe(200);
    const stale = await call('PUT', '/nodes/pve1/qemu/100/config', {
      cores: 8,
      digest: before.digest,
    });
    expect([stale.status, stale.body.message]).toEqual([
      500,
      'detected modified configuration - file changed by other user? Try again.\n',
    ]);
    const after = (await call('GET', '/nodes/pve1/qemu/100/config')).body.data as {
      digest: string;
      cores: number;
    };
    expect(after.cores).toBe(4);
    expect(after.digest).not.toBe(before.digest);
    const del = await call('POST', '/nodes/pve1/qemu/100/config', {
      delete: 'vmgenid',
      digest: after.digest,
    });
    expect((await waitTask('pve1', del.body.data as string)).exitstatus).toBe('OK');
    expect((await call('GET', '/nodes/pve1/qemu/100/config')).body.data).not.toHaveProperty(
      'vmgenid',
    );
  });

  it('serves a certificate whose SHA-256 fingerprint is the one it exposes, and a client pin holds', async () => {
    const fromOpenssl = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256'], {
      input: sim.certPem,
    })
      .toString()
      .trim()
      .replace(/^.*=/, '');
    expect(sim.fingerprint).toBe(fromOpenssl);
    await expect(
      pveCall({ ...sim, fingerprint: 'AA:BB' }, 'GET', '/version', {}, { token }),
    ).rejects.toThrow(/not the pinned/);
  });

  it('creates a container from a template and starts it', async () => {
    const created = await call('POST', '/nodes/pve2/lxc', {
      vmid: 250,
      ostemplate: 'local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst',
      hostname: 'ct250',
      memory: 256,
      rootfs: 'local-lvm:4',
      net0: 'name=eth0,bridge=vmbr0,ip=dhcp',
      unprivileged: 1,
      start: 1,
    });
    expect(created.status).toBe(200);
    expect((await waitTask('pve2', created.body.data as string)).exitstatus).toBe('OK');
    const cur = (await call('GET', '/nodes/pve2/lxc/250/status/current')).body.data as {
      status: string;
      name: string;
    };
    expect(cur).toMatchObject({ status: 'running', name: 'ct250' });
    const conf = (await call('GET', '/nodes/pve2/lxc/250/config')).body.data as {
      rootfs: string;
      memory: number;
    };
    expect(conf).toMatchObject({ rootfs: 'local-lvm:vm-250-disk-0,size=4G', memory: 256 });
    const again = await call('POST', '/nodes/pve1/lxc', {
      vmid: 250,
      ostemplate: 'local:vztmpl/x.tar.zst',
    });
    expect([again.status, again.body.message]).toEqual([
      500,
      "unable to create CT 250 - VM 250 already exists on node 'pve2'\n",
    ]);
  });

  it('follows node state: an offline node keeps quorum with two of three, and is unreachable', async () => {
    sim.state.nodes[2]!.online = false;
    try {
      const st = (await call('GET', '/cluster/status')).body.data as {
        type: string;
        name: string;
        online?: number;
        quorate?: number;
      }[];
      expect(st.find((e) => e.name === 'pve3')?.online).toBe(0);
      expect(st.find((e) => e.type === 'cluster')?.quorate).toBe(1);
      const nodes = (await call('GET', '/nodes')).body.data as { node: string; status: string }[];
      expect(nodes.find((n) => n.node === 'pve3')?.status).toBe('offline');
      expect((await call('GET', '/nodes/pve3/status')).status).toBe(595);
      sim.state.nodes[1]!.online = false;
      const lost = (await call('GET', '/cluster/status')).body.data as {
        type: string;
        quorate?: number;
      }[];
      expect(lost.find((e) => e.type === 'cluster')?.quorate).toBe(0);
    } finally {
      for (const n of sim.state.nodes) n.online = true;
    }
  });

  it('answers a missing guest and an unknown path as PVE does', async () => {
    const gone = await call('GET', '/nodes/pve1/qemu/999/config');
    expect([gone.status, gone.body.message]).toEqual([
      500,
      "Configuration file 'nodes/pve1/qemu-server/999.conf' does not exist\n",
    ]);
    const nope = await call('GET', '/nodes/pve1/frobnicate');
    expect(nope.status).toBe(501);
  });
});
