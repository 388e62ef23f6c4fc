/**
 * Noise handshake patterns (Noise Protocol Framework rev. 34, sections 7.4-7.5 and 9),
 * written in the spec's own notation and parsed once, so the handshake code is pattern-generic.
 * swarm itself only uses XX; the others exist so the whole cacophony vector file can test the
 * same code path (the table is data, not extra logic).
 */

export type Token = 'e' | 's' | 'ee' | 'es' | 'se' | 'ss' | 'psk';

export interface HandshakePattern {
  name: string;
  /** Pre-message tokens known before the handshake ("e" or "s"). */
  initiatorPreMessage: Token[];
  responderPreMessage: Token[];
  /** Message i is sent by the initiator when i is even. */
  messages: Token[][];
  /** One-way patterns (N, K, X): every message, transport included, goes initiator -> responder. */
  isOneWay: boolean;
  usesPsk: boolean;
}

// "->" lines before "..." are pre-messages. Separators: ";" between lines.
const BASE_PATTERNS: Record<string, string> = {
  N: '<- s; ...; -> e, es',
  K: '-> s; <- s; ...; -> e, es, ss',
  X: '<- s; ...; -> e, es, s, ss',
  NN: '-> e; <- e, ee',
  NK: '<- s; ...; -> e, es; <- e, ee',
  NX: '-> e; <- e, ee, s, es',
  XN: '-> e; <- e, ee; -> s, se',
  XK: '<- s; ...; -> e, es; <- e, ee; -> s, se',
  XX: '-> e; <- e, ee, s, es; -> s, se',
  KN: '-> s; ...; -> e; <- e, ee, se',
  KK: '-> s; <- s; ...; -> e, es, ss; <- e, ee, se',
  KX: '-> s; ...; -> e; <- e, ee, se, s, es',
  IN: '-> e, s; <- e, ee, se',
  IK: '<- s; ...; -> e, es, s, ss; <- e, ee, se',
  IX: '-> e, s; <- e, ee, se, s, es',
  NK1: '<- s; ...; -> e; <- e, ee, es',
  NX1: '-> e; <- e, ee, s; -> es',
  X1N: '-> e; <- e, ee; -> s; <- se',
  X1K: '<- s; ...; -> e, es; <- e, ee; -> s; <- se',
  XK1: '<- s; ...; -> e; <- e, ee, es; -> s, se',
  X1K1: '<- s; ...; -> e; <- e, ee, es; -> s; <- se',
  X1X: '-> e; <- e, ee, s, es; -> s; <- se',
  XX1: '-> e; <- e, ee, s; -> es, s, se',
  X1X1: '-> e; <- e, ee, s; -> es, s; <- se',
  K1N: '-> s; ...; -> e; <- e, ee; -> se',
  K1K: '-> s; <- s; ...; -> e, es; <- e, ee; -> se',
  KK1: '-> s; <- s; ...; -> e; <- e, ee, se, es',
  K1K1: '-> s; <- s; ...; -> e; <- e, ee, es; -> se',
  K1X: '-> s; ...; -> e; <- e, ee, s, es; -> se',
  KX1: '-> s; ...; -> e; <- e, ee, se, s; -> es',
  K1X1: '-> s; ...; -> e; <- e, ee, s; -> se, es',
  I1N: '-> e, s; <- e, ee; -> se',
  I1K: '<- s; ...; -> e, es, s; <- e, ee; -> se',
  IK1: '<- s; ...; -> e, s; <- e, ee, se, es',
  I1K1: '<- s; ...; -> e, s; <- e, ee, es; -> se',
  I1X: '-> e, s; <- e, ee, s, es; -> se',
  IX1: '-> e, s; <- e, ee, se, s; -> es',
  I1X1: '-> e, s; <- e, ee, s; -> se, es',
};

const TOKENS = new Set<string>(['e', 's', 'ee', 'es', 'se', 'ss', 'psk']);

function parseTokens(text: string): Token[] {
  return text.split(',').map((raw) => {
    const token = raw.trim();
    if (!TOKENS.has(token)) throw new Error(`unknown Noise token "${token}"`);
    return token as Token;
  });
}

const parsedPatterns = new Map<string, HandshakePattern>();

/** Parses e.g. "XXpsk3" or "NNpsk0+psk2" into a pattern with psk tokens placed per spec section 9 (cached; do not mutate). */
export function lookupHandshakePattern(name: string): HandshakePattern {
  let pattern = parsedPatterns.get(name);
  if (!pattern) {
    pattern = parsePattern(name);
    parsedPatterns.set(name, pattern);
  }
  return pattern;
}

function parsePattern(name: string): HandshakePattern {
  const match = /^([A-Z0-9]+?)((?:psk\d)(?:\+psk\d)*)?$/.exec(name);
  const base = match ? BASE_PATTERNS[match[1]!] : undefined;
  if (!match || base === undefined) throw new Error(`unsupported Noise handshake pattern "${name}"`);
  const pattern: HandshakePattern = {
    name,
    initiatorPreMessage: [],
    responderPreMessage: [],
    messages: [],
    isOneWay: match[1]!.length === 1,
    usesPsk: match[2] !== undefined,
  };
  const lines = base.split(';').map((line) => line.trim());
  const split = lines.indexOf('...');
  lines.forEach((line, index) => {
    if (line === '...') return;
    const isInitiatorLine = line.startsWith('->');
    const tokens = parseTokens(line.slice(2));
    if (index < split) {
      (isInitiatorLine ? pattern.initiatorPreMessage : pattern.responderPreMessage).push(...tokens);
    } else {
      if (isInitiatorLine !== (pattern.messages.length % 2 === 0)) throw new Error(`pattern ${name} does not alternate`);
      pattern.messages.push(tokens);
    }
  });
  for (const modifier of match[2]?.split('+') ?? []) {
    const position = Number(modifier.slice(3));
    if (position === 0) pattern.messages[0]!.unshift('psk');
    else if (position <= pattern.messages.length) pattern.messages[position - 1]!.push('psk');
    else throw new Error(`pattern ${name}: ${modifier} is past the last message`);
  }
  return pattern;
}

/** Splits "Noise_XX_25519_ChaChaPoly_SHA256" into its parts; only 25519/ChaChaPoly/SHA256 is built. */
export function parseProtocolName(protocolName: string): { pattern: HandshakePattern } {
  const parts = protocolName.split('_');
  if (parts.length !== 5 || parts[0] !== 'Noise') throw new Error(`not a Noise protocol name: ${protocolName}`);
  if (parts[2] !== '25519' || parts[3] !== 'ChaChaPoly' || parts[4] !== 'SHA256') {
    throw new Error(`unsupported Noise primitives in ${protocolName} (only 25519_ChaChaPoly_SHA256)`);
  }
  return { pattern: lookupHandshakePattern(parts[1]!) };
}
