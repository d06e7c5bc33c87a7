// Sizes and rates as people read them, the same in the main process (task
// details) and the renderer.

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes <= 0) return '0 B';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  // Fractions of a byte (a rate axis near zero) stay in bytes.
  const i = Math.max(0, Math.min(units.length - 1, Math.floor(Math.log(bytes) / Math.log(1024))));
  const v = bytes / 1024 ** i;
  return `${v >= 100 || (i === 0 && v >= 1) ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/** "120 MiB of 200 MiB · 210 MiB/s · 1 s left" for a transfer under way. */
export function transferLine(done: number, total: number, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (done / elapsedMs) * 1000 : 0;
  const left = rate > 0 ? Math.ceil((total - done) / rate) : undefined;
  return [
    `${formatBytes(done)} of ${formatBytes(total)}`,
    `${formatBytes(rate)}/s`,
    left === undefined ? 'time left unknown' : `${left} s left`,
  ].join(' · ');
}

const MIB = 2 ** 20;

/** Sizes as people type them: 512M, 20G, 1.5T, or plain MiB. */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = { '': MIB, K: 2 ** 10, M: MIB, G: 2 ** 30, T: 2 ** 40 }[m[2]!.toUpperCase()]!;
  const bytes = Math.round(Number(m[1]) * unit);
  return bytes > 0 ? bytes : undefined;
}
