// One typed function per backend operation, derived from the contract's
// method table (shared/api.ts), so nothing is retyped here: features call
// `api.cloneVm({ vmId, name })` instead of `getBridge().call('cloneVm', …)`,
// and a renamed or reshaped method breaks them at compile time.
import { methods, type MethodName, type Params, type Result } from '../../shared/api';
import { getBridge } from './bridge';

/** A method whose params are all optional may be called without any. */
type Args<M extends MethodName> =
  Record<string, never> extends Params<M> ? [params?: Params<M>] : [params: Params<M>];

export type BackendApi = { [M in MethodName]: (...args: Args<M>) => Promise<Result<M>> };

function operation<M extends MethodName>(method: M) {
  return (...args: Args<M>): Promise<Result<M>> =>
    getBridge().call(method, (args[0] ?? {}) as Params<M>);
}

export const api = Object.fromEntries(
  (Object.keys(methods) as MethodName[]).map((method) => [method, operation(method)]),
) as BackendApi;
