// A server in its own process, so a test can SIGKILL it. Prints its URL on stdout.
import { serve } from "../../src/index.js";
import { testContract, testHandlers } from "../fixtures.js";

const server = await serve({
  url: process.argv[2] ?? "tcp://127.0.0.1:0",
  contract: testContract,
  handlers: testHandlers(),
});
process.stdout.write(`${server.url}\n`);
