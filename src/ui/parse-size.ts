import { usageError } from '../errors.js';

const SUFFIX_MULTIPLIERS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** "64M" -> 67108864 bytes; k, M, G are powers of 1024 (like parseRate, without "/s"). */
export function parseSize(text: string, option: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)(?:i?B)?\s*$/.exec(text);
  const multiplier = match ? SUFFIX_MULTIPLIERS[match[2]!.toLowerCase()] : undefined;
  const value = match && multiplier !== undefined ? Math.floor(Number(match[1]) * multiplier) : NaN;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw usageError(`${option} must be a size, not ${JSON.stringify(text)}`, 'give bytes with an optional k, M or G suffix, e.g. 64M');
  }
  return value;
}
