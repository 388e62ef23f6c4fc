/**
 * The reason text of a channel REFUSE record (docs/protocol.md section 5) starts with a
 * cause word and ": ", so the dialling side can tell "retry soon" from "stop, and here is
 * why" without parsing sentences: `starting: this share is still being prepared`. Reasons
 * from older nodes (no cause word) are recognised by their fixed texts where those say
 * enough; anything else has no cause and is treated as final, as it always was.
 */

export const REFUSAL_CAUSES = [
  /** The node is preparing the share (hashing) and will serve it shortly. */
  'starting',
  /** The node shares other torrents, not this one (the link is for a stopped or replaced share). */
  'other-share',
  /** The node serves torrents but none right now (its share is stopping). */
  'no-share',
  /** The node does not serve this kind of channel at all (e.g. only chat runs there). */
  'no-service',
  /** The share's --allow list leaves this key out. */
  'not-allowed',
  /** The key is not (or no longer) on the node's trust list. */
  'not-trusted',
  /** The node dropped this key earlier in its run (bad pieces, a request flood). */
  'dropped',
  /** Too many links from this key right now, or a second link racing the first. */
  'busy',
  /** The torrent is being closed as the link arrives. */
  'closing',
] as const;

export type RefusalCause = (typeof REFUSAL_CAUSES)[number];

/** Causes that pass: dialing again later may be accepted. */
const PASSING_CAUSES: ReadonlySet<RefusalCause> = new Set<RefusalCause>(['starting', 'busy', 'closing']);

export function refusalReason(cause: RefusalCause, text: string): string {
  return `${cause}: ${text}`;
}

/** Fixed texts older nodes send, for the causes they name unambiguously. */
const LEGACY_TEXTS: readonly [RegExp, RefusalCause][] = [
  [/is not on this node's trust list$|no longer on this node's trust list$/, 'not-trusted'],
  [/^too many connections from your key/, 'busy'],
  [/^this node does not serve /, 'no-service'],
];

export function refusalCauseOf(reason: string): RefusalCause | undefined {
  const colon = reason.indexOf(': ');
  const word = colon > 0 ? reason.slice(0, colon) : '';
  if ((REFUSAL_CAUSES as readonly string[]).includes(word)) return word as RefusalCause;
  return LEGACY_TEXTS.find(([pattern]) => pattern.test(reason))?.[1];
}

/** The reason without its cause word, for showing to a person. */
export function refusalText(reason: string): string {
  const cause = REFUSAL_CAUSES.find((c) => reason.startsWith(`${c}: `));
  return cause ? reason.slice(cause.length + 2) : reason;
}

export function isPassingRefusal(reason: string): boolean {
  const cause = refusalCauseOf(reason);
  return cause !== undefined && PASSING_CAUSES.has(cause);
}
