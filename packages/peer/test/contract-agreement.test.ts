/**
 * Contracts agreed per method at Hello (docs/protocol.md §5, "Contracts, per method"): over a
 * memory pair, peers on two versions of a contract, one 1.0-style remote, and the strict option.
 */
import { defineContract } from "@parley/codec";
import { contractMembers } from "@parley/codec/internal";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { Kind } from "../src/wire-constants.js";
import type { HelloAckMessage } from "../src/wire-messages.js";
import { rejection } from "./support/async.js";
import { peerPair, peerWithRawRemote } from "./support/peer-pair.js";
import { RawEnd, rawHello } from "./support/raw-end.js";

const key = z.object({ key: z.string() });
const kv1 = defineContract({
  name: "kv",
  version: 1,
  requests: {
    get: { input: key, output: z.object({ value: z.string() }), idempotent: true },
    put: { input: z.object({ key: z.string(), value: z.string() }), output: z.null() },
  },
  signals: { touched: key },
});
// Adds a method, an optional input field, an optional output field and a signal.
const kv2 = defineContract({
  name: "kv",
  version: 2,
  requests: {
    get: {
      input: z.object({ key: z.string(), fresh: z.boolean().optional() }),
      output: z.object({ value: z.string(), etag: z.string().optional() }),
      idempotent: true,
    },
    put: kv1.definition.requests.put,
    remove: { input: key, output: z.boolean() },
  },
  signals: { touched: key, evicted: key },
});
// Breaking: put requires a field v1 callers never send.
const kv3 = defineContract({
  name: "kv",
  version: 3,
  requests: {
    ...kv1.definition.requests,
    put: {
      input: z.object({ key: z.string(), value: z.string(), ttl: z.number() }),
      output: z.null(),
    },
  },
});

const store = new Map<string, string>();
const v1Handlers = {
  get: ({ key }: { key: string }) => ({ value: store.get(key) ?? "", etag: "e1" }),
  put: ({ key, value }: { key: string; value: string }) => {
    store.set(key, value);
    return null;
  },
};
const handlers = { ...v1Handlers, remove: ({ key }: { key: string }) => store.delete(key) };

