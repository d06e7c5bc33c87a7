// What the charts' value axes show: round ticks in one unit that fits the
// range (never "0.5 B/s"), and time series broken where readings are missing.

export type AxisKind = 'percent' | 'bytes' | 'rate';

export interface Axis {
  /** The top of the scale; the bottom is always 0. */
  top: number;
  ticks: number[];
  /** A tick's or a value's text, in the axis's one unit. */
  label: (v: number) => string;
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** The round step (1, 2 or 5 times a power of ten) that cuts `span` into at most `most` parts. */
export function niceStep(span: number, most = 5): number {
  if (!(span > 0)) return 1;
  const raw = span / most;
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

const decimalsOf = (step: number) => Math.max(0, -Math.floor(Math.log10(step) + 1e-9));

/**
 * The axis for values up to `max` (at least `minTop`, so an idle chart is not
 * scaled to a fraction of a byte). Bytes are shown in the largest binary unit
 * the top reaches; a byte is never split.
 */
export function niceAxis(max: number, kind: AxisKind, minTop?: number): Axis {
  const floor = minTop ?? (kind === 'percent' ? 10 : 1024);
  const want = Math.max(Number.isFinite(max) ? max : 0, floor, Number.MIN_VALUE);
  if (kind === 'percent') {
    const step = niceStep(want);
    const top = Math.ceil(want / step - 1e-9) * step;
    const d = decimalsOf(step);
    return { top, ticks: ticksTo(top, step), label: (v) => `${v.toFixed(d)}%` };
  }
  const k = Math.max(
    0,
    Math.min(BYTE_UNITS.length - 1, Math.floor(Math.log(want) / Math.log(1024))),
  );
  const unit = 1024 ** k;
  // In bytes, steps are whole bytes.
  const step = Math.max(niceStep(want / unit), k === 0 ? 1 : 0);
  const top = Math.ceil(want / unit / step - 1e-9) * step * unit;
  const d = k === 0 ? 0 : decimalsOf(step);
  const suffix = `${BYTE_UNITS[k]}${kind === 'rate' ? '/s' : ''}`;
  return {
    top,
    ticks: ticksTo(top, step * unit),
    label: (v) => `${(v / unit).toFixed(d)} ${suffix}`,
  };
}

/** A single value (legend, summary, tables) in the unit that fits it; whole bytes below a KiB. */
export function valueText(v: number, kind: AxisKind): string {
  if (kind === 'percent') return `${v.toFixed(v < 10 ? 1 : 0)}%`;
  const suffix = kind === 'rate' ? '/s' : '';
  if (!(v >= 1024)) return `${Math.round(Math.max(0, v))} B${suffix}`;
  const k = Math.min(BYTE_UNITS.length - 1, Math.floor(Math.log(v) / Math.log(1024)));
  const x = v / 1024 ** k;
  return `${x >= 100 ? Math.round(x) : x.toFixed(1)} ${BYTE_UNITS[k]}${suffix}`;
}

function ticksTo(top: number, step: number): number[] {
  const out: number[] = [];
  for (let i = 0; i * step <= top * (1 + 1e-9); i++) out.push(i * step);
  return out;
}

/**
 * Times and series with a null point wherever two readings are further apart
 * than `maxGapMs` (missing readings, a disconnect, collecting paused), so the
 * chart breaks the line there instead of joining across.
 */
export function withGaps(
  times: readonly number[],
  series: readonly (readonly (number | null)[])[],
  maxGapMs: number,
): { times: number[]; series: (number | null)[][] } {
  const outT: number[] = [];
  const outS = series.map(() => [] as (number | null)[]);
  times.forEach((t, i) => {
    const prev = times[i - 1];
    if (prev !== undefined && t - prev > maxGapMs) {
      outT.push(prev + (t - prev) / 2);
      outS.forEach((s) => s.push(null));
    }
    outT.push(t);
    series.forEach((s, j) => outS[j]!.push(s[i] ?? null));
  });
  return { times: outT, series: outS };
}
