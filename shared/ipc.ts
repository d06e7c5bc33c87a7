// Channel names of the Electron transport. Kept apart from api.ts so the
// sandboxed preload bundles nothing but these strings.
export const IPC_CALL = 'clusterdeck:call';
export const IPC_PATCH = 'clusterdeck:patch';
