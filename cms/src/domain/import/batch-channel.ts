/**
 * Batches handed from the import's reading to its insert while both run (PostgreSQL: the children's
 * import writes a checked batch while the next is read, cms/src/api/child-import/services/child-import.ts).
 * Bounded: a writer waits while `capacity` batches are queued, so that a slow insert slows the
 * reading instead of the batches piling up in memory. The reader (an async iterable, the insert's
 * source) ends when the channel is closed and drained, and throws when it is aborted; a writer
 * waiting or writing after an abort gets the abort's error.
 */
export class BatchChannel<T> implements AsyncIterable<T[]> {
  private readonly queue: T[][] = [];
  private closed = false;
  private failure: Error | null = null;
  private wakeReader: (() => void) | null = null;
  private wakeWriter: (() => void) | null = null;

  constructor(private readonly capacity = 2) {}

  /** Queues a batch, once there is room (rejects once the channel is aborted). */
  async push(batch: T[]): Promise<void> {
    while (!this.failure && this.queue.length >= this.capacity) await new Promise<void>((resolve) => { this.wakeWriter = resolve; });
    if (this.failure) throw this.failure;
    if (this.closed) throw new Error('batch channel: push after close');
    this.queue.push(batch);
    this.wake();
  }

  /** No more batches: the reader ends once it has taken those queued. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  /** Ends the channel with `error`: the reader throws it (at once, queued batches dropped), writers get it. */
  abort(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.queue.length = 0;
    this.wake();
  }

  get aborted(): boolean {
    return this.failure !== null;
  }

  private wake() {
    const reader = this.wakeReader;
    const writer = this.wakeWriter;
    this.wakeReader = null;
    this.wakeWriter = null;
    reader?.();
    writer?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T[]> {
    for (;;) {
      if (this.failure) throw this.failure;
      const batch = this.queue.shift();
      if (batch) {
        this.wake();
        yield batch;
      } else if (this.closed) return;
      else await new Promise<void>((resolve) => { this.wakeReader = resolve; });
    }
  }
}
