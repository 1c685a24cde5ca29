/**
 * The options of streams (docs/protocol.md §12.2 and §12.7): the windows this side advertises in
 * its Hello, and how many streams it serves at once. Resolved with the rest of the peer's options.
 */
import { integerOption } from "@parley/framing/internal";
import {
  DEFAULT_STREAM_WINDOW_BYTES,
  DEFAULT_STREAM_WINDOW_ITEMS,
  MAX_STREAM_CREDIT,
  type StreamCredit,
} from "./credit-window.js";

/** Default `maxConcurrentStreams`: stream calls served at once per connection, then OVERLOADED. */
export const DEFAULT_MAX_CONCURRENT_STREAMS = 100;

/** Stream options of `createPeer`. */
export interface StreamOptions {
  /**
   * Items this side accepts per stream and direction before it grants more credit (advertised in
   * Hello). @default 256
   */
  streamWindowItems?: number;
  /**
   * Bytes this side accepts per stream and direction before it grants more credit (advertised in
   * Hello); it buffers at most this plus one frame per stream direction. @default 1048576
   */
  streamWindowBytes?: number;
  /**
   * Stream calls this side serves at once; more are REJECTED with OVERLOADED. Each also takes a
   * handler slot (maxConcurrentHandlers) while it runs. @default 100
   */
  maxConcurrentStreams?: number;
}

/** {@link StreamOptions} validated. */
export interface ResolvedStreamOptions {
  /** This side's window, advertised in its Hello. */
  readonly streamWindow: StreamCredit;
  readonly maxConcurrentStreams: number;
}

/**
 * Validates the stream options of `o`.
 * @throws {InvalidOptionError} INVALID_OPTION naming the option and its rule.
 */
export function resolveStreamOptions(o: StreamOptions): ResolvedStreamOptions {
  const items = integerOption(
    "streamWindowItems",
    o.streamWindowItems,
    DEFAULT_STREAM_WINDOW_ITEMS,
    1,
    MAX_STREAM_CREDIT,
  );
  const bytes = integerOption(
    "streamWindowBytes",
    o.streamWindowBytes,
    DEFAULT_STREAM_WINDOW_BYTES,
    1,
    MAX_STREAM_CREDIT,
  );
  return {
    streamWindow: Object.freeze({ items, bytes }),
    maxConcurrentStreams: integerOption(
      "maxConcurrentStreams",
      o.maxConcurrentStreams,
      DEFAULT_MAX_CONCURRENT_STREAMS,
      1,
    ),
  };
}
