/**
 * The bundled CLI (scripts/bundle-cli.mjs) loads nothing swarm never runs. A whole `swarm get`
 * from a real sharer, with a preload that lists at exit what the process loaded:
 * - webtorrent's HTTP fetch (web seeds, `xs=` sources, torrent URLs) is a stub, so neither
 *   node-fetch is in the bundle nor Node's built-in undici loaded (~50 ms CPU per start);
 * - nor Node's http (webtorrent's HTTP server, never created; port mapping's UPnP client,
 *   loaded only for a mapping);
 * - no module comes from node_modules through the CommonJS loader: not utp-native and
 *   fs-native-extensions (native addons behind webtorrent's uTP and fs-chunk-store's
 *   random-access-file, both unused: ~25 ms CPU with their loaders), not a second streamx.
 * Needs a fresh `npm run build`.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CliProcess } from '../helpers/cli-process.js';
import { cliEnv } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-home.js';
import { makeUsers, sameFile, startSharer } from '../share/cli-peers.js';

const SCRIPT = fileURLToPath(new URL('../../dist/bundle/cli-script.js', import.meta.url));

/** A preload that writes, at exit, Node's built-ins loaded and the CommonJS modules required. */
const REPORTER = `import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
const require = createRequire(import.meta.url);
process.on('exit', () => writeFileSync(process.env.LOAD_REPORT, JSON.stringify({
  builtins: process.moduleLoadList,
  required: Object.keys(require.cache),
})));
`;

describe('the bundled CLI', () => {
  it('carries no node-fetch, and a whole get (DHT, LAN, NAT off) loads neither undici, http nor any CommonJS module from node_modules', async () => {
    expect(readFileSync(SCRIPT, 'utf8')).not.toContain('node_modules/node-fetch/');
    const [alice, bob] = makeUsers(['alice', 'bob']);
    const dir = tempDir();
    const source = join(dir, 'one.bin');
    writeFileSync(source, randomBytes(300_000));
    const { magnet } = await startSharer(alice!, source);
    const preload = join(dir, 'report-loads.mjs');
    writeFileSync(preload, REPORTER);
    const report = join(dir, 'loads.json');
    const getter = new CliProcess(['get', magnet, '-o', join(dir, 'out'), '--host', '127.0.0.1', '--json'], {
      home: bob!.home,
      env: { ...cliEnv(bob!.home), LOAD_REPORT: report, NODE_OPTIONS: `--import=${preload}` },
    });
    await getter.waitForEvent((e) => e.event === 'done', 30_000, 'done');
    expect(await getter.exited).toBe(0);
    expect(sameFile(source, join(dir, 'out', 'one.bin'))).toBe(true);
    const loads = JSON.parse(readFileSync(report, 'utf8')) as { builtins: string[]; required: string[] };
    expect(loads.builtins.filter((name) => name.includes('undici'))).toEqual([]);
    expect(loads.builtins.filter((name) => /^NativeModule _?http\b/.test(name))).toEqual([]);
    // the bundle's own script is run by the launcher, not required
    expect(loads.required.filter((path) => path.includes('node_modules'))).toEqual([]);
  }, 60_000);
});
