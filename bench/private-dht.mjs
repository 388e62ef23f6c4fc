// A private Mainline DHT in one process (to keep CPU down; tests and bench/discovery.bench.mjs): `count` bittorrent-dht nodes,
// node i on 127.<a>.<b>.<i+1>, all bootstrapped from node 0, never from the public routers.
// Prints one JSON line {"nodes":[{host,port}…]} once every node is ready. With a capture
// path, node `count-1` is a stranger that appends every datagram it receives to that file
// (hex, one per line). Exits when stdin closes or after maxLifetimeMs, whichever is first.
import DHT from 'bittorrent-dht';
import { appendFileSync } from 'node:fs';

const [count, subnet, maxLifetimeMs, capturePath] = [Number(process.argv[2]), process.argv[3], Number(process.argv[4]), process.argv[5]];
const nodes = [];
const listen = (dht, host) => new Promise((resolve) => dht.listen(0, host, resolve));
const ready = (dht) => new Promise((resolve) => (dht.ready ? resolve() : dht.once('ready', resolve)));

const first = new DHT({ bootstrap: false });
await listen(first, `${subnet}.1`);
nodes.push(first);
const bootstrap = [{ host: `${subnet}.1`, port: first.address().port }];
for (let i = 1; i < count; i++) {
  const dht = new DHT({ bootstrap });
  const host = `${subnet}.${i + 1}`;
  if (capturePath && i === count - 1) {
    dht._rpc.socket.socket.on('message', (bytes) => appendFileSync(capturePath, `${bytes.toString('hex')}\n`));
  }
  await listen(dht, host);
  nodes.push(dht);
}
await Promise.all(nodes.map(ready));
// A second pass so every node knows most others (a 20-node DHT is one bucket).
await Promise.all(nodes.map((dht) => new Promise((resolve) => dht.lookup(dht.nodeId, resolve))));
process.stdout.write(`${JSON.stringify({ nodes: nodes.map((dht) => ({ host: dht.address().address, port: dht.address().port })) })}\n`);

const stop = () => {
  for (const dht of nodes) dht.destroy();
  setTimeout(() => process.exit(0), 200).unref();
};
process.stdin.on('end', stop).resume();
setTimeout(stop, maxLifetimeMs).unref();
