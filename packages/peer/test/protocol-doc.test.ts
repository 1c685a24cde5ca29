/**
 * Golden tests: every `hex` block of docs/protocol.md is an example frame. The code must encode the
 * example's message to exactly those bytes and parse those bytes back to the message, so the
 * specification and the implementation cannot drift apart.
 */
import { readFileSync } from "node:fs";
import { createMsgpackCodec, defineContract } from "@parley/codec";
import { contractMembers, memberFingerprint } from "@parley/codec/internal";
import { createMemoryPair } from "@parley/testkit";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { authProof, helloDigest } from "../src/auth-proof.js";
import { FrameEncoder } from "../src/frame-encoder.js";
import { FrameParser } from "../src/frame-parser.js";
import { refuseConnection } from "../src/index.js";
import {
  AuthBinding,
  AuthStep,
  CreditStream,
  Kind,
  ResponseStatus,
} from "../src/wire-constants.js";
import type { HelloMessage, Message } from "../src/wire-messages.js";

const DOC = new URL("../../../docs/protocol.md", import.meta.url);

/** `name -> bytes` for every ```hex <name> block. */
function docExamples(): Map<string, Uint8Array> {
  const text = readFileSync(DOC, "utf8");
  const out = new Map<string, Uint8Array>();
  for (const match of text.matchAll(/```hex ([a-z0-9-]+)\n([\s\S]*?)```/g)) {
    const bytes = match[2]!
      .split("\n")
      .map((line) => line.split("#")[0]!)
      .join(" ")
      .trim()
      .split(/\s+/)
      .filter((token) => token !== "")
      .map((token) => {
        if (!/^[0-9a-f]{2}$/.test(token))
          throw new Error(`bad hex token "${token}" in ${match[1]}`);
        return Number.parseInt(token, 16);
      });
    out.set(match[1]!, Uint8Array.from(bytes));
  }
  return out;
}

const codec = createMsgpackCodec();
const calc = { name: "calc", version: "1", fingerprint: "3f2a91c0" };

// The 1.1 examples: calc v2, one idempotent method neg (number -> number).
const calc2Contract = defineContract({
  name: "calc",
  version: 2,
  requests: { neg: { input: z.number(), output: z.number(), idempotent: true } },
});
const calc2 = { name: "calc", version: "2", fingerprint: "0dad7b31fb3dd346" };
const neg = {
  kind: "request",
  name: "neg",
  idempotent: true,
  fingerprint: "8429b22386aaa280",
  shape: '{"input":{"type":"number"},"output":{"type":"number"}}',
} as const;
const hello11 = {
  kind: Kind.Hello,
  major: 1,
  minor: 1,
  codec: "msgpack",
  maxFrameBytes: 4_194_304,
  maxConcurrentRequests: 1280,
  heartbeatIntervalMs: 15_000,
  heartbeatTimeoutMs: 10_000,
  authToken: undefined,
  metadata: undefined,
} as const;

// The 1.2 examples of §5 "Proving a shared secret": fixed nonces, the documented secret.
const AUTH_SECRET = Buffer.from("correct horse battery staple");
const NONCE_C = Uint8Array.from({ length: 32 }, (_, i) => i);
const NONCE_S = Uint8Array.from({ length: 32 }, (_, i) => 0x20 + i);
const hello12 = {
  ...hello11,
  minor: 2,
  servesMembers: undefined,
  callsMembers: undefined,
} as const;

/** The 1.2 Hellos and Auth frames, proofs computed from the documented Hellos' bytes. */
function AUTH_MESSAGES(): Record<string, Message> {
  const client = { ...hello12, serves: undefined, calls: calc2 };
  const server = { ...hello12, serves: calc2, calls: undefined };
  const t = {
    connectorNonce: NONCE_C,
    acceptorNonce: NONCE_S,
    connectorHello: helloDigest(new FrameEncoder(codec).encode(client).subarray(4)),
    acceptorHello: helloDigest(new FrameEncoder(codec).encode(server).subarray(4)),
    exporter: undefined,
  };
  const auth = { kind: Kind.Auth, binding: AuthBinding.None } as const;
  return {
    "hello-auth-client": client,
    "hello-auth-server": server,
    "auth-challenge": { ...auth, step: AuthStep.Challenge, nonce: NONCE_S, proof: undefined },
    "auth-connector-proof": {
      ...auth,
      step: AuthStep.ConnectorProof,
      nonce: NONCE_C,
      proof: new Uint8Array(authProof("connector", AUTH_SECRET, t)),
    },
    "auth-acceptor-proof": {
      ...auth,
      step: AuthStep.AcceptorProof,
      nonce: undefined,
      proof: new Uint8Array(authProof("acceptor", AUTH_SECRET, t)),
    },
  };
}

