// Proof that a console's pixels arrived: the noVNC canvas of a VM's Console
// tab holds a real frame (at least 640 wide, more than one colour, a share
// of it not background), waited for since a BIOS under TCG may take a few
// seconds to draw.
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

interface Picture {
  width: number;
  colours: number;
  notBackground: number;
}

export async function expectConsolePicture(
  page: Page,
  vmName: string,
  timeoutMs = 15_000,
): Promise<Picture> {
  const canvas = page.getByRole('application', { name: `Console of ${vmName}` }).locator('canvas');
  const picture = (): Promise<Picture> =>
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
  const deadline = Date.now() + timeoutMs;
  let p = await picture();
  while ((p.colours < 2 || p.notBackground < 0.005) && Date.now() < deadline) {
    await page.waitForTimeout(100);
    p = await picture();
  }
  expect(p.width).toBeGreaterThanOrEqual(640);
  expect(p.colours).toBeGreaterThanOrEqual(2);
  expect(p.notBackground).toBeGreaterThan(0.005);
  return p;
}
