/** Contracts the peer tests use, each as small as its tests need (handlers must cover a contract). */
import { defineContract } from "@parley/codec";
import { z } from "zod";

/** A calculator served by the "server" side in most tests. */
export const calc = defineContract({
  name: "calc",
  version: 1,
  requests: {
    add: {
      input: z.object({ a: z.number(), b: z.number() }),
      output: z.object({ sum: z.number() }),
    },
  },
  signals: {
    log: z.object({ text: z.string() }),
  },
});

/** Same name and version as {@link calc}, different schemas: a fingerprint mismatch. */
export const calcDrifted = defineContract({
  name: "calc",
  version: 1,
  requests: {
    add: {
      input: z.object({ a: z.string(), b: z.string() }),
      output: z.object({ sum: z.string() }),
    },
  },
});

/** A method that holds its call until released or aborted. */
export const holder = defineContract({
  name: "holder",
  version: 1,
  requests: {
    hold: { input: z.object({ key: z.string() }), output: z.object({ key: z.string() }) },
  },
});

/** A method that relays whatever it gets (nested-call tests). */
export const relay = defineContract({
  name: "relay",
  version: 1,
  requests: { echo: { input: z.unknown(), output: z.unknown() } },
});

/** A method that fails with the code it is given. */
export const failing = defineContract({
  name: "failing",
  version: 1,
  requests: { fail: { input: z.object({ code: z.string() }), output: z.null() } },
});

/** A second contract, served by the "client" side in bidirectional tests. */
export const notes = defineContract({
  name: "notes",
  version: "2",
  requests: {
    remaining: { input: z.object({}), output: z.object({ ms: z.number() }) },
    note: { input: z.object({ text: z.string() }), output: z.object({ ok: z.boolean() }) },
  },
  signals: {
    progress: z.object({ pct: z.number().min(0).max(100) }),
  },
});

/** Stream methods of every kind, beside a unary one. */
export const feed = defineContract({
  name: "feed",
  version: 1,
  requests: {
    add: { input: z.number(), output: z.number() },
    /** Server stream: `n` lines, then the count. */
    tail: { input: z.number(), yields: z.string(), output: z.number(), timeoutMs: 10_000 },
    /** Client stream without deadline: the caller's chunks, then their total length. */
    upload: {
      input: z.string(),
      accepts: z.string(),
      output: z.number(),
      timeoutMs: Number.POSITIVE_INFINITY,
    },
    /** Bidirectional, no output. */
    chat: { input: z.string(), yields: z.string(), accepts: z.string(), timeoutMs: 10_000 },
  },
});
