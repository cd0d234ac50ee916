/**
 * Whether every field of `desired` has the same value in `live`. The server adds defaults and
 * status, and other controllers add their own fields, so only what we would apply is compared: a
 * true answer means an apply would change nothing, and need not be sent. Lists compare element by
 * element at the same length; quantities compare as the strings we write (we write canonical forms).
 */
export function isSubset(desired: unknown, live: unknown): boolean {
  if (desired === undefined) return true;
  if (desired === null || typeof desired !== 'object') return desired === live;
  if (Array.isArray(desired)) {
    return Array.isArray(live) && live.length === desired.length && desired.every((item, i) => isSubset(item, live[i]));
  }
  if (live === null || typeof live !== 'object' || Array.isArray(live)) return false;
  const liveRecord = live as Record<string, unknown>;
  return Object.entries(desired as Record<string, unknown>).every(([key, value]) => isSubset(value, liveRecord[key]));
}
