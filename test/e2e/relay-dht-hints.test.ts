/**
 * Relay hints in the DHT (docs/protocol.md, "Relay hints"): two homes behind NAT routers
 * that forward nothing, a relay and a private DHT on the public segment. alice shares in
 * home A registered with the relay, which announces her share's relay-hint key with its own
 * address; bob gets in home B with a magnet stripped of x.pe and x.relay: he finds the relay
 * in the DHT and the file comes through it. Chat with no --peer meets the same way. And a
 * node given no --relay whose router will not map its port learns a relay from a trusted
 * peer it dialled that offers one (--offer-relay), registers there, and is found through it;
 * a share that does prints its link again with that relay in it.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CliProcess } from '../helpers/cli-process.js';
import { cliEnv } from '../helpers/cli.js';
import { createNatLab, natLabUnavailableReason, type NatLab } from '../helpers/nat-lab.js';
import { startPrivateDht, type PrivateDht } from '../helpers/private-dht.js';
import { tempDir } from '../helpers/temp-home.js';
import { join, makeUsers, sameFile, type TestUser } from '../share/cli-peers.js';

const unavailable = natLabUnavailableReason();
if (unavailable) console.log(`relay DHT hints test skipped: ${unavailable}`);
const RELAY_PORT = 7000;
const DHT_NODES = 6;
const stripHints = (magnet: string) => magnet.replace(/&x\.(pe|relay)=[^&]*/g, '');

