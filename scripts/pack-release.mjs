#!/usr/bin/env node
/**
 * Packs a self-contained tarball that `npm install -g ./swarm-<version>.tgz` turns into a
 * working `swarm` on any machine with Node 20, offline.
 *
 * Why not a plain `npm pack`: package.json's `overrides` pin three of webtorrent's
 * dependencies, and npm applies overrides only in the root project, so installing a plain
 * tarball resolves them afresh (and ip-set@3's preinstall `npx only-allow pnpm` then fails
 * the install). Adding `bundleDependencies` to package.json itself sends `npm ci` into an
 * endless loop with these overrides (npm 11), so the bundle is made here, in a staging
 * directory: dist/, the demo fixture, and exactly the production tree `npm ci` installed.
 *
 * Usage: node scripts/pack-release.mjs [destination-dir]   (after `npm run build`)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const destination = resolve(process.argv[2] ?? root);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

if (!existsSync(join(root, 'dist', 'cli.cjs'))) {
  console.error("pack-release: dist/cli.cjs is missing: run 'npm run build' first");
  process.exit(1);
}

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const staging = mkdtempSync(join(tmpdir(), 'swarm-pack-'));
try {
  // The launcher's code caches (dist/bundle/code-cache/) are this machine's: an install makes its own.
  const isShipped = (path) => !path.split(sep).includes('code-cache');
  for (const entry of [...manifest.files, 'README.md']) cpSync(join(root, entry), join(staging, entry), { recursive: true, filter: isShipped });

  // Every top-level package of the production tree, with whatever is nested inside it.
  // npm ls exits 1 on an extraneous or invalid package but still lists the tree; say so and go on.
  const listed = spawnSync(npm, ['ls', '--omit=dev', '--all', '--parseable'], { cwd: root, encoding: 'utf8' });
  const parseable = listed.stdout ?? '';
  if (!parseable.includes('node_modules')) throw new Error(`npm ls listed no dependencies: ${listed.stderr}`);
  if (listed.status !== 0) console.error(`pack-release: npm ls reports problems (run 'npm ci' for an exact tree):\n${listed.stderr}`);
  const topLevel = new Set();
  for (const path of parseable.split('\n').filter(Boolean)) {
    const parts = relative(root, path).split(sep);
    if (parts[0] !== 'node_modules') continue;
    topLevel.add(parts.slice(0, parts[1]?.startsWith('@') ? 3 : 2).join(sep));
  }
  for (const dir of topLevel) cpSync(join(root, dir), join(staging, dir), { recursive: true });

  // The installed package has nothing to build or override: no scripts, no dev tools.
  const { scripts: _scripts, devDependencies: _dev, overrides: _overrides, ...shipped } = manifest;
  writeFileSync(join(staging, 'package.json'), `${JSON.stringify({ ...shipped, bundleDependencies: true }, null, 2)}\n`);

  const out = execFileSync(npm, ['pack', '--ignore-scripts', '--silent', '--pack-destination', destination], {
    cwd: staging,
    encoding: 'utf8',
  });
  const tarball = join(destination, out.trim().split('\n').pop());
  process.stdout.write(`${tarball}\n`);
} finally {
  rmSync(staging, { recursive: true, force: true });
}
