// The Electron main process, kept thin: a locked-down window, the IPC
// transport of the contract, and safeStorage as the SecretBox. Everything
// that talks to nodes lives in backend/, which never imports 'electron'.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  protocol,
  safeStorage,
  session,
  shell,
} from 'electron';
import { IPC_CALL, IPC_PATCH } from '../../shared/ipc';
import type { PatchMessage } from '../../shared/wire';
import { Backend } from '../../core/backend';
import { lockDataDir } from '../../core/store/instance-lock';
import type { SecretBox } from '../../core/store/secrets';
import { APP_INDEX_URL, APP_SCHEME, appFilePath, appPageOrigin } from './app-scheme';
import { CONTENT_SECURITY_POLICY } from '../common/csp';
import { answerIpcCall } from './ipc-answer';
import { contentType } from '../common/static-files';

const rendererDir = join(__dirname, '..', 'renderer');

// The pages come from app://clusterdeck, a standard secure scheme, so they
// have one exact origin that loopback listeners can check (app-scheme.ts).
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

async function serveAppFile(request: Request): Promise<Response> {
  const file = appFilePath(rendererDir, request.url);
  const body = file && (await readFile(file).catch(() => undefined));
  if (!file || !body) return new Response('Not found', { status: 404 });
  return new Response(new Uint8Array(body), {
    headers: {
      'Content-Type': contentType(file),
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
    },
  });
}

// On Linux without a keyring (no GNOME Keyring, KWallet…) safeStorage falls
// back to "basic_text": encryption with a fixed password anyone can read in
// Chromium's source. That is plain text in disguise, so nothing is saved then.
function whySecretsCannotPersist(): string | undefined {
  if (!safeStorage.isEncryptionAvailable())
    return 'This system offers no encrypted secret store, and Clusterdeck never saves a password in plain text. Use a key file or ssh-agent to stay logged in.';
  if (process.platform === 'linux') {
    const backend = safeStorage.getSelectedStorageBackend();
    if (backend === 'basic_text' || backend === 'unknown')
      return 'No keyring (GNOME Keyring, KWallet) is running, so passwords could only be encrypted with a fixed, publicly known key; Clusterdeck does not save them that way. Start a keyring and restart Clusterdeck, or use a key file or ssh-agent.';
  }
  return undefined;
}

const safeStorageBox: SecretBox = {
  get canPersist() {
    return whySecretsCannotPersist() === undefined;
  },
  get whyNot() {
    return whySecretsCannotPersist();
  },
  // Chromium marks a secret sealed with the fixed "basic_text" key "v10" on
  // Linux (a keyring's key gives "v11"); elsewhere "v10" is the OS's own key.
  isWeaklySealed: (sealed) =>
    process.platform === 'linux' &&
    Buffer.from(sealed, 'base64').subarray(0, 3).toString('latin1') === 'v10',
  encrypt: (plain) => safeStorage.encryptString(plain).toString('base64'),
  decrypt: (sealed) => safeStorage.decryptString(Buffer.from(sealed, 'base64')),
};

/** The app's own page, with or without a query (?console=<uuid> for pop-outs). */
function isOwnPage(url: string): boolean {
  return appPageOrigin(url) !== undefined;
}

const webPreferences = {
  preload: join(__dirname, 'preload.cjs'),
  sandbox: true,
  contextIsolation: true,
  nodeIntegration: false,
  webSecurity: true,
  spellcheck: false,
};

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    title: 'Clusterdeck',
    show: false,
    webPreferences,
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_INDEX_URL);
  return win;
}

// One Clusterdeck per data folder. Electron's own lock is kept in userData,
// so userData is the data folder; the lock file (lockDataDir) also keeps out
// a browser shell (`npm run serve`) on the same folder.
if (process.env['CLUSTERDECK_HOME']) app.setPath('userData', process.env['CLUSTERDECK_HOME']);
const dataDir = app.getPath('userData');
const firstInstance = app.requestSingleInstanceLock();
if (!firstInstance) app.quit(); // the running one comes to the front instead
app.on('second-instance', () => {
  const win = BrowserWindow.getAllWindows()[0];
  if (!win) return;
  if (win.isMinimized()) win.restore();
  win.focus();
});

app.on('web-contents-created', (_e, contents) => {
  // The app is one page: no navigation, no new windows; links open outside.
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // Pop-out consoles are the app's own page; anything else opens outside.
    if (isOwnPage(url)) {
      return {
        action: 'allow',
        overrideBrowserWindowOptions: { width: 1100, height: 800, webPreferences },
      };
    }
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
});

app.whenReady().then(async () => {
  if (!firstInstance) return;
  try {
    lockDataDir(dataDir);
  } catch (err) {
    dialog.showErrorBox('Clusterdeck is already running', (err as Error).message);
    app.quit();
    return;
  }
  protocol.handle(APP_SCHEME, serveAppFile);
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
      },
    });
  });
  // Every permission is refused except the clipboard, for our own pages
  // only: the terminal's Copy and Paste buttons need it.
  const CLIPBOARD = new Set(['clipboard-read', 'clipboard-sanitized-write']);
  session.defaultSession.setPermissionRequestHandler((wc, perm, callback) =>
    callback(CLIPBOARD.has(perm) && isOwnPage(wc.getURL())),
  );
  session.defaultSession.setPermissionCheckHandler(
    (wc, perm) => CLIPBOARD.has(perm) && !!wc && isOwnPage(wc.getURL()),
  );

  const backend = await Backend.start({
    dataDir,
    secretBox: safeStorageBox,
    // Uploads read the chosen file here; the page never learns its path.
    pickFile: async () => {
      const win = BrowserWindow.getFocusedWindow();
      const options = { title: 'Upload a file', properties: ['openFile' as const] };
      const r = win
        ? await dialog.showOpenDialog(win, options)
        : await dialog.showOpenDialog(options);
      return r.canceled ? undefined : r.filePaths[0];
    },
  });

  ipcMain.handle(IPC_CALL, (event, message: unknown) =>
    answerIpcCall(backend, message, event.senderFrame?.url),
  );

  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      { role: 'fileMenu' },
      { role: 'editMenu' },
      { role: 'viewMenu' },
      { role: 'windowMenu' },
    ]),
  );
  backend.onPatch((patches) => {
    for (const w of BrowserWindow.getAllWindows()) {
      if (!w.isDestroyed())
        w.webContents.send(IPC_PATCH, { type: 'patch', patches } satisfies PatchMessage);
    }
  });
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
  app.on('before-quit', () => backend.close());
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
