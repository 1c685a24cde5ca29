/**
 * Interop with an independent msgpack implementation: msgpack-python (Debian's python3-msgpack,
 * installed for /usr/bin/python3 by .ci/run). Parley encodes and Python decodes, Python encodes and
 * Parley decodes, and values of the whole domain travel Parley -> Python -> Parley.
 */

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CodecError, createMsgpackCodec } from "../src/index.js";
import { msgpackModel, msgpackValue, plainBinary } from "./value-models.js";

const PYTHON = "/usr/bin/python3";
const SCRIPT = fileURLToPath(new URL("./fixtures/msgpack_interop.py", import.meta.url));
const codec = createMsgpackCodec();

function python(mode: string, input?: unknown): unknown {
  const run = spawnSync(PYTHON, [SCRIPT, mode], {
    input: input === undefined ? "" : JSON.stringify(input),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`python ${mode} failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const fromHex = (text: string) => new Uint8Array(Buffer.from(text, "hex"));

type Described =
  | null
  | boolean
  | { int: string }
  | { float: string }
  | { str: string }
  | { bin: string }
  | { ts: [number, number] }
  | { map: [Described, Described][] }
  | { error: string }
  | Described[];

/** Checks Python's description of a value against the value Parley encoded (already modelled). */
function expectDescribes(described: Described, expected: unknown, path = "$"): void {
  if (expected === null || typeof expected === "boolean") {
    expect(described, path).toBe(expected);
  } else if (typeof expected === "number" || typeof expected === "bigint") {
    expectNumber(described, expected, path);
  } else if (typeof expected === "string") {
    expect(described, path).toStrictEqual({ str: expected });
  } else if (expected instanceof Uint8Array) {
    expect(described, path).toStrictEqual({ bin: toHex(expected) });
  } else if (expected instanceof Date) {
    const [seconds, nanoseconds] = (described as { ts: [number, number] }).ts;
    expect(seconds * 1000 + nanoseconds / 1e6, path).toBe(expected.getTime());
  } else if (Array.isArray(expected)) {
    expect(Array.isArray(described), path).toBe(true);
    expect((described as Described[]).length, path).toBe(expected.length);
    for (const [i, item] of expected.entries()) {
      expectDescribes((described as Described[])[i]!, item, `${path}[${i}]`);
    }
  } else {
    const entries = (described as { map: [Described, Described][] }).map;
    const keys = Object.keys(expected as object);
    expect(entries.length, path).toBeGreaterThanOrEqual(keys.length);
    const byKey = new Map<string, Described>();
    for (const [key, item] of entries) {
      const name =
        "str" in (key as object) ? (key as { str: string }).str : (key as { int: string }).int;
      byKey.set(name, item); // a later duplicate wins, as in the decoder
    }
    for (const key of keys) {
      expectDescribes(
        byKey.get(key)!,
        (expected as Record<string, unknown>)[key],
        `${path}.${key}`,
      );
    }
  }
}

function expectNumber(described: Described, expected: number | bigint, path: string): void {
  const tagged = described as { int?: string; float?: string };
  if (tagged.int !== undefined) {
    expect(BigInt(tagged.int), path).toBe(BigInt(expected));
    return;
  }
  expect(typeof expected, `${path} (int32-range integers must travel as msgpack ints)`).toBe(
    "number",
  );
  const value = expected as number;
  expect(Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 32, path).toBe(false);
  const parsed =
    { nan: Number.NaN, inf: Infinity, "-inf": -Infinity }[tagged.float!] ?? Number(tagged.float);
  expect(Object.is(parsed, value) || (Number.isNaN(parsed) && Number.isNaN(value)), path).toBe(
    true,
  );
}

describe("msgpack interop with msgpack-python", () => {
  it("writes what msgpack-python reads as the same values", () => {
    const values = fc.sample(
      msgpackValue.filter((value) => value !== undefined),
      { numRuns: 400, seed: 42 },
    );
    const described = python(
      "describe",
      values.map((value) => toHex(codec.encode(value))),
    ) as Described[];
    values.forEach((value, i) => {
      expect(
        (described[i] as { error?: string } | null)?.error,
        "msgpack-python refused it",
      ).toBeUndefined();
      expectDescribes(described[i]!, msgpackModel(value));
    });
  });

  it("writes strings with lone surrogates, short and long, as msgpack-python reads them: one U+FFFD each", () => {
    const wellFormed = (text: string) =>
      (text as unknown as { toWellFormed(): string }).toWellFormed();
    const unit = fc.oneof(
      fc.integer({ min: 0xd800, max: 0xdfff }),
      fc.integer({ min: 0x20, max: 0xffff }),
    );
    const texts = [
      ...[1, 2, 31, 32, 63, 64, 65, 200, 70_000].map((n) => `${"a".repeat(n - 1)}\ud800`),
      ...fc.sample(
        fc.array(unit, { maxLength: 150 }).map((units) => String.fromCharCode(...units)),
        { numRuns: 300, seed: 16 },
      ),
    ];
    const values = texts.flatMap((text) => [text, { [text]: text }]);
    const described = python(
      "describe",
      values.map((value) => toHex(codec.encode(value))),
    ) as Described[];
    values.forEach((value, i) => {
      expect(
        (described[i] as { error?: string })?.error,
        "msgpack-python refused it",
      ).toBeUndefined();
      const expected =
        typeof value === "string"
          ? { str: wellFormed(value) }
          : {
              map: Object.keys(value).map((k) => [{ str: wellFormed(k) }, { str: wellFormed(k) }]),
            };
      expect(described[i], `value ${i}`).toStrictEqual(expected);
    });
  });

  it("reads msgpack-python's re-encoding of every value of the domain", () => {
    const values = fc.sample(
      msgpackValue.filter((value) => value !== undefined),
      { numRuns: 400, seed: 7 },
    );
    const echoed = python(
      "echo",
      values.map((value) => toHex(codec.encode(value))),
    ) as string[];
    values.forEach((value, i) => {
      expect(plainBinary(codec.decode(fromHex(echoed[i]!)))).toStrictEqual(msgpackModel(value));
    });
  });

  it("reads values msgpack-python packed, in every integer width and string, bin and timestamp form", () => {
    const samples = python("samples") as Record<string, string>;
    const decode = (name: string) => codec.decode(fromHex(samples[name]!));
    const expected: Record<string, unknown> = {
      nil: null,
      true: true,
      false: false,
      fixint: 5,
      negative_fixint: -33,
      uint8: 200,
      int16: -300,
      uint32: 4_000_000_000,
      int32_min: -(2 ** 31),
      uint64_two_pow_53: 2 ** 53,
      uint64_above_two_pow_53: 2n ** 53n + 1n,
      uint64_max: 2n ** 64n - 1n,
      int64_min: -(2n ** 63n),
      float64: 1.5,
      float32: Math.fround(0.1),
      infinity: Infinity,
      minus_infinity: -Infinity,
      str_ascii: "hello",
      str_unicode: "h\u00e9llo w\u00f6rld \u2713 \u{1F600}",
      str32: "x".repeat(70_000),
      bin: Uint8Array.from({ length: 256 }, (_, i) => i),
      bin_empty: new Uint8Array(0),
      array: [1, "a", null, [true]],
      array16: Array.from({ length: 20 }, (_, i) => i),
      map: { a: 1, b: [1, 2] },
      map16: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [String(i), i])),
      int_keys: { "1": "a", "2": "b" },
      timestamp32: new Date(1_700_000_000_000),
      timestamp64: new Date(1_700_000_000_123),
      timestamp96: new Date(-500),
    };
    for (const [name, value] of Object.entries(expected)) {
      expect(plainBinary(decode(name)), name).toStrictEqual(value);
    }
    expect(decode("nan")).toBeNaN();
    let nested = decode("nested_64");
    for (let depth = 1; depth < 64; depth++) nested = (nested as unknown[])[0];
    expect(nested).toStrictEqual([]);
  });

  it("refuses msgpack-python's values outside the domain with coded errors", () => {
    const samples = python("samples") as Record<string, string>;
    const codeOf = (name: string) => {
      try {
        codec.decode(fromHex(samples[name]!));
      } catch (error) {
        return (error as CodecError).code;
      }
      return undefined;
    };
    expect(codeOf("nested_65")).toBe("CODEC_MAX_DEPTH");
    expect(codeOf("ext_5")).toBe("CODEC_UNKNOWN_EXTENSION");
    expect(codeOf("proto_key")).toBe("CODEC_FORBIDDEN_KEY");
  });
});
