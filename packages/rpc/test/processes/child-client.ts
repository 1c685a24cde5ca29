// A client in its own process, so a test can SIGKILL it mid-call. Starts one slow call.
import { connect } from "../../src/index.js";
import { testContract } from "../fixtures.js";

const client = await connect({ url: process.argv[2]!, contract: testContract });
process.stdout.write("connected\n");
await client.call.slow({ ms: 60_000 }, { timeoutMs: 120_000 });
