import { describe, expect, it } from "vitest";
import { type CodecError, createJsonCodec, createMsgpackCodec } from "../src/index.js";

// Keys named like the hooks encoders look up on objects: msgpackr picks an object's encoding by its
// `constructor` property and calls its `toJSON`. In a record these are data like any other key.

const msgpack = createMsgpackCodec();
const json = createJsonCodec();

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return (error as CodecError).code;
  }
  return undefined;
}

class Hostile {
  toJSON() {
    return { prototype: { polluted: true } };
  }
}

class Relay {
  constructor(readonly next: unknown) {}
  toJSON() {
    return this.next;
  }
}

describe("a constructor key whose value's toJSON gives a prototype key", () => {
  it("is refused on encode with CODEC_FORBIDDEN_KEY, by both codecs", () => {
    for (const codec of [msgpack, json]) {
      expect(
        codeOf(() => codec.encode({ constructor: new Hostile() })),
        codec.name,
      ).toBe("CODEC_FORBIDDEN_KEY");
      expect(codeOf(() => codec.encode([{ a: { constructor: new Relay(new Hostile()) } }]))).toBe(
        "CODEC_FORBIDDEN_KEY",
      );
      expect(codeOf(() => codec.encode({ constructor: new Relay({ prototype: 1 }) }))).toBe(
        "CODEC_FORBIDDEN_KEY",
      );
    }
    expect(codeOf(() => msgpack.encode(new Map([["constructor", new Hostile()]])))).toBe(
      "CODEC_FORBIDDEN_KEY",
    );
    expect(
      codeOf(() => msgpack.encode({ constructor: new Relay(new Map([["prototype", 1]])) })),
    ).toBe("CODEC_FORBIDDEN_KEY");
  });

  it("is accepted when the toJSON result holds no prototype key", () => {
    for (const codec of [msgpack, json]) {
      const value = { constructor: new Relay({ shape: new Relay("round") }) };
      expect(JSON.stringify(codec.decode(codec.encode(value)))).toBe(
        '{"constructor":{"shape":"round"}}',
      );
    }
  });
});
