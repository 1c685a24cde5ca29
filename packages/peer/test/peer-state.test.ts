import { describe, expect, it } from "vitest";
import { canTransition, PeerState, transition } from "../src/peer-state.js";

describe("peer state machine", () => {
  it("allows only the documented transitions", () => {
    const states = Object.values(PeerState);
    const allowed = states.flatMap((from) =>
      states.filter((to) => canTransition(from, to)).map((to) => `${from}->${to}`),
    );
    expect(allowed.sort()).toEqual(
      [
        "handshaking->open",
        "handshaking->closed",
        "open->closing",
        "open->closed",
        "closing->closed",
      ].sort(),
    );
  });

  it("throws on a transition the table refuses", () => {
    expect(transition("open", "closing")).toBe("closing");
    expect(() => transition("closed", "open")).toThrow("cannot go from closed to open");
    expect(() => transition("closing", "open")).toThrow();
  });
});
