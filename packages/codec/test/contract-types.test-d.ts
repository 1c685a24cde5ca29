import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import {
  type AnyContract,
  type CODEC_ERROR_CODES,
  type CONTRACT_ERROR_CODES,
  type CodecErrorCode,
  type Contract,
  type ContractCaller,
  type ContractErrorCode,
  type ContractHandlers,
  type ContractSignalHandlers,
  type ContractSignalSenders,
  type ContractValidationError,
  defineContract,
  type HandlerInput,
  type HandlerOutput,
  type ParseResult,
  type RequestInput,
  type RequestName,
  type RequestOutput,
  type SignalInput,
  type SignalName,
  type SignalPayload,
} from "../src/index.js";

const shop = defineContract({
  name: "shop",
  version: 1,
  requests: {
    add: {
      input: z.object({ a: z.number(), b: z.number() }),
      output: z.number(),
      idempotent: true,
    },
    order: {
      input: z.object({ sku: z.string(), qty: z.number().default(1) }),
      output: z.object({ id: z.string(), at: z.string().transform((s) => new Date(s)) }),
    },
    ping: { input: z.void(), output: z.literal("pong") },
  },
  signals: {
    stock: z.object({ sku: z.string(), left: z.int() }),
    tick: z.number().transform(String),
  },
});
type Shop = typeof shop;
interface Ctx {
  peer: string;
}

describe("contract type inference", () => {
  it("infers method and signal names from the definition", () => {
    expectTypeOf<RequestName<Shop>>().toEqualTypeOf<"add" | "order" | "ping">();
    expectTypeOf<SignalName<Shop>>().toEqualTypeOf<"stock" | "tick">();
    expectTypeOf(shop.name).toEqualTypeOf<"shop">();
    expectTypeOf(shop.version).toEqualTypeOf<1>();
  });

  it("types caller inputs with z.input and caller results with z.output", () => {
    expectTypeOf<RequestInput<Shop, "add">>().toEqualTypeOf<{ a: number; b: number }>();
    expectTypeOf<RequestInput<Shop, "order">>().toEqualTypeOf<{
      sku: string;
      qty?: number | undefined;
    }>();
    expectTypeOf<RequestOutput<Shop, "order">>().toEqualTypeOf<{ id: string; at: Date }>();
    expectTypeOf<RequestOutput<Shop, "ping">>().toEqualTypeOf<"pong">();
  });

  it("types handler inputs with z.output and handler results with z.input", () => {
    expectTypeOf<HandlerInput<Shop, "order">>().toEqualTypeOf<{ sku: string; qty: number }>();
    expectTypeOf<HandlerOutput<Shop, "order">>().toEqualTypeOf<{ id: string; at: string }>();
  });

  it("types signal payloads: senders pass z.input, handlers get z.output", () => {
    expectTypeOf<SignalInput<Shop, "tick">>().toEqualTypeOf<number>();
    expectTypeOf<SignalPayload<Shop, "tick">>().toEqualTypeOf<string>();
    expectTypeOf<SignalPayload<Shop, "stock">>().toEqualTypeOf<{ sku: string; left: number }>();
  });

  it("types a handler map from the schemas alone, sync or async", () => {
    const handlers: ContractHandlers<Shop, Ctx> = {
      add: ({ a, b }, ctx) => {
        expectTypeOf(ctx).toEqualTypeOf<Ctx>();
        return a + b;
      },
      order: async ({ sku, qty }) => {
        expectTypeOf(qty).toEqualTypeOf<number>();
        return { id: `${sku}-${qty}`, at: new Date(0).toISOString() };
      },
      ping: () => "pong" as const,
    };
    expectTypeOf(handlers.add).returns.toEqualTypeOf<number | Promise<number>>();
    // @ts-expect-error a handler for every method is required
    const missing: ContractHandlers<Shop, Ctx> = { add: ({ a }) => a };
    // @ts-expect-error the handler's result must match the output schema
    const wrong: ContractHandlers<Shop, Ctx> = { ...handlers, add: () => "3" };
    void missing;
    void wrong;
  });

  it("types a caller proxy, signal handlers and signal senders", () => {
    type Caller = ContractCaller<Shop, { timeoutMs?: number }>;
    expectTypeOf<Caller["add"]>().parameters.toEqualTypeOf<
      [{ a: number; b: number }, ({ timeoutMs?: number } | undefined)?]
    >();
    expectTypeOf<Caller["order"]>().returns.toEqualTypeOf<Promise<{ id: string; at: Date }>>();
    expectTypeOf<Caller["ping"]>().toBeCallableWith(undefined);
    const signalHandlers: ContractSignalHandlers<Shop, Ctx> = {
      tick: (payload) => expectTypeOf(payload).toEqualTypeOf<string>(),
    };
    void signalHandlers;
    expectTypeOf<ContractSignalSenders<Shop, boolean>["stock"]>().toEqualTypeOf<
      (payload: { sku: string; left: number }) => boolean
    >();
  });

  it("types the validation entry points per method and signal", () => {
    expectTypeOf(shop.parseInput("order", {})).toEqualTypeOf<
      ParseResult<{ sku: string; qty: number }>
    >();
    expectTypeOf(shop.parseOutput("order", {})).toEqualTypeOf<
      ParseResult<{ id: string; at: Date }>
    >();
    expectTypeOf(shop.parseSignal("tick", 1)).toEqualTypeOf<ParseResult<string>>();
    expectTypeOf(shop.checkOutboundSignal("tick", 1)).toEqualTypeOf<ParseResult<number>>();
    // @ts-expect-error unknown method names are a type error
    shop.parseInput("nope", {});
    const result = shop.parseInput("add", {});
    if (!result.ok) expectTypeOf(result.error).toEqualTypeOf<ContractValidationError>();
    const method: string = "add";
    if (shop.hasRequest(method)) expectTypeOf(method).toEqualTypeOf<"add" | "order" | "ping">();
  });

  it("lets any contract stand where the engine takes AnyContract", () => {
    expectTypeOf(shop).toExtend<AnyContract>();
    expectTypeOf<Contract<{ name: "x"; version: 1 }>>().toExtend<AnyContract>();
    expectTypeOf<RequestName<AnyContract>>().toEqualTypeOf<string>();
    const engine = <C extends AnyContract>(contract: C, handlers: ContractHandlers<C, Ctx>) => [
      contract,
      handlers,
    ];
    engine(shop, {
      add: ({ a }) => a,
      order: () => ({ id: "1", at: "" }),
      ping: () => "pong" as const,
    });
  });

  it("keeps each error code list and its union type in step", () => {
    expectTypeOf<(typeof CODEC_ERROR_CODES)[number]>().toEqualTypeOf<CodecErrorCode>();
    expectTypeOf<(typeof CONTRACT_ERROR_CODES)[number]>().toEqualTypeOf<ContractErrorCode>();
    expectTypeOf<ContractValidationError["code"]>().toEqualTypeOf<ContractErrorCode>();
  });
});
