// The compact toolbar's icons, drawn here rather than taken from a font: the
// symbol fonts of a Linux desktop lack many of the Unicode power and media
// signs. 16-pixel strokes in the text's colour; decorative (the button has the name).
import type { ReactNode } from 'react';

const PATHS: Record<string, ReactNode> = {
  'Add Host': (
    <>
      <rect x="2" y="3" width="12" height="10" rx="1" />
      <path d="M8 5.5v5M5.5 8h5" />
    </>
  ),
  'New Cluster': (
    <>
      <rect x="1.5" y="2" width="5" height="5" />
      <rect x="9.5" y="2" width="5" height="5" />
      <rect x="5.5" y="9" width="5" height="5" />
    </>
  ),
  'New VM': (
    <>
      <rect x="1.5" y="2.5" width="13" height="9" rx="1" />
      <path d="M5 14h6M8 11.5V14" />
    </>
  ),
  'New Storage Pool': (
    <>
      <ellipse cx="8" cy="4" rx="5.5" ry="2" />
      <path d="M2.5 4v8c0 1.1 2.5 2 5.5 2s5.5-.9 5.5-2V4M2.5 8c0 1.1 2.5 2 5.5 2s5.5-.9 5.5-2" />
    </>
  ),
  Start: <path d="M4.5 2.5v11l9-5.5z" fill="currentColor" />,
  'Shut down': <path d="M8 1.5v6M4.6 3.8a5.5 5.5 0 1 0 6.8 0" />,
  'Force off': <rect x="3.5" y="3.5" width="9" height="9" fill="currentColor" />,
  Reboot: <path d="M13 8a5 5 0 1 1-1.5-3.6M13 2v3h-3" />,
  Pause: <path d="M5.5 3v10M10.5 3v10" strokeWidth="2.5" />,
  Resume: <path d="M3.5 3v10M6.5 2.5v11l8-5.5z" />,
  'Migrate…': <path d="M2 5.5h11M10 2.5l3 3-3 3M14 10.5H3M6 7.5l-3 3 3 3" />,
};

export function toolbarIcon(name: string): ReactNode | undefined {
  const path = PATHS[name];
  if (!path) return undefined;
  return (
    <svg
      aria-hidden
      viewBox="0 0 16 16"
      width="16"
      height="16"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.5"
      strokeLinecap="round"
      strokeLinejoin="round"
      className="inline-block align-[-3px]"
    >
      {path}
    </svg>
  );
}
