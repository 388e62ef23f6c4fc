/** An on/off switch in the environment (SWARM_NO_LAN, SWARM_NO_DHT, SWARM_NO_NAT, SWARM_NO_DIRECT): set unless absent, empty or "0". */
export function isEnvFlagSet(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0';
}
