import { gb11643CheckCharacter } from '../../plugins/student-id/server/src/identity';

/** A resident ID number with a valid check character: region, birth date YYYYMMDD, 3-digit sequence (odd = boy). */
export const residentId = (region: string, birth: string, sequence: string) =>
  `${region}${birth}${sequence}${gb11643CheckCharacter(`${region}${birth}${sequence}`)}`;
