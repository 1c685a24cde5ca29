export type { Connection, ConnectionHandlers } from "./connection.js";
export type { ParleyErrorOptions } from "./parley-error.js";
export { InvalidOptionError, isParleyError, ParleyError } from "./parley-error.js";
