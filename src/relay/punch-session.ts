/** The records of one `punch` link, read in order, each awaited with the link's one deadline. */
import type { PeerAddress } from '../net/peer-address.js';
import type { PeerLink } from '../net/peer-link.js';
import { CONNECT_TYPE, encodeAddressRecord, PunchRecordReader, SYNC_TYPE, type PunchRecord } from './punch-codec.js';

export class PunchSession {
  private readonly reader = new PunchRecordReader();
  private readonly queue: PunchRecord[] = [];
  private waiter?: { resolve(record: PunchRecord): void; reject(error: Error): void };
  private failure?: Error;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly link: PeerLink, deadlineMs: number) {
    this.timer = setTimeout(() => this.fail(`the other end did not answer within ${deadlineMs} ms`), deadlineMs);
    link.stream.on('error', () => {});
    link.stream.on('data', (chunk: Buffer) => {
      const { records, error } = this.reader.push(chunk);
      this.queue.push(...records);
      if (error) this.fail(error);
      this.deliver();
    });
    link.stream.once('close', () => this.fail('the punch link closed'));
  }

  sendConnect(address: PeerAddress): void {
    this.link.stream.write(encodeAddressRecord(CONNECT_TYPE, address));
  }

  sendSync(): void {
    this.link.stream.write(Buffer.from([SYNC_TYPE]));
  }

  async nextConnect(): Promise<PeerAddress> {
    const record = await this.next();
    if (record.type !== CONNECT_TYPE) throw new Error('expected CONNECT');
    return record.address;
  }

  async nextSync(): Promise<void> {
    if ((await this.next()).type !== SYNC_TYPE) throw new Error('expected SYNC');
  }

  /** The coordination is over (the dials run on their own bounds): stop the deadline. */
  done(): void {
    clearTimeout(this.timer);
  }

  close(): void {
    clearTimeout(this.timer);
    this.link.close();
  }

  private next(): Promise<PunchRecord> {
    if (this.waiter) return Promise.reject(new Error('PunchSession: one record at a time'));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.deliver();
    });
  }

  private deliver(): void {
    const waiter = this.waiter;
    if (!waiter) return;
    const record = this.queue.shift();
    if (record) {
      this.waiter = undefined;
      return waiter.resolve(record);
    }
    if (this.failure) {
      this.waiter = undefined;
      waiter.reject(this.failure);
    }
  }

  private fail(why: string): void {
    this.failure ??= new Error(why);
    this.deliver();
  }
}
