#!/usr/bin/env node
// Runs every bench/*.bench.mjs in turn (or those whose name contains an argument):
//   npm run bench                 all of them
//   npm run bench -- channel      only bench/channel.bench.mjs
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Benchmarks measure one thing each: LAN beacons stay off (a discovery bench turns them on for its own children).
process.env.SWARM_NO_LAN ??= '1';
// Nor does any benchmark reach the public DHT routers (the discovery bench runs a private DHT).
process.env.SWARM_NO_DHT ??= '1';
process.env.SWARM_NO_NAT ??= '1';
const dir = fileURLToPath(new URL('.', import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((name) => name.endsWith('.bench.mjs'))
  .filter((name) => filters.length === 0 || filters.some((filter) => name.includes(filter)))
  .sort();
if (files.length === 0) {
  console.error(`no benchmark matches ${filters.join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file} (${new Date().toISOString()}) ===`);
  const result = spawnSync(process.execPath, ['--expose-gc', dir + file], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
