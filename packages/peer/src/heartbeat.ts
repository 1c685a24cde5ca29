/**
 * Liveness: when nothing has arrived for a whole `intervalMs`, send Ping; no Pong within
 * `timeoutMs` means the remote is dead. Receiving only sets a flag (no clock read, no timer work per
 * frame); the check runs once per interval, so a Ping goes out after one to two intervals of silence.
 * The remote's Pings are answered here too: Ping and Pong are this file's frames.
 */
import type { Frame } from "./split-frame.js";
import { Kind } from "./wire-constants.js";
import type { WireFormat } from "./wire-format.js";

/** What the heartbeat needs from its owner. */
export interface HeartbeatPort {
  /** Queues a frame for this turn's write. */
  write(frame: Frame): void;
  onUnresponsive(): void;
}

/** One peer's heartbeat. Inert when `intervalMs` is 0. */
export class Heartbeat {
  private received = false;
  private nonce = 0;
  private awaitingPong = false;
  private interval: ReturnType<typeof setInterval> | undefined;
  private pongTimer: ReturnType<typeof setTimeout> | undefined;
  /** Pings sent so far. */
  pingsSent = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly timeoutMs: number,
    private readonly wire: Pick<WireFormat, "encode">,
    private readonly port: HeartbeatPort,
  ) {}

  /** Starts checking; idempotent. */
  start(): void {
    if (this.intervalMs === 0 || this.interval !== undefined) return;
    this.interval = setInterval(() => this.check(), this.intervalMs);
    this.interval.unref();
  }

  /** Something arrived from the remote. */
  activity(): void {
    this.received = true;
  }

  /** The remote's Ping: answered with a Pong carrying its nonce. */
  onPing(nonce: number): void {
    this.port.write(this.wire.encode({ kind: Kind.Pong, id: nonce }));
  }

  /** A Pong arrived. */
  onPong(nonce: number): void {
    if (!this.awaitingPong || nonce !== this.nonce) return;
    this.awaitingPong = false;
    if (this.pongTimer !== undefined) clearTimeout(this.pongTimer);
    this.pongTimer = undefined;
  }

  /** Stops every timer; idempotent. */
  stop(): void {
    if (this.interval !== undefined) clearInterval(this.interval);
    if (this.pongTimer !== undefined) clearTimeout(this.pongTimer);
    this.interval = undefined;
    this.pongTimer = undefined;
  }

  private check(): void {
    const idle = !this.received;
    this.received = false;
    if (!idle || this.awaitingPong) return;
    this.nonce = this.nonce === 0xffff_ffff ? 1 : this.nonce + 1;
    this.awaitingPong = true;
    this.pingsSent++;
    this.pongTimer = setTimeout(() => {
      this.stop();
      this.port.onUnresponsive();
    }, this.timeoutMs);
    this.pongTimer.unref();
    this.port.write(this.wire.encode({ kind: Kind.Ping, id: this.nonce }));
  }
}
