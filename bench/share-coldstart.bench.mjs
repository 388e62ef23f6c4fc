// Benchmark 4: cold start. Wall time of `swarm get --help` and `swarm id` (and a bare
// `node -e ""` for reference), median of RUNS, plus the modules each one loads: webtorrent
// must be imported only by commands that transfer (lazily, in share/locked-client.ts).
import { spawnSync } from 'node:child_process';
import { CLI, makeUsers, median, removeDir } from './share-harness.mjs';

const RUNS = Number(process.env.SHARE_BENCH_RUNS ?? 10);
const { users: [alice], root } = await makeUsers(['alice']);
const env = { ...process.env, SWARM_HOME: alice.home };

function time(args) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const result = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
    times.push(performance.now() - started);
    if (result.status !== 0) throw new Error(`${args.join(' ')} failed: ${result.stderr}`);
  }
  return median(times);
}

/** Whether running `args` loads webtorrent (checked with a loader hook that logs resolutions). */
function loadsWebtorrent(args) {
  const hook = 'data:text/javascript,' + encodeURIComponent(
    "export async function resolve(s, c, n) { const r = await n(s, c); if (r.url.includes('/node_modules/webtorrent/')) process.stderr.write('LOADED-WEBTORRENT\\n'); return r; }",
  );
  const register = `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register(${JSON.stringify(hook)});`)}`;
  const result = spawnSync(process.execPath, ['--import', register, ...args], { env, encoding: 'utf8' });
  return result.stderr.includes('LOADED-WEBTORRENT');
}

const rows = [
  ['node -e "" (baseline)', ['-e', '']],
  ['swarm id', [CLI, 'id']],
  ['swarm get --help', [CLI, 'get', '--help']],
  ['swarm share --help', [CLI, 'share', '--help']],
];
console.log(`median of ${RUNS} runs`);
console.log('| command | wall ms | loads webtorrent |');
console.log('|---|---|---|');
for (const [name, args] of rows) {
  console.log(`| ${name} | ${time(args).toFixed(0)} | ${args[0] === '-e' ? '-' : loadsWebtorrent(args) ? 'yes' : 'no'} |`);
}
// Control: a get that starts transferring does load it (so the check above can say yes).
const control = [CLI, 'get', `magnet:?xt=urn:btih:${'a'.repeat(40)}`, '--peer', '127.0.0.1:1', '-o', root];
console.log(`control: swarm get (peer unreachable) loads webtorrent: ${loadsWebtorrent(control) ? 'yes' : 'no'}`);
removeDir(root);
