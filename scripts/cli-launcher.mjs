#!/usr/bin/env node
/**
 * swarm's launcher: scripts/bundle-cli.mjs copies this file to dist/cli.js (the bin) with the
 * bundle's id and the command names filled in. It runs dist/bundle/cli-script.js, the whole CLI as
 * one CommonJS script, through vm.Script with a V8 code cache, because Node 20 has no compile
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
 * the process), nor which source it was made from beyond its length. Any failure to read or
 * write a cache only means running without one. SWARM_CODE_CACHE=0 turns it off.
 */
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Script } from 'node:vm';

const BUNDLE_ID = '__SWARM_BUNDLE_ID__';
const COMMANDS = new Set(__SWARM_COMMANDS__);
const HASH_BYTES = 32;
/** Exit codes after which a run's compiled functions are worth keeping: done, or stopped by SIGINT/SIGTERM. */
const CACHING_EXIT_CODES = new Set([0, 130, 143]);

const bundleFile = fileURLToPath(new URL('./bundle/cli-script.js', import.meta.url));
const bundleDir = dirname(bundleFile);
const command = COMMANDS.has(process.argv[2]) ? process.argv[2] : 'other';
const cacheFile = join(bundleDir, 'code-cache', `${command}-${process.version}-${process.arch}.bin`);
const isCaching = process.env.SWARM_CODE_CACHE !== '0';

/** The hash that binds cache bytes to this bundle and this Node. */
function cacheHash(data) {
  return createHash('sha256').update(`${BUNDLE_ID}\0${process.version}\0${process.arch}\0`).update(data).digest();
}

/** The V8 cache bytes of the file, or undefined when it is missing, unreadable or not ours. */
function readCache() {
  let file;
  try {
    file = readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  if (file.length <= HASH_BYTES) return undefined;
  const data = file.subarray(HASH_BYTES);
  return cacheHash(data).equals(file.subarray(0, HASH_BYTES)) ? data : undefined;
}

/** Writes the cache under a temporary name and renames it into place; silent on any failure. */
function writeCache(script) {
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  try {
    const data = script.createCachedData();
    mkdirSync(dirname(cacheFile), { recursive: true });
    const fd = openSync(temporary, 'w');
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
if (isCaching && (cachedData === undefined || script.cachedDataRejected)) {
  process.once('exit', (code) => {
    if (CACHING_EXIT_CODES.has(code)) writeCache(script);
  });
}
const module = { exports: {} };
script.runInThisContext().call(module.exports, module.exports, createRequire(bundleFile), module, bundleFile, bundleDir, pathToFileURL(bundleFile).href);
