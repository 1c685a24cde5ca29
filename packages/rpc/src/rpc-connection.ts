/**
 * One connection as a service sees it: who is on the other end (address, transport, TLS
 * certificate subject, Hello metadata, the identity the verifier returned), what the remote serves,
 * its peer, and when it ends. The same object is `ctx.connection` in handlers, an entry of
 * `server.connections` and the argument of the server's `connect`/`disconnect` events.
 */
import type { TLSSocket } from "node:tls";
import type { AnyContract } from "@parley/codec";
import type { Connection } from "@parley/framing";
import type { CloseInfo, ContractId, Metadata, Peer, RemoteHello } from "@parley/peer";

/** How a connection travels. */
export type TransportKind = "tcp" | "unix" | "tls";

const NO_METADATA: Metadata = Object.freeze(Object.create(null));

/** A connection of a server (or of a client serving callbacks), with what is known of its remote. */
export class RpcConnection<
  S extends AnyContract | undefined = AnyContract | undefined,
  C extends AnyContract | undefined = AnyContract | undefined,
  Identity = unknown,
> {
  /** Sequence number, unique per server (or client), stable for the connection's life. */
  readonly id: number;
  /** `tcp`, `unix` or `tls`. */
  readonly transport: TransportKind;
  /** The remote end: `host:port` for TCP and TLS, a description of the client for a Unix socket. */
  readonly remoteAddress: string;
  /** The URL of the listener this connection came in on (a client: the URL it connected to). */
  readonly url: string;
  /** With mutual TLS, the subject of the certificate the remote presented (`CN`, `O`, ...). */
  readonly tlsPeerSubject: Readonly<Record<string, string>> | undefined;
  readonly connectedAt: Date;
  private hello: RemoteHello | undefined;
  private verified: Identity | undefined;
  private livePeer: Peer<S, C> | undefined;

  constructor(id: number, connection: Connection, url: string) {
    this.id = id;
    this.url = url;
    this.remoteAddress = connection.remoteAddress;
    this.connectedAt = new Date();
    const socket = (connection as { socket?: TLSSocket }).socket;
    const kind = (connection as { kind?: string }).kind;
    this.transport = kind === "tls" || kind === "unix" ? kind : "tcp";
    this.tlsPeerSubject = kind === "tls" ? certificateSubject(socket) : undefined;
  }

  /** The peer on this connection; `peer.call`/`peer.emit` are typed by the callback contract. */
  get peer(): Peer<S, C> {
    return this.livePeer!;
  }

  /** Resolves (never rejects) once the connection has ended, with who closed it, how and why. */
  get closed(): Promise<CloseInfo> {
    return this.peer.closed;
  }

  /** The metadata the remote sent in its Hello (empty until the Hello arrived). */
  get remoteMetadata(): Metadata {
    return this.hello?.metadata ?? NO_METADATA;
  }

  /** The contract the remote serves (name, version, fingerprint), or undefined when it serves none. */
  get remoteServes(): ContractId | undefined {
    return this.hello?.serves;
  }

  /** True when the remote serves a contract this side can call back into. */
  get servesCallbacks(): boolean {
    return this.hello?.serves !== undefined;
  }

  /**
   * Who the remote is: what `verifyAuth` returned (an object), else the id of the `authSecrets`
   * entry the remote proved it holds, else undefined.
   */
  get identity(): Identity {
    return (this.verified ?? this.hello?.authKeyId) as Identity;
  }

  /** The id of the `authSecrets` entry the remote proved (undefined: none, or one without an id). */
  get authKeyId(): string | undefined {
    return this.hello?.authKeyId;
  }

  /** @internal The peer, once built. */
  attach(peer: Peer<S, C>): void {
    this.livePeer = peer;
  }

  /** @internal The remote's Hello arrived (before any handler can run). */
  onHello(hello: RemoteHello): void {
    this.hello = hello;
  }

  /**
   * @internal The verifier's verdict: `true` or an identity object admits (the object becomes
   * {@link identity}); anything else refuses.
   */
  admit(verdict: unknown): boolean {
    if (verdict === true) return true;
    if (typeof verdict !== "object" || verdict === null) return false;
    this.verified = verdict as Identity;
    return true;
  }
}

function certificateSubject(
  socket: TLSSocket | undefined,
): Readonly<Record<string, string>> | undefined {
  const certificate = socket?.getPeerCertificate?.();
  if (certificate === undefined || certificate === null || !certificate.subject) return undefined;
  return Object.freeze({ ...(certificate.subject as unknown as Record<string, string>) });
}
