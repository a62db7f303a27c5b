// One support interaction: channel, kind, category and the service experience (first response, resolution,
// first-contact resolution), driven by the customer's latent service risk. The outcome feeds the dropout
// hazard (customer-sim.ts) and the survey answers (survey-model.ts).
import {
  CHAT_OUTAGE, COMPLAINT_CATEGORIES, COMPLAINT_RATE_BY_CHANNEL, FIRST_RESPONSE, NON_COMPLAINT_KINDS,
  OTHER_CATEGORIES, RESOLUTION, type InteractionChannel,
} from './planted.js';
import { logistic, type Rng } from './prng.js';
import { yearMonthOf } from './time.js';
import { Choice } from './weighted.js';

const complaintCategories = new Choice(COMPLAINT_CATEGORIES);
const otherCategories = new Choice(OTHER_CATEGORIES);
const otherKinds = new Choice(NON_COMPLAINT_KINDS);

export interface Experience {
  channel: InteractionChannel;
  kind: string;
  category: string;
  /** Minutes to first response (drawn even when it falls after asOf or never happens). */
  firstResponseMinutes: number;
  isAnswered: boolean;
  isSlow: boolean;
  /** The planted fate: never resolved (independent of censoring at asOf). */
  isUnresolved: boolean;
  isFcr: boolean;
  resolutionHours: number;
  isOutage: boolean;
}

export function firstResponseMinutes(rng: Rng, channel: InteractionChannel, risk: number): number {
  const z = FIRST_RESPONSE.serviceRiskEffect * risk + FIRST_RESPONSE.sd * rng.normal();
  return Math.max(0.2, FIRST_RESPONSE.medianMinutes[channel] * Math.exp(z));
}

export function drawExperience(rng: Rng, channel: InteractionChannel, risk: number, openedAt: number): Experience {
  const isComplaint = rng.chance(COMPLAINT_RATE_BY_CHANNEL[channel]);
  const kind = isComplaint ? 'complaint' : otherKinds.pick(rng);
  const category = isComplaint ? complaintCategories.pick(rng) : otherCategories.pick(rng);
  const isOutage = channel === CHAT_OUTAGE.channel && yearMonthOf(openedAt) === CHAT_OUTAGE.month;
  let frt = firstResponseMinutes(rng, channel, risk);
  if (isOutage) frt *= CHAT_OUTAGE.responseFactor;
  const isAnswered = !((channel === 'email' || channel === 'social') && rng.chance(FIRST_RESPONSE.noResponseShare));
  const isSlow = !isAnswered || frt > FIRST_RESPONSE.slaMinutes[channel];
  const u = isComplaint ? RESOLUTION.unresolvedComplaint : RESOLUTION.unresolvedOther;
  const isUnresolved = !isAnswered || rng.chance(logistic(u.intercept + u.riskEffect * risk + u.slowEffect * (isSlow ? 1 : 0)));
  const f = RESOLUTION.fcr;
  const isFcr = !isUnresolved &&
    rng.chance(logistic(f.intercept + f.channel[channel] + f.riskEffect * risk + (isComplaint ? f.complaintEffect : 0)));
  let hours = RESOLUTION.medianHours[channel] * Math.exp(RESOLUTION.sd * rng.normal());
  if (isComplaint) hours *= RESOLUTION.complaintFactor;
  if (!isFcr) hours *= 2;
  return {
    channel, kind, category, firstResponseMinutes: frt, isAnswered, isSlow, isUnresolved, isFcr,
    resolutionHours: hours, isOutage,
  };
}
