// Definition lists and tables of the details tabs.
import type { KeyboardEvent, MouseEvent, ReactNode } from 'react';

export function Facts({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <dl className="grid grid-cols-[10rem_1fr] gap-x-4 gap-y-1.5">
      {rows.map(([k, v]) => (
        <div key={k} className="contents">
          <dt className="text-slate-500 dark:text-slate-400">{k}</dt>
          <dd className="break-all">{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function Table({
  caption,
  head,
  rows,
  onRowMenu,
}: {
  caption: string;
  head: string[];
  rows: ReactNode[][];
  /** Opens a row's context menu at a point (right-click, the Menu key or Shift+F10 in the row). */
  onRowMenu?: (index: number, at: { x: number; y: number }) => void;
}) {
  return (
    <table className="mt-2 w-full border-collapse text-left text-[12px]">
      <caption className="mb-1 text-left font-medium">{caption}</caption>
      <thead>
        <tr>
          {head.map((h) => (
            <th
              key={h}
              className="border-b border-slate-300 px-2 py-1 font-medium dark:border-slate-600"
            >
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 && (
          <tr>
            <td colSpan={head.length} className="px-2 py-1 text-slate-500">
              None
            </td>
          </tr>
        )}
        {rows.map((r, i) => (
          <tr
            key={i}
            className="odd:bg-slate-50 dark:odd:bg-slate-800/50"
            {...(onRowMenu
              ? {
                  onContextMenu: (e: MouseEvent) => {
                    e.preventDefault();
                    onRowMenu(i, { x: e.clientX, y: e.clientY });
                  },
                  onKeyDown: (e: KeyboardEvent<HTMLTableRowElement>) => {
                    if (e.key !== 'ContextMenu' && !(e.key === 'F10' && e.shiftKey)) return;
                    e.preventDefault();
                    const r = (e.target as HTMLElement).getBoundingClientRect();
                    onRowMenu(i, { x: r.left, y: r.bottom });
                  },
                }
              : {})}
          >
            {r.map((c, j) => (
              <td key={j} className="px-2 py-1 break-all">
                {c}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
