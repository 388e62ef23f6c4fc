/** Polls growing output (a terminal's, a child's) until `pattern` matches; rejects with its tail after `timeoutMs`. */
export function untilText(read: () => string, pattern: RegExp, timeoutMs = 15_000, pollMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (pattern.test(read())) {
        clearInterval(timer);
        resolve();
      } else if (Date.now() > deadline) {
        clearInterval(timer);
        reject(new Error(`timed out waiting for ${pattern} in the output: ${JSON.stringify(read().slice(-400))}`));
      }
    }, pollMs);
  });
}
