/**
 * The output target: --force replaces only regular files the download names (a link, a
 * folder or a file standing where a folder is needed is refused, and nothing is removed),
 * and the resume record lives under SWARM_HOME, bound to the exact target path.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { finishOutputTarget, isBlockedByExistingTarget, moveIntoPlace, partialRecordPath, prepareOutputTarget, stagingName } from '../../src/share/output-target.js';
import type { MetadataSummary } from '../../src/share/metadata-guard.js';
import { tempDir } from '../helpers/temp-home.js';

const infoHash = 'ab'.repeat(20);
const folderDownload: MetadataSummary = {
  name: 'album',
  files: [{ path: ['notes.txt'], length: 5 }, { path: ['deep', 'track.txt'], length: 5 }],
  length: 10,
  pieceLength: 16384,
};

function target(outDir: string, stateDir: string, isForced: boolean, summary = folderDownload) {
  return { outDir, stateDir, infoHash, summary, isForced };
}

describe('output target with --force', () => {
  it('refuses a symlinked target folder without following or removing it', () => {
    const root = tempDir();
    const victim = join(root, 'victim');
    mkdirSync(join(victim, 'deep'), { recursive: true });
    writeFileSync(join(victim, 'notes.txt'), 'keep me');
    writeFileSync(join(victim, 'deep', 'track.txt'), 'keep me too');
    const out = join(root, 'out');
    mkdirSync(out);
    symlinkSync(victim, join(out, 'album'));

    expect(() => prepareOutputTarget(target(out, tempDir(), false))).toThrow(/already exists/);
    expect(() => prepareOutputTarget(target(out, tempDir(), true))).toThrow(expect.objectContaining({ code: 'FORCE_REFUSED', message: expect.stringMatching(/album is a symbolic link/) }));
    expect(readFileSync(join(victim, 'notes.txt'), 'utf8')).toBe('keep me');
    expect(readFileSync(join(victim, 'deep', 'track.txt'), 'utf8')).toBe('keep me too');
    expect(lstatSync(join(out, 'album')).isSymbolicLink()).toBe(true);
  });

  it('refuses a symlinked subfolder and removes nothing, not even the named files before it', () => {
    const root = tempDir();
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(elsewhere);
    writeFileSync(join(elsewhere, 'track.txt'), 'not yours');
    const out = join(root, 'out');
    mkdirSync(join(out, 'album'), { recursive: true });
    writeFileSync(join(out, 'album', 'notes.txt'), 'old');
    symlinkSync(elsewhere, join(out, 'album', 'deep'));
    expect(() => prepareOutputTarget(target(out, tempDir(), true))).toThrow(expect.objectContaining({ code: 'FORCE_REFUSED' }));
    expect(readFileSync(join(elsewhere, 'track.txt'), 'utf8')).toBe('not yours');
    expect(readFileSync(join(out, 'album', 'notes.txt'), 'utf8')).toBe('old');
  });

  it('refuses a folder where the download names a file, and a file where it needs a folder', () => {
    const out = tempDir();
    mkdirSync(join(out, 'album', 'notes.txt'), { recursive: true });
    expect(() => prepareOutputTarget(target(out, tempDir(), true))).toThrow(/notes\.txt is a folder; --force replaces only regular files/);
    const out2 = tempDir();
    mkdirSync(join(out2, 'album'));
    writeFileSync(join(out2, 'album', 'deep'), 'a file, not a folder');
    expect(() => prepareOutputTarget(target(out2, tempDir(), true))).toThrow(/deep is a file where the download needs a folder/);
    expect(readFileSync(join(out2, 'album', 'deep'), 'utf8')).toBe('a file, not a folder');
  });

  it('removes the named regular files and leaves everything else in the folder', () => {
    const out = tempDir();
    mkdirSync(join(out, 'album', 'deep'), { recursive: true });
    writeFileSync(join(out, 'album', 'notes.txt'), 'old');
    writeFileSync(join(out, 'album', 'deep', 'track.txt'), 'old');
    writeFileSync(join(out, 'album', 'mine.txt'), 'not in the download');
    prepareOutputTarget(target(out, tempDir(), true));
    expect(readdirSync(join(out, 'album')).sort()).toEqual(['deep', 'mine.txt']);
    expect(readdirSync(join(out, 'album', 'deep'))).toEqual([]);
  });
});

describe('resume record', () => {
  it('lives under SWARM_HOME, not in the output directory, and names the exact target', () => {
    const out = tempDir();
    const state = tempDir();
    expect(prepareOutputTarget(target(out, state, false)).isResume).toBe(false);
    expect(readdirSync(out)).toEqual([]);
    expect(readFileSync(partialRecordPath(state, infoHash), 'utf8')).toBe(`${join(out, 'album')}\n`);
    mkdirSync(join(out, 'album.part'));
    expect(isBlockedByExistingTarget(target(out, state, false))).toBe(false);
    expect(prepareOutputTarget(target(out, state, false)).isResume).toBe(true);
    // The same torrent into another folder is not a resume of this one.
    const other = tempDir();
    mkdirSync(join(other, 'album.part'));
    expect(() => prepareOutputTarget(target(other, state, false))).toThrow(expect.objectContaining({ code: 'EXISTS', message: expect.stringMatching(/album\.part already exists and is not a download/) }));
    finishOutputTarget(state, infoHash);
    expect(existsSync(partialRecordPath(state, infoHash))).toBe(false);
    expect(() => prepareOutputTarget(target(out, tempDir(), false))).toThrow(/album\.part already exists/);
  });

  it('the final name is never "ours": an existing one blocks even with a matching record', () => {
    const out = tempDir();
    const state = tempDir();
    prepareOutputTarget(target(out, state, false));
    mkdirSync(join(out, 'album'));
    expect(isBlockedByExistingTarget(target(out, state, false))).toBe(true);
    expect(() => prepareOutputTarget(target(out, state, false))).toThrow(/album already exists and differs/);
  });

  it('a marker planted in the output directory (the old location) does not make it a resume', () => {
    const out = tempDir();
    writeFileSync(join(out, `.swarm-partial-${infoHash}`), `${infoHash}\n`);
    writeFileSync(join(out, 'holiday.jpg'), 'someone else\'s file');
    const single: MetadataSummary = { name: 'holiday.jpg', files: [{ path: [], length: 5 }], length: 5, pieceLength: 16384 };
    expect(isBlockedByExistingTarget(target(out, tempDir(), false, single))).toBe(true);
    expect(() => prepareOutputTarget(target(out, tempDir(), false, single))).toThrow(/already exists/);
  });
});

describe('moving <name>.part into place', () => {
  function staged(out: string): void {
    mkdirSync(join(out, 'album.part', 'deep'), { recursive: true });
    writeFileSync(join(out, 'album.part', 'notes.txt'), 'notes');
    writeFileSync(join(out, 'album.part', 'deep', 'track.txt'), 'track');
  }

  it('renames the folder when the final name is free', async () => {
    const out = tempDir();
    staged(out);
    await moveIntoPlace({ outDir: out, summary: folderDownload, isForced: false });
    expect(readdirSync(out)).toEqual(['album']);
    expect(readFileSync(join(out, 'album', 'deep', 'track.txt'), 'utf8')).toBe('track');
  });

  it('without --force, does not replace a final name that appeared meanwhile and keeps the .part', async () => {
    const out = tempDir();
    staged(out);
    mkdirSync(join(out, 'album'));
    writeFileSync(join(out, 'album', 'theirs.txt'), 'theirs');
    await expect(moveIntoPlace({ outDir: out, summary: folderDownload, isForced: false })).rejects.toMatchObject({
      code: 'EXISTS', message: expect.stringMatching(/album appeared while downloading; the complete download is kept as .*album\.part$/),
    });
    expect(readdirSync(out).sort()).toEqual(['album', 'album.part']);
    expect(readdirSync(join(out, 'album'))).toEqual(['theirs.txt']);
  });

  it('with --force, moves each file into the existing folder and keeps what the download does not name', async () => {
    const out = tempDir();
    staged(out);
    mkdirSync(join(out, 'album'));
    writeFileSync(join(out, 'album', 'mine.txt'), 'mine');
    await moveIntoPlace({ outDir: out, summary: folderDownload, isForced: true });
    expect(readdirSync(out)).toEqual(['album']);
    expect(readdirSync(join(out, 'album')).sort()).toEqual(['deep', 'mine.txt', 'notes.txt']);
    expect(readFileSync(join(out, 'album', 'deep', 'track.txt'), 'utf8')).toBe('track');
  });

  it('with --force, refuses to move a file through a folder that became a link', async () => {
    const out = tempDir();
    staged(out);
    const elsewhere = tempDir();
    mkdirSync(join(out, 'album'));
    symlinkSync(elsewhere, join(out, 'album', 'deep'));
    await expect(moveIntoPlace({ outDir: out, summary: folderDownload, isForced: true })).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
    expect(readdirSync(elsewhere)).toEqual([]);
  });
});

describe('staging name', () => {
  it('is <name>.part, cut to whole characters when a long name would pass 255 bytes', () => {
    expect(stagingName('big.bin')).toBe('big.bin.part');
    const long = 'é'.repeat(127); // 254 bytes
    const staged = stagingName(long);
    expect(Buffer.byteLength(staged)).toBeLessThanOrEqual(255);
    expect(staged).toBe(`${'é'.repeat(125)}.part`);
  });
});
