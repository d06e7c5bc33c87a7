// What every end-to-end file needs, so each one runs alone: the real backend
// on its own data folder, the browser shell serving the built renderer,
// Chromium with one page, and the lab's nodes added. The helpers drive the UI
// by visible labels and accessible names, as a user would.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Backend } from '../../core/backend';
import type { BrowserShell } from '../../shells/browser/browser-shell';
import {
  addLabNode,
  forgetNodeTrust,
  readLab,
  REPO,
  resetLabGuests,
  taskFinished,
  waitFor,
  type Lab,
} from '../lab';
import { startShellInChromium, type ShellInChromium } from './chromium';

/** Screenshots of the suites, kept for a look after a run. */
export const ARTIFACTS = join(REPO, 'test-results');

/** One file's world, filled in by the `beforeAll` that {@link useE2e} registers. */
export interface E2e {
  lab: Lab;
  /** The backend's data folder, also a place for the test's own files. */
  home: string;
  backend: Backend;
  shell: BrowserShell;
  browser: Browser;
  page: Page;
}

// Vitest gives each test file its own module instance, so this is one file's world.
let current: E2e | undefined;

function world(): E2e {
  if (!current) throw new Error('useE2e() was not called in this file');
  return current;
}

/**
 * Starts the shell in Chromium before the file's tests and closes it after.
 * `nodes` are added through the contract and are connected (and the page
 * open on the shell) before the first test; with none, the page stays blank.
 * `ownBrowser`: a Chromium of the file's own, not the run's (chromium.ts says when).
 */
export function useE2e(options: { nodes?: readonly string[]; ownBrowser?: boolean } = {}): E2e {
  const nodes = options.nodes ?? ['node1', 'node2'];
  let env: ShellInChromium | undefined;
  let home: string | undefined;
  // Read through this object in the tests: the fields are set in beforeAll.
  const proxy = new Proxy({} as E2e, { get: (_, key) => world()[key as keyof E2e] });

  beforeAll(async () => {
    const lab = readLab();
    resetLabGuests();
    mkdirSync(ARTIFACTS, { recursive: true });
    home = mkdtempSync(join(tmpdir(), 'clusterdeck-e2e-'));
    // A short wait for a VM action's effect, so a shutdown the guest ignores fails soon.
    writeFileSync(
      join(home, 'settings.json'),
      JSON.stringify({ version: 1, hosts: [], secrets: {}, vmActionTimeoutSeconds: 6 }),
    );
    env = await startShellInChromium(home, { ownBrowser: options.ownBrowser });
    const page = await env.browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (err) => console.error('[page error]', err.message));
    current = { lab, home, backend: env.backend, shell: env.shell, browser: env.browser, page };
    if (nodes.length === 0) return;
    const hostIds: string[] = [];
    for (const name of nodes) hostIds.push(await addLabNode(env.backend, name));
    const backend = env.backend;
    await waitFor(
      () => hostIds.every((id) => backend.store.get('hosts', id)?.state === 'connected'),
      `${nodes.join(', ')} connected`,
      30_000,
    );
    await page.goto(env.shell.url);
    await page.getByRole('tree', { name: 'Resources' }).waitFor();
  });

  afterAll(async () => {
    // A cluster made here leaves its trust on the nodes: the next file starts clean.
    const madeCluster = (current?.backend.store.all('clusters').length ?? 0) > 0;
    await env?.close();
    if (home) rmSync(home, { recursive: true, force: true });
    current = undefined;
    if (madeCluster) forgetNodeTrust();
  });

  return proxy;
}

