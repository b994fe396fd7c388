/**
 * JSON text as a value, or undefined when it is not JSON: the one place a `JSON.parse` failure is
 * caught. Callers check the shape of what comes back (with zod, or field by field), because
 * stored rows may be damaged or written by an older version, and payloads may be forged.
 */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Not JSON at all: the caller's shape check reports it (a stale form, a damaged row).
    return undefined;
  }
}
