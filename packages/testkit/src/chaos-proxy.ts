import { connect, createServer, type Server, type Socket } from "node:net";
import {
  type ChaosDirection,
  type ChaosFaults,
  mergeFaults,
  NO_FAULTS,
  resolveDirection,
  type SetFaultsOptions,
} from "./chaos-faults.js";
import { ChaosPipe } from "./chaos-pipe.js";
import {
  type ChaosAddress,
  type ChaosProxyOptions,
  type ResolvedChaosProxyOptions,
  resolveChaosProxyOptions,
} from "./chaos-proxy-options.js";
import { resetSocket } from "./socket-reset.js";

/** One proxied connection: the accepted client socket and the socket to the target. */
class ChaosLink {
  readonly #client: Socket;
  readonly #upstream: Socket;
  readonly #options: ResolvedChaosProxyOptions;
  readonly #pipes: readonly [ChaosPipe, ChaosPipe];

  constructor(client: Socket, proxy: ChaosProxy, options: ResolvedChaosProxyOptions) {
    this.#client = client;
    this.#options = options;
    this.#upstream = connect({ ...options.target, allowHalfOpen: true });
    for (const socket of [client, this.#upstream]) socket.setNoDelay?.(true);
    const drop = () => this.drop();
    this.#pipes = [
      new ChaosPipe(client, this.#upstream, () => proxy.faults("toTarget"), drop),
      new ChaosPipe(this.#upstream, client, () => proxy.faults("toClient"), drop),
    ];
    // A reset or failure on one side is passed on as a reset, so the proxy stays transparent.
    client.on("error", () => this.#resetSocket(this.#upstream, options.targetIsTcp));
    this.#upstream.on("error", () => this.#resetSocket(client, options.listenIsTcp));
    let open = 2;
    const onClose = () => {
      if (--open > 0) return;
      for (const pipe of this.#pipes) pipe.stop();
      proxy.forget(this);
    };
    client.on("close", onClose);
    this.#upstream.on("close", onClose);
  }

  faultsChanged(direction: ChaosDirection): void {
    if (direction !== "toClient") this.#pipes[0].faultsChanged();
    if (direction !== "toTarget") this.#pipes[1].faultsChanged();
  }

  /** Closes both sides gracefully (FIN), discarding whatever is still queued or arrives later. */
  drop(): void {
    for (const pipe of this.#pipes) pipe.stop();
    this.#client.end();
    this.#upstream.end();
  }

  /** Resets both sides: TCP peers see ECONNRESET; Unix peers see the socket close. */
  reset(): void {
    for (const pipe of this.#pipes) pipe.stop();
    this.#resetSocket(this.#client, this.#options.listenIsTcp);
    this.#resetSocket(this.#upstream, this.#options.targetIsTcp);
  }

  destroy(): void {
    this.#client.destroy();
    this.#upstream.destroy();
  }

  #resetSocket(socket: Socket, isTcp: boolean): void {
    resetSocket(socket, isTcp);
  }
}

/**
 * A proxy between clients and a target server that injects faults per direction: delay,
 * re-chunking, byte corruption, a drop after N bytes, a blackhole; and resets on demand. Made by
 * {@link createChaosProxy}. Faults apply to open and future connections alike.
 */
export class ChaosProxy {
  /** Where clients connect: the listening host and (real) port, or the socket path. */
  readonly address: ChaosAddress;
  readonly #server: Server;
  readonly #links = new Set<ChaosLink>();
  #faults: Record<"toTarget" | "toClient", ChaosFaults> = {
    toTarget: NO_FAULTS,
    toClient: NO_FAULTS,
  };
  #accepted = 0;
  #closing: Promise<void> | undefined;

  /** Use {@link createChaosProxy}. @internal */
  constructor(server: Server, address: ChaosAddress, options: ResolvedChaosProxyOptions) {
    this.#server = server;
    this.address = address;
    server.on("connection", (client: Socket) => {
      if (this.#closing) return void client.destroy();
      this.#accepted++;
      this.#links.add(new ChaosLink(client, this, options));
    });
  }

  /** Connections open through the proxy now. */
  get connections(): number {
    return this.#links.size;
  }

  /** Connections accepted since the proxy started. */
  get accepted(): number {
    return this.#accepted;
  }

  /** The faults now in force in one direction. */
  faults(direction: "toTarget" | "toClient"): ChaosFaults {
    return this.#faults[direction];
  }

  /**
   * Changes the given faults (others stay); a fault given as `undefined` is lifted. Byte offsets of
   * open connections count from this call.
   * @throws {InvalidOptionError} `INVALID_OPTION` naming the fault; nothing changes then.
   */
  setFaults(faults: Partial<ChaosFaults>, options: SetFaultsOptions = {}): void {
    const direction = resolveDirection(options.direction);
    const toTarget = mergeFaults(this.#faults.toTarget, faults);
    const toClient = mergeFaults(this.#faults.toClient, faults);
    this.#faults = {
      toTarget: direction === "toClient" ? this.#faults.toTarget : toTarget,
      toClient: direction === "toTarget" ? this.#faults.toClient : toClient,
    };
    for (const link of this.#links) link.faultsChanged(direction);
  }

  /** Lifts every fault in the given direction (default both). */
  clearFaults(options: SetFaultsOptions = {}): void {
    const direction = resolveDirection(options.direction);
    if (direction !== "toClient") this.#faults.toTarget = NO_FAULTS;
    if (direction !== "toTarget") this.#faults.toClient = NO_FAULTS;
    for (const link of this.#links) link.faultsChanged(direction);
  }

  /** Resets every open connection on both sides (TCP RST; a plain close on Unix sockets). */
  resetAll(): void {
    for (const link of this.#links) link.reset();
  }

  /** Stops listening and destroys every open connection. Idempotent: returns the same promise. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      for (const link of this.#links) link.destroy();
    });
    return this.#closing;
  }

  /** {@link close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** A link whose two sockets have both closed. @internal */
  forget(link: ChaosLink): void {
    this.#links.delete(link);
  }
}

/**
 * Starts a chaos proxy in front of `target` (TCP or Unix socket), listening on `listen`.
 * @throws {InvalidOptionError} `INVALID_OPTION` when an option breaks its rule.
 * @throws the listen error from node:net (for example `EADDRINUSE`) when the proxy cannot listen.
 * @example
 * const proxy = await createChaosProxy({ target: { host: "127.0.0.1", port: server.port } });
 * proxy.setFaults({ chunkBytes: 1, delayMs: 5 });
 * // connect clients to proxy.address
 */
export async function createChaosProxy(options: ChaosProxyOptions): Promise<ChaosProxy> {
  const resolved = resolveChaosProxyOptions(options);
  const server = createServer({ allowHalfOpen: true });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(resolved.listen, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = server.address();
  const address: ChaosAddress =
    typeof bound === "string" || bound === null
      ? { path: bound ?? "" }
      : { host: bound.address, port: bound.port };
  return new ChaosProxy(server, Object.freeze(address), resolved);
}
