/**
 * Conformance client, part 3: a TCP connection to a swarm node, from the preamble to an
 * open channel (docs/protocol.md, "Connections"): frames, the handshake (a separate,
 * switchable module), transport messages and the OPEN / ACCEPT / REFUSE records.
 */
import { connect, type Socket } from 'node:net';
import { aeadOpen, aeadSeal, type Identity } from './wire-crypto.js';

/** What a handshake module gives the connection: one key per direction and the proven peer. */
export interface HandshakeKeys {
  sendKey: Buffer;
  receiveKey: Buffer;
  remoteKey: Buffer;
  /** v2 carries the channel name in message 1; v1 sends it as an OPEN record afterwards. */
  sentChannel: boolean;
}

/** The interface both handshake versions implement (client-handshake-v1.ts, -v2.ts). */
export type ClientHandshake = (wire: Wire, me: Identity, responderKey: Buffer, channel: string) => Promise<HandshakeKeys>;

/** Reads exact byte counts and 2-byte length-prefixed frames off a socket. */
export class Wire {
  private buffered = Buffer.alloc(0);
  private wake?: () => void;
  /** Resolves when the peer's TCP FIN (or reset) arrives. */
  readonly ended: Promise<void>;
  private hasEnded = false;

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.wake?.();
    });
    this.ended = new Promise((resolve) => {
      const end = () => {
        this.hasEnded = true;
        this.wake?.();
        resolve();
      };
      socket.on('end', end);
      socket.on('close', end);
      socket.on('error', () => {});
    });
  }

  async readExactly(bytes: number): Promise<Buffer> {
    while (this.buffered.length < bytes) {
      if (this.hasEnded) throw new Error(`connection ended with ${this.buffered.length} of ${bytes} bytes`);
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    const out = this.buffered.subarray(0, bytes);
    this.buffered = this.buffered.subarray(bytes);
    return out;
  }

  async readFrame(): Promise<Buffer> {
    return this.readExactly((await this.readExactly(2)).readUInt16BE(0));
  }

  /** True once the peer has closed and every byte it sent has been read. */
  get isDrained(): boolean {
    return this.hasEnded && this.buffered.length === 0;
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }
}

export const frame = (body: Uint8Array): Buffer => Buffer.concat([Buffer.from([body.length >> 8, body.length & 0xff]), body]);

/** Frame types after the opening record (docs/protocol.md, connections section 7). */
const DATA = 0x00;
const PING = 0x01;
const ALIVE = 0x02;

/**
 * An open channel: every send is one sealed frame, every receive one opened frame. The
 * opening record (ACCEPT / REFUSE) has no type byte; every later frame starts with one:
 * DATA carries application bytes, a PING is answered with an ALIVE, an ALIVE is skipped.
 */
export class Channel {
  private sent = 0;
  private received = 0;

  constructor(readonly wire: Wire, private readonly keys: HandshakeKeys) {}

  get remoteKey(): Buffer {
    return this.keys.remoteKey;
  }

  /** Application bytes, as one DATA frame. */
  send(data: Uint8Array): void {
    this.sendPlaintext(Buffer.concat([Buffer.from([DATA]), data]));
  }

  /** The next application bytes; an empty buffer is the peer's authenticated end. */
  async receive(): Promise<Buffer> {
    for (;;) {
      const plaintext = await this.receivePlaintext();
      if (plaintext.length === 0) return plaintext;
      const type = plaintext[0];
      if (type === DATA) return plaintext.subarray(1);
      if (type === PING && plaintext.length === 1) this.sendPlaintext(Buffer.from([ALIVE]));
      else if (type !== ALIVE || plaintext.length !== 1) throw new Error(`bad frame type ${type} (${plaintext.length} bytes)`);
    }
  }

  /** The opening record: the whole plaintext of the responder's first frame, no type byte. */
  receiveRecord(): Promise<Buffer> {
    return this.receivePlaintext();
  }

  /** Our authenticated end: a frame with an empty plaintext. */
  sendEnd(): void {
    this.sendPlaintext(Buffer.alloc(0));
  }

  sendPlaintext(plaintext: Uint8Array): void {
    if (plaintext.length > 65_535 - 16) throw new Error('plaintext too large for one frame');
    this.wire.write(frame(aeadSeal(this.keys.sendKey, this.sent++, Buffer.alloc(0), plaintext)));
  }

  private async receivePlaintext(): Promise<Buffer> {
    return aeadOpen(this.keys.receiveKey, this.received++, Buffer.alloc(0), await this.wire.readFrame());
  }
}

export interface OpenOptions {
  port: number;
  host?: string;
  me: Identity;
  responderKey: Buffer;
  channel: string;
  handshake: ClientHandshake;
}

/** Dials, runs the handshake and sends OPEN; returns the channel and the node's first record (ACCEPT or REFUSE). */
export async function sendOpen(options: OpenOptions): Promise<{ channel: Channel; answer: Buffer }> {
  const socket = connect(options.port, options.host ?? '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const wire = new Wire(socket);
  const keys = await options.handshake(wire, options.me, options.responderKey, options.channel);
  const channel = new Channel(wire, keys);
  if (!keys.sentChannel) channel.sendPlaintext(Buffer.concat([Buffer.from([0x01]), Buffer.from(options.channel, 'utf8')])); // v1's OPEN record
  return { channel, answer: await channel.receiveRecord() };
}

/** As sendOpen, waiting for ACCEPT; a REFUSE becomes an error naming the reason. */
export async function openChannel(options: OpenOptions): Promise<Channel> {
  const { channel, answer } = await sendOpen(options);
  if (answer.length === 1 && answer[0] === 0x02) return channel; // ACCEPT
  channel.wire.socket.destroy();
  if (answer[0] === 0x03) throw new Error(`refused: ${answer.subarray(1).toString('utf8')}`);
  throw new Error(`expected ACCEPT or REFUSE, got type ${answer[0]}`);
}
