// A userspace stand-in for netem (not available here): a TCP relay on 127.0.0.1 that holds
// every chunk for `oneWayDelayMs` in each direction, so a connection through it sees a
// round trip of 2 x oneWayDelayMs more than loopback, and optionally caps each direction
// at `rateBytesPerSecond` (an uplink). Used by bench/share-long-link.bench.mjs and by
// test/share/link-pipeline.test.ts. Memory is bounded: a direction stops reading its
// source while more than `maxQueuedBytes` wait in it.
import net from 'node:net';

/**
 * @param {{ targetPort: number, targetHost?: string, oneWayDelayMs: number, rateBytesPerSecond?: number,
 *           maxQueuedBytes?: number, host?: string }} options
 * @returns {Promise<{ port: number, host: string, close(): Promise<void>, connections: number }>}
 */
export async function startDelayRelay(options) {
  const { targetPort, targetHost = '127.0.0.1', oneWayDelayMs, rateBytesPerSecond = 0, maxQueuedBytes = 256 * 1024 * 1024, host = '127.0.0.1' } = options;
  const sockets = new Set();
  const relay = { port: 0, host, connections: 0, close };
  const server = net.createServer((client) => {
    relay.connections++;
    const upstream = net.connect(targetPort, targetHost);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('error', () => {});
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    delayDirection(client, upstream);
    delayDirection(upstream, client);
  });

  /** Forwards `from` to `to`, each chunk no earlier than its arrival + delay (+ its turn at the rate cap). */
  function delayDirection(from, to) {
    const queue = [];
    let queuedBytes = 0;
    let timer = null;
    let isEnded = false;
    let linkFreeAtMs = 0; // when the capped "wire" has sent everything before
    const pump = () => {
      timer = null;
      const nowMs = performance.now();
      while (queue.length > 0 && queue[0].dueMs <= nowMs) {
        const { chunk } = queue.shift();
        queuedBytes -= chunk.length;
        to.write(chunk);
      }
      if (queuedBytes <= maxQueuedBytes / 2 && from.isPaused()) from.resume();
      if (queue.length > 0) timer = setTimeout(pump, Math.max(0, queue[0].dueMs - nowMs));
      else if (isEnded) to.end();
    };
    from.on('data', (chunk) => {
      const nowMs = performance.now();
      let dueMs = nowMs + oneWayDelayMs;
      if (rateBytesPerSecond > 0) {
        linkFreeAtMs = Math.max(linkFreeAtMs, nowMs) + (chunk.length * 1000) / rateBytesPerSecond;
        dueMs = linkFreeAtMs + oneWayDelayMs;
      }
      queue.push({ chunk, dueMs });
      queuedBytes += chunk.length;
      if (queuedBytes > maxQueuedBytes) from.pause();
      if (!timer) timer = setTimeout(pump, Math.max(0, queue[0].dueMs - nowMs));
    });
    from.on('end', () => {
      isEnded = true;
      if (queue.length === 0 && !timer) to.end();
    });
    from.on('close', () => timer && clearTimeout(timer));
  }

  async function close() {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(() => resolve()));
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  relay.port = server.address().port;
  return relay;
}
