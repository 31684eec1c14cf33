// How KMS data prints in the Node REPL and console.log, without changing the data itself.
import { inspect } from "node:util";

/**
 * Gives a plain object its REPL/console.log form through a non-enumerable `util.inspect.custom`, so
 * equality checks, spreading and JSON see the same data as before.
 */
export function printable<T extends object>(value: T, describe: (v: T) => string): T {
  Object.defineProperty(value, inspect.custom, { value: () => describe(value), enumerable: false, configurable: true, writable: true });
  return value;
}
