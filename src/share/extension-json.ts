/**
 * swarm's BEP 10 extension messages (swarm_pex, swarm_changed) are small JSON objects with a
 * version field. A peer's bytes are untrusted: anything oversized, unparsable or of another
 * version is ignored rather than thrown.
 */
export type ExtensionObject = Record<string, any>;

export function decodeExtensionJson(bytes: Uint8Array, maxBytes: number): ExtensionObject | undefined {
  if (bytes.length > maxBytes) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as ExtensionObject).v !== 1) return undefined;
  return parsed as ExtensionObject;
}