const MESSAGES: Record<string, Message> = {
  "hello-client": {
    kind: Kind.Hello,
    major: 1,
    minor: 0,
    codec: "msgpack",
    serves: undefined,
    calls: calc,
    maxFrameBytes: 4_194_304,
    maxConcurrentRequests: 1280,
    heartbeatIntervalMs: 15_000,
    heartbeatTimeoutMs: 10_000,
    authToken: "s3cret",
    metadata: undefined,
  },
  "hello-server": {
    kind: Kind.Hello,
    major: 1,
    minor: 0,
    codec: "msgpack",
    serves: calc,
    calls: undefined,
    maxFrameBytes: 4_194_304,
    maxConcurrentRequests: 1280,
    heartbeatIntervalMs: 15_000,
    heartbeatTimeoutMs: 10_000,
    authToken: undefined,
    metadata: { region: "eu" },
  },
  "hello-refusal": {
    kind: Kind.Hello,
    major: 1,
    minor: 2,
    codec: "",
    serves: undefined,
    calls: undefined,
    maxFrameBytes: 65_536,
    maxConcurrentRequests: 0,
    heartbeatIntervalMs: 0,
    heartbeatTimeoutMs: 0,
    authToken: undefined,
    metadata: undefined,
  },
  "hello-client-members": {
    ...hello11,
    serves: undefined,
    calls: calc2,
    callsMembers: [{ ...neg, shape: "" }],
  },
  "hello-server-members": {
    ...hello11,
    serves: calc2,
    calls: undefined,
    servesMembers: [neg],
  },
  "hello-streams": {
    kind: Kind.Hello,
    major: 1,
    minor: 1,
    codec: "msgpack",
    serves: undefined,
    calls: undefined,
    maxFrameBytes: 4_194_304,
    maxConcurrentRequests: 1280,
    heartbeatIntervalMs: 15_000,
    heartbeatTimeoutMs: 10_000,
    authToken: undefined,
    metadata: undefined,
    streamWindow: { items: 16, bytes: 262_144 },
  },
  "hello-ack-accept": { kind: Kind.HelloAck, accepted: true },
  "hello-ack-refuse": {
    kind: Kind.HelloAck,
    accepted: false,
    code: "UNAUTHENTICATED",
    message: "bad token",
  },
  request: {
    kind: Kind.Request,
    id: 1,
    timeoutMs: 30_000,
    method: "add",
    metadata: undefined,
    body: { a: 1, b: 2 },
  },
  "request-metadata": {
    kind: Kind.Request,
    id: 2,
    timeoutMs: 1500,
    method: "add",
    metadata: { trace: "7f3a" },
    body: { a: 5, b: 7 },
  },
  "response-ok": { kind: Kind.Response, id: 1, status: ResponseStatus.Ok, body: { sum: 3 } },
  "response-error": {
    kind: Kind.Response,
    id: 3,
    status: ResponseStatus.Error,
    body: { code: "NOT_FOUND", message: "no such user" },
  },
  "response-rejected": {
    kind: Kind.Response,
    id: 4,
    status: ResponseStatus.Rejected,
    body: { code: "OVERLOADED", message: "handler queue full" },
  },
  signal: {
    kind: Kind.Signal,
    name: "log",
    metadata: undefined,
    body: { level: "info", text: "hi" },
  },
  cancel: { kind: Kind.Cancel, id: 2 },
  ping: { kind: Kind.Ping, id: 1 },
  pong: { kind: Kind.Pong, id: 1 },
  bye: { kind: Kind.Bye, lastAcceptedId: 5 },
  "bye-ack": { kind: Kind.ByeAck },
  ...AUTH_MESSAGES(),
};

/** The stream frames of protocol 1.1 (§12): a 1.0 parser refuses them. */
const STREAM_MESSAGES: Record<string, Message> = {
  "request-stream": {
    kind: Kind.Request,
    id: 7,
    timeoutMs: 0,
    method: "chat",
    metadata: undefined,
    body: { room: "eu" },
    more: true,
  },
  "data-item": { kind: Kind.Data, id: 7, more: true, body: "hi all" },
  "data-end": { kind: Kind.Data, id: 7, more: false, body: undefined },
  "response-item": {
    kind: Kind.Response,
    id: 1,
    status: ResponseStatus.Ok,
    body: { line: "boot ok" },
    more: true,
  },
  "credit-outputs": {
    kind: Kind.Credit,
    id: 1,
    stream: CreditStream.Outputs,
    items: 32,
    bytes: 672,
  },
  "credit-inputs": { kind: Kind.Credit, id: 7, stream: CreditStream.Inputs, items: 32, bytes: 416 },
};

const examples = docExamples();
const encoder = new FrameEncoder(codec);
const parser = new FrameParser(codec);
const streamParser = new FrameParser(codec);
streamParser.enableStreams();
const ALL: Record<string, Message> = { ...MESSAGES, ...STREAM_MESSAGES };

