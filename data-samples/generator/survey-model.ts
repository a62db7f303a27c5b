// Survey answers and the overall score from the planted key-driver model (planted.ts ASPECT_WEIGHTS).
import {
  ASPECT_MODEL, ASPECT_WEIGHTS, ASPECTS, CHAT_OUTAGE, SCORE_MODEL, SURVEYS, UNRESOLVED_SCORE_PENALTY,
  type SurveyType,
} from './planted.js';
import type { Rng } from './prng.js';

export interface SurveyContext {
  surveyType: SurveyType;
  /** Experienced first response / SLA of the interaction the answer is about. */
  responseRatio: number;
  /** First-contact resolution of that interaction; null when there was none. */
  fcr: boolean | null;
  lastComplaintCategory: string | null;
  hasUnresolvedComplaint: boolean;
  isOutage: boolean;
  risk: number;
  taste: number;
}

function toScale(x: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.round(x)));
}

export function drawAnswers(rng: Rng, c: SurveyContext): number[] {
  const a = ASPECT_MODEL;
  const speed = a.speed.intercept + a.speed.logRatioEffect * Math.log(c.responseRatio) + a.speed.sd * rng.normal();
  const fcrTerm = c.fcr === null ? 0 : c.fcr ? a.knowledge.fcrEffect : -a.knowledge.fcrEffect;
  const knowledge = a.knowledge.intercept + fcrTerm + a.knowledge.riskEffect * c.risk + a.knowledge.sd * rng.normal();
  const friendly = a.friendliness.intercept + a.friendliness.riskEffect * c.risk + a.friendliness.sd * rng.normal();
  const pq = a.productQuality;
  const quality = pq.intercept + c.taste + pq.sd * rng.normal() +
    (c.lastComplaintCategory === 'product_defect' ? pq.defectEffect : 0);
  const price = a.price.intercept + a.price.qualityLink * (quality - pq.intercept) + a.price.sd * rng.normal();
  return [speed, knowledge, friendly, quality, price].map((x) => toScale(x, 1, 5));
}

export function drawScore(rng: Rng, c: SurveyContext, answers: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < ASPECTS.length; i++) s += ASPECT_WEIGHTS[ASPECTS[i]] * answers[i];
  if (c.hasUnresolvedComplaint) s -= UNRESOLVED_SCORE_PENALTY;
  if (c.isOutage) s -= CHAT_OUTAGE.scorePenalty;
  const m = SCORE_MODEL[c.surveyType];
  return toScale(m.intercept + m.scale * s + m.noiseSd * rng.normal(), m.min, m.max);
}

/** Which answers the respondent was asked: all, none, or (ces) only speed and knowledge. */
export function askedAnswers(rng: Rng, type: SurveyType, answers: readonly number[]): (number | null)[] {
  if (!rng.chance(SURVEYS.aspectsAskedShare)) return answers.map(() => null);
  if (type === 'ces') return answers.map((v, i) => (i < 2 ? v : null));
  return answers.slice();
}

const COMMENTS = {
  low: [
    'Waited far too long for an answer.', 'Delivery was late again, very disappointed.', 'Nobody solved my problem.',
    'I had to explain everything three times.', 'Product broke after a week, support did not help.',
    'Too expensive for what you get, and slow service.',
  ],
  mid: [
    'OK overall, delivery could be faster.', 'Fine, but the app keeps logging me out.', 'Decent, nothing special.',
    'Good product, support was "meh".', 'Took two contacts, but solved in the end.',
  ],
  high: [
    'Quick and friendly help, thank you!', 'Great product, arrived early.', 'Solved on the first call, excellent.',
    'Love the app, easy returns.', 'Fast, knowledgeable staff; will buy again.',
  ],
} as const;

export function drawComment(rng: Rng, type: SurveyType, score: number): string | null {
  if (!rng.chance(SURVEYS.commentShare)) return null;
  const m = SCORE_MODEL[type];
  const f = (score - m.min) / (m.max - m.min);
  const pool = f < 0.6 ? COMMENTS.low : f < 0.8 ? COMMENTS.mid : COMMENTS.high;
  return pool[rng.int(pool.length)];
}
