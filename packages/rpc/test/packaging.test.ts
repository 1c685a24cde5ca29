import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z as z3 } from "zod/v3";
import { defineContract } from "../src/index.js";

const root = new URL("../../../", import.meta.url);
const packages = readdirSync(new URL("packages/", root));

interface Manifest {
  license?: string;
  repository?: { url?: string; directory?: string };
  homepage?: string;
  bugs?: { url?: string };
  keywords?: string[];
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  exports?: Record<string, unknown>;
}

const manifest = (name: string): Manifest =>
  JSON.parse(readFileSync(new URL(`packages/${name}/package.json`, root), "utf8"));

describe("packaging a user can install", () => {
  it("has an MIT LICENSE at the root and in every package", () => {
    expect(readFileSync(new URL("LICENSE", root), "utf8")).toMatch(/^MIT License/);
    for (const name of packages) {
      expect(existsSync(new URL(`packages/${name}/LICENSE`, root)), name).toBe(true);
      expect(manifest(name).license, name).toBe("MIT");
    }
  });

  it("gives every package repository, homepage, bugs and keywords, and caret ranges for runtime deps", () => {
    for (const name of packages) {
      const m = manifest(name);
      expect(m.repository?.directory, name).toBe(`packages/${name}`);
      expect(m.homepage, name).toMatch(/^https:\/\//);
      expect(m.bugs?.url, name).toMatch(/^https:\/\//);
      expect(m.keywords, name).toContain("parley");
      for (const [dep, range] of Object.entries(m.dependencies ?? {})) {
        expect(range, `${name} -> ${dep}`).toMatch(/^\^/);
      }
    }
  });

  it("takes zod as a peer dependency wherever it is used at run time", () => {
    for (const name of ["codec", "rpc"]) {
      expect(manifest(name).peerDependencies?.zod, name).toBe("^4.0.0");
      expect(manifest(name).dependencies?.zod, name).toBeUndefined();
    }
  });

  it("documents each ./internal subpath as unstable", () => {
    for (const name of packages) {
      if (manifest(name).exports?.["./internal"] === undefined) continue;
      const readme = readFileSync(new URL(`packages/${name}/README.md`, root), "utf8");
      expect(readme, name).toContain(`@parley/${name}/internal`);
      expect(readme, name).toMatch(/not a public API/);
    }
  });

  it("refuses a zod 3 schema with a message that names zod 4", () => {
    expect(() =>
      defineContract({
        name: "old",
        version: 1,
        requests: { get: { input: z3.string() as never, output: z3.string() as never } },
      }),
    ).toThrow(
      expect.objectContaining({
        code: "INVALID_OPTION",
        message: expect.stringContaining("zod 4"),
      }),
    );
  });
});
