import { describe, expect, it } from "vitest";
import { fnv1a, NameStringCache, readUtf8 } from "../src/byte-strings.js";

const utf8 = (text: string) => new TextEncoder().encode(text);

/** Two different ASCII names with the same FNV-1a hash (found by a birthday search). */
const COLLIDING: [string, string] = ["m4vl8", "mlpd6"];

describe("NameStringCache", () => {
  it("decodes names as readUtf8 does, at any offset, and returns the same string on a hit", () => {
    const cache = new NameStringCache();
    const frame = utf8("xxechoyyécho");
    const first = cache.get(frame, 2, 6);
    expect(first).toBe("echo");
    expect(cache.get(utf8("echo"), 0, 4)).toBe(first);
    expect(cache.get(frame, 8, frame.length)).toBe(readUtf8(frame, 8, frame.length));
    expect(cache.get(frame, 0, 0)).toBe("");
  });

  it("never confuses two names whose hashes collide", () => {
    const [a, b] = COLLIDING;
    expect(fnv1a(utf8(a), 0, a.length)).toBe(fnv1a(utf8(b), 0, b.length));
    const cache = new NameStringCache();
    expect(cache.get(utf8(a), 0, a.length)).toBe(a);
    expect(cache.get(utf8(b), 0, b.length)).toBe(b);
    expect(cache.get(utf8(a), 0, a.length)).toBe(a);
  });

  it("keeps its own copy of the bytes: reusing the input buffer changes nothing", () => {
    const cache = new NameStringCache();
    const bytes = utf8("add");
    expect(cache.get(bytes, 0, 3)).toBe("add");
    bytes.set(utf8("sub"));
    expect(cache.get(bytes, 0, 3)).toBe("sub");
  });

  it("stops adding names at its capacity and still decodes every name", () => {
    const cache = new NameStringCache(2);
    const names = ["a", "b", "c", "d"];
    for (const name of names) expect(cache.get(utf8(name), 0, 1)).toBe(name);
    for (const name of names) expect(cache.get(utf8(name), 0, 1)).toBe(name);
    expect((cache as unknown as { entries: Map<number, unknown> }).entries.size).toBe(2);
  });

  it("refuses invalid UTF-8 and caches nothing for it", () => {
    const cache = new NameStringCache();
    const bad = Uint8Array.of(0x6d, 0xff);
    expect(() => cache.get(bad, 0, 2)).toThrow(TypeError);
    expect(() => cache.get(bad, 0, 2)).toThrow(TypeError);
  });
});
