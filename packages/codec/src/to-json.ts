/**
 * Which `toJSON` the encoders follow. JSON.stringify calls any object's; msgpackr calls an
 * instance's too, even a subclass's of Date, Set, ArrayBuffer or a typed array (whose built-in
 * form it would otherwise write), unless that `toJSON` is the built-in one of Date or Buffer,
 * which it writes as a timestamp and as bytes. So the value check, and the copy that mends lone
 * surrogates, must follow exactly these, or they check one value while another is written.
 */

const DATE_TO_JSON = Date.prototype.toJSON;
const BUFFER_TO_JSON = Buffer.prototype.toJSON;

/** Whether `toJSON` (an instance's) is a user's hook that the encoders call: not Date's or Buffer's. */
export function isUserToJSON(toJSON: unknown): toJSON is () => unknown {
  return typeof toJSON === "function" && toJSON !== DATE_TO_JSON && toJSON !== BUFFER_TO_JSON;
}
