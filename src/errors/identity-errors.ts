/**
 * Failures about who is who: key texts, this node's identity file, the trust store and its
 * names, and pairing by short code (CPace), which ends in a trust-store entry.
 */
import { makeError } from './swarm-error.js';

export const identityErrors = {
  badKey: (shown: string, why: string, hint: string) => makeError('BAD_KEY', `not a valid swarm key: ${JSON.stringify(shown)} (${why})`, { hint, reason: why }),
  /** `swarm id` shows both; the short one is for comparing by voice, not for trusting. */
  fingerprintNotKey: (shown: string, keyPrefix: string) =>
    makeError('BAD_KEY', `${JSON.stringify(shown)} is a fingerprint, not a key`, {
      hint: `ask for the full key that starts with ${keyPrefix}… (the first line of their 'swarm id')`, reason: 'a fingerprint',
    }),
  ownKey: () => makeError('OWN_KEY', 'that is your own key: you do not need to trust yourself', { hint: "add the key your friend's 'swarm id' prints, and give them yours" }),
  corruptIdentity: (path: string, why: string) =>
    makeError<'CORRUPT_IDENTITY', 'path'>('CORRUPT_IDENTITY', `identity file ${path} is damaged (${why}); it was left untouched`, {
      hint: 'restore it from a backup; deleting it creates a new key that your peers must trust again', path, reason: why,
    }),
  corruptTrust: (path: string, why: string) =>
    makeError<'CORRUPT_TRUST', 'path'>('CORRUPT_TRUST', `trust store ${path} is damaged (${why}); it was left untouched`, {
      hint: 'fix or restore the file by hand (it is JSON); swarm will not overwrite it', path, reason: why,
    }),
  trustChanged: (path: string) => makeError<'TRUST_CHANGED', 'path'>('TRUST_CHANGED', `${path} changed while this command ran`, { hint: 'run the command again', path }),
  duplicateKey: (existingName: string, chosenName: string) =>
    makeError('DUPLICATE_KEY', `that key is already trusted as "${existingName}"`, {
      hint: `to rename it: swarm trust remove ${existingName} && swarm trust add <key> --name ${chosenName}`,
    }),
  duplicateName: (name: string) => makeError('DUPLICATE_NAME', `the name "${name}" is already used for another key`, { hint: 'pick another name with --name' }),
  unknownPeer: (nameOrKeyText: string) =>
    makeError('UNKNOWN_PEER', `no trusted key is named or equal to "${nameOrKeyText}"`, { hint: "see 'swarm trust list' for the names you use" }),
  unknownChatPeer: (name: string) => makeError('UNKNOWN_PEER', `no trusted key is named "${name}"`, { hint: 'type /trust to see the names you can write to' }),
  unreadable: (path: string, why: string, cause: unknown) =>
    makeError<'UNREADABLE', 'path'>('UNREADABLE', `cannot read ${path}: ${why}`, { hint: 'check the file permissions, or set SWARM_HOME to another directory', cause, path, reason: why }),
  unwritable: (path: string, why: string, cause: unknown) =>
    makeError<'UNWRITABLE', 'path'>('UNWRITABLE', `cannot write ${path}: ${why}`, { hint: 'make the directory writable, or set SWARM_HOME to a writable directory', cause, path, reason: why }),

  // pair: pairing by short code (CPace)
  badPairCode: (shown: string, why: string) =>
    makeError('BAD_PAIR_CODE', `not a pairing code: ${JSON.stringify(shown)} (${why})`, {
      hint: "type the code exactly as 'swarm pair' printed it on the other machine, e.g. 7-crossover-clockwork-indigo", reason: why,
    }),
  pairWrongCode: () =>
    makeError('PAIR_WRONG_CODE', 'the two sides did not enter the same code: this attempt is over and the code is dead; nothing was written', {
      hint: "run 'swarm pair' again for a new code and read it out carefully", reason: 'wrong code',
    }),
  pairDeclined: (byWhom: 'you' | 'the other side') =>
    makeError('PAIR_DECLINED', `pairing declined by ${byWhom}; nothing was written`, {
      hint: 'pair again only if both screens show the same words', reason: `declined by ${byWhom}`,
    }),
  pairExpired: (timeoutMs: number) =>
    makeError('PAIR_EXPIRED', `the pairing did not finish within ${Math.round(timeoutMs / 1000)} s; the code is dead and nothing was written`, {
      hint: "run 'swarm pair' again (--timeout sets how long a code lives)",
    }),
  pairFailed: (why: string, address?: string) =>
    makeError('PAIR_FAILED', `pairing failed: ${why}; nothing was written`, { hint: "run 'swarm pair' again for a new code", reason: why, address }),
  pairInterrupted: () => makeError('INTERRUPTED', 'pairing interrupted; nothing was written', { hint: "run 'swarm pair' again for a new code" }),
  /** `where`: e.g. "on this network", "in the DHT". */
  pairNotFound: (codeNumber: number, waitedMs: number, where: string) =>
    makeError('PAIR_NOT_FOUND', `nobody is waiting with a code that starts with ${codeNumber} (looked ${where} for ${Math.round(waitedMs / 1000)} s)`, {
      hint: "check the number, make sure the other side's 'swarm pair' is still waiting, or give its address with --peer host:port",
    }),
};
