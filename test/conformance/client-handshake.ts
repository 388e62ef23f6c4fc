/**
 * The handshake the conformance client speaks: the one switch between protocol versions.
 * v1 = Noise XX (client-handshake-v1.ts); v2 = Noise IK with mac1 (client-handshake-v2.ts).
 */
export { handshakeV2 as clientHandshake } from './client-handshake-v2.js';
