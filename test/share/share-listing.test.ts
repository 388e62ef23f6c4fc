// listShare on real folders: regular files only, every symlink skipped with the right
// reason (outside, inside, broken or looping), hidden names, names getters refuse, case
// clashes, special files, and clean errors for an empty or missing share.
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listShare, MAX_SHARE_DEPTH } from '../../src/share/share-listing.js';
import { tempDir } from '../helpers/temp-home.js';

const reasons = (path: string, includeHidden = false) =>
  Object.fromEntries(listShare(path, { includeHidden }).skipped.map((entry) => [entry.path, entry.reason]));
const filePaths = (path: string, includeHidden = false) => listShare(path, { includeHidden }).files.map((file) => file.parts.join('/'));

describe('listShare', () => {
  it('classifies every symlink and follows none', () => {
    const dir = tempDir();
    const root = join(dir, 'root');
    mkdirSync(join(root, 'd'), { recursive: true });
    writeFileSync(join(dir, 'outside.txt'), 'out');
    writeFileSync(join(root, 'd', 'in.txt'), 'in');
    symlinkSync('../outside.txt', join(root, 'out-rel'));
    symlinkSync(join(dir, 'outside.txt'), join(root, 'out-abs'));
    symlinkSync('..', join(root, 'd', 'up'));
    symlinkSync('../..', join(root, 'd', 'up2'));
    symlinkSync('d', join(root, 'dir-link'));
    symlinkSync('d/in.txt', join(root, 'in-link'));
    symlinkSync('self', join(root, 'self'));
    symlinkSync('missing', join(root, 'dangling'));
    expect(reasons(root)).toEqual({
      'root/dangling': 'link-broken',
      'root/d/up': 'link-inside',
      'root/d/up2': 'link-outside',
      'root/dir-link': 'link-inside',
      'root/in-link': 'link-inside',
      'root/out-abs': 'link-outside',
      'root/out-rel': 'link-outside',
      'root/self': 'link-broken',
    });
    expect(filePaths(root)).toEqual(['d/in.txt']);
  });

  it('judges links by where they really lead, even when the shared path is itself a link', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'real', 'sub'), { recursive: true });
    writeFileSync(join(dir, 'real', 'sub', 'f'), 'f');
    symlinkSync('real', join(dir, 'alias'));
    symlinkSync('../sub/f', join(dir, 'real', 'sub', 'again'));
    const listing = listShare(join(dir, 'alias'));
    expect(listing.name).toBe('alias');
    expect(listing.files.map((f) => f.absolutePath)).toEqual([join(dir, 'alias', 'sub', 'f')]);
    expect(listing.skipped).toEqual([{ path: 'alias/sub/again', reason: 'link-inside', target: '../sub/f' }]);
  });

  it('skips hidden names unless asked, and lists the hidden names it includes', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'p', '.git'), { recursive: true });
    writeFileSync(join(dir, 'p', '.git', 'HEAD'), 'ref');
    writeFileSync(join(dir, 'p', '.env'), 'KEY=1');
    writeFileSync(join(dir, 'p', 'main.c'), 'int');
    expect(reasons(join(dir, 'p'))).toEqual({ 'p/.env': 'hidden', 'p/.git': 'hidden' });
    const withHidden = listShare(join(dir, 'p'), { includeHidden: true });
    expect(withHidden.files.map((f) => f.parts.join('/'))).toEqual(['.env', '.git/HEAD', 'main.c']);
    expect(withHidden.hiddenIncluded).toEqual(['.env', '.git']);
  });

  it('skips names getters refuse, too-deep paths and case clashes, keeping the first name', () => {
    const dir = tempDir();
    const root = join(dir, 'r');
    mkdirSync(root);
    for (const name of ['a:b', 'con.txt', 'trailing.', 'esc\u001b[2J', 'Readme', 'README', 'readme']) writeFileSync(join(root, name), name);
    const deep = join(root, ...Array.from({ length: MAX_SHARE_DEPTH }, () => 'd'));
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(deep, 'too-deep'), 'x');
    writeFileSync(join(deep, '..', 'deepest-allowed'), 'x');
    const skipped = reasons(root);
    for (const name of ['a:b', 'con.txt', 'trailing.', 'esc\u001b[2J']) expect(skipped[`r/${name}`]).toBe('refused-name');
    expect(skipped['r/Readme']).toBe('collision');
    expect(skipped['r/readme']).toBe('collision');
    expect(skipped[['r', ...Array.from({ length: MAX_SHARE_DEPTH }, () => 'd'), 'too-deep'].join('/')]).toBe('refused-name');
    const files = filePaths(root);
    expect(files).toContain('README');
    expect(files.find((f) => f.endsWith('deepest-allowed'))!.split('/')).toHaveLength(MAX_SHARE_DEPTH);
  });

  it('skips FIFOs (reading one would hang) and unreadable files', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'r'));
    writeFileSync(join(dir, 'r', 'ok'), 'ok');
    execFileSync('mkfifo', [join(dir, 'r', 'pipe')]);
    writeFileSync(join(dir, 'r', 'locked'), 'no', { mode: 0o000 });
    const skipped = reasons(join(dir, 'r'));
    expect(skipped['r/pipe']).toBe('special');
    if (process.getuid?.() !== 0) expect(skipped['r/locked']).toBe('unreadable');
  });

  it('refuses a folder with nothing to share, a missing path, and a name getters refuse, with one-line errors', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'only-links'));
    symlinkSync('/etc/passwd', join(dir, 'only-links', 'passwd'));
    expect(() => listShare(join(dir, 'only-links'))).toThrow(expect.objectContaining({ code: 'NOT_SHAREABLE', message: expect.stringContaining('nothing in it can be shared (1 entries skipped)') }));
    expect(() => listShare(join(dir, 'nope'))).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    writeFileSync(join(dir, 'bad:name'), 'x');
    expect(() => listShare(join(dir, 'bad:name'))).toThrow(expect.objectContaining({ code: 'NOT_SHAREABLE', message: expect.stringContaining('getters refuse its name') }));
  });

  it('lists a single file with its size and identity', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'one.bin'), Buffer.alloc(1234));
    const listing = listShare(join(dir, 'one.bin'));
    expect(listing).toMatchObject({ name: 'one.bin', isDirectory: false, totalBytes: 1234, skipped: [] });
    expect(listing.files).toEqual([expect.objectContaining({ parts: [], size: 1234 })]);
    expect(listing.files[0]!.identity.mtimeNs).toMatch(/^\d+$/);
  });
});
