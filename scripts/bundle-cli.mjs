#!/usr/bin/env node
/**
 * Bundles the CLI (run by `npm run build`, after tsc): a Node process pays per module file
 * it loads, and `swarm get` loaded ~500 of them (dist/ and the packages); importing
 * webtorrent alone cost ~700 ms CPU that way against ~200 ms bundled. esbuild (already
 * installed for vitest, so offline-safe) turns tsc's dist/cli.js into one CommonJS script,
 * dist/bundle/cli-script.js, run with a V8 code cache by the launcher, dist/cli.cjs (the bin,
 * scripts/cli-launcher.cjs); dist/cli.js becomes a shim that runs the launcher. Commands stay
 * lazy: program.ts's import()s become esbuild's lazy module initialisers, so a command runs
 * only its own modules' top level (the script is parsed whole, which the code cache makes
 * cheap). The script sits two levels
 * below the package root like tsc's files, so paths taken from import.meta.url (the demo's
 * fixtures, ../cli.js) stay right. tsc's other files stay in dist/ for benches that import
 * modules directly.
 *
 * Modules webtorrent imports only for features swarm always switches off (DHT, trackers,
 * LSD, NAT-PMP/UPnP, IP blocklists, ut_pex; locked-client.ts sets each option false) are
 * replaced by empty modules, as webtorrent's own browser build does: its code checks that
 * each is a function before using it. swarm's own DHT (discovery/) keeps the real
 * bittorrent-dht: only imports from inside webtorrent and torrent-discovery are replaced.
 *
 * webtorrent and parse-torrent fetch over HTTP only for web seeds, `xs=` sources and torrent
 * URLs, none of which swarm accepts; their `cross-fetch-ponyfill` import pulled node-fetch
 * into the bundle and, by reading `global.fetch`, made Node load its built-in undici (~60 ms
 * CPU at every start). It becomes a fetch that fails, so a path swarm does not expect to be
 * taken fails with a message instead of reaching the network.
 *
 * webtorrent's HTTP server (`client.createServer()`, streaming a torrent over plain HTTP) is
 * never created by swarm; its module loaded Node's http stack at every start. Its two
 * classes become undefined, so a call would fail at once instead of serving anything.
 *
 * create-torrent imports fast-readable-async-iterator only for its side effect: a polyfill of
 * ReadableStream's async iterator (Node 20 has it) plus a `getIterator` nothing calls. Its
 * `typeof ReadableStream` made Node load its web streams at every start; it is left out.
 *
 * debug tries to require supports-color, which is not installed: a failed lookup through
 * every node_modules folder up to / and the global ones at every start; it gets the same
 * failure without the search.
 *
 * Two native addons were loaded at every start for nothing (~25 ms CPU: node-gyp-build,
 * require-addon's resolver, readable-stream, dlopen). utp-native: webtorrent's utp.cjs
 * requires it in a try/catch, and swarm sets utp: false; an empty object is what that file
 * falls back to (webtorrent then reports uTP unsupported). fs-native-extensions:
 * random-access-file (under fs-chunk-store, webtorrent's default store) requires it in a
 * try/catch for file locks, sparse files and trim; swarm always passes its own store
 * (no-follow-store.ts, share-store.ts), so a require that fails, as when the optional
 * package is not installed, is exact.
 */
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const UNUSED_BY_ENGINE = new Set(['bittorrent-dht', '@silentbot1/nat-api', 'load-ip-set', 'bittorrent-lsd', 'bittorrent-tracker', 'ut_pex']);
const ENGINE_IMPORTER = /[\\/]node_modules[\\/](webtorrent|torrent-discovery)[\\/]/;
const FETCH_IMPORTER = /[\\/]node_modules[\\/](webtorrent|parse-torrent)[\\/]/;
const NO_SUPPORTS_COLOR = "throw new Error('supports-color is not installed');\n";
const NO_UTP = "module.exports = {};\n";
const NO_FS_EXTENSIONS = "throw new Error('fs-native-extensions is not bundled: swarm never uses random-access-file');\n";
const NO_FETCH = "export default async function fetch() { throw new Error('swarm fetches nothing over HTTP (no web seeds, sources or torrent URLs)'); }\n";

