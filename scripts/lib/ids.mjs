// Synthetic identifiers shared by the generator (generate-province.mjs) and the import benchmark
// (bench-import.mjs): Strapi-shaped document ids, and resident ID numbers that never repeat. The
// check character comes from the app's own identity service (passed in), so the rule stays in one place.
import crypto from 'node:crypto';

const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
let idBytes = Buffer.alloc(0);
let idOffset = 0;

/** Strapi's shape: 24 characters of [a-z0-9], starting with a letter (random, not seeded). */
export function documentId() {
  if (idOffset + 24 > idBytes.length) {
    idBytes = crypto.randomBytes(24 * 8192);
    idOffset = 0;
  }
  let id = alphabet[idBytes[idOffset] % 26];
  for (let i = 1; i < 24; i += 1) id += alphabet[idBytes[idOffset + i] % 36];
  idOffset += 24;
  return id;
}

/**
 * A generator of resident ID numbers (GB 11643): region + YYYYMMDD + sequence (odd for boys, even
 * for girls) + check character, each sequence used once per region, day and sex.
 * `checkCharacter(first17)` is the identity service's gb11643CheckCharacter. `skip` sequences of each
 * region, day and sex are left unused (numbers that cannot be those of a generated province's people,
 * who take the first few: scripts/bench-import.mjs imports into one).
 */
export function residentIds(checkCharacter, skip = 0) {
  const sequences = new Map(); // `${region}${yyyymmdd}${sex}` → sequences used
  return (region, yyyymmdd, male) => {
    const key = `${region}${yyyymmdd}${male ? 1 : 0}`;
    const n = sequences.get(key) ?? skip;
    sequences.set(key, n + 1);
    const sequence = male ? 2 * n + 1 : 2 * n + 2;
    if (sequence > 999) throw new Error(`resident ID sequences exhausted for ${key}: too many people per region and day`);
    const first17 = `${region}${yyyymmdd}${String(sequence).padStart(3, '0')}`;
    return first17 + checkCharacter(first17);
  };
}
