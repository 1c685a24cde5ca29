import { describe, expect, it } from "vitest";
import {
  canTransition,
  checkedTransition,
  EngineState,
  engineTransition,
  PUBLIC_STATE,
} from "../src/peer-state.js";

describe("engine state machine", () => {
  it("allows only forward moves, each one the public table allows too", () => {
    const states = Object.values(EngineState);
    const allowed: string[] = [];
    for (const from of states) {
      for (const to of states) {
        try {
          engineTransition(from, from, to);
          allowed.push(`${from}->${to}`);
        } catch {}
      }
    }
    expect(allowed.sort()).toEqual(
      [
        "handshaking->open",
        "handshaking->failed",
        "open->closing",
        "open->failed",
        "closing->finishing",
        "closing->failed",
        "finishing->failed",
        "finishing->closed",
        "failed->closed",
      ].sort(),
    );
    for (const move of allowed) {
      const [from, to] = move.split("->") as [EngineState, EngineState];
      const publicFrom = PUBLIC_STATE[from];
      const publicTo = PUBLIC_STATE[to];
      expect(publicFrom === publicTo || canTransition(publicFrom, publicTo), move).toBe(true);
    }
  });

  it("throws when the state is not the one the caller expected", () => {
    expect(engineTransition("open", ["handshaking", "open"], "closing")).toBe("closing");
    expect(() => engineTransition("open", "handshaking", "failed")).toThrow(
      "peer engine state cannot go from open to failed",
    );
    expect(() => checkedTransition("Bye handshake", "idle", "sent", "exchanged")).toThrow(
      "Bye handshake state cannot go from idle to exchanged",
    );
  });
});
