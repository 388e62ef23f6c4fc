/**
 * Where a byte of a torrent lies among its files, which sit end to end in torrent order:
 * shared by the sharer's store (reading a piece) and the watch on shared files (which
 * pieces a changed file spoils).
 */
export interface FileSpan {
  offset: number;
  length: number;
}

/** Index of the first file whose bytes end after `offset` (binary search over offsets). */
export function firstFileEndingAfter(files: readonly FileSpan[], offset: number): number {
  let low = 0;
  let high = files.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const file = files[middle]!;
    if (file.offset + file.length <= offset) low = middle + 1;
    else high = middle;
  }
  return low;
}
