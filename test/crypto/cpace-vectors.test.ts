// CPace over ristretto255 with SHA-512 against the vectors published with
// draft-irtf-cfrg-cpace (fixtures/vectors/cpace/SOURCE.md): generator, both shares, the
// shared point, ISK in both transcript modes, the sid output, and the abort cases.
import { describe, expect, it } from 'vitest';
import {
  cpaceIsk, cpaceShare, cpaceSidOutput, encodedGenerator, generatorString, leb128, lvCat, oCat, prependLen,
  sampleScalar, scalarMultVfy, transcriptIr, transcriptOc,
} from '../../src/crypto/cpace.js';
import { sha512 } from '../../src/crypto/hash.js';
import { hex, loadVectors } from '../helpers/vectors.js';

interface SuiteVectors {
  PRS: string; CI: string; sid: string; g: string; ya: string; ADa: string; Ya: string; yb: string; ADb: string; Yb: string;
  K: string; ISK_IR: string; ISK_SY: string; sid_output_ir: string; sid_output_oc: string;
}
interface PointVectors {
  Valid: { s: string; X: string; 'G.scalar_mult_vfy(s,X)': string };
  'Invalid Y1': string;
  'Invalid Y2': string;
}
interface Intermediate { generator_string: string; generator_hash: string; g: string; transcript_ir: string; transcript_oc: string }

const all = loadVectors<Record<string, unknown>>('cpace/testvectors.json');
const v = all.G_Coffee25519 as SuiteVectors;
const points = all.G_Coffee25519_points as PointVectors;
const steps = loadVectors<Intermediate>('cpace/ristretto255-intermediate.json');
const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex').toUpperCase();

describe('CPace ristretto255/SHA-512 vectors (draft-irtf-cfrg-cpace)', () => {
  it('builds the generator string and the generator', () => {
    const genString = generatorString(hex(v.PRS), hex(v.CI), hex(v.sid));
    expect(Buffer.from(genString).toString('hex')).toBe(steps.generator_string);
    expect(sha512(genString).toString('hex')).toBe(steps.generator_hash);
    expect(toHex(encodedGenerator(hex(v.PRS), hex(v.CI), hex(v.sid)))).toBe(v.g);
  });

  it('computes both shares, the shared point, ISK (both transcripts) and the sid outputs', () => {
    const ya = cpaceShare(hex(v.PRS), hex(v.CI), hex(v.sid), hex(v.ya));
    const yb = cpaceShare(hex(v.PRS), hex(v.CI), hex(v.sid), hex(v.yb));
    expect(toHex(ya)).toBe(v.Ya);
    expect(toHex(yb)).toBe(v.Yb);
    const kA = scalarMultVfy(hex(v.ya), yb)!;
    const kB = scalarMultVfy(hex(v.yb), ya)!;
    expect(toHex(kA)).toBe(v.K);
    expect(toHex(kB)).toBe(v.K);
    const ir = transcriptIr(ya, hex(v.ADa), yb, hex(v.ADb));
    const oc = transcriptOc(ya, hex(v.ADa), yb, hex(v.ADb));
    expect(Buffer.from(ir).toString('hex')).toBe(steps.transcript_ir);
    expect(Buffer.from(oc).toString('hex')).toBe(steps.transcript_oc);
    expect(toHex(cpaceIsk(hex(v.sid), kA, ir))).toBe(v.ISK_IR);
    expect(toHex(cpaceIsk(hex(v.sid), kB, oc))).toBe(v.ISK_SY);
    expect(toHex(cpaceSidOutput(ir))).toBe(v.sid_output_ir);
    expect(toHex(cpaceSidOutput(oc))).toBe(v.sid_output_oc);
  });

  it('a different password gives a different ISK', () => {
    const otherPrs = new TextEncoder().encode('Passwore');
    const ya = cpaceShare(hex(v.PRS), hex(v.CI), hex(v.sid), hex(v.ya));
    const yb = cpaceShare(otherPrs, hex(v.CI), hex(v.sid), hex(v.yb));
    const ir = transcriptIr(ya, hex(v.ADa), yb, hex(v.ADb));
    const iskA = cpaceIsk(hex(v.sid), scalarMultVfy(hex(v.ya), yb)!, ir);
    const iskB = cpaceIsk(hex(v.sid), scalarMultVfy(hex(v.yb), ya)!, ir);
    expect(toHex(iskA)).not.toBe(toHex(iskB));
  });

  it('scalar_mult_vfy: the valid point, and aborts on a bad encoding and on the identity', () => {
    expect(toHex(scalarMultVfy(hex(points.Valid.s), hex(points.Valid.X))!)).toBe(points.Valid['G.scalar_mult_vfy(s,X)']);
    expect(scalarMultVfy(hex(points.Valid.s), hex(points['Invalid Y1']))).toBeUndefined();
    expect(scalarMultVfy(hex(points.Valid.s), hex(points['Invalid Y2']))).toBeUndefined();
    expect(scalarMultVfy(hex(points.Valid.s), new Uint8Array(31))).toBeUndefined();
  });

  it('string helpers match the draft appendix', () => {
    expect([...leb128(0)]).toEqual([0]);
    expect([...leb128(127)]).toEqual([0x7f]);
    expect([...leb128(128)]).toEqual([0x80, 0x01]);
    expect([...leb128(300)]).toEqual([0xac, 0x02]);
    expect(Buffer.from(prependLen(new TextEncoder().encode('1234'))).toString('hex')).toBe('0431323334');
    expect(Buffer.from(lvCat(new TextEncoder().encode('1234'), new TextEncoder().encode('5'))).toString('hex')).toBe('04313233340135');
    // lexiographically_larger(b"\0", b"\0\0") is False; (b"\1", b"\0\0") is True.
    expect(Buffer.from(oCat(Uint8Array.of(0), Uint8Array.of(0, 0))).toString('hex')).toBe('6f63000000');
    expect(Buffer.from(oCat(Uint8Array.of(1), Uint8Array.of(0, 0))).toString('hex')).toBe('6f63010000');
  });

  it('samples scalars below 2^252, never zero, never repeating', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 64; i++) {
      const scalar = sampleScalar();
      expect(scalar.length).toBe(32);
      expect(scalar[31]! & 0xf0).toBe(0);
      seen.add(toHex(scalar));
    }
    expect(seen.size).toBe(64);
  });
});
