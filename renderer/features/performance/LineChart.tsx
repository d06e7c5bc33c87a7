// A time-series chart with uPlot: one or more lines over the same times,
// values shown with the given formatter on the axis and in the legend.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const COLORS = ['#0284c7', '#f59e0b', '#10b981', '#ef4444'];

export function LineChart({
  title,
  times,
  series,
  format,
}: {
  title: string;
  /** Epoch ms. */
  times: number[];
  series: { label: string; values: number[] }[];
  format: (v: number) => string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const labels = series.map((s) => s.label).join('|');

  useEffect(() => {
    if (!box.current) return;
    const p = new uPlot(
      {
        width: Math.max(300, box.current.clientWidth),
        height: 160,
        legend: { show: true },
        // At least a minute wide, so the first readings do not spread over years.
        scales: {
          x: {
            time: true,
            // From the data itself: uPlot widens a lone point by a day's worth of
            // its own units, which in seconds shows years.
            range: (u, min, max) => {
              const xs = u.data[0];
              const first = xs[0];
              const last = xs[xs.length - 1];
              return first === undefined || last === undefined
                ? [min, max]
                : [Math.min(first, last - 60), last];
            },
          },
          y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
        },
        axes: [{}, { values: (_u, vals) => vals.map((v) => format(v)), size: 70 }],
        series: [
          {},
          ...series.map((s, i) => ({
            label: s.label,
            stroke: COLORS[i % COLORS.length],
            width: 1.5,
            value: (_u: uPlot, v: number | null) => (v == null ? '—' : format(v)),
          })),
        ],
      },
      [[], ...series.map(() => [])],
      box.current,
    );
    plot.current = p;
    const resize = new ResizeObserver(() => {
      if (box.current) p.setSize({ width: Math.max(300, box.current.clientWidth), height: 160 });
    });
    resize.observe(box.current);
    return () => {
      resize.disconnect();
      p.destroy();
      plot.current = undefined;
    };
  }, [labels]);

  useEffect(() => {
    plot.current?.setData([times.map((t) => t / 1000), ...series.map((s) => s.values)]);
  }, [times, series]);

  return (
    <figure className="min-w-0">
      <figcaption className="mb-1 text-sm font-medium">{title}</figcaption>
      <div ref={box} role="img" aria-label={`${title} chart`} />
    </figure>
  );
}