describe("docs/protocol.md examples", () => {
  it("lists exactly the examples this test knows, at least one per kind", () => {
    expect([...examples.keys()].sort()).toEqual(Object.keys(ALL).sort());
    const kinds = new Set(Object.values(ALL).map((m) => m.kind));
    expect([...kinds].sort()).toEqual(Object.values(Kind).sort());
  });

  it("matches what refuseConnection writes: the refusal Hello, then HelloAck refuse", async () => {
    const [a, b] = createMemoryPair();
    const chunks: Uint8Array[] = [];
    b.attach({ onData: (c) => chunks.push(c), onEnd: () => b.end(), onDrain() {}, onClose() {} });
    await refuseConnection(a, { code: "OVERLOADED", message: "too many connections" });
    const bytes = Buffer.concat(chunks);
    const hello = examples.get("hello-refusal")!;
    expect(hex(bytes.subarray(0, hello.length))).toBe(hex(hello));
    const ack = parser.parse(bytes.subarray(hello.length + 4));
    expect(ack).toEqual({
      kind: Kind.HelloAck,
      accepted: false,
      code: "OVERLOADED",
      message: "too many connections",
    });
  });

  it("prints the digests of the 1.2 Hellos that the documented proofs cover (§5)", () => {
    const text = readFileSync(DOC, "utf8");
    for (const name of ["hello-auth-client", "hello-auth-server"]) {
      const digest = Buffer.from(helloDigest(examples.get(name)!.subarray(4))).toString("hex");
      expect(text, name).toContain(`= \`${digest}\``);
    }
  });

  it("prints the 1.1 examples' fingerprints and shape as @parley/codec computes them", () => {
    expect(calc2Contract.fingerprint).toBe(calc2.fingerprint);
    const [member] = contractMembers(calc2Contract.definition);
    expect(member).toMatchObject(neg);
    expect(memberFingerprint("request", true, neg.shape)).toBe(neg.fingerprint);
  });

  it("ignores a 1.1 Hello's members block when the Hello says 1.0, as a 1.0 receiver does", () => {
    const bytes = examples.get("hello-server-members")!.slice();
    bytes[15] = 0; // the minor version byte
    const parsed = parser.parse(bytes.subarray(4)) as HelloMessage;
    expect(parsed.minor).toBe(0);
    expect(parsed.servesMembers).toBeUndefined();
    expect(parsed.serves).toEqual(calc2);
  });

  it("offers streams only with the windows present: a 1.1 Hello that ends before them has none (§12.2)", () => {
    const windowed = examples.get("hello-streams")!;
    expect((parser.parse(windowed.subarray(4)) as HelloMessage).streamWindow).toEqual({
      items: 16,
      bytes: 262_144,
    });
    // The same Hello cut after its members block: still 1.1, but no streams offered.
    const cut = parser.parse(windowed.subarray(4, windowed.length - 8)) as HelloMessage;
    expect(cut.minor).toBe(1);
    expect(cut.streamWindow).toBeUndefined();
    for (const name of ["hello-client-members", "hello-server-members", "hello-refusal"]) {
      const hello = parser.parse(examples.get(name)!.subarray(4)) as HelloMessage;
      expect(hello.minor, name).toBe(name === "hello-refusal" ? 2 : 1);
      expect(hello.streamWindow, name).toBeUndefined();
    }
  });

  for (const [name, message] of Object.entries(ALL)) {
    it(`encodes the ${name} example to the documented bytes`, () => {
      const bytes = examples.get(name);
      expect(bytes, `docs/protocol.md has no hex block "${name}"`).toBeDefined();
      expect(hex(encoder.encode(message))).toBe(hex(bytes!));
    });

    it(`parses the documented ${name} bytes back to the message`, () => {
      const bytes = examples.get(name)!;
      const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0);
      expect(length).toBe(bytes.length - 4);
      expect(streamParser.parse(bytes.subarray(4))).toEqual(message);
      if (name in MESSAGES) expect(parser.parse(bytes.subarray(4))).toEqual(message);
    });
  }

  for (const name of Object.keys(STREAM_MESSAGES)) {
    it(`refuses the ${name} stream frame until streams are agreed (PROTOCOL_ERROR)`, () => {
      const bytes = examples.get(name)!;
      let caught: { code?: string; message?: string } | undefined;
      try {
        parser.parse(bytes.subarray(4));
      } catch (error) {
        caught = error as { code?: string; message?: string };
      }
      expect(caught?.code).toBe("PROTOCOL_ERROR");
      expect(caught?.message).toContain("protocol 1.1");
    });
  }
});

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex").replace(/(..)/g, "$1 ").trim();
}
