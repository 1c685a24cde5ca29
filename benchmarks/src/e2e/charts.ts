/**
 * Charts of a run's headline points as Mermaid `xychart-beta` blocks: GitHub and most markdown
 * viewers draw them from the text, so a chart is a few lines of the report instead of an SVG
 * renderer kept beside it, and its numbers stay readable where Mermaid is not rendered.
 */
import type { TransportKind } from "../systems/system.js";
import { formatBytes } from "./format.js";
import type { MedianFigures, RunResults } from "./results.js";

/** The points charted, when the run measured them: small-call throughput, blobs, latency. */
const HEADLINES: readonly {
  concurrency: number;
  payloadBytes: number;
  what: string;
  value: (m: MedianFigures) => number;
}[] = [
  {
    concurrency: 256,
    payloadBytes: 1024,
    what: "requests per second",
    value: (m) => m.requestsPerSecond,
  },
  {
    concurrency: 64,
    payloadBytes: 65536,
    what: "requests per second",
    value: (m) => m.requestsPerSecond,
  },
  {
    concurrency: 1,
    payloadBytes: 1024,
    what: "p50 latency, µs (lower is better)",
    value: (m) => m.p50Us,
  },
];

const TRANSPORT_LABEL: Record<TransportKind, string> = { tcp: "TCP", unix: "Unix socket" };

/** One bar chart per headline point and transport measured: one bar per system with a figure. */
export function charts(results: RunResults): string[] {
  return HEADLINES.flatMap(({ concurrency, payloadBytes, what, value }) =>
    results.points
      .filter((p) => p.concurrency === concurrency && p.payloadBytes === payloadBytes)
      .flatMap((p) => {
        const bars = p.systems.flatMap((r) => {
          const label = results.systems.find((s) => s.name === r.system)?.label ?? r.system;
          return r.median === undefined ? [] : [{ label, value: Math.round(value(r.median)) }];
        });
        if (bars.length === 0) return [];
        const title = `${TRANSPORT_LABEL[p.transport]}, c=${concurrency}, ${formatBytes(payloadBytes)}: ${what}`;
        return [
          [
            "```mermaid",
            "xychart-beta",
            `  title "${title}"`,
            `  x-axis [${bars.map((b) => `"${b.label.replace(/"/g, "'")}"`).join(", ")}]`,
            `  bar [${bars.map((b) => b.value).join(", ")}]`,
            "```",
          ].join("\n"),
        ];
      }),
  );
}
