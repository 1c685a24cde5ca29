/**
 * Recognises well-known protocols from the first bytes of a stream, so that a framing error can say
 * "peer appears to speak HTTP/1.x; wrong port?" instead of reporting a length of 1195725856 (which
 * is just `GET ` read as a big-endian integer). Only error paths call it: it is never on the hot path.
 */

interface Signature {
  readonly protocol: string;
  readonly bytes: Uint8Array;
  /** Fewest bytes that must be present and match before a short sample counts as this protocol. */
  readonly minBytes: number;
  readonly caseInsensitive?: boolean;
}

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const sig = (protocol: string, text: string, minBytes: number, caseInsensitive = false) => ({
  protocol,
  bytes: ascii(text),
  minBytes,
  caseInsensitive,
});

const HTTP_METHODS = [
  "GET",
  "POST",
  "PUT",
  "HEAD",
  "DELETE",
  "OPTIONS",
  "PATCH",
  "CONNECT",
  "TRACE",
];

// Checked in order; the first match wins.
const SIGNATURES: readonly Signature[] = [
  sig("HTTP/2", "PRI * HTTP/2.0\r\n", 4),
  ...HTTP_METHODS.map((m) => sig("HTTP/1.x", `${m} `, Math.min(4, m.length + 1))),
  sig("HTTP/1.x", "HTTP/1.", 4),
  sig("LSP/Content-Length", "content-length:", 4, true),
  sig("LSP/Content-Length", "content-type:", 9, true),
  sig("SSH", "SSH-", 4),
  sig("PROXY protocol", "PROXY ", 6),
  sig("PROXY protocol", "\r\n\r\n\0\r\nQUIT\n", 6),
];

/**
 * Names the protocol the given first bytes of a stream appear to be, or `undefined`.
 *
 * Recognises `"HTTP/1.x"` (request methods, `HTTP/1.` status lines), `"HTTP/2"` (the client
 * preface), `"TLS"` (a handshake or alert record, `16 03` / `15 03`), `"JSON"` (`{` or `[` after
 * optional whitespace), `"LSP/Content-Length"` (a `Content-Length:` header, as vscode-jsonrpc and
 * LSP send), `"SSH"` and `"PROXY protocol"` (v1 and v2). A sample shorter than a signature matches
 * when the bytes present agree with it and there are enough of them to be telling (4 for most).
 *
 * @example
 * sniffProtocol(new TextEncoder().encode("GET / HTTP/1.1\r\n")); // "HTTP/1.x"
 */
export function sniffProtocol(bytes: Uint8Array): string | undefined {
  if (bytes.length >= 2 && (bytes[0] === 0x16 || bytes[0] === 0x15) && bytes[1] === 0x03) {
    // Record type handshake/alert, major version 3 (SSL 3.0 to TLS 1.3 all say 3 here).
    if (bytes.length === 2 || bytes[2]! <= 0x04) return "TLS";
  }
  for (const s of SIGNATURES) if (matches(bytes, s)) return s.protocol;
  return looksLikeJson(bytes) ? "JSON" : undefined;
}

/**
 * Renders the first bytes of a stream for an error message: quoted text with escapes when they are
 * printable ASCII, otherwise hex pairs.
 */
export function describeBytes(bytes: Uint8Array, maxBytes = 24): string {
  const shown = bytes.subarray(0, maxBytes);
  const more = bytes.length > maxBytes ? "..." : "";
  let printable = true;
  for (const b of shown)
    if ((b < 0x20 || b > 0x7e) && b !== 0x0a && b !== 0x0d && b !== 0x09) {
      printable = false;
    }
  if (printable) return `${JSON.stringify(String.fromCharCode(...shown))}${more}`;
  const hex = Array.from(shown, (b) => b.toString(16).padStart(2, "0")).join(" ");
  return `${hex}${more}`;
}

function matches(bytes: Uint8Array, s: Signature): boolean {
  const n = Math.min(bytes.length, s.bytes.length);
  if (n < s.minBytes) return false;
  for (let i = 0; i < n; i++) {
    let b = bytes[i]!;
    if (s.caseInsensitive && b >= 0x41 && b <= 0x5a) b += 0x20;
    if (b !== s.bytes[i]) return false;
  }
  return true;
}

function looksLikeJson(bytes: Uint8Array): boolean {
  for (const b of bytes) {
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue;
    return b === 0x7b || b === 0x5b; // "{" or "["
  }
  return false;
}

/** How many of a stream's first bytes a decoder keeps in view for {@link diagnose}. */
export const SNIFF_BYTES = 64;

/**
 * Error options describing the stream's first bytes when they look like a known protocol (the
 * message then leads with it), or none. Empty `bytes` (not the first frame) gives none.
 */
export function diagnose(bytes: Uint8Array): { detectedProtocol?: string; sample?: string } {
  const detectedProtocol = bytes.length === 0 ? undefined : sniffProtocol(bytes);
  return detectedProtocol === undefined ? {} : { detectedProtocol, sample: describeBytes(bytes) };
}
