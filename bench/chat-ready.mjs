/** Waits for a `swarm chat --json` child's ready line; resolves with its port and keeps draining stdout. */
export function untilChatReady(child) {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk) => {
      buffered += chunk;
      const match = /"event":"ready"[^\n]*"port":(\d+)/.exec(buffered);
      if (match) {
        // The child prints every message it sees; keep draining its stdout.
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolve(Number(match[1]));
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.on('exit', (code) => reject(new Error(`swarm chat exited ${code}`)));
  });
}
