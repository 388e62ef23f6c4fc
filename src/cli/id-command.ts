import type { Command } from 'commander';
import { fingerprint } from '../identity/key-text.js';
import { printJsonLine } from '../ui/json-output.js';
import { openContext } from './context.js';
import { dhtSettings, isLanOn } from './discovery-options.js';
import { bootstrapText } from '../discovery/dht-config.js';
import { countDhtNodes } from '../discovery/dht-routing-file.js';

export function registerIdCommand(program: Command): void {
  program
    .command('id')
    .description('show your identity key (created on first use); give it to the people who should trust you')
    .option('--json', 'print {"key","fingerprint","home","announces"} as one JSON line (announces: whether LAN beacons and the DHT are on, by the environment)')
    .option('--qr', 'also show the key as a QR code, for a phone camera across the room')
    .addHelpText('after', '\nExamples:\n  $ swarm id\n  $ swarm id --json\n  $ SWARM_HOME=/tmp/alice swarm id --qr')
    .action(async (options: { json?: boolean; qr?: boolean }) => {
      const { home, identity } = openContext();
      const print = fingerprint(identity.publicKey);
      if (options.json) {
        printJsonLine({ key: identity.keyText, fingerprint: print, home, announces: announces(home) });
      } else {
        process.stdout.write(`${identity.keyText}\nfingerprint: ${print}\nhome: ${home}\n`);
        process.stdout.write(`share it: the other person runs  swarm trust add ${identity.keyText} --name <your-name>\n`);
      }
      if (options.qr) {
        // Loaded on demand so that plain `swarm id` stays fast to start.
        const { renderQrForTerminal } = await import('../ui/qr-terminal.js');
        process.stdout.write(`${await renderQrForTerminal(identity.keyText)}\n`);
      }
    });
}

/**
 * What a node run from this home announces, as the environment sets it (commands can still
 * say --no-lan or --no-dht): LAN beacons on or off, the DHT on or off with its bootstrap, and
 * how many routing-table nodes are saved for that bootstrap.
 */
function announces(home: string): { lan: boolean; dht: boolean; dhtBootstrap?: string; dhtPublic?: boolean; dhtNodesSaved?: number } {
  const dht = dhtSettings({});
  if (!dht) return { lan: isLanOn({}), dht: false };
  const bootstrap = bootstrapText(dht);
  return { lan: isLanOn({}), dht: true, dhtBootstrap: bootstrap, dhtPublic: dht.isPublic, dhtNodesSaved: countDhtNodes(home, bootstrap) };
}
