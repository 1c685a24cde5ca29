/**
 * Internals shared by the Parley packages, not part of the public API: they may change in any
 * release. Sibling packages import them from `@parley/framing/internal`.
 * @internal
 * @packageDocumentation
 */
export {
  booleanOption,
  describe,
  durationOption,
  editDistance,
  functionOption,
  integerAtLeast,
  integerOption,
  MAX_TIMER_MS,
  nearestName,
  nonNegativeNumber,
  type OtherOptionNames,
  objectOption,
  oneOfOption,
  optionNames,
  optionsObject,
  rejectUnknownOptions,
  requiredString,
  signalOption,
} from "./option-rules.js";