/** Add Host, from the toolbar unless `open` says otherwise, with the node's real fingerprint checked. */
export async function addHostThroughDialog(
  name: string,
  open = () =>
    world()
      .page.getByRole('toolbar', { name: 'Actions' })
      .getByRole('button', { name: 'Add Host' })
      .click(),
): Promise<void> {
  const { lab, page, backend } = world();
  const node = lab.nodes.find((n) => n.name === name)!;
  await open();
  const dialog = page.getByRole('dialog', { name: 'Add Host' });
  await dialog.getByLabel('Address').fill(node.host);
  await dialog.getByLabel('Port').fill(String(node.port));
  await dialog.getByLabel('User').fill(lab.user);
  await dialog.getByLabel('Display name').fill(name);
  await dialog.getByLabel('Authentication').selectOption('Private key file');
  await dialog.getByLabel('Key file').fill(lab.keyPath);
  await dialog.getByRole('button', { name: 'Connect' }).click();
  // The fingerprint shown must be the node's real one, before any login.
  await dialog.getByText(node.hostKeyFingerprint).waitFor();
  expect(backend.store.all('hosts')).toHaveLength(lab.nodes.indexOf(node));
  await dialog.getByRole('button', { name: 'Trust and connect' }).click();
  await dialog.waitFor({ state: 'detached', timeout: 30_000 });
}

/** Closes whatever dialog a failed test left open, so the next test starts from the window. */
export async function closeDialogs(): Promise<void> {
  const { page } = world();
  for (
    let i = 0;
    i < 5 && (await page.getByRole('dialog').or(page.getByRole('alertdialog')).count());
    i++
  )
    await page.keyboard.press('Escape');
}

/**
 * The cluster of the three lab nodes that some tests work in. clusters.test.ts
 * makes it through the New Cluster wizard; any other file (or that one after
 * the wizard failed) gets it here through the contract, node3 added if needed.
 */
export async function ensureE2eCluster(): Promise<void> {
  const { page, shell, backend } = world();
  if (page.url() === 'about:blank') await page.goto(shell.url); // run alone with -t
  await closeDialogs();
  if (backend.store.all('clusters').some((c) => c.name === 'e2e-cluster')) return;
  console.warn('[e2e] no e2e-cluster yet: made through the contract');
  forgetNodeTrust();
  const hostIds: string[] = [];
  for (const name of ['node1', 'node2', 'node3'])
    hostIds.push(
      backend.store.all('hosts').find((h) => h.name === name)?.id ??
        (await addLabNode(backend, name)),
    );
  await waitFor(
    () => hostIds.every((id) => backend.store.get('hosts', id)?.state === 'connected'),
    'three nodes connected',
    30_000,
  );
  const { taskId } = (await backend.call('createCluster', {
    name: 'e2e-cluster',
    hostIds,
  })) as { taskId: string };
  const task = await taskFinished(backend, taskId, 120_000);
  if (task.error) throw new Error(`New Cluster through the contract failed: ${task.error}`);
}

/** New VM from the toolbar with node1 selected: the wizard and its Next button. */
export async function openNewVmOnNode1() {
  const { page } = world();
  await page
    .getByRole('treeitem', { name: /^node1/ })
    .first()
    .click();
  await page
    .getByRole('toolbar', { name: 'Actions' })
    .getByRole('button', { name: 'New VM' })
    .click();
  const wizard = page.getByRole('dialog', { name: 'New VM' });
  return { wizard, next: () => wizard.getByRole('button', { name: 'Next' }).click() };
}

/** node1's Terminal tab, once its shell is connected: the terminal, clicked into. */
export async function openNode1Terminal() {
  const { page } = world();
  await page
    .getByRole('treeitem', { name: /^node1/ })
    .first()
    .click();
  await page.getByRole('tab', { name: 'Terminal' }).click();
  await page
    .getByRole('status', { name: 'Terminal on node1 status' })
    .getByText(/^Connected: ssh root@/)
    .waitFor({ timeout: 10_000 });
  const terminal = page.getByRole('group', { name: 'Terminal on node1' });
  await terminal.click();
  return terminal;
}

/** A VM's row in the resource tree, by its name and shown state. */
export const vmItem = (name: string, state: string) =>
  world().page.getByRole('treeitem', { name: new RegExp(`^${name} ${state}`) });
