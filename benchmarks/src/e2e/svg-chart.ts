/**
 * A small SVG writer for grouped bar charts on a log scale, with optional whisker marks above each
 * bar (used for latency: the bar is p50, the marks p99 and p99.9). Plain SVG 1.1, no scripts, no
 * external fonts, a white background so it reads the same in light and dark themes.
 */

/** One bar: its height value and optional marks drawn above it. */
export interface BarValue {
  readonly value: number;
  readonly marks?: readonly number[];
  /** Hover text. */
  readonly tooltip?: string;
}

/** One system's bars, one per group (`null` where it has no figure). */
export interface BarSeries {
  readonly name: string;
  readonly color: string;
  readonly values: readonly (BarValue | null)[];
}

/** What to draw. */
export interface BarChartSpec {
  readonly title: string;
  /** Lines under the title (what is plotted, the machine). */
  readonly subtitle?: readonly string[];
  /** Group labels, one or more lines each. */
  readonly groups: readonly (readonly string[])[];
  readonly series: readonly BarSeries[];
  readonly yLabel: string;
  readonly formatTick: (value: number) => string;
}

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';
const BAR = 10;
const BAR_GAP = 1;
const GROUP_GAP = 18;
const PLOT_HEIGHT = 300;
const LEFT = 78;
const RIGHT = 16;
const LEGEND_ROW = 18;
const CHAR_WIDTH = 6.5; // average glyph width at 12px, for laying out the legend

/** Escapes text for SVG content and attributes. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

const fixed = (value: number): string => String(Math.round(value * 10) / 10);

/** Decade bounds covering every value (at least one decade). */
function logDomain(spec: BarChartSpec): [number, number] {
  const all = spec.series.flatMap((s) =>
    s.values.flatMap((v) => (v === null ? [] : [v.value, ...(v.marks ?? [])])),
  );
  const positive = all.filter((v) => v > 0 && Number.isFinite(v));
  if (positive.length === 0) return [1, 10];
  const lo = 10 ** Math.floor(Math.log10(Math.min(...positive)));
  let hi = 10 ** Math.ceil(Math.log10(Math.max(...positive)));
  if (hi <= lo) hi = lo * 10;
  return [lo, hi];
}

function legend(
  series: readonly BarSeries[],
  width: number,
  top: number,
): { svg: string; rows: number } {
  const parts: string[] = [];
  let x = LEFT;
  let row = 0;
  for (const s of series) {
    const itemWidth = 18 + s.name.length * CHAR_WIDTH + 16;
    if (x + itemWidth > width - RIGHT && x > LEFT) {
      row++;
      x = LEFT;
    }
    const y = top + row * LEGEND_ROW;
    parts.push(
      `<rect x="${fixed(x)}" y="${y - 10}" width="12" height="12" fill="${s.color}"/>`,
      `<text x="${fixed(x + 17)}" y="${y}" font-size="12">${escapeXml(s.name)}</text>`,
    );
    x += itemWidth;
  }
  return { svg: parts.join(""), rows: row + 1 };
}

