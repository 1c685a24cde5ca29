import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  MAX_STREAM_CREDIT,
  ReceiveWindow,
  SendWindow,
  type StreamCredit,
} from "../src/credit-window.js";

const window: StreamCredit = { items: 4, bytes: 100 };

describe("SendWindow", () => {
  it("starts with the receiver's advertised window and spends one item and its size per send", () => {
    const send = new SendWindow(window);
    expect(send.open).toBe(true);
    expect(send.take(10)).toBe(true);
    expect(send.credit).toEqual({ items: 3, bytes: 90 });
  });

  it("closes when the items run out, and spends nothing on a refused take", () => {
    const send = new SendWindow(window);
    for (let i = 0; i < 4; i++) expect(send.take(1)).toBe(true);
    expect(send.open).toBe(false);
    expect(send.take(1)).toBe(false);
    expect(send.credit).toEqual({ items: 0, bytes: 96 });
  });

  it("lets one item larger than the byte credit go, then waits until credit is above zero", () => {
    const send = new SendWindow(window);
    expect(send.take(99)).toBe(true);
    expect(send.take(500)).toBe(true);
    expect(send.credit).toEqual({ items: 2, bytes: -499 });
    expect(send.open).toBe(false);
    expect(send.grant(0, 499)).toBe(true);
    expect(send.open).toBe(false);
    expect(send.grant(0, 1)).toBe(true);
    expect(send.open).toBe(true);
  });

  it("refuses a grant that would take either count past 2^32 - 1, adding nothing", () => {
    const send = new SendWindow(window);
    expect(send.grant(MAX_STREAM_CREDIT - 4, 0)).toBe(true);
    expect(send.grant(1, 0)).toBe(false);
    expect(send.grant(0, MAX_STREAM_CREDIT)).toBe(false);
    expect(send.credit).toEqual({ items: MAX_STREAM_CREDIT, bytes: 100 });
  });
});

describe("ReceiveWindow", () => {
  it("accepts items within the window and flags the first one sent without item credit", () => {
    const receive = new ReceiveWindow(window);
    for (let i = 0; i < 4; i++) expect(receive.receive(1)).toBe(true);
    expect(receive.receive(1)).toBe(false);
  });

  it("flags an item that arrives once the byte credit is used up, even with items left", () => {
    const receive = new ReceiveWindow(window);
    expect(receive.receive(150)).toBe(true);
    expect(receive.receive(1)).toBe(false);
  });

  it("returns credit in batches of half the window in items, exactly what was taken", () => {
    const receive = new ReceiveWindow(window);
    for (let i = 0; i < 4; i++) receive.receive(5);
    expect(receive.consume(5)).toBeUndefined();
    expect(receive.consume(5)).toEqual({ items: 2, bytes: 10 });
    expect(receive.consume(5)).toBeUndefined();
    expect(receive.consume(5)).toEqual({ items: 2, bytes: 10 });
  });

  it("returns credit early when half the byte window is taken, whatever the item count", () => {
    const receive = new ReceiveWindow(window);
    receive.receive(60);
    expect(receive.consume(60)).toEqual({ items: 1, bytes: 60 });
  });

  it("grants per item when the window is a single item (no batch can be smaller)", () => {
    const receive = new ReceiveWindow({ items: 1, bytes: 1000 });
    for (let i = 0; i < 3; i++) {
      expect(receive.receive(10)).toBe(true);
      expect(receive.receive(10)).toBe(false);
      expect(receive.consume(10)).toEqual({ items: 1, bytes: 10 });
    }
  });
});

/** One run of a sender, a receiver and a consumer with both directions' frames in flight. */
type Step = "send" | "deliver" | "consume" | "credit";

