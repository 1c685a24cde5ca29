import { InvalidOptionError } from "@parley/framing";
import { describe, integerAtLeast, requiredString } from "@parley/framing/internal";

/** Where the proxy listens by default: an ephemeral port on the IPv4 loopback. */
export const DEFAULT_CHAOS_LISTEN: Readonly<{ host: string; port: number }> = Object.freeze({
  host: "127.0.0.1",
  port: 0,
});

/** A TCP endpoint or a Unix socket path. */
export type ChaosAddress =
  | { readonly host: string; readonly port: number }
  | { readonly path: string };

/** Options of {@link createChaosProxy}. */
export interface ChaosProxyOptions {
  /** The server the proxy forwards to. Required. */
  target: ChaosAddress;
  /**
   * Where the proxy listens: a host and port (port 0 picks a free one) or a Unix socket path.
   * @default { host: "127.0.0.1", port: 0 } ({@link DEFAULT_CHAOS_LISTEN})
   */
  listen?: { host?: string; port?: number } | { path: string };
}

/** {@link ChaosProxyOptions} checked once. @internal */
export interface ResolvedChaosProxyOptions {
  readonly target: ChaosAddress;
  readonly targetIsTcp: boolean;
  readonly listen: { readonly host: string; readonly port: number } | { readonly path: string };
  readonly listenIsTcp: boolean;
}

/**
 * Checks the options and fills in defaults.
 * @throws {InvalidOptionError} `INVALID_OPTION` naming the option and its rule.
 */
export function resolveChaosProxyOptions(options: ChaosProxyOptions): ResolvedChaosProxyOptions {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionError(
      `options must be an object with a target, got ${describe(options)}`,
    );
  }
  const target = resolveAddress("target", options.target, undefined);
  const listen = resolveAddress("listen", options.listen ?? {}, DEFAULT_CHAOS_LISTEN);
  return Object.freeze({
    target,
    targetIsTcp: !("path" in target),
    listen,
    listenIsTcp: !("path" in listen),
  });
}

function resolveAddress(
  name: string,
  value: unknown,
  defaults: { host: string; port: number } | undefined,
): ChaosAddress {
  if (typeof value !== "object" || value === null) {
    throw new InvalidOptionError(
      `${name} must be { host, port } or { path }, got ${describe(value)}`,
    );
  }
  const address = value as { host?: unknown; port?: unknown; path?: unknown };
  if (address.path !== undefined) {
    return Object.freeze({ path: requiredString(`${name}.path`, address.path) });
  }
  const host = address.host ?? defaults?.host;
  const port = address.port ?? defaults?.port;
  const checkedPort = integerAtLeast(`${name}.port`, port, 0);
  if (checkedPort > 65_535) {
    throw new InvalidOptionError(`${name}.port must be at most 65535, got ${checkedPort}`);
  }
  return Object.freeze({ host: requiredString(`${name}.host`, host), port: checkedPort });
}