describe("contracts agreed per method", () => {
  it("lets a v1 caller use a v2 server that added a method and optional fields", async () => {
    const { client } = peerPair({ serves: kv2, handlers }, { calls: kv1 });
    await client.ready;
    await expect(client.call.put({ key: "a", value: "1" })).resolves.toBeNull();
    await expect(client.call.get({ key: "a" })).resolves.toEqual({ value: "1" });
  });

  it("lets a v2 caller use a v1 server's methods and fails the new one locally with UNIMPLEMENTED", async () => {
    const { client, server } = peerPair({ serves: kv1, handlers: v1Handlers }, { calls: kv2 });
    // Made before ready: it waits for the Hello, then fails without being written.
    const early = rejection(client.call.remove({ key: "a" }));
    await client.ready;
    const error = await early;
    expect(error.code).toBe("UNIMPLEMENTED");
    expect(error.message).toContain("method remove is not served by the remote");
    expect(error.message).toContain("this side calls kv v2, the remote serves kv v1");
    const late = await rejection(client.call.remove({ key: "a" }));
    expect(late.code).toBe("UNIMPLEMENTED");
    await expect(client.call.put({ key: "b", value: "2" })).resolves.toBeNull();
    // The v1 server drops the field it does not know and answers without the optional etag.
    await expect(client.call.get({ key: "b", fresh: true })).resolves.toMatchObject({ value: "2" });
    const signal = await rejection(client.signal("evicted", { key: "a" }));
    expect(signal.code).toBe("UNIMPLEMENTED");
    expect(client.stats.requestsSent).toBe(2);
    expect(client.stats.signalsSent).toBe(0);
    expect(server.stats.requestsReceived).toBe(2);
  });

  it("refuses a breaking change at Hello on both sides, naming method, path and both types", async () => {
    const { client, server } = peerPair({ serves: kv3, handlers: v1Handlers }, { calls: kv1 });
    const [c, s] = await Promise.all([rejection(client.ready), rejection(server.ready)]);
    expect(c.code).toBe("CONTRACT_MISMATCH");
    expect(s.code).toBe("CONTRACT_MISMATCH");
    const named =
      "request put input.ttl: the calling side has absent, the serving side number (required field added)";
    expect(c.message).toContain(named);
    expect(c.message).toContain("calls kv v1, the serving side serves v3");
    expect(s.message).toContain(named);
  });

  it("refuses a type change, naming both types from the caller's side", async () => {
    const drifted = defineContract({
      ...kv1.definition,
      requests: {
        ...kv1.definition.requests,
        get: { input: key, output: z.object({ value: z.number() }) },
      },
    });
    const { client } = peerPair({ serves: drifted }, { calls: kv1 });
    const error = await rejection(client.ready);
    expect(error.message).toContain(
      "request get output.value: the calling side has string, the serving side number (type changed)",
    );
    expect(error.message).toContain(
      "request get: the calling side has idempotent, the serving side not idempotent",
    );
  });

  it("still refuses another contract's name", async () => {
    const other = defineContract({ ...kv1.definition, name: "cache" });
    const { client } = peerPair({ serves: other }, { calls: kv1 });
    const error = await rejection(client.ready);
    expect(error.code).toBe("CONTRACT_MISMATCH");
    expect(error.message).toContain("serves cache v1");
  });

  for (const side of ["client", "server"] as const) {
    it(`compares whole contracts when the ${side} asks for contractCheck "strict"`, async () => {
      const strict = { contractCheck: "strict" } as const;
      const { client, server } = peerPair(
        { serves: kv2, handlers, ...(side === "server" ? strict : {}) },
        { calls: kv1, ...(side === "client" ? strict : {}) },
      );
      const [c, s] = await Promise.all([rejection(client.ready), rejection(server.ready)]);
      expect(c.code).toBe("CONTRACT_MISMATCH");
      expect(s.code).toBe("CONTRACT_MISMATCH");
      expect(c.message).toContain("the calling side calls kv v1");
      expect(c.message).toContain("serving side serves kv v2");
    });
  }

  it("holds a 1.0 remote to the whole-contract rule", async () => {
    const { peer, remote } = peerWithRawRemote({ calls: kv1 });
    const raw = new RawEnd(remote);
    const v2 = { name: "kv", version: "2", fingerprint: kv2.fingerprint };
    raw.send(rawHello({ minor: 0, serves: v2 }));
    const error = await rejection(peer.ready);
    expect(error.code).toBe("CONTRACT_MISMATCH");
    const ack = (await raw.next(Kind.HelloAck)) as HelloAckMessage;
    expect(ack).toMatchObject({ accepted: false, code: "CONTRACT_MISMATCH" });
  });

  it("accepts a 1.0 remote serving the very same contract", async () => {
    const { peer, remote } = peerWithRawRemote({ calls: kv1 });
    const raw = new RawEnd(remote);
    raw.send(
      rawHello({ minor: 0, serves: { name: "kv", version: "1", fingerprint: kv1.fingerprint } }),
    );
    const ack = (await raw.next(Kind.HelloAck)) as HelloAckMessage;
    expect(ack).toEqual({ kind: Kind.HelloAck, accepted: true });
    raw.send({ kind: Kind.HelloAck, accepted: true });
    await expect(peer.ready).resolves.toMatchObject({ protocolVersion: { major: 1, minor: 0 } });
  });
});

