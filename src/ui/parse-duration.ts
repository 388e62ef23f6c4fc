/** Parses a --timeout value: "90s", "10m", "1h", "500ms", or plain seconds ("30"). */
import { usageError } from '../errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
/** Longer than a day is a typo, not a pairing. */
const MAX_DURATION_MS = 24 * 3_600_000;

export function parseDurationMs(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/i.exec(text.trim());
  const durationMs = match ? Number(match[1]) * UNIT_MS[(match[2] ?? 's').toLowerCase()]! : NaN;
  if (!(durationMs >= 1 && durationMs <= MAX_DURATION_MS)) {
    throw usageError(`invalid duration ${JSON.stringify(text)}`, 'use a number with s, m or h, e.g. 90s or 10m (at most 24h)');
  }
  return Math.round(durationMs);
}
