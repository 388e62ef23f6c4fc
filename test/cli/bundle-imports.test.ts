/**
 * The bundled engine (scripts/bundle-cli.mjs) loads nothing swarm never runs: webtorrent's
 * HTTP fetch (web seeds, `xs=` sources, torrent URLs) is a stub, so importing it neither
 * carries node-fetch nor makes Node load its built-in undici (~50 ms CPU per start).
 * Needs a fresh `npm run build`.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BUNDLE = fileURLToPath(new URL('../../dist/bundle/', import.meta.url));

describe('the bundled engine', () => {
  it('imports webtorrent without node-fetch or Node\'s undici', () => {
    const chunks = readdirSync(BUNDLE).filter((name) => name.endsWith('.js'));
    const engine = chunks.find((name) => name.startsWith('webtorrent-'));
    expect(engine).toBeDefined();
    for (const name of chunks) expect(readFileSync(join(BUNDLE, name), 'utf8')).not.toContain('node_modules/node-fetch/');
    const script = `await import(${JSON.stringify(join(BUNDLE, engine!))});
console.log(JSON.stringify(process.moduleLoadList.filter((m) => m.includes('undici'))));`;
    const loaded = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as string[];
    expect(loaded).toEqual([]);
  });
});
