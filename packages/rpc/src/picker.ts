/**
 * Which peer a call goes out on. A client asks its picker for a peer for every call; the picker
 * holds the ready peers its sub-connections reported (as a grpc-js picker holds its READY
 * subchannels), so a pick reads a field and the sub-connections stay off a call's path. Today
 * there is one endpoint; a balancing picker (round robin, least pending) over many
 * sub-connections plugs in here without the client changing.
 */

/** Picks the peer a call is sent on. */
export interface Picker<P> {
  /** A ready peer other than `exclude` (the one a call just failed on), or undefined to wait. */
  pick(exclude?: P): P | undefined;
  /** A sub-connection's peer finished its Hello: calls may go out on it. */
  add(peer: P): void;
  /** That peer closed: no call goes out on it any more. */
  remove(peer: P): void;
}

/** The picker of a client with one endpoint: its peer whenever one is up. */
export class SingleEndpointPicker<P> implements Picker<P> {
  private ready: P | undefined;

  pick(exclude?: P): P | undefined {
    const peer = this.ready;
    return peer === exclude ? undefined : peer;
  }

  add(peer: P): void {
    this.ready = peer;
  }

  remove(peer: P): void {
    if (this.ready === peer) this.ready = undefined;
  }
}
