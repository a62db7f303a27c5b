// Fake but plausible identity fields: e-mail addresses and consent written in the mixed forms sources use.
import { POPULATION } from './planted.js';
import type { Rng } from './prng.js';

const FIRST = ['anna', 'ben', 'chloe', 'david', 'emma', 'felix', 'grace', 'hugo', 'ines', 'jonas', 'karin', 'liam',
  'mia', 'noah', 'olga', 'paul', 'quinn', 'rosa', 'sam', 'tara', 'umar', 'vera', 'wim', 'yara', 'zoe'];
const LAST = ['meyer', 'smith', 'martin', 'garcia', 'rossi', 'jansen', 'schmidt', 'dubois', 'brown', 'lopez',
  'bianchi', 'devries', 'wagner', 'moreau', 'taylor', 'fernandez', 'ricci', 'bakker', 'fischer', 'wilson'];
const DOMAINS = ['example.com', 'example.org', 'example.net', 'mail.example'];
const YES = ['true', 'yes', 'Y', '1'];
const NO = ['false', 'no', 'N', '0'];

export function emailFor(rng: Rng, index: number): string {
  return `${FIRST[rng.int(FIRST.length)]}.${LAST[rng.int(LAST.length)]}${index + 1}@${DOMAINS[rng.int(DOMAINS.length)]}`;
}

export function consentForm(rng: Rng): string {
  if (rng.chance(POPULATION.consentEmptyShare)) return '';
  return rng.chance(POPULATION.consentShare / (1 - POPULATION.consentEmptyShare)) ? YES[rng.int(4)] : NO[rng.int(4)];
}
