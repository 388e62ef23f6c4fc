/**
 * After the opening records, the first plaintext byte of every frame is its type
 * (docs/protocol.md, connections section 7): application data, or PING / ALIVE, which
 * carry nothing and exist so that an idle link still shows it is alive.
 */
import { errors } from '../errors.js';

export const FrameType = { data: 0x00, ping: 0x01, alive: 0x02 } as const;
export type ControlFrameType = typeof FrameType.ping | typeof FrameType.alive;

/** Prepended (as its own piece, not copied in) to the parts of every data frame. */
export const DATA_TYPE_PREFIX = Buffer.from([FrameType.data]);

/**
 * Reads a frame's type from its plaintext pieces: for data, returns the application
 * bytes (the pieces without the type byte); for a control frame, its type. A control
 * frame with a body, or an unknown type, is BAD_FRAME.
 */
export function readTypedFrame(pieces: Buffer[]): { data: Buffer[] } | { control: ControlFrameType } {
  const first = pieces[0]!;
  const type = first[0];
  if (type === FrameType.data) {
    const data = first.length === 1 ? pieces.slice(1) : [first.subarray(1), ...pieces.slice(1)];
    return { data };
  }
  if (pieces.length !== 1 || first.length !== 1) throw errors.badFrame();
  if (type === FrameType.ping || type === FrameType.alive) return { control: type };
  throw errors.badFrame();
}
