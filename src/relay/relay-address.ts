/** A relay to use: its address and, when the user named it (name@host:port), its key. */
import type { PeerAddress } from '../net/peer-address.js';

export interface RelayAddress extends PeerAddress {
  key?: Uint8Array;
}
