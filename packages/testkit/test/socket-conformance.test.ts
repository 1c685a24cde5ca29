import { type ChaosProxy, createChaosProxy, describeTransportConformance } from "../src/index.js";
import { socketTarget } from "./socket-connection.js";

// The suite over real kernels, with a bare socket adapter: proof that its waits, its backpressure
// loop and its leak check hold on TCP and Unix sockets before the real transports rely on them.
describeTransportConformance(socketTarget("tcp (bare node:net)", { port: 0 }));
describeTransportConformance(
  socketTarget("unix (bare node:net)", { path: `/tmp/parley-tk-${process.pid}.sock` }),
);

let proxy: ChaosProxy | undefined;
describeTransportConformance(
  socketTarget(
    "tcp through a chaos proxy re-cutting to 4096 bytes",
    { port: 0 },
    {
      largePayloadBytes: 1024 * 1024,
      via: async (target) => {
        proxy = await createChaosProxy({ target });
        proxy.setFaults({ chunkBytes: 4096 });
        return proxy.address;
      },
      teardown: async () => {
        await proxy?.close();
        proxy = undefined;
      },
    },
  ),
);
