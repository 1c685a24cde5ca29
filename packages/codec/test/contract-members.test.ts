import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  agreeMembers,
  type ContractMember,
  contractMembers,
  describeIncompatibility,
  memberFingerprint,
} from "../src/internal.js";

const key = z.object({ key: z.string() });
const v1 = {
  name: "kv",
  version: 1,
  requests: {
    get: { input: key, output: z.object({ value: z.string() }), idempotent: true },
    put: { input: z.object({ key: z.string(), value: z.string() }), output: z.null() },
  },
  signals: { evicted: key },
};
// Adds a method, an optional input field and an optional output field: compatible both ways.
const v2 = {
  ...v1,
  version: 2,
  requests: {
    get: {
      input: z.object({ key: z.string(), consistent: z.boolean().optional() }),
      output: z.object({ value: z.string(), etag: z.string().optional() }),
      idempotent: true,
    },
    put: v1.requests.put,
    remove: { input: key, output: z.boolean() },
  },
};
// What crossed the wire: only the fields a Hello carries.
const sent = (members: readonly ContractMember[]): ContractMember[] =>
  members.map(({ kind, name, idempotent, fingerprint, shape }) => ({
    kind,
    name,
    idempotent,
    fingerprint,
    shape,
  }));

describe("contractMembers", () => {
  it("lists requests then signals, each with its own fingerprint and canonical shape", () => {
    const members = contractMembers(v1);
    expect(members.map((m) => `${m.kind}:${m.name}`)).toEqual([
      "request:get",
      "request:put",
      "signal:evicted",
    ]);
    expect(JSON.parse(members[0]!.shape)).toEqual({
      input: { type: "object", properties: { key: { type: "string" } }, required: ["key"] },
      output: { type: "object", properties: { value: { type: "string" } }, required: ["value"] },
    });
    expect(members[0]!.fingerprint).toBe(memberFingerprint("request", true, members[0]!.shape));
    expect(memberFingerprint("request", false, members[0]!.shape)).not.toBe(
      members[0]!.fingerprint,
    );
    expect(contractMembers(v1)).toBe(members);
  });

  it("keeps a member's fingerprint when another member changes", () => {
    const [put1] = contractMembers(v1).filter((m) => m.name === "put");
    const [put2] = contractMembers(v2).filter((m) => m.name === "put");
    const [get1] = contractMembers(v1).filter((m) => m.name === "get");
    const [get2] = contractMembers(v2).filter((m) => m.name === "get");
    expect(put2!.fingerprint).toBe(put1!.fingerprint);
    expect(get2!.fingerprint).not.toBe(get1!.fingerprint);
  });
});

describe("agreeMembers", () => {
  it("lets a v1 caller use a v2 server that added a method and optional fields", () => {
    expect(agreeMembers(v1, sent(contractMembers(v2)))).toEqual({
      unservedRequests: [],
      unservedSignals: [],
      incompatible: [],
    });
  });

  it("tells a v2 caller which of its methods a v1 server lacks", () => {
    expect(agreeMembers(v2, sent(contractMembers(v1)))).toEqual({
      unservedRequests: ["remove"],
      unservedSignals: [],
      incompatible: [],
    });
  });

  it("names method, path and both types when a required input field was added", () => {
    const v3 = {
      ...v1,
      version: 3,
      requests: {
        ...v1.requests,
        put: {
          input: z.object({ key: z.string(), value: z.string(), ttl: z.number() }),
          output: z.null(),
        },
      },
    };
    const { incompatible } = agreeMembers(v1, sent(contractMembers(v3)));
    expect(incompatible).toEqual([
      {
        kind: "request",
        name: "put",
        path: "input.ttl",
        callerType: "absent",
        serverType: "number",
        reason: "required field added",
      },
    ]);
    expect(describeIncompatibility(incompatible[0]!)).toBe(
      "request put input.ttl: the calling side has absent, the serving side number (required field added)",
    );
  });

  it("names an output type change from the caller's point of view", () => {
    const v3 = {
      ...v1,
      requests: {
        ...v1.requests,
        get: { ...v1.requests.get, output: z.object({ value: z.number() }) },
      },
    };
    expect(agreeMembers(v1, sent(contractMembers(v3))).incompatible).toEqual([
      {
        kind: "request",
        name: "get",
        path: "output.value",
        callerType: "string",
        serverType: "number",
        reason: "type changed",
      },
    ]);
  });

  it("refuses a caller that retries a method the server no longer calls idempotent", () => {
    const v3 = {
      ...v1,
      requests: { ...v1.requests, get: { ...v1.requests.get, idempotent: false } },
    };
    expect(agreeMembers(v1, sent(contractMembers(v3))).incompatible).toEqual([
      {
        kind: "request",
        name: "get",
        path: "",
        callerType: "idempotent",
        serverType: "not idempotent",
        reason: "the caller would retry it",
      },
    ]);
  });

  it("checks signal payloads as the caller writes them", () => {
    const v3 = { ...v1, signals: { evicted: z.object({ key: z.number() }) } };
    expect(agreeMembers(v1, sent(contractMembers(v3))).incompatible).toEqual([
      {
        kind: "signal",
        name: "evicted",
        path: "payload.key",
        callerType: "string",
        serverType: "number",
        reason: "type changed",
      },
    ]);
    expect(agreeMembers(v1, sent(contractMembers({ ...v1, signals: {} }))).unservedSignals).toEqual(
      ["evicted"],
    );
  });

  it("refuses a differing member whose shape the server did not send, or sent garbled", () => {
    for (const shape of ["", "{not json"]) {
      const served = sent(contractMembers(v2)).map((m) => (m.name === "get" ? { ...m, shape } : m));
      expect(agreeMembers(v1, served).incompatible).toEqual([
        {
          kind: "request",
          name: "get",
          path: "",
          callerType: "schema",
          serverType: "unknown",
          reason: "schemas differ and the serving side sent no shape",
        },
      ]);
    }
  });
});
