/**
 * Runs one raw node:net yardstick run (raw-frames.ts) in a process of its own, whose heap holds
 * nothing but node:net and the frame decoder, and sends its figures to the parent. Forked by
 * {@link measureRawApart}: `{ address, size, count }` in, a {@link RawRun} out.
 */
import { measureRaw } from "./raw-frames.js";

process.once("message", (request: { address: string; size: number; count: number }) => {
  void measureRaw(request.address, request.size, request.count).then((run) => {
    process.send!(run, () => process.exit(0));
  });
});
