// The handler types every service's map is checked against: one function per
// contract method (shared/api.ts), taking its parsed params.
import type { MethodName, ParsedParams, Result } from '../../shared/api';
import type { Caller } from './context';

export type Handler<M extends MethodName> = (
  p: ParsedParams<M>,
  caller: Caller,
) => Promise<Result<M>>;

export type Handlers = { [M in MethodName]: Handler<M> };

/** A service's share of the contract: exactly these methods, each with its contract types. */
export type HandlersOf<M extends MethodName> = Pick<Handlers, M>;
