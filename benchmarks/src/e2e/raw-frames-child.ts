/**
 * Runs the raw node:net yardstick (raw-frames.ts) in a process of its own, whose heap holds nothing
 * but node:net and the frame decoder, and sends the figures of its second run to the parent.
 * Forked by `measureRawApart`: `{ address, size, count }` in, a `RawRun` out.
 */
import { measureRaw } from "./raw-frames.js";

process.once("message", (request: { address: string; size: number; count: number }) => {
  void measured(request).then(
    (run) => process.send!(run, () => process.exit(0)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});

/** A warm-up run, as every yardstick has one (a cold process measures its compiler), then one. */
async function measured(request: { address: string; size: number; count: number }) {
  await measureRaw(request.address, request.size, request.count);
  return measureRaw(request.address, request.size, request.count);
}
