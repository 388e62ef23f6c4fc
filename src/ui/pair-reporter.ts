/**
 * What `swarm pair` prints: the code to read out, the key and words to compare, the
 * question, the outcome. Plain lines, or with --json one event a line on stdout
 * (code, verify, paired); questions then go to stderr so stdout stays parseable.
 */
import { createInterface } from 'node:readline';
import { encodeKeyText, fingerprint } from '../identity/key-text.js';
import { printJsonLine } from './json-output.js';

export interface PairReporterOptions {
  json: boolean;
}

export class PairReporter {
  constructor(private readonly options: PairReporterOptions) {}

  /** `found`: where the code alone finds this side (LAN beacons, a DHT announce); else only --peer does. */
  code(code: string, where: { host: string; port: number }, timeoutMs: number, found: { lan: boolean; dht: boolean }): void {
    if (this.options.json) {
      printJsonLine({ event: 'code', code, host: where.host, port: where.port, expiresInMs: timeoutMs, lan: found.lan, dht: found.dht });
      return;
    }
    const shownHost = where.host === '::' || where.host === '0.0.0.0' ? "<this machine's address>" : where.host;
    const address = shownHost.includes(':') ? `[${shownHost}]:${where.port}` : `${shownHost}:${where.port}`;
    process.stdout.write(
      `pairing code: ${code}\n` +
      `read it to the other person; it works once, for ${formatMinutes(timeoutMs)}. On their machine:\n` +
      (found.lan || found.dht
        ? `  swarm pair ${code}\n  (if that does not find this machine: swarm pair ${code} --peer ${address})\n`
        : `  swarm pair ${code} --peer ${address}\n`) +
      'waiting…\n',
    );
  }

  verify(publicKey: Uint8Array, words: string[], trustedAs: string | undefined): void {
    const key = encodeKeyText(publicKey);
    if (this.options.json) {
      printJsonLine({ event: 'verify', words, key, fingerprint: fingerprint(publicKey), ...(trustedAs ? { trustedAs } : {}) });
      return;
    }
    process.stdout.write(
      `the other side's key: ${key} (${fingerprint(publicKey)})\n` +
      (trustedAs ? `you already trust this key as "${trustedAs}"\n` : '') +
      `words: ${words.join(' ')}\n` +
      'the other screen must show the same words\n',
    );
  }

  paired(name: string, publicKey: Uint8Array, alreadyTrusted: boolean): void {
    const key = encodeKeyText(publicKey);
    if (this.options.json) {
      printJsonLine({ event: 'paired', name, key, fingerprint: fingerprint(publicKey), alreadyTrusted });
      return;
    }
    process.stdout.write(
      alreadyTrusted
        ? `already paired: this key is trusted as "${name}" (${fingerprint(publicKey)}); nothing changed\n`
        : `paired: trusted ${name} (${fingerprint(publicKey)})\n`,
    );
  }

  /** Asks on the terminal; no answer (end of input, or `signal`) is no. */
  askSameWords(signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const output = this.options.json ? process.stderr : process.stdout;
      const rl = createInterface({ input: process.stdin, output });
      let settled = false;
      const finish = (answer: boolean) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        rl.close();
        process.stdin.pause();
        // A terminal echoed the answer and its newline; a pipe did not.
        if (!process.stdin.isTTY) output.write('\n');
        resolve(answer);
      };
      const onAbort = () => finish(false);
      signal.addEventListener('abort', onAbort, { once: true });
      rl.on('close', () => finish(false));
      // On a terminal readline takes ^C as a key; pass it on as the Ctrl-C every command handles.
      rl.on('SIGINT', () => process.kill(process.pid, 'SIGINT'));
      rl.question('same words on both screens? pair and trust this key [y/N] ', (answer) => finish(/^\s*y(es)?\s*$/i.test(answer)));
    });
  }
}

function formatMinutes(timeoutMs: number): string {
  return timeoutMs >= 60_000 && timeoutMs % 60_000 === 0 ? `${timeoutMs / 60_000} min` : `${Math.round(timeoutMs / 1000)} s`;
}
