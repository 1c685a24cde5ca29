/**
 * Numbers of the Parley binary protocol, version 1.0 and the stream frames of 1.1. docs/protocol.md is the specification; the
 * golden tests in test/protocol-doc.test.ts pin these values to the examples printed there.
 */

/** Major protocol version: peers with different majors refuse each other (`VERSION_MISMATCH`). */
export const PROTOCOL_MAJOR = 1;
/**
 * Minor protocol version: additive changes only; a session uses the smaller of the two minors.
 * 1.1: per-method contracts and streams; 1.2: shared-secret proofs (the Auth frame, §5).
 */
export const PROTOCOL_MINOR = 2;

/** "PRLY": the first four bytes of every Hello, after the common header. */
export const HELLO_MAGIC = Uint8Array.of(0x50, 0x52, 0x4c, 0x59);

/** Bytes of the length prefix in front of every frame's payload: a u32, big-endian. */
export const PREFIX_BYTES = 4;

/** Bytes of the header every frame starts with: kind (u8), flags (u8), id (u32 BE). */
export const COMMON_HEADER_BYTES = 6;

/** Frame kinds (byte 0 of every frame payload). */
export const Kind = {
  Hello: 0x01,
  HelloAck: 0x02,
  Request: 0x03,
  Response: 0x04,
  Signal: 0x05,
  Cancel: 0x06,
  Ping: 0x07,
  Pong: 0x08,
  Bye: 0x09,
  ByeAck: 0x0a,
  /** 1.1: credit for the items of one stream direction (§12.4). */
  Credit: 0x0b,
  /** 1.1: one caller item (MORE set), or the end of the caller's items (MORE clear, empty). */
  Data: 0x0c,
  /** 1.2: a nonce or a proof of the shared secret, during the Hello handshake only (§5). */
  Auth: 0x0d,
} as const;
/** One of the {@link Kind} values. */
export type Kind = (typeof Kind)[keyof typeof Kind];

/** Human names of the kinds, for error messages. */
export const KIND_NAMES: Readonly<Record<number, string>> = {
  [Kind.Hello]: "Hello",
  [Kind.HelloAck]: "HelloAck",
  [Kind.Request]: "Request",
  [Kind.Response]: "Response",
  [Kind.Signal]: "Signal",
  [Kind.Cancel]: "Cancel",
  [Kind.Ping]: "Ping",
  [Kind.Pong]: "Pong",
  [Kind.Bye]: "Bye",
  [Kind.ByeAck]: "ByeAck",
  [Kind.Credit]: "Credit",
  [Kind.Data]: "Data",
  [Kind.Auth]: "Auth",
};

/** Kinds that exist only once both sides have agreed on protocol 1.1 (streams). */
export const STREAM_KINDS: ReadonlySet<number> = new Set([Kind.Credit, Kind.Data]);

/** Flag bits (byte 1 of every frame payload). Bits not listed here are reserved and must be zero. */
export const Flag = {
  /** A metadata block follows the kind's fixed fields. */
  Metadata: 0x01,
  /**
   * 1.1, streams: more frames of the same call follow (a Request opening an input stream, a
   * Response item, a Data item). Never set in a 1.0 session.
   */
  More: 0x02,
} as const;

/** Flag bits a 1.0 receiver accepts; any other bit set is a protocol error. */
export const KNOWN_FLAGS = Flag.Metadata;
/** Flag bits a receiver accepts once streams (1.1) are agreed. */
export const STREAM_FLAGS = Flag.Metadata | Flag.More;

/** Which items a Credit frame grants room for, seen from its sender (the items' receiver). */
export const CreditStream = {
  /** Response items of a call the Credit's sender made (the id is in its own id space). */
  Outputs: 0x00,
  /** Data items of a call the Credit's receiver made (the id is in the receiver's id space). */
  Inputs: 0x01,
} as const;
/** One of the {@link CreditStream} values. */
export type CreditStream = (typeof CreditStream)[keyof typeof CreditStream];

/** Response status byte. */
export const ResponseStatus = {
  /** The handler returned; the body is the codec-encoded output. */
  Ok: 0x00,
  /** The handler failed (it ran, at least partly); the body is a codec-encoded WireError. */
  Error: 0x01,
  /** The request was refused before its handler started; the body is a codec-encoded WireError. */
  Rejected: 0x02,
} as const;
/** One of the {@link ResponseStatus} values. */
export type ResponseStatus = (typeof ResponseStatus)[keyof typeof ResponseStatus];

/** Auth frame `step` byte (1.2): which of the three Auth frames of the handshake it is. */
export const AuthStep = {
  /** The accepting side's nonce, its only frame before the connector has proved itself. */
  Challenge: 0x01,
  /** The connector's nonce and proof. */
  ConnectorProof: 0x02,
  /** The accepting side's proof, sent with its Hello once it has verified the connector's. */
  AcceptorProof: 0x03,
} as const;
/** One of the {@link AuthStep} values. */
export type AuthStep = (typeof AuthStep)[keyof typeof AuthStep];

/** Auth frame `binding` byte: what besides the nonces and Hellos a proof covers. */
export const AuthBinding = {
  /** Nothing more (tcp://, unix:, or binding turned off). */
  None: 0x00,
  /** The TLS session's exported keying material (`EXPORTER-parley-auth`, 32 bytes). */
  TlsExporter: 0x01,
} as const;

/** Bytes of each side's nonce, and of a proof (HMAC-SHA-256), in Auth frames. */
export const AUTH_NONCE_BYTES = 32;
export const AUTH_PROOF_BYTES = 32;

/** HelloAck status byte. */
export const HelloAckStatus = { Accept: 0x00, Refuse: 0x01 } as const;

/** Request ids are u32 and never 0 (0 in a Bye means "no request accepted"). */
export const MAX_ID = 0xffff_ffff;

/** Largest value of a str8 field (method and signal names, metadata keys, contract fields). */
export const MAX_STR8_BYTES = 0xff;
/** Largest value of a str16 field (metadata values, auth token, refusal message). */
export const MAX_STR16_BYTES = 0xffff;
/** Largest number of metadata entries in one block. */
export const MAX_METADATA_ENTRIES = 0xff;
/** Every peer accepts a Hello up to this size, whatever its maxFrameBytes (which is never lower). */
export const MAX_HELLO_BYTES = 65_536;
