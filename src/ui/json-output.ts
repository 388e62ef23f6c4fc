/** `--json` output: exactly one JSON object per line on stdout. */
export function printJsonLine(value: object): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
