// A client stream: the client uploads a file in chunks and shows progress; the server hashes what
// arrives and answers with the size and SHA-256 once the input ends. The client's generator is
// pulled only as the server grants credit, so "sent" progress follows what the server has room for.
import { createHash, randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { connect, defineContract, serve, z } from "@parley/rpc";

/** The contract both ends share: an upload has no deadline (a reviewed choice: files can be big). */
export const files = defineContract({
  name: "files",
  version: 1,
  requests: {
    upload: {
      input: z.object({ name: z.string() }),
      accepts: z.instanceof(Uint8Array),
      output: z.object({ bytes: z.number(), sha256: z.string() }),
      timeoutMs: Number.POSITIVE_INFINITY,
    },
  },
});

const CHUNK_BYTES = 64 * 1024;

/** The chunks of `data`, reporting each as it is taken for sending. */
async function* chunks(data: Uint8Array<ArrayBuffer>, onProgress: (sent: number) => void) {
  for (let at = 0; at < data.length; at += CHUNK_BYTES) {
    const chunk = data.subarray(at, Math.min(at + CHUNK_BYTES, data.length));
    yield chunk;
    onProgress(at + chunk.length);
  }
}

/** What the example did, for its test. */
export interface Result {
  size: number;
  localSha256: string;
  reply: { bytes: number; sha256: string };
  progress: number[];
}

/** Uploads 8 MiB of random bytes to a local server, then closes both ends. */
export async function run(log: (line: string) => void): Promise<Result> {
  const server = await serve({
    url: "tcp://127.0.0.1:0",
    contract: files,
    handlers: {
      async upload({ name }, ctx) {
        const hash = createHash("sha256");
        let bytes = 0;
        for await (const chunk of ctx.inputs) {
          hash.update(chunk);
          bytes += chunk.length;
        }
        log(`server: ${name} complete`);
        return { bytes, sha256: hash.digest("hex") };
      },
    },
  });
  const client = await connect({ url: server.url, contract: files });

  const data = randomBytes(8 * 1024 * 1024);
  const progress: number[] = [];
  let lastPercent = -1;
  const reply = await client.call.upload(
    { name: "backup.bin" },
    {
      inputs: chunks(data, (sent) => {
        progress.push(sent);
        const percent = Math.floor((sent / data.length) * 4) * 25;
        if (percent !== lastPercent) log(`sent ${percent}%`);
        lastPercent = percent;
      }),
    },
  );
  const localSha256 = createHash("sha256").update(data).digest("hex");
  log(`uploaded ${reply.bytes} bytes, sha256 matches: ${reply.sha256 === localSha256}`);

  await client.close();
  await server.close();
  return { size: data.length, localSha256, reply, progress };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await run(console.log);
}
