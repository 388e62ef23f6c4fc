/**
 * The .torrent of a share, built from its listing and piece hashes instead of by
 * create-torrent (which walks the folder itself, following every symlink, and hashes it
 * every time). The info dictionary is BEP 3 plus BEP 27's `private` flag, no announce
 * list: webtorrent is handed this buffer with skipVerify, so it neither walks nor hashes.
 */
import bencode from 'bencode';
import type { ShareListing } from './share-listing.js';

export function buildTorrentFile(listing: ShareListing, pieceLength: number, pieces: Uint8Array): Uint8Array {
  const info: Record<string, unknown> = {
    name: listing.name,
    'piece length': pieceLength,
    pieces,
    private: 1,
  };
  if (listing.isDirectory) {
    info.files = listing.files.map((file) => ({ length: file.size, path: file.parts }));
  } else {
    info.length = listing.totalBytes;
  }
  return bencode.encode({ info });
}
