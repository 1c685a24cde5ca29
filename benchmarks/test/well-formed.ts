/** Structural checks for the generated files, shared by the tests. */

/** Problems with an SVG document: unbalanced tags, or text outside the root element. */
export function svgProblems(svg: string): string[] {
  const problems: string[] = [];
  if (!svg.startsWith("<svg ") || !svg.trimEnd().endsWith("</svg>")) {
    problems.push("document is not a single <svg> element");
  }
  if (!svg.includes('xmlns="http://www.w3.org/2000/svg"')) problems.push("missing SVG namespace");
  const stack: string[] = [];
  for (const match of svg.matchAll(/<(\/?)([a-zA-Z][\w:-]*)([^>]*?)(\/?)>/g)) {
    const [, closing, name, , selfClosing] = match;
    if (selfClosing === "/") continue;
    if (closing === "/") {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open ?? "nothing"}>`);
    } else stack.push(name!);
  }
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(", ")}`);
  // A bare "&" or "<" in text would make the XML invalid.
  if (/&(?!amp;|lt;|gt;|quot;|#\d+;)/.test(svg)) problems.push("unescaped &");
  return problems;
}

/** Problems with the markdown tables of a document: rows whose cell count differs from the header. */
export function markdownTableProblems(markdown: string): string[] {
  const problems: string[] = [];
  const lines = markdown.split("\n");
  const cells = (line: string): number => line.replace(/\\\|/g, "").split("|").length - 2;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const separator = lines[i + 1];
    if (!line.startsWith("|") || separator === undefined || !/^\|( --- \|)+$/.test(separator))
      continue;
    const width = cells(line);
    if (cells(separator) !== width) problems.push(`line ${i + 2}: separator width`);
    for (let j = i + 2; j < lines.length && lines[j]!.startsWith("|"); j++) {
      if (cells(lines[j]!) !== width)
        problems.push(`line ${j + 1}: ${cells(lines[j]!)} cells, header has ${width}`);
    }
  }
  return problems;
}

/** Number of markdown tables in a document. */
export function tableCount(markdown: string): number {
  return markdown.split("\n").filter((line) => /^\|( --- \|)+$/.test(line)).length;
}
