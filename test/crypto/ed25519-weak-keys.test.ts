import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair, isAcceptablePublicKey, verify } from '../../src/crypto/ed25519.js';
import { IDENTITY_POINT, NON_CANONICAL_KEYS, SMALL_ORDER_KEYS } from '../helpers/weak-keys.js';

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const bytes = (hex: string) => new Uint8Array(Buffer.from(hex, 'hex'));

describe('isAcceptablePublicKey', () => {
  it.each(SMALL_ORDER_KEYS)('refuses the small-order point $name', ({ hex }) => {
    expect(isAcceptablePublicKey(bytes(hex))).toBe(false);
  });

  it.each(NON_CANONICAL_KEYS)('refuses the non-canonical spelling $name', ({ hex }) => {
    expect(isAcceptablePublicKey(bytes(hex))).toBe(false);
  });

  it('accepts real keys, and refuses wrong lengths and points off the curve', () => {
    for (let i = 0; i < 200; i++) expect(isAcceptablePublicKey(generateSigningKeyPair().publicKey)).toBe(true);
    expect(isAcceptablePublicKey(new Uint8Array(31))).toBe(false);
    expect(isAcceptablePublicKey(new Uint8Array(33))).toBe(false);
    // y = 2 is on no point of the curve ((y^2 - 1) / (d y^2 + 1) is not a square).
    expect(isAcceptablePublicKey(bytes('02' + '00'.repeat(31)))).toBe(false);
  });

  it('refuses a forged signature under the identity key that plain RFC 8032 verification accepts', () => {
    // R = identity, S = 0: [S]B = R + [k]A holds for every message when A is the identity.
    const forged = bytes(IDENTITY_POINT + '00'.repeat(32));
    const message = Buffer.from('I am whoever trusted this key');
    const rawKey = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, bytes(IDENTITY_POINT)]), format: 'der', type: 'spki' });
    expect(nodeVerify(null, message, rawKey, forged)).toBe(true); // the danger
    expect(verify(message, forged, bytes(IDENTITY_POINT))).toBe(false); // our wrapper
  });
});
