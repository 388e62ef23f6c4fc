/**
 * Where the two sides of `swarm pair` meet: --peer when the joiner gives it; otherwise the
 * waiting side beacons on the LAN and announces in the DHT (each unless turned off), and the
 * joiner looks in both at once and dials whichever answers first. Both are helps: a side
 * whose sockets cannot open goes on without them, and --peer always works.
 */
import { lanConfig, type LanConfig } from '../discovery/lan-config.js';
import { DhtNode } from '../discovery/dht-node.js';
import { announcePairing, findPairingInDht } from '../discovery/pairing-dht.js';
import { findWaitingSide, PairingBeacon } from '../discovery/pairing-rendezvous.js';
import { errors, hasErrorCode, usageError } from '../errors.js';
import type { PeerAddress } from '../net/peer-address.js';
import type { PairingCode } from '../secure/pairing-code.js';
import { dhtSettings } from './discovery-options.js';
import { parsePeerOption } from './node-options.js';
import type { PairOptions } from './pair-command.js';

/** LAN settings for the rendezvous, unless --no-lan or SWARM_NO_LAN. */
function pairingLan(options: PairOptions): LanConfig | undefined {
  return lanConfig(process.env, { isLanOff: options.lan === false, listenHost: options.host });
}

/** True when the waiting side will announce in the DHT (its code then takes a wide number). */
export function isDhtRendezvousOn(options: PairOptions): boolean {
  return dhtSettings(options) !== undefined;
}

export interface Advertised {
  onLan: boolean;
  onDht: boolean;
  close(): Promise<void>;
}

/** The waiting side: beacons and announces `tcpPort` for the code's number until closed. */
export async function advertisePairing(options: PairOptions, code: PairingCode, tcpPort: number, home: string): Promise<Advertised> {
  const lan = pairingLan(options);
  const beacon = lan ? await PairingBeacon.start(lan, options.host, code.number, tcpPort).catch(() => undefined) : undefined;
  const dhtConfig = dhtSettings(options);
  // The DHT may take seconds to bootstrap: the code is shown meanwhile, the announce follows.
  let isClosed = false;
  const dht = dhtConfig
    ? DhtNode.start({ config: dhtConfig, home, listenHost: options.host }).then(
        (node) => {
          if (isClosed) return node.close().then(() => undefined);
          return { node, announcing: announcePairing(node, code.number, tcpPort) };
        },
        () => undefined,
      )
    : undefined;
  return {
    onLan: beacon !== undefined,
    onDht: dht !== undefined,
    close: async () => {
      isClosed = true;
      await beacon?.close();
      const started = await dht;
      started?.announcing.stop();
      await started?.node.close();
    },
  };
}

/** The joining side: where the waiting side is. */
export async function findPairingPeer(options: PairOptions, code: PairingCode, timeoutMs: number, signal: AbortSignal, home: string): Promise<PeerAddress> {
  const peers = options.peer ?? [];
  if (peers.length > 1) throw usageError('give exactly one --peer', 'add --peer host:port, the address of the machine that printed the code');
  if (peers.length === 1) return parsePeerOption(peers[0]!);
  const lan = pairingLan(options);
  const dhtConfig = dhtSettings(options);
  if (!lan && !dhtConfig) throw usageError('joining needs the address of the waiting side (LAN and DHT discovery are off)', 'add --peer host:port, the address of the machine that printed the code');
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  let dht: Promise<DhtNode | undefined> | undefined;
  try {
    const searches: Promise<PeerAddress>[] = [];
    if (lan) searches.push(findWaitingSide(lan, code.number, timeoutMs, stop.signal));
    if (dhtConfig) {
      dht = DhtNode.start({ config: dhtConfig, home, listenHost: options.host }).catch(() => undefined);
      searches.push(
        dht.then((node) => (node ? findPairingInDht(node, code.number, timeoutMs, stop.signal) : Promise.reject(errors.pairNotFound(code.number, timeoutMs, 'in the DHT (it could not start)')))),
      );
    }
    return await firstFound(searches, () => errors.pairNotFound(code.number, timeoutMs, lan && dhtConfig ? 'on this network and in the DHT' : lan ? 'on this network' : 'in the DHT'));
  } finally {
    stop.abort();
    signal.removeEventListener('abort', onAbort);
    await (await dht)?.close();
  }
}

/** The first search to succeed; when all fail, an interruption if that was the cause, else `notFound()`. */
async function firstFound(searches: Promise<PeerAddress>[], notFound: () => Error): Promise<PeerAddress> {
  try {
    return await Promise.any(searches);
  } catch (error) {
    throw (error as AggregateError).errors.find((reason) => hasErrorCode(reason, 'INTERRUPTED')) ?? notFound();
  }
}
