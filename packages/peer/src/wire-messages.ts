/**
 * The decoded form of every protocol message. The engine works on these objects only; a wire format
 * (wire-format.ts) turns them into frames and back, so another dialect can replace the binary one
 * without touching the engine.
 */
import type { ContractMember } from "@parley/codec/internal";
import type { StreamCredit } from "./credit-window.js";
import type { AuthStep, CreditStream, Kind, ResponseStatus } from "./wire-constants.js";

/** String key/value pairs carried next to a request, signal or Hello. */
export type Metadata = Readonly<Record<string, string>>;

/** Identity of a contract as advertised in Hello. */
export interface ContractId {
  /** Contract name, e.g. `calc`. */
  readonly name: string;
  /** Contract version as text, e.g. `1`. */
  readonly version: string;
  /** Fingerprint of the contract's schemas: equal fingerprints mean identical schemas. */
  readonly fingerprint: string;
}

/** First frame each way. */
export interface HelloMessage {
  readonly kind: typeof Kind.Hello;
  readonly major: number;
  readonly minor: number;
  readonly codec: string;
  readonly serves: ContractId | undefined;
  readonly calls: ContractId | undefined;
  readonly maxFrameBytes: number;
  readonly maxConcurrentRequests: number;
  readonly heartbeatIntervalMs: number;
  readonly heartbeatTimeoutMs: number;
  readonly authToken: string | undefined;
  readonly metadata: Metadata | undefined;
  /**
   * 1.1: the members of the served contract, each with its shape (see hello-members.ts). Absent
   * from a 1.0 Hello, and when this side serves no contract or one without a definition.
   */
  readonly servesMembers?: readonly ContractMember[] | undefined;
  /** 1.1: the members of the called contract (fingerprints only, shapes empty). */
  readonly callsMembers?: readonly ContractMember[] | undefined;
  /**
   * 1.1: the stream windows this side grants (docs/protocol.md §12.2), after the members block.
   * Their presence is what offers streams; absent (the Hello ends before them), no streams.
   */
  readonly streamWindow?: StreamCredit | undefined;
}

/** Answer to a Hello: accepted, or refused with a code and a reason. */
export type HelloAckMessage =
  | { readonly kind: typeof Kind.HelloAck; readonly accepted: true }
  | {
      readonly kind: typeof Kind.HelloAck;
      readonly accepted: false;
      readonly code: string;
      readonly message: string;
    };

/**
 * 1.2, handshake only: one step of the shared-secret proof (docs/protocol.md §5). `nonce` is set
 * on Challenge and ConnectorProof, `proof` on ConnectorProof and AcceptorProof.
 */
export interface AuthMessage {
  readonly kind: typeof Kind.Auth;
  readonly step: AuthStep;
  /** {@link AuthBinding}: 0 none, 1 the TLS exporter. */
  readonly binding: number;
  /** 32 random bytes of the sender. */
  readonly nonce?: Uint8Array | undefined;
  /** 32 bytes of HMAC-SHA-256. */
  readonly proof?: Uint8Array | undefined;
}

/** A call: method, remaining time budget and input. */
export interface RequestMessage {
  readonly kind: typeof Kind.Request;
  readonly id: number;
  /** Remaining budget in milliseconds when the frame was written (relative, never absolute time). */
  readonly timeoutMs: number;
  readonly method: string;
  readonly metadata: Metadata | undefined;
  readonly body: unknown;
  /** Set on decode when the body bytes could not be decoded; the call fails, not the connection. */
  readonly bodyError?: Error | undefined;
  /** 1.1: the caller's items (Data frames) follow. Decoded as `true` or `undefined`. */
  readonly more?: boolean | undefined;
}

/** The answer to one request. */
export interface ResponseMessage {
  readonly kind: typeof Kind.Response;
  readonly id: number;
  readonly status: ResponseStatus;
  readonly body: unknown;
  readonly bodyError?: Error | undefined;
  /** 1.1: an item (status OK); the call goes on. Decoded as `true` or `undefined` (final). */
  readonly more?: boolean | undefined;
}

/** 1.1: one of the caller's items, or the end of them (half-close). */
export interface DataMessage {
  readonly kind: typeof Kind.Data;
  /** The call's request id. */
  readonly id: number;
  /** `true`: `body` is an item. `false`: end of input; `body` is `undefined`. */
  readonly more: boolean;
  readonly body: unknown;
  readonly bodyError?: Error | undefined;
}

/** 1.1: room for more items of one stream direction of a call (docs/protocol.md §12.3). */
export interface CreditMessage {
  readonly kind: typeof Kind.Credit;
  /** The call's request id, in the id space {@link CreditMessage.stream} names. */
  readonly id: number;
  readonly stream: CreditStream;
  /** Items added to the window (u32). */
  readonly items: number;
  /** Bytes added to the window (u32): item frames' payload lengths. */
  readonly bytes: number;
}

/** A one-way message. */
export interface SignalMessage {
  readonly kind: typeof Kind.Signal;
  readonly name: string;
  readonly metadata: Metadata | undefined;
  readonly body: unknown;
  readonly bodyError?: Error | undefined;
}

/** Frames whose only field is the id: Cancel (request id), Ping and Pong (nonce). */
export interface IdOnlyMessage {
  readonly kind: typeof Kind.Cancel | typeof Kind.Ping | typeof Kind.Pong;
  readonly id: number;
}

/** Start of the graceful close: no request after `lastAcceptedId` will be executed. */
export interface ByeMessage {
  readonly kind: typeof Kind.Bye;
  /** Id of the last request this side accepted (0: none). */
  readonly lastAcceptedId: number;
}

/** The sender has answered every request it accepted; it sends only Cancel, Ping and Pong after it. */
export interface ByeAckMessage {
  readonly kind: typeof Kind.ByeAck;
}

/** Any protocol message. */
export type Message =
  | HelloMessage
  | HelloAckMessage
  | RequestMessage
  | ResponseMessage
  | SignalMessage
  | IdOnlyMessage
  | ByeMessage
  | ByeAckMessage
  | DataMessage
  | CreditMessage
  | AuthMessage;
