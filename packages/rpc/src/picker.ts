/**
 * Which sub-connection a call goes out on. A client asks its picker for a peer for every call; the
 * picker knows the sub-connections and their states. Today there is one endpoint; a balancing
 * picker (round robin, least pending) over many sub-connections plugs in here, as grpc-js's
 * load-balancing pickers do, without the client changing.
 */
import type { SubConnection, SubPeer } from "./sub-connection.js";

/** Picks the peer a call is sent on. */
export interface Picker<P> {
  /** A ready peer other than `exclude` (the one a call just failed on), or undefined to wait. */
  pick(exclude?: P): P | undefined;
  /** True once no sub-connection can ever become ready again: calls should fail, not wait. */
  readonly exhausted: boolean;
}

/** The picker of a client with one endpoint: its peer whenever one is up. */
export class SingleEndpointPicker<P extends SubPeer> implements Picker<P> {
  constructor(private readonly sub: SubConnection<P>) {}

  pick(exclude?: P): P | undefined {
    const peer = this.sub.peer;
    return peer === exclude ? undefined : peer;
  }

  get exhausted(): boolean {
    return this.sub.state === "failed" || this.sub.state === "closed";
  }
}
