// The only bridge between the sandboxed page and the main process: the
// contract's call and patch channels, nothing else (no ipcRenderer leak).
// It carries shared/wire.ts messages unchanged; both ends parse them, so
// the sandboxed preload bundles no zod.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_CALL, IPC_PATCH } from '../../shared/ipc';

contextBridge.exposeInMainWorld('clusterdeck', {
  call: (request: unknown): Promise<unknown> => ipcRenderer.invoke(IPC_CALL, request),
  onPatch: (listener: (message: unknown) => void): (() => void) => {
    const wrapped = (_e: IpcRendererEvent, message: unknown) => listener(message);
    ipcRenderer.on(IPC_PATCH, wrapped);
    return () => ipcRenderer.removeListener(IPC_PATCH, wrapped);
  },
});
