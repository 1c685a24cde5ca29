import { describe, expect, it } from "vitest";
import { createJsonCodec, createMsgpackCodec } from "../src/index.js";
import { codeOf } from "./thrown-code.js";
import { hex } from "./value-models.js";

// Keys named like the hooks encoders look up on objects: msgpackr picks an object's encoding by its
// `constructor` property and calls its `toJSON`. In a record these are data like any other key.

const msgpack = createMsgpackCodec();
const json = createJsonCodec();

/** msgpack fixstr: a string of at most 31 bytes, as hex. */
function str(text: string): string {
  const utf8 = Buffer.from(text);
  return (0xa0 + utf8.length).toString(16) + utf8.toString("hex");
}

const constructorKey = str("constructor");
const toJSONKey = str("toJSON");

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

describe("records with own constructor and toJSON keys", () => {
  it("re-encode to the bytes they were decoded from, at top level, nested, in arrays and maps", () => {
    for (const wire of [
      `82 ${constructorKey} ${str("x")} ${toJSONKey} 01`,
      `81 ${toJSONKey} 81 a161 01`,
      `81 a161 82 ${toJSONKey} 93 01 02 03 ${constructorKey} 80`,
      `92 82 ${constructorKey} 81 ${toJSONKey} c3 ${toJSONKey} ${str("t")} 82 ${toJSONKey} c0 ${constructorKey} 01`,
      `81 a16d 81 a16e 82 ${constructorKey} 90 ${toJSONKey} 81 ${constructorKey} 02`,
    ]) {
      const bytes = hex(wire);
      const decoded = msgpack.decode(bytes);
      const again = msgpack.encode(decoded);
      expect(Buffer.from(again).toString("hex"), wire).toBe(Buffer.from(bytes).toString("hex"));
      // Compared as JSON: toStrictEqual reads `.constructor`, which these records overwrite.
      expect(JSON.stringify(msgpack.decode(again)), wire).toBe(JSON.stringify(decoded));
    }
  });

  it("round-trip when built in code, in objects, null-prototype objects, arrays, Maps and Sets", () => {
    const record = { constructor: "x", toJSON: 1, skipped: undefined, n: 2 };
    const bare = Object.assign(Object.create(null) as object, { toJSON: { a: 1 } });
    const value = {
      record,
      bare,
      list: [record, { toJSON: [1, 2], constructor: { toJSON: true } }],
      map: new Map<unknown, unknown>([
        ["r", record],
        [7, { toJSON: "m" }],
      ]),
      set: new Set([record]),
      lone: { constructor: "\ud800", toJSON: 0 },
    };
    const plain = { constructor: "x", toJSON: 1, n: 2 };
    expect(JSON.stringify(msgpack.decode(msgpack.encode(value)))).toBe(
      JSON.stringify({
        record: plain,
        bare: { toJSON: { a: 1 } },
        list: [plain, { toJSON: [1, 2], constructor: { toJSON: true } }],
        map: { r: plain, "7": { toJSON: "m" } },
        set: [plain],
        lone: { constructor: "\ufffd", toJSON: 0 },
      }),
    );
    expect(JSON.stringify(json.decode(json.encode(record)))).toBe(JSON.stringify(plain));
  });

  it("round-trip as class instances' own fields when no toJSON method replaces them", () => {
    class Row {
      toJSON = 1;
      constructor(readonly id: number) {}
    }
    expect(msgpack.decode(msgpack.encode([new Row(3)]))).toStrictEqual([{ toJSON: 1, id: 3 }]);
    expect(json.decode(json.encode([new Row(3)]))).toStrictEqual([{ toJSON: 1, id: 3 }]);
  });
});

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
