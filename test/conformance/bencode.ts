/** Conformance client, part 5: a minimal bencode reader and writer (BEP 3). */
export type Bencoded = number | Buffer | Bencoded[] | { [key: string]: Bencoded };

/** Decodes one value at `offset`; returns it and where it ends (BEP 9 puts raw bytes after a dictionary). */
export function decodeAt(data: Buffer, offset = 0): { value: Bencoded; end: number } {
  const char = String.fromCharCode(data[offset]!);
  if (char === 'i') {
    const end = data.indexOf(0x65, offset); // 'e'
    return { value: Number(data.subarray(offset + 1, end).toString('latin1')), end: end + 1 };
  }
  if (char === 'l' || char === 'd') {
    const items: Bencoded[] = [];
    let at = offset + 1;
    while (data[at] !== 0x65) {
      const item = decodeAt(data, at);
      items.push(item.value);
      at = item.end;
    }
    if (char === 'l') return { value: items, end: at + 1 };
    const dict: { [key: string]: Bencoded } = {};
    for (let i = 0; i < items.length; i += 2) dict[(items[i] as Buffer).toString('latin1')] = items[i + 1]!;
    return { value: dict, end: at + 1 };
  }
  const colon = data.indexOf(0x3a, offset); // ':'
  const length = Number(data.subarray(offset, colon).toString('latin1'));
  if (!Number.isSafeInteger(length) || colon + 1 + length > data.length) throw new Error('bad bencode string');
  return { value: data.subarray(colon + 1, colon + 1 + length), end: colon + 1 + length };
}

export function encode(value: Bencoded | string): Buffer {
  if (typeof value === 'number') return Buffer.from(`i${value}e`);
  if (typeof value === 'string') value = Buffer.from(value);
  if (Buffer.isBuffer(value)) return Buffer.concat([Buffer.from(`${value.length}:`), value]);
  if (Array.isArray(value)) return Buffer.concat([Buffer.from('l'), ...value.map(encode), Buffer.from('e')]);
  const keys = Object.keys(value).sort();
  return Buffer.concat([Buffer.from('d'), ...keys.flatMap((key) => [encode(key), encode(value[key]!)]), Buffer.from('e')]);
}
