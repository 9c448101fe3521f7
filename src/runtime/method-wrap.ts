type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

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
