/**
 * `swarm id --qr`: the key text as a QR code drawn with Unicode half blocks, two module rows
 * per terminal line, by the `qrcode` package (byte mode, error correction level M, so a
 * 64-character key text is a version-5 symbol: 37 modules, 41 columns by 21 lines).
 *
 * Colours are inverted on purpose: a dark module is a space and a light module is a block.
 * Most terminals draw text light on a dark background, so a block shows as light and a space
 * as dark, which is what a scanner expects (dark modules on a light field). Printing dark
 * modules as blocks would give a light-on-dark code that many phone scanners refuse. The
 * quiet zone is drawn as blocks too, so the code sits on a light field of its own rather than
 * on the terminal background. (On a light-background terminal the code comes out inverted;
 * scanners that read inverted codes still work, and `swarm id` prints the text too.)
 * No ANSI colour codes are used, so the output survives pipes, logs and `NO_COLOR`.
 */
import QRCode from 'qrcode';

/** Quiet zone width in modules. The standard asks for 4; 2 scans reliably on screens. */
export const QR_QUIET_ZONE_MODULES = 2;

/** Options that make `qrcode` draw the symbol exactly as described above. */
export const TERMINAL_QR_OPTIONS = {
  type: 'utf8',
  errorCorrectionLevel: 'M',
  margin: QR_QUIET_ZONE_MODULES,
  // qrcode's utf8 renderer switches to inverted blocks when the dark colour is white.
  color: { dark: '#ffffff', light: '#000000' },
} as const;

/**
 * Lines joined by '\n', no trailing newline. Byte mode is forced so that the symbol does not
 * depend on which characters happen to be digits (qrcode would otherwise split the text into
 * numeric and byte segments).
 */
export function renderQrForTerminal(text: string): Promise<string> {
  return QRCode.toString([{ data: new TextEncoder().encode(text), mode: 'byte' }], TERMINAL_QR_OPTIONS);
}