/** Renders the chart as an SVG document. */
export function barChart(spec: BarChartSpec): string {
  const barsWidth = spec.series.length * (BAR + BAR_GAP);
  const subtitle = spec.subtitle ?? [];
  const textWidth = Math.max(
    spec.title.length * 9,
    ...subtitle.map((line) => line.length * CHAR_WIDTH),
  );
  const width = Math.ceil(
    Math.max(
      560,
      LEFT + RIGHT + spec.groups.length * (barsWidth + GROUP_GAP),
      16 + textWidth + RIGHT,
    ),
  );
  // Groups share the plot's width; bars keep their width and sit in the middle of their group.
  const groupWidth = (width - LEFT - RIGHT) / Math.max(1, spec.groups.length);
  const titleBlock = 30 + subtitle.length * 16;
  const legendBlock = legend(spec.series, width, titleBlock + 14);
  const top = titleBlock + legendBlock.rows * LEGEND_ROW + 12;
  const labelLines = Math.max(1, ...spec.groups.map((g) => g.length));
  const height = top + PLOT_HEIGHT + 14 + labelLines * 14 + 8;
  const [lo, hi] = logDomain(spec);
  const y = (value: number): number => {
    const clamped = Math.min(Math.max(value, lo), hi);
    const share = (Math.log10(clamped) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
    return top + PLOT_HEIGHT * (1 - share);
  };
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="16" y="22" font-size="15" font-weight="600">${escapeXml(spec.title)}</text>`,
  ];
  subtitle.forEach((line, i) => {
    const lineY = 40 + i * 16;
    out.push(`<text x="16" y="${lineY}" font-size="12" fill="#555555">${escapeXml(line)}</text>`);
  });
  out.push(legendBlock.svg);
  // Grid and y axis: one line per decade, lighter lines at 2× and 5×.
  for (let decade = lo; decade <= hi * 1.0001; decade *= 10) {
    const yy = fixed(y(decade));
    out.push(
      `<line x1="${LEFT}" y1="${yy}" x2="${width - RIGHT}" y2="${yy}" stroke="#cccccc"/>`,
      `<text x="${LEFT - 6}" y="${yy}" font-size="11" text-anchor="end" dominant-baseline="middle">${escapeXml(spec.formatTick(decade))}</text>`,
    );
    for (const minor of [2, 5]) {
      if (decade * minor >= hi) continue;
      const ym = fixed(y(decade * minor));
      out.push(`<line x1="${LEFT}" y1="${ym}" x2="${width - RIGHT}" y2="${ym}" stroke="#eeeeee"/>`);
    }
  }
  const midY = top + PLOT_HEIGHT / 2;
  out.push(
    `<text x="16" y="${midY}" font-size="12" text-anchor="middle" transform="rotate(-90 16 ${midY})">${escapeXml(spec.yLabel)}</text>`,
  );
  spec.groups.forEach((lines, g) => {
    const x0 = LEFT + g * groupWidth + (groupWidth - barsWidth) / 2;
    spec.series.forEach((s, i) => {
      const v = s.values[g];
      if (v === null || v === undefined || !(v.value > 0)) return;
      out.push(bar(x0 + i * (BAR + BAR_GAP), v, s.color, y, top + PLOT_HEIGHT));
    });
    const cx = fixed(LEFT + g * groupWidth + groupWidth / 2);
    lines.forEach((line, l) => {
      const ly = top + PLOT_HEIGHT + 16 + l * 14;
      out.push(
        `<text x="${cx}" y="${ly}" font-size="11" text-anchor="middle">${escapeXml(line)}</text>`,
      );
    });
  });
  out.push(
    `<line x1="${LEFT}" y1="${top + PLOT_HEIGHT}" x2="${width - RIGHT}" y2="${top + PLOT_HEIGHT}" stroke="#333333"/>`,
    "</svg>",
  );
  return `${out.join("\n")}\n`;
}

function bar(
  x: number,
  v: BarValue,
  color: string,
  y: (value: number) => number,
  base: number,
): string {
  const top = y(v.value);
  const title = v.tooltip === undefined ? "" : `<title>${escapeXml(v.tooltip)}</title>`;
  const parts = [
    `<g>${title}<rect x="${fixed(x)}" y="${fixed(top)}" width="${BAR}" height="${fixed(Math.max(0.5, base - top))}" fill="${color}"/>`,
  ];
  const marks = (v.marks ?? []).filter((m) => m > 0);
  if (marks.length > 0) {
    const cx = fixed(x + BAR / 2);
    const highest = fixed(y(Math.max(...marks)));
    parts.push(`<line x1="${cx}" y1="${fixed(top)}" x2="${cx}" y2="${highest}" stroke="#333333"/>`);
    for (const mark of marks) {
      const my = fixed(y(mark));
      parts.push(
        `<line x1="${fixed(x + 1)}" y1="${my}" x2="${fixed(x + BAR - 1)}" y2="${my}" stroke="#333333"/>`,
      );
    }
  }
  parts.push("</g>");
  return parts.join("");
}
