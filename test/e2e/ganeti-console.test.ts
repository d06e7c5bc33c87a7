// The Console tab of a Ganeti KVM instance in Chromium, against the real
// Ganeti lab: noVNC shows the instance's screen (SeaBIOS under TCG), its
// display on node2's loopback reached through the session to node1. Its own
// setup (not useE2e): the libvirt lab is not needed (LAB_LIBVIRT=0).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addGanetiKvmInstance, ensureGanetiCluster, removeGanetiInstance } from '../ganeti-lab';
import { ARTIFACTS } from './fixtures';
import { openGanetiInChromium, type GanetiInChromium } from './ganeti-fixture';

const canRun = existsSync('/usr/sbin/gnt-cluster') && process.getuid?.() === 0;
const VM = 'cd-gnt-e2e-console.gnt.test';
let page: Page;
let gnt: GanetiInChromium | undefined;

beforeAll(async () => {
  if (!canRun) return;
  ensureGanetiCluster();
  removeGanetiInstance(VM);
  addGanetiKvmInstance(VM, 'node2');
  gnt = await openGanetiInChromium('gnt-console');
  page = gnt.page;
}, 300_000);

afterAll(async () => {
  if (!canRun) return;
  await gnt?.close();
  removeGanetiInstance(VM);
}, 300_000);

describe.skipIf(!canRun)('the console of a Ganeti KVM instance in Chromium', () => {
  it('shows the instance’s screen in its Console tab', async () => {
    const tree = page.getByRole('tree', { name: 'Resources' });
    await tree.getByRole('treeitem', { name: `${VM} Running · diskless` }).click();
    await page.getByRole('tab', { name: 'Console' }).click();
    await page.getByRole('status', { name: 'Console status' }).getByText('Connected').waitFor();
    const canvas = page.getByRole('application', { name: `Console of ${VM}` }).locator('canvas');
    // SeaBIOS's text on the screen: the frame holds more than one colour.
    const picture = async () =>
      canvas.evaluate((c: HTMLCanvasElement) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        const counts = new Map<number, number>();
        for (let i = 0; i < d.length; i += 4) {
          const v = (d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!;
          counts.set(v, (counts.get(v) ?? 0) + 1);
        }
        const top = Math.max(...counts.values());
        return { width: c.width, colours: counts.size, notBackground: 1 - top / (d.length / 4) };
      });
    let p = await picture();
    // Under TCG the BIOS may take a few seconds to draw.
    for (let i = 0; i < 150 && (p.colours < 2 || p.notBackground < 0.005); i++) {
      await page.waitForTimeout(100);
      p = await picture();
    }
    expect(p.width).toBeGreaterThanOrEqual(640);
    expect(p.colours).toBeGreaterThanOrEqual(2);
    expect(p.notBackground).toBeGreaterThan(0.005);
    await page.screenshot({ path: join(ARTIFACTS, 'ganeti-console.png') });
  }, 120_000);
});
