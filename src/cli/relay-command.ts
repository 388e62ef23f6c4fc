/**
 * `swarm relay`: a node whose only job is to splice trusted keys that cannot reach each
 * other directly (docs/protocol.md, "Relays through a trusted node"). It sees keys and
 * byte counts, never contents: the two ends run their own handshake inside the splice.
 */
import type { Command } from 'commander';
import { usageError } from '../errors.js';
import { KnownAddresses } from '../identity/known-addresses.js';
import { DEFAULT_MAX_LINKS_PER_PEER, DEFAULT_PORT, SwarmNode } from '../net/swarm-node.js';
import { DEFAULT_MAX_BYTES_PER_KEY, DEFAULT_MAX_STREAMS_PER_KEY } from '../relay/relay-service.js';
import { printJsonLine } from '../ui/json-output.js';
import { parseRate } from '../ui/parse-rate.js';
import { parseSize } from '../ui/parse-size.js';
import { RefusalReporter } from '../ui/refusal-reporter.js';
import { openContext, type CliContext } from './context.js';
import { parsePort } from './node-options.js';
import { startRelayService } from './relay-options.js';
import { dhtSettings, startDhtDiscovery, type DiscoveryOptions } from './discovery-options.js';
import { DiscoveryReporter } from '../ui/discovery-reporter.js';
import { signalExitCode, untilSignal } from './until-signal.js';

interface RelayCommandOptions extends DiscoveryOptions {
  port?: number;
  host?: string;
  maxRate?: number;
  maxStreamsPerKey: string;
  maxBytesPerKey: string;
  json?: boolean;
}

export function registerRelayCommand(program: Command): void {
  program
    .command('relay')
    .description('relay for trusted keys that cannot reach each other directly (it sees byte counts, never contents)')
    .option('--port <n>', `TCP port to listen on (default ${DEFAULT_PORT}, or any free port if that is taken)`, parsePort)
    .option('--host <addr>', 'address to listen on (default: all interfaces)')
    .option('--max-rate <rate>', 'cap the total relayed rate, bytes/s with k, M or G suffix (default: unlimited)', parseRate)
    .option('--max-streams-per-key <n>', 'relayed streams at once per key', String(DEFAULT_MAX_STREAMS_PER_KEY))
    .option('--max-bytes-per-key <size>', 'bytes relayed per key in this run (k, M, G)', `${DEFAULT_MAX_BYTES_PER_KEY / 1024 ** 3}G`)
    .option('--no-dht', 'do not announce, in the Mainline DHT, the relay hints of the nodes registered here (also SWARM_NO_DHT=1)')
    .option('--dht-bootstrap <nodes>', 'host:port[,host:port…] of the DHT nodes to start from, for a private DHT (also SWARM_DHT_BOOTSTRAP)')
    .option('--json', 'one JSON event per line: ready, registered, unregistered, hints, stream-open, stream-closed, stream-refused, refused (an untrusted key), status, stopped')
    .addHelpText(
      'after',
      `
Both ends must trust the relay's key, and the relay must trust both of theirs.

Examples:
  $ swarm relay --port 7000
  $ swarm share big.iso --relay 203.0.113.5:7000      (at home, behind a router)
  $ swarm get "$LINK"                                  (the link carries x.relay)`,
    )
    .action((options: RelayCommandOptions) => runRelay(openContext(), options));
}

async function runRelay(context: CliContext, options: RelayCommandOptions): Promise<void> {
  const maxStreamsPerKey = Number(options.maxStreamsPerKey);
  if (!Number.isInteger(maxStreamsPerKey) || maxStreamsPerKey < 1) throw usageError(`--max-streams-per-key must be a whole number above 0, not "${options.maxStreamsPerKey}"`);
  const maxBytesPerKey = parseSize(options.maxBytesPerKey, '--max-bytes-per-key');
  const isJson = !!options.json;
  dhtSettings(options); // a bad --dht-bootstrap is a usage error before anything starts
  const node = new SwarmNode({
    identity: context.identity,
    trust: context.trust,
    host: options.host,
    port: options.port,
    // Each relayed stream is a link from each end, besides the register link: the stream cap is the cap.
    maxLinksPerPeer: Math.max(DEFAULT_MAX_LINKS_PER_PEER, maxStreamsPerKey + 2),
    addressBook: KnownAddresses.load(context.home, (keyText) => context.trust.find(keyText) !== undefined),
  });
  const relay = startRelayService(context, node, { maxStreamsPerKey, maxBytesPerKey, maxRateBytesPerSecond: options.maxRate }, isJson);
  const address = await node.listen().catch(async (error: unknown) => {
    relay.close();
    await node.close();
    throw error;
  });
  if (isJson) printJsonLine({ event: 'ready', host: address.host, port: address.port, key: context.identity.keyText });
  else {
    process.stderr.write(`relaying for ${context.trust.list().length} trusted key(s) on ${address.host}:${address.port}\n`);
    process.stderr.write(`this relay's key (users trust it, and name it with --relay <name>@host:port): ${context.identity.keyText}\n`);
  }
  const refusals = new RefusalReporter(node, { isJson });
  // Relay hints: the registered nodes' DHT keys, announced with this relay's address and port.
  const dht = startDhtDiscovery(context, options, address.port, new DiscoveryReporter({ isJson, isFoundReported: false }), { relayHints: () => relay.service.hintKeys() });
  // New hints are announced at once rather than at the next round (the DHT budget still bounds how often).
  relay.service.on('hints', () => dht?.nudge());
  const signal = await untilSignal();
  await dht?.close();
  refusals.stop();
  relay.close();
  await node.close();
  if (isJson) printJsonLine({ event: 'stopped', ...relay.service.counts() });
  process.exitCode = signalExitCode(signal);
}
