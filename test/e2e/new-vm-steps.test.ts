// End to end: the real renderer in Debian's Chromium, through the browser
// shell, against the real backend and the lab's nodes (test/e2e/fixtures.ts).
// New VM stops at the step that is wrong, in the app's words; Enter presses
// Next; the labels of visited steps go back (and forward) to them.
// Runs alone: `LAB_BASE=NN npx vitest run test/e2e/new-vm-steps.test.ts`.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../core/backend';
import { ARTIFACTS, openNewVmOnNode1, useE2e } from './fixtures';

const e2e = useE2e();
let page: Page;
let backend: Backend;
beforeAll(() => {
  ({ page, backend } = e2e);
});

const RAW = /expected|Too small|Too big/;

describe('New VM steps in Chromium', () => {
  it('checks each step before Next, takes Enter for Next and goes back by a step label', async () => {
    const node1 = backend.store.all('hosts').find((h) => h.name === 'node1')!;
    const nodeMiB = Math.floor(node1.info!.memoryKiB / 1024);
    const { wizard } = await openNewVmOnNode1();
    const steps = wizard.getByRole('list', { name: 'Steps' });
    const current = () => steps.locator('[aria-current="step"]').textContent();

    // An empty name stops the first step, in the app's words.
    await wizard.getByLabel('VM name').press('Enter');
    await wizard.getByText('Enter a name.').waitFor();
    expect(await current()).toBe('1. Name and OS');
    await wizard.getByLabel('VM name').fill('e2e-steps');
    await wizard.getByLabel('VM name').press('Enter');
    await expect.poll(current).toBe('2. CPU and memory');

    // More memory than node1 has is refused here, not on the last page.
    const memory = wizard.getByLabel('Memory (MiB)');
    await memory.fill(String(nodeMiB + 1024));
    await memory.press('Enter');
    await wizard
      .getByText(
        new RegExp(`^Memory: node1 has .+ in all; give this VM at most ${nodeMiB} MiB\\.$`),
      )
      .waitFor();
    expect(await current()).toBe('2. CPU and memory');
    await expect.poll(() => memory.getAttribute('aria-invalid')).toBe('true');
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-new-vm-memory.png') });
    // Beyond what any VM may have: the contract's limit, said plainly.
    await memory.fill('5000000');
    await memory.press('Enter');
    await wizard.getByText('Memory: at most 4 TiB (4,194,304 MiB).').waitFor();
    expect(await wizard.textContent()).not.toMatch(RAW);
    expect(await current()).toBe('2. CPU and memory');

    await memory.fill('128');
    await memory.press('Enter');
    await expect.poll(current).toBe('3. Disk');
    // A step not reached yet is no button.
    expect(await steps.getByRole('button', { name: '5. Network and console' }).count()).toBe(0);

    // A visited step's label goes back to it, with what was typed there kept.
    await steps.getByRole('button', { name: '1. Name and OS' }).click();
    await expect.poll(current).toBe('1. Name and OS');
    expect(await wizard.getByLabel('VM name').inputValue()).toBe('e2e-steps');
    // And forward again to the furthest step reached, checking the steps passed.
    await steps.getByRole('button', { name: '3. Disk' }).click();
    await expect.poll(current).toBe('3. Disk');

    await wizard.getByRole('button', { name: 'Cancel' }).click();
    await wizard.waitFor({ state: 'detached' });
  });
});
