import { sharedState } from "./shared-state.js";

export type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

/** Decides one call: `original` is the method as it was, `receiver` the object it was called on. */
export type MethodRoute = (original: AnyFunction, receiver: unknown, args: unknown[]) => unknown;

/** Prototype chains deeper than this are not walked: no real class hierarchy comes close. */
const MAX_PROTOTYPE_DEPTH = 16;

/**
 * Replaces `target[name]` with an own property built from the current function. The wrapper is
 * non-enumerable so code that spreads or inspects the instance sees the same keys as before.
 */
export function wrapInstanceMethod(
  target: object,
  name: string,
  build: (original: AnyFunction) => AnyFunction,
): boolean {
  const current: unknown = Reflect.get(target, name);
  if (typeof current !== "function") return false;
  const wrapped = build(current as AnyFunction);
  Object.defineProperty(target, name, { value: wrapped, writable: true, configurable: true, enumerable: false });
  return true;
}

function ownerOf(target: object, name: string): object | undefined {
  let current: object | null = target;
  for (let depth = 0; current !== null && depth < MAX_PROTOTYPE_DEPTH; depth++) {
    if (Object.prototype.hasOwnProperty.call(current, name)) return current;
    current = Object.getPrototypeOf(current) as object | null;
  }
  return undefined;
}

function routedThrough(original: AnyFunction, route: MethodRoute): AnyFunction {
  return function routed(this: unknown, ...args: unknown[]): unknown {
    return route(original, this, args);
  };
}

/**
 * Sends every call of `target[name]` through `route`. The route is installed once on the class
 * prototype that defines the method (ws's `WebSocket.prototype`), not on each socket: wrapping
 * per socket cost a property definition and two closures per connection and gave every guarded
 * socket its own hidden class. So `route` must decide from the receiver alone, and pass receivers
 * it does not know straight to `original`. A method the object itself owns (or that only a
 * built-in prototype has) is wrapped on the object instead.
 */
export function routeMethodCalls(target: object, name: string, route: MethodRoute): boolean {
  const owner = ownerOf(target, name);
  if (owner === undefined) return false;
  if (owner === target || owner === Object.prototype || owner === Function.prototype) {
    return wrapInstanceMethod(target, name, (original) => routedThrough(original, route));
  }
  const routed = sharedState().routedMethods;
  let names = routed.get(owner);
  if (names?.has(name)) return true;
  if (!wrapInstanceMethod(owner, name, (original) => routedThrough(original, route))) return false;
  names ??= new Set();
  names.add(name);
  routed.set(owner, names);
  return true;
}
