import { describe, expect, it } from 'vitest';
import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prepareOutputTarget } from '../../src/share/output-target.js';
import { tempDir } from '../helpers/temp-home.js';

const infoHash = 'ab'.repeat(20);
const folderDownload = { name: 'album', files: [{ path: ['notes.txt'], length: 5 }, { path: ['deep', 'track.txt'], length: 5 }] };

describe('output target with --force', () => {
  it('removes a symlink in the way instead of following it out of the output directory', () => {
    const root = tempDir();
    const victim = join(root, 'victim');
    mkdirSync(join(victim, 'deep'), { recursive: true });
    writeFileSync(join(victim, 'notes.txt'), 'keep me');
    writeFileSync(join(victim, 'deep', 'track.txt'), 'keep me too');
    const out = join(root, 'out');
    mkdirSync(out);
    symlinkSync(victim, join(out, 'album'));

    expect(() => prepareOutputTarget(out, infoHash, folderDownload, false)).toThrow(/already exists/);
    prepareOutputTarget(out, infoHash, folderDownload, true);
    expect(readFileSync(join(victim, 'notes.txt'), 'utf8')).toBe('keep me');
    expect(readFileSync(join(victim, 'deep', 'track.txt'), 'utf8')).toBe('keep me too');
    expect(existsSync(join(out, 'album'))).toBe(false);
  });

  it('removes a symlinked subfolder and a file standing where a folder is needed', () => {
    const root = tempDir();
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(elsewhere);
    writeFileSync(join(elsewhere, 'track.txt'), 'not yours');
    const out = join(root, 'out');
    mkdirSync(join(out, 'album'), { recursive: true });
    writeFileSync(join(out, 'album', 'notes.txt'), 'old');
    symlinkSync(elsewhere, join(out, 'album', 'deep'));
    prepareOutputTarget(out, infoHash, folderDownload, true);
    expect(readFileSync(join(elsewhere, 'track.txt'), 'utf8')).toBe('not yours');
    expect(existsSync(join(out, 'album', 'deep'))).toBe(false);
    expect(existsSync(join(out, 'album', 'notes.txt'))).toBe(false);
    expect(lstatSync(join(out, 'album')).isDirectory()).toBe(true);
  });
});
