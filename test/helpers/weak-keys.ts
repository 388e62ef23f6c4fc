/**
 * Ed25519 public keys no honest party has: the 8 points of small order (libsodium's
 * blocklist, canonical spellings) and non-canonical spellings (y >= p, or x = 0 with the
 * sign bit set). Hex, little-endian as on the wire.
 */
const ORDER_8_Y = '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05';
const ORDER_8_Y_NEG = 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a';

function withSignBit(hex: string): string {
  const bytes = Buffer.from(hex, 'hex');
  bytes[31]! |= 0x80;
  return bytes.toString('hex');
}

export const IDENTITY_POINT = '01' + '00'.repeat(31);

export const SMALL_ORDER_KEYS: { name: string; hex: string }[] = [
  { name: 'identity (order 1)', hex: IDENTITY_POINT },
  { name: 'y = -1 (order 2)', hex: 'ec' + 'ff'.repeat(30) + '7f' },
  { name: 'y = 0, x = +sqrt(-1) (order 4)', hex: '00'.repeat(32) },
  { name: 'y = 0, x = -sqrt(-1) (order 4)', hex: withSignBit('00'.repeat(32)) },
  { name: 'order 8, +x', hex: ORDER_8_Y },
  { name: 'order 8, -x', hex: withSignBit(ORDER_8_Y) },
  { name: 'order 8, -y, +x', hex: ORDER_8_Y_NEG },
  { name: 'order 8, -y, -x', hex: withSignBit(ORDER_8_Y_NEG) },
];

export const NON_CANONICAL_KEYS: { name: string; hex: string }[] = [
  { name: 'y = p (spells y = 0)', hex: 'ed' + 'ff'.repeat(30) + '7f' },
  { name: 'y = p + 1 (spells the identity)', hex: 'ee' + 'ff'.repeat(30) + '7f' },
  { name: 'y = 2^255 - 1', hex: 'ff'.repeat(31) + '7f' },
  { name: 'y = p + 1 with sign bit', hex: 'ee' + 'ff'.repeat(31) },
  { name: 'identity with sign bit (x = 0 has no negative)', hex: withSignBit(IDENTITY_POINT) },
  { name: 'y = -1 with sign bit', hex: 'ec' + 'ff'.repeat(31) },
];
