// A server in its own process that records each executed call id in a ledger file, so a test can
// SIGKILL it (or SIGTERM it: a graceful server.close()) and still know what ran.
// Arguments: <url> <ledger path>. Prints its URL on stdout.
import { CallLedger } from "@parley/testkit";
import { serve } from "../../src/index.js";
import { ledgerContract } from "../chaos-fixtures.js";

const ledger = CallLedger.open(process.argv[3]!);
const server = await serve({
  url: process.argv[2]!,
  contract: ledgerContract,
  handlers: {
    run: async ({ id, ms }) => {
      ledger.record(id);
      if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
      return id;
    },
  },
});
process.once("SIGTERM", async () => {
  await server.close();
  ledger.close();
  process.exit(0);
});
process.stdout.write(`${server.url}\n`);
