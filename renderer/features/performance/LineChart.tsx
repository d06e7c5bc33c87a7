// A time-series chart with uPlot: one or more lines over the same times, on
// a value axis of round ticks in one unit (axis.ts), broken where readings
// are missing. Under it, a line of text says what the chart holds, for
// screen readers and for a glance.
import { useEffect, useId, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { PERF_GAP_MS } from '../../state/performance';
import { niceAxis, valueText, withGaps, type Axis, type AxisKind } from './axis';

const COLORS = ['#0284c7', '#f59e0b', '#10b981', '#ef4444'];
const HEIGHT = 160;

const clock = (ms: number) =>
  new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

export function LineChart({
  title,
  times,
  series,
  kind,
  minTop,
  note,
}: {
  title: string;
  /** Epoch ms, ascending. */
  times: number[];
  series: { label: string; values: (number | null)[] }[];
  kind: AxisKind;
  /** The least top of the value axis (a VM's allocation, a node's total memory). */
  minTop?: number;
  /** Said under the chart: what the lines measure. */
  note?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const labels = series.map((s) => s.label).join('|');
  const max = Math.max(0, ...series.flatMap((s) => s.values.map((v) => v ?? 0)));
  const axis = useRef<Axis>(niceAxis(max, kind, minTop));
  axis.current = niceAxis(max, kind, minTop);
  const summaryId = useId();

  useEffect(() => {
    if (!box.current) return;
    const label = (v: number) => axis.current.label(v);
    const p = new uPlot(
      {
        width: Math.max(300, box.current.clientWidth),
        height: HEIGHT,
        legend: { show: true },
        scales: {
          x: {
            time: true,
            // At least a minute wide, from the data itself: uPlot widens a lone
            // point by a day's worth of its own units, which in seconds shows years.
            range: (u, min, max) => {
              const xs = u.data[0];
              const first = xs[0];
              const last = xs[xs.length - 1];
              return first === undefined || last === undefined
                ? [min, max]
                : [Math.min(first, last - 60), last];
            },
          },
          y: { range: () => [0, axis.current.top] },
        },
        axes: [
          // Room for "12:34:56" between labels, so none overlap.
          { space: 80 },
          {
            splits: () => axis.current.ticks,
            values: (_u, vals) => vals.map(label),
            // As wide as its longest label, at about 8 px a character plus the tick.
            size: (_u, values) =>
              values ? Math.max(48, ...values.map((v) => String(v).length * 8 + 24)) : 56,
          },
        ],
        series: [
          {},
          ...series.map((s, i) => ({
            label: s.label,
            stroke: COLORS[i % COLORS.length],
            width: 1.5,
            // A missing reading breaks the line (withGaps puts nulls there).
            spanGaps: false,
            value: (_u: uPlot, v: number | null) => (v == null ? '—' : valueText(v, kind)),
          })),
        ],
      },
      [[], ...series.map(() => [])],
      box.current,
    );
    plot.current = p;
    const resize = new ResizeObserver(() => {
      if (box.current) p.setSize({ width: Math.max(300, box.current.clientWidth), height: HEIGHT });
    });
    resize.observe(box.current);
    return () => {
      resize.disconnect();
      p.destroy();
      plot.current = undefined;
    };
  }, [labels, kind]);

  const data = withGaps(
    times,
    series.map((s) => s.values),
    PERF_GAP_MS,
  );
  const gaps = data.times.length - times.length;
  useEffect(() => {
    plot.current?.setData([data.times.map((t) => t / 1000), ...data.series] as uPlot.AlignedData);
  });

  const first = times[0];
  const last = times[times.length - 1];
  const latest = series
    .map((s) => {
      const v = s.values[s.values.length - 1];
      return v == null ? undefined : `${s.label} ${valueText(v, kind)}`;
    })
    .filter(Boolean)
    .join(', ');
  return (
    <figure
      className="min-w-0"
      data-points={times.length}
      data-first={first ?? ''}
      data-last={last ?? ''}
      data-gaps={gaps}
    >
      <figcaption className="mb-1 text-sm font-medium">{title}</figcaption>
      <div ref={box} role="img" aria-label={`${title} chart`} aria-describedby={summaryId} />
      <p id={summaryId} className="text-xs text-slate-500">
        {first === undefined || last === undefined
          ? 'No readings yet.'
          : `${times.length} ${times.length === 1 ? 'reading' : 'readings'} from ${clock(first)} to ${clock(last)}` +
            (gaps ? ` (${gaps} ${gaps === 1 ? 'gap' : 'gaps'})` : '') +
            (latest ? `; latest: ${latest}` : '') +
            '.'}
        {note ? ` ${note}` : ''}
      </p>
    </figure>
  );
}