describe.skipIf(unavailable !== undefined)('a node reachable only through a relay is found in the DHT with its relay', () => {
  let lab: NatLab;
  let dht: PrivateDht;
  let alice: TestUser;
  let bob: TestUser;
  let rick: TestUser;
  let relayAddress: string;
  beforeAll(async () => {
    lab = createNatLab({ homes: 2, publicHosts: ['relay', 'dht'] });
    relayAddress = `${lab.publicHosts.relay!.address}:${RELAY_PORT}`;
    // The DHT's nodes take .1 … .6 of the public segment, on the dht host.
    const dhtNs = lab.publicHosts.dht!.ns;
    for (let i = 1; i <= DHT_NODES; i++) expect(lab.exec(dhtNs, 'ip', ['addr', 'add', `${lab.publicSubnet}.${i}/24`, 'dev', 'eth0']).code).toBe(0);
    dht = await startPrivateDht({ count: DHT_NODES, subnet: lab.publicSubnet, wrapper: lab.wrapper(dhtNs) });
  }, 60_000);
  beforeEach(() => {
    [alice, bob, rick] = makeUsers(['alice', 'bob', 'rick']) as [TestUser, TestUser, TestUser];
  });
  afterAll(async () => {
    await dht?.stop();
    lab?.destroy();
  });

  const homeA = () => lab.homes[0]!;
  const homeB = () => lab.homes[1]!;
  const env = (user: TestUser) => cliEnv(user.home, dht.env);

  async function startRelay(): Promise<CliProcess> {
    const relay = new CliProcess(['relay', '--port', String(RELAY_PORT), '--json'], { home: rick.home, wrapper: lab.wrapper(lab.publicHosts.relay!.ns), env: env(rick) });
    await relay.waitForEvent((e) => e.event === 'ready', 20_000, 'relay ready');
    return relay;
  }

  it('get with a magnet stripped of x.pe and x.relay completes through the relay found in the DHT', async () => {
    const dir = tempDir();
    const path = join(dir, 'found-through-relay.bin');
    writeFileSync(path, randomBytes(1024 * 1024 + 333));
    const relay = await startRelay();
    const share = new CliProcess(['share', path, '--port', '7001', '--relay', relayAddress, '--no-lan', '--json'], { home: alice.home, wrapper: lab.wrapper(homeA().ns), env: env(alice) });
    const magnet = stripHints(String((await share.waitForEvent((e) => e.event === 'ready', 30_000, 'share ready')).magnet));
    expect(magnet).not.toMatch(/x\.pe|x\.relay/);
    // alice's share is her one hint: the relay announces it (with its own port) for her.
    expect(await relay.waitForEvent((e) => e.event === 'hints' && e.key === alice.key && e.count === 1, 30_000, 'hints at the relay')).toBeDefined();

    const out = join(dir, 'out');
    const get = new CliProcess(['get', magnet, '-o', out, '--no-lan', '--json', '--timeout', '100s'], { home: bob.home, wrapper: lab.wrapper(homeB().ns), env: env(bob) });
    const found = await get.waitForEvent((e) => e.event === 'discovered' && e.isRelay === true, 90_000, 'relay found in the DHT');
    expect(found).toMatchObject({ via: 'dht', key: alice.key, address: relayAddress });
    expect(await get.exited).toBe(0);
    expect(sameFile(path, join(out, 'found-through-relay.bin'))).toBe(true);
    expect(await relay.waitForEvent((e) => e.event === 'stream-open', 5_000)).toMatchObject({ from: bob.key, to: alice.key });
    await share.stop('SIGINT');
    await relay.stop('SIGINT');
  }, 180_000);

  it('chat with no --peer: bob finds alice\'s relay in the DHT under their presence relay key', async () => {
    const relay = await startRelay();
    const aliceChat = new CliProcess(['chat', '--port', '7003', '--no-lan', '--json', '--relay', relayAddress], { home: alice.home, wrapper: lab.wrapper(homeA().ns), env: env(alice) });
    await aliceChat.waitForEvent((e) => e.event === 'relay' && e.state === 'registered', 30_000, 'alice registered');
    // Her presence relay key with each of her trusted keys (bob, rick).
    await relay.waitForEvent((e) => e.event === 'hints' && e.key === alice.key && e.count === 2, 30_000, 'hints at the relay');
    const bobChat = new CliProcess(['chat', '--port', '7003', '--no-lan', '--json'], { home: bob.home, wrapper: lab.wrapper(homeB().ns), env: env(bob) });
    const joined = await bobChat.waitForEvent((e) => e.event === 'peer-join' && e.key === alice.key, 120_000, 'bob linked to alice');
    expect(joined.via).toBe(relayAddress);
    bobChat.send('found you through the relay');
    expect(await aliceChat.waitForEvent((e) => e.event === 'message' && e.text === 'found you through the relay', 15_000, 'at alice')).toMatchObject({ from: bob.key });
    expect(relay.events.some((e) => e.event === 'stream-open' && e.from === bob.key && e.to === alice.key)).toBe(true);
    await Promise.all([aliceChat.stop('SIGINT'), bobChat.stop('SIGINT'), relay.stop('SIGINT')]);
  }, 180_000);

  it('no --relay and a router that maps nothing: alice learns rick\'s --offer-relay from her chat with him, and bob finds her through it', async () => {
    const rickChat = new CliProcess(['chat', '--port', String(RELAY_PORT), '--offer-relay', '--no-lan', '--json'], { home: rick.home, wrapper: lab.wrapper(lab.publicHosts.relay!.ns), env: env(rick) });
    await rickChat.waitForEvent((e) => e.event === 'ready', 20_000, 'rick listening');
    // Port mapping on (tests default to off): router A answers neither NAT-PMP nor UPnP.
    const aliceChat = new CliProcess(['chat', '--port', '7003', '--no-lan', '--json', '--peer', `rick@${relayAddress}`], { home: alice.home, wrapper: lab.wrapper(homeA().ns), env: { ...env(alice), SWARM_NO_NAT: '0' } });
    const learned = await aliceChat.waitForEvent((e) => e.event === 'relay' && e.state === 'learned', 60_000, 'alice learned a relay');
    expect(learned).toMatchObject({ relay: relayAddress, key: rick.key, name: 'rick' });
    expect(aliceChat.events.some((e) => e.event === 'warning' && e.code === 'NAT_UNMAPPED')).toBe(true);
    await aliceChat.waitForEvent((e) => e.event === 'relay' && e.state === 'registered' && e.relay === relayAddress, 30_000, 'alice registered with rick');
    const bobChat = new CliProcess(['chat', '--port', '7003', '--no-lan', '--json'], { home: bob.home, wrapper: lab.wrapper(homeB().ns), env: env(bob) });
    const joined = await bobChat.waitForEvent((e) => e.event === 'peer-join' && e.key === alice.key, 120_000, 'bob linked to alice');
    expect(joined.via).toBe(relayAddress);
    bobChat.send('through the relay you learned');
    await aliceChat.waitForEvent((e) => e.event === 'message' && e.text === 'through the relay you learned', 15_000, 'at alice');
    await Promise.all([aliceChat.stop('SIGINT'), bobChat.stop('SIGINT'), rickChat.stop('SIGINT')]);
  }, 240_000);

  it('a share that learns a relay prints its link again with that relay, and a get with that link, even stripped of x.pe, comes through it', async () => {
    const dir = tempDir();
    const path = join(dir, 'learned-link.bin');
    writeFileSync(path, randomBytes(512 * 1024 + 77));
    // alice shares, dialling rick (--peer); router A maps nothing (port mapping on: tests default to off).
    const share = new CliProcess(['share', path, '--port', '7001', '--no-lan', '--no-dht', '--json', '--peer', `rick@${relayAddress}`], { home: alice.home, wrapper: lab.wrapper(homeA().ns), env: { ...env(alice), SWARM_NO_NAT: '0' } });
    const firstMagnet = String((await share.waitForEvent((e) => e.event === 'ready', 30_000, 'share ready')).magnet);
    expect(firstMagnet).not.toMatch(/x\.relay/);
    // rick fetches it on the public segment, seeds, and offers to relay: alice's dial reaches him.
    const rickGet = new CliProcess(['get', firstMagnet, '-o', join(dir, 'rick'), '--seed', '--port', String(RELAY_PORT), '--offer-relay', '--no-lan', '--no-dht', '--json'], { home: rick.home, wrapper: lab.wrapper(lab.publicHosts.relay!.ns), env: env(rick) });
    const learned = await share.waitForEvent((e) => e.event === 'relay' && e.state === 'learned', 90_000, 'alice learned a relay');
    expect(learned).toMatchObject({ relay: relayAddress, key: rick.key, name: 'rick' });
    const magnet = String(learned.magnet);
    expect(magnet).toContain(`x.relay=${encodeURIComponent(relayAddress)}`);
    expect(magnet.replace(/&x\.relay=[^&]*/g, '')).toBe(firstMagnet);
    await share.waitForEvent((e) => e.event === 'relay' && e.state === 'registered' && e.relay === relayAddress, 30_000, 'alice registered with rick');

    const out = join(dir, 'bob');
    // Stripped of x.pe (alice's address in home A): x.relay alone is enough.
    const get = new CliProcess(['get', magnet.replace(/&x\.pe=[^&]*/g, ''), '-o', out, '--no-lan', '--no-dht', '--json', '--timeout', '100s'], { home: bob.home, wrapper: lab.wrapper(homeB().ns), env: env(bob) });
    expect(await get.exited).toBe(0);
    expect(sameFile(path, join(out, 'learned-link.bin'))).toBe(true);
    // bob could reach alice only through rick.
    expect(await rickGet.waitForEvent((e) => e.event === 'stream-open' && e.from === bob.key, 5_000, 'the relay spliced bob to alice')).toMatchObject({ to: alice.key });
    await Promise.all([share.stop('SIGINT'), rickGet.stop('SIGINT')]);
  }, 240_000);
});
