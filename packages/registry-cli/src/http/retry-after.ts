/**
 * How long a server asked to wait before the next request (RFC 9110 §10.2.3 `Retry-After`): a number
 * of seconds, or an HTTP date, read against the response's own `Date` header when it has one (so a
 * skewed local clock does not stretch or shrink the wait), else against this clock. Null when absent
 * or unreadable; 0 for a date in the past.
 */
export function retryAfterMs(value: string | string[] | undefined, responseDate: string | undefined, now = Date.now()): number | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined) return null;
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  const serverNow = responseDate !== undefined && !Number.isNaN(Date.parse(responseDate)) ? Date.parse(responseDate) : now;
  return Math.max(0, at - serverNow);
}

/** `30 s`, `2 min 5 s`: a wait as people read it. */
export function formatWait(ms: number): string {
  const s = Math.ceil(ms / 1000);
  return s < 120 ? `${s} s` : `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}`;
}

/** `<url>: HTTP 429, the server asked to retry after 30 s (Retry-After)`: the one sentence for a server that asked to wait. */
export function askedToWaitMessage(url: string, status: number, waitMs: number | null): string {
  return `${url}: HTTP ${status}${waitMs === null ? "" : `, the server asked to retry after ${formatWait(waitMs)} (Retry-After)`}`;
}
