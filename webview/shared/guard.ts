// Runtime checks for messages crossing the webview boundary. One schema gives both the type
// (Infer<typeof schema>) and its validation, so the two sides cannot drift apart.

export type Guard<T> = (value: unknown, path: string) => T;
export type Infer<G> = G extends Guard<infer T> ? T : never;

export class MessageError extends Error {
  override readonly name = 'MessageError';
}

function fail(path: string, expected: string, value: unknown): never {
  const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
  throw new MessageError(`${path || 'message'}: expected ${expected}, got ${got}`);
}

export const str: Guard<string> = (v, p) => (typeof v === 'string' ? v : fail(p, 'a string', v));
export const bool: Guard<boolean> = (v, p) => (typeof v === 'boolean' ? v : fail(p, 'a boolean', v));
/** Finite numbers only: JSON has no NaN or Infinity. */
export const num: Guard<number> = (v, p) => (typeof v === 'number' && Number.isFinite(v) ? v : fail(p, 'a finite number', v));
export const int: Guard<number> = (v, p) => (Number.isInteger(v) ? (v as number) : fail(p, 'an integer', v));

export function lit<const T extends readonly (string | number | boolean)[]>(...values: T): Guard<T[number]> {
  return (v, p) => ((values as readonly unknown[]).includes(v) ? (v as T[number]) : fail(p, values.map((x) => JSON.stringify(x)).join(' | '), v));
}

export function arr<T>(item: Guard<T>): Guard<T[]> {
  return (v, p) => {
    if (!Array.isArray(v)) fail(p, 'an array', v);
    return (v as unknown[]).map((x, i) => item(x, `${p}[${i}]`));
  };
}

export function opt<T>(g: Guard<T>): Guard<T | undefined> {
  return (v, p) => (v === undefined ? undefined : g(v, p));
}

export function nullable<T>(g: Guard<T>): Guard<T | null> {
  return (v, p) => (v === null ? null : g(v, p));
}

type Shape = Record<string, Guard<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: undefined extends Infer<S[K]> ? K : never }[keyof S];
export type ObjectOf<S extends Shape> = { [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Infer<S[K]> };

/** Unknown fields are dropped, so nothing unchecked travels on. */
export function obj<S extends Shape>(shape: S): Guard<ObjectOf<S>> {
  return (v, p) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(p, 'an object', v);
    const out: Record<string, unknown> = {};
    for (const [key, g] of Object.entries(shape)) {
      const value = g((v as Record<string, unknown>)[key], p ? `${p}.${key}` : key);
      if (value !== undefined) out[key] = value;
    }
    return out as ObjectOf<S>;
  };
}

/** A tagged union on `type`: each variant is an obj() schema with a `type: lit(...)` field. */
export function tagged<const M extends Record<string, Guard<{ type: string }>>>(variants: M): Guard<Infer<M[keyof M]>> {
  return (v, p) => {
    const type = typeof v === 'object' && v !== null ? (v as { type?: unknown }).type : undefined;
    const g = typeof type === 'string' && Object.hasOwn(variants, type) ? variants[type] : undefined;
    if (!g) fail(p ? `${p}.type` : 'type', `one of ${Object.keys(variants).join(', ')}`, type);
    return g(v, p) as Infer<M[keyof M]>;
  };
}
