// Child-process roles for the share benchmarks (not a benchmark itself; run by them).
//   node share-bench-roles.mjs raw-send <file>             prints {"port":…}, sends the file to the first connection
//   node share-bench-roles.mjs raw-recv <port> <out>       copies a TCP stream into <out>, prints {"bytes":…}
//   node share-bench-roles.mjs wt-seed <file>              plain webtorrent (its own plaintext TCP), prints {"magnet":…}
//   node share-bench-roles.mjs wt-get <magnet> <outDir>    plain webtorrent download, prints {"done":true}
import { createReadStream, createWriteStream } from 'node:fs';
import net from 'node:net';

const [role, ...args] = process.argv.slice(2);
const print = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);

if (role === 'raw-send') {
  const server = net.createServer((socket) => {
    createReadStream(args[0], { highWaterMark: 1 << 20 }).pipe(socket);
    server.close();
  });
  server.listen(0, '127.0.0.1', () => print({ port: server.address().port }));
} else if (role === 'raw-recv') {
  const socket = net.connect(Number(args[0]), '127.0.0.1');
  const out = createWriteStream(args[1], { highWaterMark: 1 << 20 });
  let bytes = 0;
  socket.on('data', (chunk) => (bytes += chunk.length));
  socket.pipe(out).on('finish', () => print({ bytes }));
} else if (role === 'wt-seed' || role === 'wt-get') {
  const { default: WebTorrent } = await import('webtorrent');
  const client = new WebTorrent({ dht: false, tracker: false, lsd: false, utp: false, natUpnp: false, natPmp: false, webSeeds: false });
  await new Promise((resolve) => client.once('listening', resolve));
  if (role === 'wt-seed') {
    // An orderly exit on SIGTERM, so `--cpu-prof` (SHARE_BENCH_NODE_FLAGS) can write its profile.
    process.once('SIGTERM', () => process.exit(0));
    client.seed(args[0], { announce: [] }, (torrent) => {
      const port = client.address().port;
      print({ magnet: `magnet:?xt=urn:btih:${torrent.infoHash}&x.pe=127.0.0.1:${port}`, port });
    });
  } else {
    const torrent = client.add(args[0], { path: args[1], announce: [] });
    torrent.once('metadata', () => print({ metadata: true }));
    torrent.once('done', () => {
      print({ done: true, received: torrent.received });
      client.destroy(() => process.exit(0));
    });
  }
} else {
  console.error(`unknown role ${role}`);
  process.exit(2);
}
