/** The peer's live counters: plain number fields the parts increment, plus read-only gauges. */
import type { InboundCounters } from "./inbound-calls.js";
import type { OutboundCounters } from "./outbound-calls.js";
import type { OutboxCounters } from "./outbox.js";
import type { PeerStats } from "./peer-types.js";
import type { StreamCounters } from "./stream-ports.js";

/** Gauges computed on read. */
export type PeerGauges = {
  readonly [K in
    | "callsInFlight"
    | "callsWaiting"
    | "handlersRunning"
    | "handlersQueued"
    | "pingsSent"
    | "callsCompleted"
    | "callsRejected"
    | "callsAbandoned"
    | "streamsOpen"]: () => number;
};

/** Counter fields every part of the peer writes to. */
export interface PeerCounters
  extends OutboxCounters,
    OutboundCounters,
    InboundCounters,
    StreamCounters {
  requestsDiscarded: number;
  framesReceived: number;
  bytesReceived: number;
  /** The same object, typed as the public stats, with the gauges defined on it. */
  withGauges(gauges: PeerGauges): PeerStats;
}

/** Fresh counters, all zero. */
export function createCounters(): PeerCounters {
  const counters = {
    requestsSent: 0,
    responsesReceived: 0,
    unknownResponses: 0,
    requestsReceived: 0,
    responsesSent: 0,
    requestsRejected: 0,
    requestsDiscarded: 0,
    cancelsSent: 0,
    cancelsReceived: 0,
    signalsSent: 0,
    signalsReceived: 0,
    signalsDropped: 0,
    handlerErrors: 0,
    writes: 0,
    framesSent: 0,
    bytesSent: 0,
    framesReceived: 0,
    bytesReceived: 0,
    streamsOpened: 0,
    streamItemsSent: 0,
    streamItemsReceived: 0,
    creditsSent: 0,
    creditsReceived: 0,
    lateStreamFrames: 0,
    streamBytesBuffered: 0,
  };
  Object.defineProperty(counters, "withGauges", {
    enumerable: false,
    value(gauges: PeerGauges): PeerStats {
      for (const [name, read] of Object.entries(gauges)) {
        Object.defineProperty(counters, name, { enumerable: true, get: read });
      }
      return counters as unknown as PeerStats;
    },
  });
  return counters as PeerCounters;
}
