/**
 * A bounds-checked cursor over the fixed fields of a frame's payload, in place: the payload is
 * `bytes[at, end)` of the chunk that holds it, so no view of it is made. Every read past `end` is a
 * {@link ProtocolError} naming the frame's kind.
 */
import type { AuthReader } from "./auth-frame.js";
import { type NameStringCache, readUtf8 } from "./byte-strings.js";
import { ProtocolError } from "./errors.js";
import type { MemberReader } from "./hello-members.js";
import { KIND_NAMES } from "./wire-constants.js";
import type { Metadata } from "./wire-messages.js";

/** Reads a u32 big-endian at `p` (multiplying the top byte keeps it unsigned). */
export function readU32(bytes: Uint8Array, p: number): number {
  return bytes[p]! * 0x100_0000 + ((bytes[p + 1]! << 16) | (bytes[p + 2]! << 8) | bytes[p + 3]!);
}

/** Bounds-checked cursor over the fields of the payload `bytes[start, end)`, from `at` on. */
export class FrameReader implements MemberReader, AuthReader {
  constructor(
    private readonly bytes: Uint8Array,
    private readonly start: number,
    public at: number,
    private readonly end: number,
    private readonly kind: number,
  ) {}

  u8(): number {
    this.need(1);
    return this.bytes[this.at++]!;
  }

  u32(): number {
    this.need(4);
    const value = readU32(this.bytes, this.at);
    this.at += 4;
    return value;
  }

  u16(): number {
    this.need(2);
    const value = (this.bytes[this.at]! << 8) | this.bytes[this.at + 1]!;
    this.at += 2;
    return value;
  }

  take(n: number): Uint8Array {
    this.need(n);
    this.at += n;
    return new Uint8Array(this.bytes.subarray(this.at - n, this.at));
  }

  /** `n` bytes as 2n lowercase hex digits. */
  hex(n: number): string {
    this.need(n);
    let out = "";
    for (let i = 0; i < n; i++) out += hex(this.bytes[this.at++]!);
    return out;
  }

  get remaining(): number {
    return this.end - this.at;
  }

  fail(message: string): never {
    throw new ProtocolError(message);
  }

  str8(): string {
    return this.text(this.u8());
  }

  /** A str8 field holding a method or signal name, looked up in `names` by its bytes. */
  name(names: NameStringCache): string {
    return this.text(this.u8(), names);
  }

  str16(): string {
    return this.text(this.u16());
  }

  /** The metadata block; its keys are looked up in `keys` (frame-parser.ts says why). */
  metadata(keys?: NameStringCache): Metadata {
    const count = this.u8();
    // A null prototype: keys come from the network ("__proto__" must stay a plain key).
    const out: Record<string, string> = Object.create(null);
    for (let i = 0; i < count; i++) {
      const size = this.u8();
      if (size === 0)
        this.fail(`${this.kindName()} holds an empty metadata key (keys are 1 to 255 bytes)`);
      out[this.text(size, keys)] = this.str16();
    }
    return out;
  }

  private text(n: number, names?: NameStringCache): string {
    this.need(n);
    const start = this.at;
    this.at += n;
    try {
      return names === undefined
        ? readUtf8(this.bytes, start, this.at)
        : names.get(this.bytes, start, this.at);
    } catch (cause) {
      throw new ProtocolError(`${this.kindName()} holds a string that is not valid UTF-8`, {
        cause,
      });
    }
  }

  private need(n: number): void {
    if (this.at + n > this.end) {
      throw new ProtocolError(
        `${this.kindName()} frame is truncated: a field needs ${n} bytes at offset ` +
          `${this.at - this.start} but the frame has ${this.end - this.start}`,
      );
    }
  }

  private kindName(): string {
    return KIND_NAMES[this.kind] ?? "frame";
  }
}

/** `byte` as two lowercase hex digits. */
export function hex(byte: number): string {
  return byte.toString(16).padStart(2, "0");
}
