/**
 * The engine options of one connection, made from a side's options: handlers that see
 * `ctx.connection` and `ctx.context`, the engine's `handlerError` hook that hides their uncoded
 * errors, a verifier that records the remote's Hello and the identity it returns, and a logger
 * that reports dropped signals. Built once per connection; a handler call costs two property
 * stores. Errors are hidden on the failure path only (no `then` per call or per streamed item).
 */
import type { PeerError, PeerOptions, RemoteHello } from "@parley/peer";
import { isThenable } from "@parley/peer/internal";
import type { ErrorReporter, Logger } from "./error-reporting.js";
import type { RpcConnection } from "./rpc-connection.js";

/** What a side adds to the engine's options. */
export interface ConnectionHooks {
  /** Runs once per connection, before its first handler; its result is every handler's `ctx.context`. */
  readonly createContext?: (connection: never) => unknown;
  /** Checks the remote after its proof; `true` or an identity object admits. */
  readonly verifyAuth?: (token: string | undefined, hello: RemoteHello) => unknown;
  /** Consulted as the engine accepts the remote's Hello: an error refuses it (the server's bound). */
  readonly admit?: (connection: RpcConnection) => PeerError | undefined;
  readonly reporter: ErrorReporter;
  readonly logger?: Logger;
}

type AnyHandler = (input: unknown, ctx: Record<string, unknown>) => unknown;
type AnyOptions = PeerOptions<never, never> & {
  handlers?: Record<string, AnyHandler>;
  signalHandlers?: Record<string, AnyHandler>;
};

/** The engine options for `connection`: `base` with its handlers, verifier and logger wrapped. */
export function connectionPeerOptions<O extends object>(
  base: O,
  connection: RpcConnection,
  hooks: ConnectionHooks,
): O {
  const o = base as AnyOptions;
  const context = new ConnectionContext(connection, hooks.createContext);
  const verify = hooks.verifyAuth;
  return {
    ...base,
    handlers: wrapAll(o.handlers, (handler) => inConnection(handler, connection, context)),
    // What a handler (or its generator) threw, on its way to the wire: uncoded errors become
    // INTERNAL with a reference, and the whole error goes to onError.
    handlerError: (error: unknown, method: string) =>
      hooks.reporter.hide(error, connection, method),
    signalHandlers: wrapAll(o.signalHandlers, (handler) =>
      inConnection(handler, connection, context),
    ),
    // Only a verifier given is passed on: with one, a token in clear counts as a credential.
    verifyAuth:
      verify === undefined
        ? undefined
        : (token: string | undefined, hello: RemoteHello) => {
            connection.onHello(hello);
            const verdict = verify(token, hello);
            if (!isThenable(verdict)) return connection.admit(verdict);
            return Promise.resolve(verdict).then((v) => connection.admit(v));
          },
    admit: (hello: RemoteHello) => {
      connection.onHello(hello);
      return hooks.admit?.(connection);
    },
    logger: hooks.reporter.peerLogger(connection, hooks.logger),
  } as O;
}

/** The `createContext` result of one connection, made on first use (sync or async). */
class ConnectionContext {
  private made = false;
  private value: unknown;

  constructor(
    private readonly connection: RpcConnection,
    private readonly create: ((connection: never) => unknown) | undefined,
  ) {}

  /** The context, or a promise of it while an async createContext runs. */
  get(): unknown {
    if (this.made) return this.value;
    this.made = true;
    try {
      this.value = this.create?.(this.connection as never);
    } catch (error) {
      // Kept: every later handler on the connection fails with it too, none runs without context.
      const failed = Promise.reject(error);
      failed.catch(noop);
      this.value = failed;
      return failed;
    }
    if (isThenable(this.value)) {
      this.value = Promise.resolve(this.value).then((v) => {
        this.value = v;
        return v;
      });
    }
    return this.value;
  }
}

/**
 * `handler` (a request's or a signal's) with `ctx.connection` and `ctx.context` set before it runs;
 * an async `createContext` is awaited first. What it throws, a rejection, or a generator's throw
 * reaches the engine: for a request, its `handlerError` hook; for a signal, its logger.
 */
function inConnection(
  handler: AnyHandler,
  connection: RpcConnection,
  context: ConnectionContext,
): AnyHandler {
  return (input, ctx) => {
    ctx.connection = connection;
    const value = context.get();
    if (value instanceof Promise) {
      return value.then((v) => {
        ctx.context = v;
        return handler(input, ctx);
      });
    }
    ctx.context = value;
    return handler(input, ctx);
  };
}

function wrapAll(
  handlers: Record<string, AnyHandler> | undefined,
  wrap: (handler: AnyHandler) => AnyHandler,
): Record<string, AnyHandler> | undefined {
  if (handlers === undefined || handlers === null || typeof handlers !== "object") return handlers;
  const wrapped: Record<string, AnyHandler> = {};
  for (const [name, handler] of Object.entries(handlers)) {
    // A non-function is left for the engine to refuse with INVALID_OPTION.
    wrapped[name] = typeof handler === "function" ? wrap(handler) : handler;
  }
  return wrapped;
}

function noop(): void {}
