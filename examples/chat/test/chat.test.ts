import { describe, expect, it } from "vitest";
import { run } from "../src/main.js";

describe("chat example", () => {
  it("carries each member's lines up and the room's lines down on one call each", async () => {
    const lines: string[] = [];
    const { alice, bob } = await run((line) => lines.push(line));
    expect(alice.sent).toBe(2);
    expect(bob.sent).toBe(2);
    expect(alice.seen.slice(0, 2)).toEqual(["room: alice joined", "room: bob joined"]);
    expect(bob.seen[0]).toBe("room: bob joined");
    for (const seen of [alice.seen, bob.seen]) {
      expect(seen).toEqual(
        expect.arrayContaining([
          "alice: hi bob",
          "alice: how are you?",
          "bob: hi alice",
          "bob: fine, thanks",
        ]),
      );
      // Each member's own lines arrive in the order said.
      expect(seen.indexOf("alice: hi bob")).toBeLessThan(seen.indexOf("alice: how are you?"));
      expect(seen.indexOf("bob: hi alice")).toBeLessThan(seen.indexOf("bob: fine, thanks"));
    }
    expect(lines.at(-1)).toBe("alice sent 2, bob sent 2");
  });
});
