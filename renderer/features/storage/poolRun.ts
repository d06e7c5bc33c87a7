// Pool and volume actions from the pool view, their errors as notices.
import type { Params } from '../../../shared/api';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useNotices } from '../../state/notices';

export function useRun() {
  const notify = useNotices((s) => s.push);
  return {
    pool: (p: Params<'poolAction'>) =>
      api.poolAction(p).catch((e: unknown) => notify(errorMessage(e))),
    volume: (p: Params<'volumeAction'>) =>
      api.volumeAction(p).catch((e: unknown) => notify(errorMessage(e))),
  };
}
