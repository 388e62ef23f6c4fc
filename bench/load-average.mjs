// The 1-minute load average as text, for benchmark reports on a shared machine.
import { loadavg } from 'node:os';

export const loadAverage = () => loadavg()[0].toFixed(1);
