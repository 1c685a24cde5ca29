import { describe, expect, it } from "vitest";
import { Backoff, resolveBackoff } from "../src/backoff.js";

describe("Backoff", () => {
  it("grows each delay by the multiplier up to maxDelayMs when jitter is zero", () => {
    const backoff = new Backoff(
      resolveBackoff({ initialDelayMs: 100, multiplier: 2, maxDelayMs: 1000, jitter: 0 }),
    );
    const delays = Array.from({ length: 6 }, () => backoff.nextDelayMs());
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoff.attempts).toBe(6);
  });

  it("spreads each delay by at most +/- jitter around the base", () => {
    const settings = resolveBackoff({
      initialDelayMs: 1000,
      multiplier: 1,
      maxDelayMs: 10_000,
      jitter: 0.2,
    });
    expect(new Backoff(settings, () => 0).nextDelayMs()).toBe(800);
    expect(new Backoff(settings, () => 0.5).nextDelayMs()).toBe(1000);
    expect(new Backoff(settings, () => 0.999_999).nextDelayMs()).toBe(1200);
  });

  it("starts over from the initial delay after reset", () => {
    const backoff = new Backoff(resolveBackoff({ initialDelayMs: 50, multiplier: 3, jitter: 0 }));
    backoff.nextDelayMs();
    backoff.nextDelayMs();
    backoff.reset();
    expect(backoff.nextDelayMs()).toBe(50);
  });

  it("reports exhaustion after maxAttempts delays", () => {
    const backoff = new Backoff(resolveBackoff({ maxAttempts: 2, jitter: 0 }));
    expect(backoff.exhausted).toBe(false);
    backoff.nextDelayMs();
    backoff.nextDelayMs();
    expect(backoff.exhausted).toBe(true);
  });

  it.each([
    [{ initialDelayMs: -1 }, "reconnect.initialDelayMs"],
    [{ maxDelayMs: Number.NaN }, "reconnect.maxDelayMs"],
    [{ multiplier: 0.5 }, "reconnect.multiplier"],
    [{ jitter: 1.5 }, "reconnect.jitter"],
    [{ maxAttempts: 0 }, "reconnect.maxAttempts"],
  ])("rejects %o with INVALID_OPTION naming the option", (options, name) => {
    expect(() => resolveBackoff(options)).toThrow(
      expect.objectContaining({ code: "INVALID_OPTION", message: expect.stringContaining(name) }),
    );
  });
});
