#!/usr/bin/env node
/**
 * swarm's launcher: scripts/bundle-cli.mjs copies this file to dist/cli.cjs (the bin) with the
 * bundle's id and the command names filled in. It is CommonJS because an ES module entry
 * point makes Node set up its ES module loader first: ~15 ms more CPU at every start (`swarm
 * id` 154 against 170 ms; eight getters starting at once on two cores wait for each other's).
 * dist/cli.js, for `node dist/cli.js`, only requires this file.
 *
 * It runs dist/bundle/cli-script.js, the whole CLI as one CommonJS script, through vm.Script
 * with a V8 code cache, because Node 20 has no compile
 * cache of its own: without one, every start parses the 1.6 MB bundle again and compiles each
 * function it calls (~50 ms CPU of a `swarm get`'s ~300 before its first block).
 *
 * One cache file per command (a `swarm id` compiles other functions than a `swarm get`) in
 * dist/bundle/code-cache/, beside the code it is made from and as trusted: whoever can write
 * there can already change the bundle. It is made at the end of a run that had none, or whose
 * cache V8 rejected (another Node version or V8 flags), from the functions that run compiled,
 * and written to a temporary file renamed into place, so concurrent runs never read half a
 * file. A file starts with a SHA-256 over this bundle's id, the Node version and the cache
 * bytes: V8 checks a cache's version and flags but not its bytes (a corrupted cache crashes
 * the process), nor which source it was made from beyond its length. The hash also covers the
 * script file's size, mtime and inode, so a script edited in place (same length) never meets
 * an old cache. Any failure to read or write a cache only means running without one.
 * SWARM_CODE_CACHE=0 turns it off.
 *
 * The hash proves no origin (anyone can compute it), so a cache is used only where nobody but
 * the script's owner could have put it: the folder and the file must belong to that owner (or
 * to whoever runs swarm) and be writable by nobody else. They are created 0755 / 0644 with an
 * exclusive, randomly named temporary file, whatever the umask, so a root install run under
 * umask 0 does not leave a folder any local user could plant code in. No cache is made from a
 * run that only printed help or the version, and none where the folder cannot be written
 * (a global install used by another user): serialising it would be wasted work at every exit.
 */
'use strict';
const { accessSync, closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { createHash, randomBytes } = require('node:crypto');
const { createRequire } = require('node:module');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { Script } = require('node:vm');

const BUNDLE_ID = '__SWARM_BUNDLE_ID__';
const COMMANDS = new Set(__SWARM_COMMANDS__);
const HASH_BYTES = 32;
/** Exit codes after which a run's compiled functions are worth keeping: done, or stopped by SIGINT/SIGTERM. */
const CACHING_EXIT_CODES = new Set([0, 130, 143]);

const bundleDir = join(__dirname, 'bundle');
const bundleFile = join(bundleDir, 'cli-script.js');
const cacheDir = join(bundleDir, 'code-cache');
const command = COMMANDS.has(process.argv[2]) ? process.argv[2] : 'other';
const cacheFile = join(cacheDir, `${command}-${process.version}-${process.arch}.bin`);
/** Only help or the version: what such a run compiles is no cache for real work. */
const isInfoOnly = process.argv.slice(2).some((arg) => ['-h', '--help', '-V', '--version'].includes(arg)) || process.argv[2] === 'help';
const isCaching = process.env.SWARM_CODE_CACHE !== '0';
const bundleStat = statSync(bundleFile);
const myUid = process.getuid?.() ?? -1;

/** The hash that binds cache bytes to this bundle file (as built, and as it is on disk now) and this Node. */
function cacheHash(data) {
  const source = `${BUNDLE_ID}\0${bundleStat.size}\0${bundleStat.mtimeMs}\0${bundleStat.ino}\0`;
  return createHash('sha256').update(`${source}${process.version}\0${process.arch}\0`).update(data).digest();
}

/** Owned by the script's owner or by us, and writable by nobody else (no group or other write). */
const isTrusted = (stat) => (stat.uid === bundleStat.uid || stat.uid === myUid) && (stat.mode & 0o022) === 0;

/** The V8 cache bytes of the file, or undefined when it is missing, unreadable, not trusted or not ours. */
function readCache() {
  let file;
  try {
    if (!isTrusted(lstatSync(cacheDir)) || !lstatSync(cacheDir).isDirectory()) return undefined;
    const fd = openSync(cacheFile, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      if (!isTrusted(fstatSync(fd))) return undefined;
      file = readFileSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  if (file.length <= HASH_BYTES) return undefined;
  const data = file.subarray(HASH_BYTES);
  return cacheHash(data).equals(file.subarray(0, HASH_BYTES)) ? data : undefined;
}

/** True if a cache could be written here (the folder exists and is writable, or can be made). */
function canWriteCache() {
  try {
    accessSync(cacheDir, constants.W_OK);
    return true;
  } catch {
    try {
      accessSync(bundleDir, constants.W_OK);
      return true;
    } catch {
      return false;
    }
  }
}

/** Writes the cache under a temporary name and renames it into place; silent on any failure. */
function writeCache(script) {
  const temporary = `${cacheFile}.${randomBytes(8).toString('hex')}.tmp`;
  try {
    mkdirSync(cacheDir, { recursive: true, mode: 0o755 });
    if (!isTrusted(lstatSync(cacheDir))) return;
    const data = script.createCachedData();
    const fd = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
    try {
      writeFileSync(fd, cacheHash(data));
      writeFileSync(fd, data);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, cacheFile);
  } catch {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // nothing was written there (the folder could not be made)
    }
  }
}

const cachedData = isCaching ? readCache() : undefined;
// The file is one function expression (exports, require, module, __filename, __dirname,
// __swarmImportMetaUrl), ASCII only, so latin1 reads it into a one-byte string without a copy
// for decoding; the bundle reads import.meta.url (fixtures, createRequire) as the last argument.
const script = new Script(readFileSync(bundleFile, 'latin1'), { filename: bundleFile, cachedData });
if (isCaching && !isInfoOnly && (cachedData === undefined || script.cachedDataRejected) && canWriteCache()) {
  process.once('exit', (code) => {
    if (CACHING_EXIT_CODES.has(code)) writeCache(script);
  });
}
const bundleModule = { exports: {} };
script.runInThisContext().call(bundleModule.exports, bundleModule.exports, createRequire(bundleFile), bundleModule, bundleFile, bundleDir, pathToFileURL(bundleFile).href);
