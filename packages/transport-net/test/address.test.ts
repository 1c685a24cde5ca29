import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatAddress, parseAddress, type TransportAddress } from "../src/index.js";

describe("parseAddress", () => {
  const good: [string, TransportAddress][] = [
    ["tcp://127.0.0.1:7000", { kind: "tcp", host: "127.0.0.1", port: 7000 }],
    ["tcp://localhost:0", { kind: "tcp", host: "localhost", port: 0 }],
    ["tcp://api.example.com:65535", { kind: "tcp", host: "api.example.com", port: 65535 }],
    ["tcp://[::1]:7000", { kind: "tcp", host: "::1", port: 7000 }],
    ["TCP://[fe80::1%25eth0]:7000", { kind: "tcp", host: "fe80::1%eth0", port: 7000 }],
    ["tls://10.0.0.5:7443", { kind: "tls", host: "10.0.0.5", port: 7443 }],
    ["unix:///run/app.sock", { kind: "unix", path: "/run/app.sock" }],
    ["unix:/run/app.sock", { kind: "unix", path: "/run/app.sock" }],
    ["unix:app.sock", { kind: "unix", path: "app.sock" }],
    ["unix:./run/app.sock", { kind: "unix", path: "./run/app.sock" }],
    ["unix:///tmp/my%20app.sock", { kind: "unix", path: "/tmp/my app.sock" }],
    ["unix-abstract:parley", { kind: "unix-abstract", name: "parley" }],
    ["unix:@parley", { kind: "unix-abstract", name: "parley" }],
  ];
  for (const [url, expected] of good) {
    it(`reads ${url}`, () => {
      expect(parseAddress(url)).toEqual(expected);
    });
  }

  const bad: [string, string][] = [
    ["127.0.0.1:7000", "unsupported scheme"],
    ["localhost", "no scheme"],
    ["http://localhost:80", "unsupported scheme"],
    ["tcp:localhost:7000", 'start with "tcp://"'],
    ["tcp://localhost", "no port"],
    ["tcp://localhost:", "no port"],
    ["tcp://localhost:70000", "not a port number"],
    ["tcp://localhost:7000/path", "not a port number"],
    ["tcp://:7000", "not a valid host"],
    ["tcp://::1:7000", "must be in brackets"],
    ["tcp://[::1]7000", 'no ":port"'],
    ["tcp://[nope]:7000", "not an IPv6 address"],
    ["tcp://999.1.1.1:7000", "not a valid host"],
    ["tcp://user@host:7000", "not a valid host"],
    ["unix://tmp/app.sock", "three slashes"],
    ["unix:", "empty socket path"],
    ["unix:@", "empty abstract name"],
    ["unix-abstract:", "empty abstract name"],
    ["unix:/tmp/%zz", "percent-escape"],
    ["unix:/tmp/a%00b", "NUL"],
  ];
  for (const [url, why] of bad) {
    it(`refuses ${JSON.stringify(url)} with INVALID_ADDRESS (${why})`, () => {
      expect(() => parseAddress(url)).toThrow(
        expect.objectContaining({
          code: "INVALID_ADDRESS",
          retryable: false,
          message: expect.stringContaining(why),
        }),
      );
    });
  }

  it("refuses a value that is not a string with INVALID_ADDRESS", () => {
    expect(() => parseAddress(7000 as unknown as string)).toThrow(
      expect.objectContaining({ code: "INVALID_ADDRESS" }),
    );
  });
});

describe("formatAddress", () => {
  it("writes canonical URLs", () => {
    expect(formatAddress({ kind: "tcp", host: "::1", port: 7000 })).toBe("tcp://[::1]:7000");
    expect(formatAddress({ kind: "tls", host: "example.com", port: 1 })).toBe(
      "tls://example.com:1",
    );
    expect(formatAddress({ kind: "unix", path: "/run/a.sock" })).toBe("unix:///run/a.sock");
    expect(formatAddress({ kind: "unix", path: "a.sock" })).toBe("unix:a.sock");
    expect(formatAddress({ kind: "unix", path: "@a.sock" })).toBe("unix:%40a.sock");
    expect(formatAddress({ kind: "unix-abstract", name: "a" })).toBe("unix-abstract:a");
  });

  it("writes an IPv6 zone id so that parseAddress reads it back", () => {
    const zoned = { kind: "tcp", host: "fe80::1%lo", port: 7000 } as const;
    expect(formatAddress(zoned)).toBe("tcp://[fe80::1%25lo]:7000");
    expect(parseAddress(formatAddress(zoned))).toEqual(zoned);
  });

  it("refuses an address of unknown kind with INVALID_ADDRESS", () => {
    expect(() => formatAddress({ kind: "udp" } as unknown as TransportAddress)).toThrow(
      expect.objectContaining({ code: "INVALID_ADDRESS" }),
    );
  });

  it("round-trips through parseAddress for any path, name, host and port", () => {
    const text = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !s.includes("\0"));
    const hostPort = fc.record({
      kind: fc.constantFrom("tcp" as const, "tls" as const),
      host: fc.oneof(fc.ipV4(), fc.ipV6(), fc.domain()),
      port: fc.integer({ min: 0, max: 65535 }),
    });
    const address = fc.oneof(
      hostPort,
      fc.record({ kind: fc.constant("unix" as const), path: text }),
      fc.record({ kind: fc.constant("unix-abstract" as const), name: text }),
    );
    fc.assert(
      fc.property(address, (a) => {
        expect(parseAddress(formatAddress(a))).toEqual(a);
      }),
      { seed: 42, numRuns: 500 },
    );
  });
});
