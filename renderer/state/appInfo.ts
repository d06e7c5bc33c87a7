// What the shell around the page offers (the desktop app's own file dialog,
// or not in the browser shell), asked once and kept.
import { useEffect } from 'react';
import { create } from 'zustand';
import type { Result } from '../../shared/api';
import { api } from '../api/backend';

type AppInfo = Result<'appInfo'>;

const useStore = create<{ info?: AppInfo; asked: boolean }>(() => ({ asked: false }));

export function useAppInfo(): AppInfo | undefined {
  const info = useStore((s) => s.info);
  useEffect(() => {
    if (useStore.getState().asked) return;
    useStore.setState({ asked: true });
    api.appInfo({}).then(
      (i) => useStore.setState({ info: i }),
      // Asked again on the next mount if the backend was not there yet.
      () => useStore.setState({ asked: false }),
    );
  }, []);
  return info;
}
