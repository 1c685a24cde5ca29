import { createMemoryPair } from "@parley/testkit";
import { describe, expect, it } from "vitest";
import { createPeer, type PeerOptions } from "../src/index.js";
import { checkPeerOptions } from "../src/internal.js";

describe("unknown peer options", () => {
  it("createPeer refuses an unknown option with INVALID_OPTION naming the nearest known one", () => {
    const [connection] = createMemoryPair();
    expect(() => createPeer(connection, { maxFrmaeBytes: 65_536 } as PeerOptions)).toThrow(
      expect.objectContaining({
        code: "INVALID_OPTION",
        message: 'createPeer() has no option "maxFrmaeBytes"; did you mean maxFrameBytes?',
      }),
    );
  });

  it("checkPeerOptions refuses them the same way", () => {
    expect(() => checkPeerOptions({ authTokn: "x" } as PeerOptions)).toThrow(
      expect.objectContaining({
        code: "INVALID_OPTION",
        message: expect.stringContaining("did you mean authToken?"),
      }),
    );
    expect(() => checkPeerOptions({ frobnicate: true } as PeerOptions)).toThrow(
      expect.objectContaining({
        code: "INVALID_OPTION",
        message: 'createPeer() has no option "frobnicate"',
      }),
    );
  });

  it("ignores an unknown key set to undefined (a spread config)", () => {
    expect(() => checkPeerOptions({ notAnOption: undefined } as PeerOptions)).not.toThrow();
  });
});
