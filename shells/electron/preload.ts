// The only bridge between the sandboxed page and the main process: the
// contract's call and patch channels, nothing else (no ipcRenderer leak).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_CALL, IPC_PATCH } from '../../shared/ipc';

contextBridge.exposeInMainWorld('clusterdeck', {
  call: (method: string, params: unknown): Promise<unknown> =>
    ipcRenderer.invoke(IPC_CALL, method, params),
  onPatch: (listener: (patches: unknown) => void): (() => void) => {
    const wrapped = (_e: IpcRendererEvent, patches: unknown) => listener(patches);
    ipcRenderer.on(IPC_PATCH, wrapped);
    return () => ipcRenderer.removeListener(IPC_PATCH, wrapped);
  },
});
