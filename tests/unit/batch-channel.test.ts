/**
 * The hand-over from the import's reading to its insert (cms/src/domain/import/batch-channel.ts):
 * every batch arrives once and in order, a writer waits while the channel is full, an abort reaches
 * the reader and a waiting writer, and nothing queued is read after it.
 */
import { BatchChannel } from '../../cms/src/domain/import/batch-channel';

async function drain<T>(channel: AsyncIterable<T[]>): Promise<T[][]> {
  const seen: T[][] = [];
  for await (const batch of channel) seen.push(batch);
  return seen;
}

test('every batch reaches the reader once, in order, and the reader ends when the channel is closed', async () => {
  const channel = new BatchChannel<number>(2);
  const reading = drain(channel);
  for (let i = 0; i < 50; i += 1) await channel.push([i, i + 1000]);
  channel.close();
  const seen = await reading;
  expect(seen).toHaveLength(50);
  expect(seen.map((batch) => batch[0])).toEqual(Array.from({ length: 50 }, (_, i) => i));
});

test('a writer waits while the channel holds its capacity, and goes on once the reader takes one', async () => {
  const channel = new BatchChannel<string>(2);
  await channel.push(['a']);
  await channel.push(['b']);
  let third = false;
  const pushing = channel.push(['c']).then(() => { third = true; });
  await new Promise((resolve) => setImmediate(resolve));
  expect(third).toBe(false);
  const iterator = channel[Symbol.asyncIterator]();
  expect((await iterator.next()).value).toEqual(['a']);
  await pushing;
  expect(third).toBe(true);
  channel.close();
  expect((await iterator.next()).value).toEqual(['b']);
  expect((await iterator.next()).value).toEqual(['c']);
  expect((await iterator.next()).done).toBe(true);
});

test('an abort: the reader throws its error without the queued batches, a waiting writer and any later one get it', async () => {
  const channel = new BatchChannel<number>(1);
  await channel.push([1]);
  const waiting = channel.push([2]);
  const reason = new Error('rolled back');
  channel.abort(reason);
  await expect(waiting).rejects.toBe(reason);
  await expect(channel.push([3])).rejects.toBe(reason);
  await expect(drain(channel)).rejects.toBe(reason);
  expect(channel.aborted).toBe(true);
  channel.abort(new Error('a second reason'));
  await expect(drain(channel)).rejects.toBe(reason);
});

test('a reader waiting for a batch is woken by the abort', async () => {
  const channel = new BatchChannel<number>();
  const reading = drain(channel);
  await channel.push([7]);
  await new Promise((resolve) => setImmediate(resolve));
  const reason = new Error('file unreadable');
  channel.abort(reason);
  await expect(reading).rejects.toBe(reason);
});

test('nothing is pushed after close', async () => {
  const channel = new BatchChannel<number>();
  channel.close();
  await expect(channel.push([1])).rejects.toThrow('push after close');
  expect(await drain(channel)).toEqual([]);
});
