import { usageError } from '../errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, '': 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/** "3s" -> 3000 ms; ms, s, m (or min) and h, a bare number is seconds: `--timeout 90`, `--timeout 2m`. */
export function parseDurationMs(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|min|m|h|)\s*$/i.exec(text);
  const unitMs = match ? UNIT_MS[match[2]!.toLowerCase()] : undefined;
  const valueMs = match && unitMs !== undefined ? Math.round(Number(match[1]) * unitMs) : NaN;
  if (!Number.isFinite(valueMs) || valueMs <= 0 || valueMs > 2 ** 31 - 1) {
    throw usageError(`invalid duration ${JSON.stringify(text)}`, 'give a number with s, m or h (e.g. 30s, 10m, 1h); a bare number is seconds');
  }
  return valueMs;
}