const emptyEngineModules = {
  name: 'empty-engine-modules',
  setup(bundler) {
    bundler.onResolve({ filter: /^([@a-z]|\.\/lib\/server\.js$)/ }, (args) => {
      if (UNUSED_BY_ENGINE.has(args.path) && ENGINE_IMPORTER.test(args.importer)) return { path: args.path, namespace: 'empty' };
      if (args.path === 'cross-fetch-ponyfill' && FETCH_IMPORTER.test(args.importer)) return { path: args.path, namespace: 'no-fetch' };
      if (args.path === './lib/server.js' && /[\\/]node_modules[\\/]webtorrent[\\/]index\.js$/.test(args.importer)) return { path: args.path, namespace: 'no-http-server' };
      if (args.path === 'fast-readable-async-iterator' && /[\\/]node_modules[\\/]create-torrent[\\/]/.test(args.importer)) return { path: args.path, namespace: 'empty' };
      if (args.path === 'supports-color' && /[\\/]node_modules[\\/]debug[\\/]/.test(args.importer)) return { path: args.path, namespace: 'no-supports-color' };
      if (args.path === 'utp-native' && /[\\/]node_modules[\\/]webtorrent[\\/]/.test(args.importer)) return { path: args.path, namespace: 'no-utp' };
      if (args.path === 'fs-native-extensions' && /[\\/]node_modules[\\/]random-access-file[\\/]/.test(args.importer)) return { path: args.path, namespace: 'no-fs-extensions' };
      return undefined;
    });
    bundler.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'export default undefined;\nexport const Client = undefined;\n', loader: 'js' }));
    bundler.onLoad({ filter: /.*/, namespace: 'no-fetch' }, () => ({ contents: NO_FETCH, loader: 'js' }));
    bundler.onLoad({ filter: /.*/, namespace: 'no-http-server' }, () => ({ contents: 'export const NodeServer = undefined;\nexport const BrowserServer = undefined;\n', loader: 'js' }));
    bundler.onLoad({ filter: /.*/, namespace: 'no-supports-color' }, () => ({ contents: NO_SUPPORTS_COLOR, loader: 'js' }));
    bundler.onLoad({ filter: /.*/, namespace: 'no-utp' }, () => ({ contents: NO_UTP, loader: 'js' }));
    bundler.onLoad({ filter: /.*/, namespace: 'no-fs-extensions' }, () => ({ contents: NO_FS_EXTENSIONS, loader: 'js' }));
  },
};

const entry = `${dist}cli.js`;
const LAUNCHER_SHIM_MARK = '// swarm launcher shim';
/** dist/cli.js after the build: `node dist/cli.js` runs the same launcher as the bin. */
const LAUNCHER_SHIM = `#!/usr/bin/env node
${LAUNCHER_SHIM_MARK}: \`node dist/cli.js\` runs the bin, dist/cli.cjs (see scripts/cli-launcher.cjs).
import { createRequire } from 'node:module';
createRequire(import.meta.url)('./cli.cjs');
`;
const launcherTemplate = readFileSync(fileURLToPath(new URL('./cli-launcher.cjs', import.meta.url)), 'utf8');
const launcherFile = `${dist}cli.cjs`;
// A rebuild without tsc would bundle the launcher itself.
if (readFileSync(entry, 'utf8').includes(LAUNCHER_SHIM_MARK)) throw new Error('dist/cli.js is already the launcher shim: run tsc first (npm run build)');
const { COMMAND_NAMES } = await import(pathToFileURL(`${dist}cli/program.js`).href);
rmSync(`${dist}bundle`, { recursive: true, force: true });
const bundleFile = `${dist}bundle/cli.cjs`;
const scriptFile = `${dist}bundle/cli-script.js`;
await build({
  entryPoints: [entry],
  outfile: bundleFile,
  bundle: true,
  // One CommonJS script, not ES module chunks: only a script can be given a V8 code cache
  // (vm.Script cachedData) on Node 20. Lazily imported commands stay lazy: esbuild runs each
  // module's top level on its first import(), so `swarm id` still runs none of webtorrent.
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // every import() becomes a require() inside the script: vm.Script has no loader for import()
  supported: { 'dynamic-import': false },
  // the launcher passes the bundle's own URL in (fixtures, createRequire, ../cli.js)
  define: { 'import.meta.url': '__swarmImportMetaUrl' },
  // Native addons load from node_modules as before (they find their binaries relative to
  // their own files) if anything outside webtorrent and random-access-file asks for them;
  // ws's bufferutil/utf-8-validate are optional.
  external: ['fs-native-extensions', 'utp-native', 'bufferutil', 'utf-8-validate'],
  plugins: [emptyEngineModules],
  logLevel: 'warning',
  legalComments: 'none',
});
// The file is the exact source the launcher compiles: wrapped in the CommonJS-style function
// here, not by string concatenation at every start (V8 would copy the 1.6 MB into one flat
// string), and ASCII only, so it is read as latin1 into a one-byte string (UTF-8 text with
// one non-ASCII character becomes a two-byte string: twice the memory to touch, at ~4 ms CPU
// per fresh MB on the 2-core VM). Non-ASCII characters (a few, in comments and one regular
// expression) become \u escapes, which mean the same in literals, regular expressions and
// identifiers. The wrapper sits on the first line (where the #! was) so line numbers in stack
// traces still match the file.
const code = readFileSync(bundleFile, 'utf8').replace(/^#![^\n]*/, '');
const ascii = code.replace(/[^\x00-\x7f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
const bundled = `(function (exports, require, module, __filename, __dirname, __swarmImportMetaUrl) {${ascii}\n})`;
rmSync(bundleFile);
writeFileSync(scriptFile, bundled);
const bundleId = createHash('sha256').update(bundled).digest('hex').slice(0, 32);
writeFileSync(launcherFile, launcherTemplate.replace('__SWARM_BUNDLE_ID__', bundleId).replace('__SWARM_COMMANDS__', JSON.stringify(COMMAND_NAMES)));
chmodSync(launcherFile, 0o755);
writeFileSync(entry, LAUNCHER_SHIM);
chmodSync(entry, 0o755);
