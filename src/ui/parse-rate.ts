import { usageError } from '../errors.js';

const SUFFIX_MULTIPLIERS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/**
 * "8M" -> 8388608 bytes per second; k, M, G are powers of 1024 (design.md §8). People write
 * the same rate as 8M, 8m, 8MB, 8mb, 8MiB or 8MB/s, so case and a trailing (i)B(/s) do not matter.
 */
export function parseRate(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)(?:(?<=[kmg])i)?b?(?:\/s)?\s*$/i.exec(text);
  const multiplier = match ? SUFFIX_MULTIPLIERS[match[2]!.toLowerCase()] : undefined;
  const value = match && multiplier !== undefined ? Math.floor(Number(match[1]) * multiplier) : NaN;
  if (!Number.isFinite(value) || value <= 0) {
    throw usageError(
      `invalid rate ${JSON.stringify(text)}`,
      'give bytes per second with an optional k, M or G suffix, e.g. 512k or 8M (8MB, 8mb and 8MiB mean the same)',
    );
  }
  return value;
}
