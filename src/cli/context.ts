import { loadOrCreateIdentity, type Identity } from '../identity/identity.js';
import { resolveHome } from '../identity/home.js';
import { TrustStore } from '../identity/trust-store.js';

export interface CliContext {
  home: string;
  identity: Identity;
  trust: TrustStore;
}

/** Every command that needs keys starts here; the identity is created on first use. */
export function openContext(env: NodeJS.ProcessEnv = process.env): CliContext {
  const home = resolveHome(env);
  const identity = loadOrCreateIdentity(home);
  const trust = TrustStore.load(home);
  return { home, identity, trust };
}

/** The trust-store name for a peer's key text, if we trust it (key text from a peer may be bad). */
export function nameOfKey(context: CliContext, keyText: string): string | undefined {
  try {
    return context.trust.find(keyText)?.name;
  } catch {
    return undefined;
  }
}
