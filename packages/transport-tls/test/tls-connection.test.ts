import { generateTestCertificates, type TestCertificates } from "@parley/testkit";
import { beforeAll, describe, expect, it } from "vitest";
import { TlsConnection } from "../src/index.js";
import { connectTo, echoServer } from "./helpers/tls-servers.js";

const LABEL = "EXPORTER-parley-auth";
let certs: TestCertificates;
beforeAll(() => {
  certs = generateTestCertificates();
});

/** Waits until the listener has accepted `count` connections. */
async function accepted(list: readonly unknown[], count: number): Promise<void> {
  await expect.poll(() => list.length).toBeGreaterThanOrEqual(count);
}

describe("TlsConnection.exportKeyingMaterial", () => {
  it("gives both ends of one TLS session the same bytes, and another session different ones", async () => {
    const { listener, accepted: servers } = await echoServer(certs);
    const first = await connectTo(listener, certs);
    const second = await connectTo(listener, certs);
    await accepted(servers, 2);
    expect(first).toBeInstanceOf(TlsConnection);
    expect(servers[0]).toBeInstanceOf(TlsConnection);
    const [a, b] = [first, second].map((c) =>
      Buffer.from((c as TlsConnection).exportKeyingMaterial(32, LABEL)!),
    );
    const [sa, sb] = servers.map((c) =>
      Buffer.from((c as TlsConnection).exportKeyingMaterial(32, LABEL)!),
    );
    expect(a!.length).toBe(32);
    expect(a!.equals(sa!)).toBe(true);
    expect(b!.equals(sb!)).toBe(true);
    expect(a!.equals(b!)).toBe(false);
    // Another label exports other bytes from the same session.
    const other = Buffer.from((first as TlsConnection).exportKeyingMaterial(32, "EXPORTER-other")!);
    expect(other.equals(a!)).toBe(false);
    // Once the session is gone there is nothing to export, and no throw.
    first.reset();
    await expect.poll(() => first.closed).toBe(true);
    expect((first as TlsConnection).exportKeyingMaterial(32, LABEL)).toBeUndefined();
  });
});
