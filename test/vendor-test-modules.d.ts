// Packages only the tests import, which ship no types of their own.
declare module 'memory-chunk-store' {
  const MemoryChunkStore: new (chunkLength: number, options?: Record<string, unknown>) => object;
  export default MemoryChunkStore;
}
