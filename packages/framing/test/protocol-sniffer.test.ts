import { sniffProtocol } from "@parley/framing";
import { describe, expect, it } from "vitest";
import { describeBytes, diagnose } from "../src/protocol-sniffer.js";
import { frame, utf8 } from "./support.js";

const bytes = (...values: number[]) => Uint8Array.from(values);

describe("sniffProtocol", () => {
  const known: [string, Uint8Array, string][] = [
    ["an HTTP/1.1 GET", utf8("GET / HTTP/1.1\r\n"), "HTTP/1.x"],
    ["an HTTP DELETE", utf8("DELETE /x HTTP/1.1\r\n"), "HTTP/1.x"],
    ["an HTTP OPTIONS", utf8("OPTIONS * HTTP/1.1\r\n"), "HTTP/1.x"],
    ["an HTTP status line", utf8("HTTP/1.0 200 OK\r\n"), "HTTP/1.x"],
    ["the HTTP/2 preface", utf8("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), "HTTP/2"],
    ["a TLS 1.2 ClientHello", bytes(0x16, 0x03, 0x01, 0x00, 0xf4, 0x01), "TLS"],
    ["a TLS alert", bytes(0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28), "TLS"],
    ["a JSON object", utf8('{"method":"ping"}'), "JSON"],
    ["a JSON array after whitespace", utf8(" \n[1,2]"), "JSON"],
    ["an LSP message", utf8("Content-Length: 45\r\n\r\n{}"), "LSP/Content-Length"],
    ["a lower-case Content-Length", utf8("content-length: 2\r\n"), "LSP/Content-Length"],
    ["an SSH banner", utf8("SSH-2.0-OpenSSH_9.6\r\n"), "SSH"],
    ["a PROXY v1 line", utf8("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n"), "PROXY protocol"],
    ["a PROXY v2 signature", utf8("\r\n\r\n\0\r\nQUIT\n"), "PROXY protocol"],
  ];
  for (const [what, input, protocol] of known) {
    it(`recognises ${what} as ${protocol}`, () => {
      expect(sniffProtocol(input)).toBe(protocol);
    });
  }

  it("recognises short samples once enough bytes are present to be telling", () => {
    expect(sniffProtocol(utf8("GET "))).toBe("HTTP/1.x");
    expect(sniffProtocol(utf8("POST"))).toBe("HTTP/1.x");
    expect(sniffProtocol(bytes(0x16, 0x03))).toBe("TLS");
    expect(sniffProtocol(utf8("Cont"))).toBe("LSP/Content-Length");
    expect(sniffProtocol(utf8("GE"))).toBeUndefined();
    expect(sniffProtocol(utf8("PRO"))).toBeUndefined();
  });

  it("names nothing for length-prefixed frames, random binary or near misses", () => {
    expect(sniffProtocol(frame(utf8("hello")))).toBeUndefined();
    expect(sniffProtocol(bytes(0x16, 0x03, 0x09))).toBeUndefined(); // no such TLS version
    expect(sniffProtocol(utf8("GETX / HTTP/1.1"))).toBeUndefined();
    expect(sniffProtocol(utf8("   "))).toBeUndefined();
    expect(sniffProtocol(new Uint8Array(0))).toBeUndefined();
  });
});

describe("first-bytes rendering in messages", () => {
  it("quotes printable bytes with escapes and shows binary as hex", () => {
    expect(describeBytes(utf8("GET /\r\n"))).toBe('"GET /\\r\\n"');
    expect(describeBytes(bytes(0x16, 0x03, 0x01))).toBe("16 03 01");
    expect(describeBytes(utf8("x".repeat(30)), 4)).toBe('"xxxx"...');
  });

  it("diagnoses only bytes that look like a known protocol", () => {
    expect(diagnose(utf8("GET / HTTP/1.1"))).toEqual({
      detectedProtocol: "HTTP/1.x",
      sample: '"GET / HTTP/1.1"',
    });
    expect(diagnose(frame(utf8("hi")))).toEqual({});
    expect(diagnose(new Uint8Array(0))).toEqual({});
  });
});
