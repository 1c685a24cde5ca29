/** Structural checks for the generated markdown, shared by the tests. */

const SEPARATOR = /^\|( -{3,} \|)+$/;

/** Problems with the markdown tables of a document: rows whose cell count differs from the header. */
export function markdownTableProblems(markdown: string): string[] {
  const problems: string[] = [];
  const lines = markdown.split("\n");
  const cells = (line: string): number => line.replace(/\\\|/g, "").split("|").length - 2;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const separator = lines[i + 1];
    if (!line.startsWith("|") || separator === undefined || !SEPARATOR.test(separator)) continue;
    const width = cells(line);
    if (cells(separator) !== width) problems.push(`line ${i + 2}: separator width`);
    for (let j = i + 2; j < lines.length && lines[j]!.startsWith("|"); j++) {
      if (cells(lines[j]!) !== width)
        problems.push(`line ${j + 1}: ${cells(lines[j]!)} cells, header has ${width}`);
    }
  }
  return problems;
}

/** The tables of a report of a TCP-only run, by their headings, in order. */
export const TCP_REPORT_TABLES = [
  "Goals",
  "Requests per second, TCP loopback (× raw node:net)",
  "Latency p50 / p99 / p99.9, TCP loopback",
  "CPU µs per call, client / server, TCP loopback",
  "Systems",
];

/** Headings of the tables of a document, in order (the heading line above each table). */
export function tableHeadings(markdown: string): string[] {
  const lines = markdown.split("\n");
  const headings: string[] = [];
  let heading = "";
  for (const [i, line] of lines.entries()) {
    if (line.startsWith("#")) heading = line.replace(/^#+ /, "");
    if (SEPARATOR.test(line) && lines[i - 1]?.startsWith("|")) headings.push(heading);
  }
  return headings;
}
