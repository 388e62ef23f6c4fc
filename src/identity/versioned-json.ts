import type { SwarmError } from '../errors.js';

/**
 * Parses one of swarm's own JSON files (identity, trust store): an object with a
 * `version` field. Any problem is reported through `corrupt(why)`, whose error says
 * which file and that it was left untouched.
 */
export function parseVersionedJson<T extends { version: number }>(
  text: string,
  version: number,
  corrupt: (why: string) => SwarmError,
): Partial<T> {
  let file: unknown;
  try {
    file = JSON.parse(text);
  } catch {
    throw corrupt('not valid JSON, perhaps truncated');
  }
  if (file === null || typeof file !== 'object' || Array.isArray(file)) throw corrupt('not a JSON object');
  const parsed = file as Partial<T>;
  if (parsed.version !== version) throw corrupt(`unknown format version ${String(parsed.version)}`);
  return parsed;
}
