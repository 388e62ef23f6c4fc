import type { Command } from 'commander';
import { errors } from '../errors.js';
import { decodeKeyText, fingerprint } from '../identity/key-text.js';
import { printJsonLine } from '../ui/json-output.js';
import { openContext } from './context.js';

export function registerTrustCommand(program: Command): void {
  const trust = program
    .command('trust')
    .description('manage the allowlist: the keys you accept connections, files and messages from')
    .addHelpText('after', '\nExamples:\n  $ swarm trust add swarm1abc… --name alice\n  $ swarm trust list\n  $ swarm trust remove alice');

  trust
    .command('add <key>')
    .description("trust a key (the first line of that person's 'swarm id')")
    .option('--name <name>', 'a short unique name for this person (default: derived from the key)')
    .addHelpText('after', '\nExample:\n  $ swarm trust add swarm1abc… --name alice')
    .action((key: string, options: { name?: string }) => {
      const context = openContext();
      if (Buffer.from(decodeKeyText(key)).equals(context.identity.publicKey)) {
        throw errors.ownKey();
      }
      const entry = context.trust.add(key, options.name);
      process.stdout.write(`trusted ${entry.name} (${fingerprint(entry.publicKey)})\n`);
    });

  trust
    .command('list')
    .description('list the keys you trust')
    .option('--json', 'print [{"name","key","added"}] as one JSON line')
    .addHelpText('after', '\nExample:\n  $ swarm trust list --json')
    .action((options: { json?: boolean }) => {
      const entries = openContext().trust.list();
      if (options.json) {
        printJsonLine(entries.map(({ name, key, added }) => ({ name, key, added })));
        return;
      }
      if (entries.length === 0) {
        process.stdout.write("you trust nobody yet; add someone with 'swarm trust add <key> --name <name>'\n");
        return;
      }
      const width = Math.max(...entries.map((entry) => entry.name.length));
      for (const entry of entries) {
        process.stdout.write(`${entry.name.padEnd(width)}  ${entry.key}  ${fingerprint(entry.publicKey)}  ${entry.added}\n`);
      }
    });

  trust
    .command('remove <nameOrKey>')
    .description('stop trusting a key; running nodes drop its connections within seconds')
    .addHelpText('after', '\nExample:\n  $ swarm trust remove alice')
    .action((nameOrKey: string) => {
      const entry = openContext().trust.remove(nameOrKey);
      process.stdout.write(`removed ${entry.name} (${fingerprint(entry.publicKey)})\n`);
    });
}