function simulate(w: StreamCredit, steps: readonly Step[], sizes: readonly number[]) {
  const send = new SendWindow(w);
  const receive = new ReceiveWindow(w);
  const inFlight: number[] = [];
  const buffered: number[] = [];
  const grants: StreamCredit[] = [];
  let sent = 0;
  let maxBufferedItems = 0;
  let maxBufferedBytes = 0;
  let violations = 0;
  const run = (step: Step) => {
    if (step === "send") {
      const size = sizes[sent % sizes.length]!;
      if (send.take(size)) {
        inFlight.push(size);
        sent++;
      }
    } else if (step === "deliver" && inFlight.length > 0) {
      const size = inFlight.shift()!;
      if (!receive.receive(size)) violations++;
      buffered.push(size);
      maxBufferedItems = Math.max(maxBufferedItems, buffered.length);
      maxBufferedBytes = Math.max(maxBufferedBytes, sum(buffered));
    } else if (step === "consume" && buffered.length > 0) {
      const grant = receive.consume(buffered.shift()!);
      if (grant !== undefined) grants.push(grant);
    } else if (step === "credit" && grants.length > 0) {
      const grant = grants.shift()!;
      expect(send.grant(grant.items, grant.bytes)).toBe(true);
    }
  };
  for (const step of steps) run(step);
  return { send, run, inFlight, buffered, grants, maxBufferedItems, maxBufferedBytes, violations };
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

const windows = fc.record({
  items: fc.integer({ min: 1, max: 16 }),
  bytes: fc.integer({ min: 1, max: 4096 }),
});
const steps = fc.array(fc.constantFrom<Step>("send", "deliver", "consume", "credit"), {
  maxLength: 400,
});
const sizes = fc.array(fc.integer({ min: 7, max: 2048 }), { minLength: 1, maxLength: 20 });

describe("credit windows together (property)", () => {
  it("a sender that follows its window never trips the receiver, whose buffer stays within the window plus one frame", () => {
    fc.assert(
      fc.property(windows, steps, sizes, (w, s, z) => {
        const r = simulate(w, s, z);
        expect(r.violations).toBe(0);
        expect(r.maxBufferedItems).toBeLessThanOrEqual(w.items);
        expect(r.maxBufferedBytes).toBeLessThanOrEqual(w.bytes - 1 + Math.max(...z));
      }),
      { seed: 1501, numRuns: 500 },
    );
  });

  it("never deadlocks: once everything is delivered and consumed, the sender may send again", () => {
    fc.assert(
      fc.property(windows, steps, sizes, (w, s, z) => {
        const r = simulate(w, s, z);
        while (r.inFlight.length > 0 || r.buffered.length > 0 || r.grants.length > 0) {
          for (const step of ["deliver", "consume", "credit"] as const) r.run(step);
        }
        expect(r.violations).toBe(0);
        expect(r.send.open).toBe(true);
        // What the receiver still holds back is less than one batch (half a window) in each unit.
        const { items, bytes } = r.send.credit;
        expect(items).toBeGreaterThan(w.items - Math.ceil(w.items / 2));
        expect(bytes).toBeGreaterThan(w.bytes - Math.ceil(w.bytes / 2));
        expect(items).toBeLessThanOrEqual(w.items);
        expect(bytes).toBeLessThanOrEqual(w.bytes);
      }),
      { seed: 1502, numRuns: 500 },
    );
  });

  it("catches a sender that ignores its window: the item past the credit is flagged", () => {
    fc.assert(
      fc.property(windows, sizes, (w, z) => {
        const receive = new ReceiveWindow(w);
        let items = 0;
        let bytes = 0;
        let i = 0;
        // Send without ever asking for credit, as a broken peer would, until flagged.
        for (;;) {
          const size = z[i++ % z.length]!;
          const expected = items < w.items && bytes < w.bytes;
          expect(receive.receive(size)).toBe(expected);
          if (!expected) break;
          items++;
          bytes += size;
        }
        expect(items).toBeLessThanOrEqual(w.items);
      }),
      { seed: 1503, numRuns: 300 },
    );
  });
});