describe("the remembered agreement", () => {
  // A remote claiming kv v2's fingerprint with a table that is not v2's: refused for a breaking
  // table, let through with gaps for an empty one. Neither may decide what an honest v2 server
  // that connects later is told.
  const claimsV2 = { name: "kv", version: "2", fingerprint: kv2.fingerprint };
  // v2's own rows, but the shape of `get` (which differs from the caller's, so is read) makes
  // its new input field required: only the shape tells this table from the honest one.
  const breakingGet = JSON.parse(
    contractMembers(kv2.definition).find((m) => m.name === "get")!.shape,
  );
  breakingGet.input.required = ["fresh", "key"];
  const v2WithBreakingGet = contractMembers(kv2.definition).map((m) =>
    m.name === "get" ? { ...m, shape: JSON.stringify(breakingGet) } : m,
  );
  const lies = [
    { table: "a breaking table", members: contractMembers(kv3.definition), accepted: false },
    { table: "an empty table", members: [], accepted: true },
    { table: "v2's rows and a breaking shape", members: v2WithBreakingGet, accepted: false },
  ];
  for (const { table, members, accepted } of lies) {
    it(`is not poisoned by a remote claiming v2's fingerprint with ${table}`, async () => {
      // A definition of its own, so no earlier test has remembered anything for it.
      const caller = defineContract({ ...kv1.definition });
      const hostile = peerWithRawRemote({ calls: caller });
      const raw = new RawEnd(hostile.remote);
      raw.send(rawHello({ serves: claimsV2, servesMembers: members }));
      const ack = (await raw.next(Kind.HelloAck)) as HelloAckMessage;
      expect(ack.accepted).toBe(accepted);

      const { client } = peerPair({ serves: kv2, handlers }, { calls: caller });
      await client.ready;
      await expect(client.call.put({ key: "p", value: "1" })).resolves.toBeNull();
      await expect(client.call.get({ key: "p" })).resolves.toEqual({ value: "1" });
      await expect(client.signal("touched", { key: "p" })).resolves.toBeUndefined();
    });
  }
});

describe("a hostile shape in the Hello", () => {
  it("refuses a shape nested too deep as CONTRACT_MISMATCH naming the method, without a crash", async () => {
    // As deep as the 64 KiB shape field allows: some 5,000 levels of {"anyOf":[...]}.
    const levels = 5_000;
    const input = `${'{"anyOf":['.repeat(levels)}{"type":"string"}${"]}".repeat(levels)}`;
    const shape = `{"input":${input},"output":{}}`;
    const members = contractMembers(kv2.definition).map((m) =>
      m.name === "get" ? { ...m, shape } : m,
    );
    const { peer, remote } = peerWithRawRemote({ calls: kv1 });
    const raw = new RawEnd(remote);
    const v2 = { name: "kv", version: "2", fingerprint: kv2.fingerprint };
    raw.send(rawHello({ serves: v2, servesMembers: members }));
    const error = await rejection(peer.ready);
    expect(error.code).toBe("CONTRACT_MISMATCH");
    expect(error.message).toContain(
      "request get input: the calling side has schema, the serving side shape too deep (shape too deep: over 64 levels of nesting)",
    );
    const ack = (await raw.next(Kind.HelloAck)) as HelloAckMessage;
    expect(ack).toMatchObject({ accepted: false, code: "CONTRACT_MISMATCH" });
  });
});

describe("a served contract too large for the Hello's shapes", () => {
  // 300 methods of about 250 bytes of shape each: over the 64 KiB a Hello may hold.
  function big(version: number, extra: boolean) {
    const requests: Record<string, { input: z.ZodType; output: z.ZodType }> = {};
    for (let i = 0; i < 300; i++) {
      requests[`method${i}`] = {
        input: z.object({
          id: z.string(),
          name: z.string(),
          ...(extra ? { note: z.string().optional() } : {}),
        }),
        output: z.object({ id: z.string(), created: z.number(), tags: z.array(z.string()) }),
      };
    }
    return defineContract({ name: "big", version, requests });
  }

  it("sends fingerprints only: equal members agree, differing ones are refused as unknown", {
    timeout: 60_000,
  }, async () => {
    // Built (member tables and fingerprints) before any peer starts its handshake timer: on a
    // loaded machine, building 300 schemas' JSON Schema takes a while.
    const [v1, v1Again, v2] = [big(1, false), big(1, false), big(2, true)];
    for (const c of [v1, v1Again, v2]) contractMembers(c.definition);
    const slow = { handshakeTimeoutMs: 30_000 };
    const same = peerPair({ serves: v1, ...slow }, { calls: v1Again, ...slow });
    await expect(same.client.ready).resolves.toBeDefined();
    const changed = peerPair({ serves: v2, ...slow }, { calls: v1, ...slow });
    const error = await rejection(changed.client.ready);
    expect(error.code).toBe("CONTRACT_MISMATCH");
    expect(error.message).toContain(
      "request method0: the calling side has schema, the serving side unknown (schemas differ and the serving side sent no shape)",
    );
    expect(error.message).toContain("and 295 more");
  });
});
