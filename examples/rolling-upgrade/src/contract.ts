// Two versions of a key-value contract. v2 adds a method (remove), an optional input field
// (get's `fresh`) and an optional output field (get's `etag`): compatible both ways, so servers and
// clients can be upgraded one at a time (docs/contract-changes.md).
import { defineContract, z } from "@parley/rpc";

const key = z.object({ key: z.string() });

export const kvV1 = defineContract({
  name: "kv",
  version: 1,
  requests: {
    get: { input: key, output: z.object({ value: z.string() }), idempotent: true },
    put: { input: z.object({ key: z.string(), value: z.string() }), output: z.null() },
  },
});

export const kvV2 = defineContract({
  name: "kv",
  version: 2,
  requests: {
    get: {
      input: z.object({ key: z.string(), fresh: z.boolean().optional() }),
      output: z.object({ value: z.string(), etag: z.string().optional() }),
      idempotent: true,
    },
    put: kvV1.definition.requests.put,
    remove: { input: key, output: z.boolean() },
  },
});
