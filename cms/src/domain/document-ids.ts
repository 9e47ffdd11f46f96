import crypto from 'node:crypto';

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const ALPHABET = `${LETTERS}0123456789`;
const RANDOM_CHARACTERS = 16;
let pool = Buffer.alloc(0);
let poolAt = 0;

/** `count` characters of [a-z0-9] from random bytes drawn a few kilobytes at a time. */
function randomCharacters(count: number): string {
  if (poolAt + count > pool.length) {
    pool = crypto.randomBytes(count * 512);
    poolAt = 0;
  }
  let text = '';
  for (let i = 0; i < count; i += 1) text += ALPHABET[pool[poolAt + i] % ALPHABET.length];
  poolAt += count;
  return text;
}

/**
 * A document id of Strapi's shape (24 of [a-z0-9], a letter first) that sorts by the time it was made:
 * the milliseconds since 1970 in base 36 (8 characters, a letter first from 1994 to 2059), then 16 random
 * characters (82 bits; an id is never the only guard — every read passes the access scope). Ids made
 * together are neighbours in each `document_id` index, so an import of 100,000 rows appends to a few
 * index pages instead of touching a random page of millions per row (its children and their events:
 * `children_documents_idx`, `child_events_documents_idx`, `child_events__child_occurred`).
 */
export function newDocumentId(): string {
  const stamp = Date.now().toString(36);
  const ordered = stamp.length === 8 && stamp[0] >= 'a' && stamp[0] <= 'z';
  return ordered ? stamp + randomCharacters(RANDOM_CHARACTERS) : LETTERS[crypto.randomInt(26)] + randomCharacters(23);
}
