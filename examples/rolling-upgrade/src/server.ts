// One server process: `server.ts <version> <port>` serves kv v1 or v2 on 127.0.0.1:<port> (0: any
// free port), prints its URL as its first line, and closes gracefully (Bye) on SIGTERM.
import { serve } from "@parley/rpc";
import { kvV1, kvV2 } from "./contract.js";

const [version = "1", port = "0"] = process.argv.slice(2);
const data = new Map<string, string>();
const v1Handlers = {
  get: ({ key }: { key: string }) => ({ value: data.get(key) ?? "", etag: `v${version}` }),
  put: ({ key, value }: { key: string; value: string }) => {
    data.set(key, value);
    return null;
  },
};
const url = `tcp://127.0.0.1:${port}`;
const server =
  version === "2"
    ? await serve({
        url,
        contract: kvV2,
        handlers: { ...v1Handlers, remove: ({ key }) => data.delete(key) },
      })
    : await serve({ url, contract: kvV1, handlers: v1Handlers });
console.log(server.url);
process.once("SIGTERM", () => {
  server.close().then(() => process.exit(0));
});
