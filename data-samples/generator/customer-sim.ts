// One customer's life in continuous time: signup, then competing exponential clocks for purchase, contact and
// dropout (seasonality by thinning). Bad service experiences raise the dropout hazard from then on.
import {
  CHAT_OUTAGE, COUNTRIES, DROPOUT, FIRST_RESPONSE, HAZARD_MULTIPLIERS, HOUR_WEIGHTS, INTERACTION_CHANNELS, INTERACTION_RATE,
  MONTHLY_SEASONALITY, ORDER_STATUS, POPULATION, PRIMARY_CHANNEL_SHARE, PURCHASE_CHANNELS, PURCHASE_RATE, SPEND,
  SURVEYS, type InteractionChannel, type SurveyType,
} from './planted.js';
import { cumulative, type Rng } from './prng.js';
import { drawExperience, firstResponseMinutes } from './service.js';
import { askedAnswers, drawAnswers, drawComment, drawScore, type SurveyContext } from './survey-model.js';
import { DAY, monthOf } from './time.js';
import type { Sink } from './types.js';
import { Choice } from './weighted.js';
import { consentForm, emailFor } from './identity.js';

export interface SimWindow {
  seed: number;
  /** Days since epoch. */
  startDay: number;
  preWindowFromDay: number;
  /** Exclusive end: the day after asOf. */
  endDay: number;
  /** Multiplies every customer's base dropout hazard (1 = the planted world; the foreign variant uses more). */
  dropoutScale?: number;
}

const SEASON_MAX = Math.max(...MONTHLY_SEASONALITY);
const hourCum = cumulative(HOUR_WEIGHTS);
const countries = new Choice(COUNTRIES);
const statuses = new Choice(ORDER_STATUS);
const purchaseChannels = new Choice(PURCHASE_CHANNELS);
const contactChannels = new Choice(INTERACTION_CHANNELS);
const surveyTypesAfterContact = new Choice(SURVEYS.afterInteractionTypes);
const surveyTypesAfterPurchase = new Choice(SURVEYS.afterPurchaseTypes);

export function customerId(index: number): string {
  return 'C' + String(index + 1).padStart(7, '0');
}

function pad3(n: number): string {
  return n < 10 ? '00' + n : n < 100 ? '0' + n : String(n);
}

function signupDay(rng: Rng, w: SimWindow): number {
  const u = rng.next();
  if (u < POPULATION.preWindowShare) return w.preWindowFromDay + rng.next() * (w.startDay - w.preWindowFromDay);
  if (u < POPULATION.preWindowShare + POPULATION.recentShare) return w.endDay - rng.next() * POPULATION.recentDays;
  const g = POPULATION.growthSlope;
  const x = (-1 + Math.sqrt(1 + 2 * g * rng.next() * (1 + g / 2))) / g; // inverse CDF of density 1 + g x
  return w.startDay + x * (w.endDay - w.startDay);
}

export function simulateCustomer(index: number, rng: Rng, w: SimWindow, sink: Sink): void {
  rng.reseed(w.seed, index);
  const id = customerId(index);
  const num = id.slice(1);
  const endSecs = w.endDay * DAY - 1;
  const signupSecs = Math.floor(signupDay(rng, w) * DAY);
  sink.customer({ customerId: id, signupAt: signupSecs, country: countries.pick(rng), email: emailFor(rng, index), consent: consentForm(rng) });

  const isProspect = rng.chance(POPULATION.prospectShare);
  const lambda = isProspect ? 0 : rng.gamma(PURCHASE_RATE.shape, PURCHASE_RATE.mean / PURCHASE_RATE.shape);
  const nu = rng.gamma(SPEND.q, 1 / SPEND.gamma);
  const mu = rng.gamma(DROPOUT.shape, DROPOUT.mean / DROPOUT.shape) * (w.dropoutScale ?? 1);
  const risk = rng.normal();
  const taste = 0.5 * rng.normal();
  const k = rng.gamma(INTERACTION_RATE.kShape, INTERACTION_RATE.kMean / INTERACTION_RATE.kShape);
  const iota = INTERACTION_RATE.base + k * lambda;
  const buyChannel = purchaseChannels.pick(rng);
  const contactChannel = contactChannels.pick(rng);

  let nPurchases = 0, nContacts = 0, nSurveys = 0, mult = 1, unresolved = 0;
  let lastRatio: number | null = null, lastFcr: boolean | null = null, lastComplaint: string | null = null;
  let droppedAt: number | null = null, reactivated = false, lastActivity = signupSecs;

  const eventSecs = (t: number): number => {
    const hour = rng.pickCum(hourCum);
    return Math.max(signupSecs + 60, Math.floor(t) * DAY + hour * 3600 + rng.int(3600));
  };

  const survey = (type: SurveyType, at: number, ctx: Omit<SurveyContext, 'surveyType' | 'risk' | 'taste'>, interactionId: string | null): void => {
    if (at > endSecs) return;
    const c: SurveyContext = { ...ctx, surveyType: type, risk, taste };
    const answers = drawAnswers(rng, c);
    const score = drawScore(rng, c, answers);
    sink.survey({
      responseId: 'S' + num + pad3(++nSurveys), customerId: id, submittedAt: at, surveyType: type, score,
      interactionId, comment: drawComment(rng, type, score), answers: askedAnswers(rng, type, answers),
    });
  };

  const purchase = (secs: number): void => {
    if (secs > endSecs) return;
    lastActivity = Math.max(lastActivity, secs);
    const status = statuses.pick(rng);
    const amount = Math.max(SPEND.minAmount, rng.gamma(SPEND.p, 1 / nu));
    sink.purchase({
      orderId: 'O' + num + pad3(++nPurchases), customerId: id, orderedAt: secs, amountCents: Math.round(amount * 100),
      status, channel: rng.chance(PRIMARY_CHANNEL_SHARE) ? buyChannel : purchaseChannels.pick(rng),
    });
    if (status === 'completed' && rng.chance(SURVEYS.afterPurchase)) {
      const ratio = lastRatio ?? firstResponseMinutes(rng, contactChannel, risk) / FIRST_RESPONSE.slaMinutes[contactChannel];
      survey(surveyTypesAfterPurchase.pick(rng), secs + DAY + rng.int(9 * DAY), {
        responseRatio: ratio, fcr: lastFcr, lastComplaintCategory: lastComplaint,
        hasUnresolvedComplaint: unresolved > 0, isOutage: false,
      }, null);
    }
  };

  const contact = (secs: number): void => {
    const channel: InteractionChannel = rng.chance(0.6) ? contactChannel : contactChannels.pick(rng);
    const x = drawExperience(rng, channel, risk, secs);
    let responded: number | null = x.isAnswered ? secs + Math.round(x.firstResponseMinutes * 60) : null;
    if (responded !== null && responded > endSecs) responded = null;
    let resolved = !x.isUnresolved && responded !== null ? responded + Math.round(x.resolutionHours * 3600) : null;
    if (resolved !== null && resolved > endSecs) resolved = null;
    lastActivity = Math.max(lastActivity, secs);
    const interactionId = 'I' + num + pad3(++nContacts);
    sink.interaction({
      interactionId, customerId: id, channel, kind: x.kind, category: x.category, openedAt: secs,
      firstResponseAt: responded, resolvedAt: resolved, isFirstContactResolution: x.isFcr && resolved !== null,
    });
    const isComplaint = x.kind === 'complaint';
    const ratio = (x.isAnswered ? x.firstResponseMinutes : 4 * FIRST_RESPONSE.slaMinutes[channel]) / FIRST_RESPONSE.slaMinutes[channel];
    lastRatio = ratio;
    lastFcr = x.isFcr;
    if (isComplaint) lastComplaint = x.category;
    if (isComplaint && x.isUnresolved) { unresolved++; mult *= HAZARD_MULTIPLIERS.unresolvedComplaint; }
    if (x.isSlow) mult *= HAZARD_MULTIPLIERS.slowFirstResponse;
    if (isComplaint && !x.isUnresolved && !x.isFcr) mult *= HAZARD_MULTIPLIERS.complaintNotFirstContactResolved;
    mult = Math.min(mult, HAZARD_MULTIPLIERS.maxMultiplier);
    if (rng.chance(x.isOutage ? CHAT_OUTAGE.surveyShare : SURVEYS.afterInteraction)) {
      // The outage pulse survey goes out right after the contact; the usual one after resolution.
      const after = x.isOutage ? secs : resolved ?? responded ?? secs;
      const type = x.isOutage ? 'nps' : surveyTypesAfterContact.pick(rng);
      survey(type, after + 1800 + rng.int(x.isOutage ? DAY : 3 * DAY), {
        responseRatio: ratio, fcr: x.isFcr, lastComplaintCategory: lastComplaint,
        hasUnresolvedComplaint: unresolved > 0, isOutage: x.isOutage,
      }, interactionId);
    }
  };

  let t = Math.max(signupSecs / DAY, w.startDay);
  if (!isProspect && signupSecs >= w.startDay * DAY && rng.chance(POPULATION.firstPurchaseAtSignup)) {
    purchase(signupSecs + 60 + rng.int(3 * DAY));
  }
  const rP = lambda * SEASON_MAX;
  const rI = iota * SEASON_MAX;
  for (;;) {
    const rD = mu * mult;
    const total = rP + rI + rD;
    t += rng.exp(total);
    if (t >= w.endDay) break;
    const u = rng.next() * total;
    if (u < rP + rI) {
      if (rng.next() * SEASON_MAX >= MONTHLY_SEASONALITY[monthOf(t * DAY)]) continue;
      if (u < rP) purchase(eventSecs(t));
      else contact(eventSecs(t));
      continue;
    }
    // Event times get a time of day, so the last one can fall later on the dropout's day than the dropout.
    const dropped = Math.max(Math.floor(t * DAY), lastActivity + 1);
    if (!rng.chance(DROPOUT.reactivationProb)) { droppedAt = dropped; break; }
    t += rng.exp(1 / DROPOUT.reactivationMeanDays);
    if (t >= w.endDay) { droppedAt = dropped; break; }
    reactivated = true;
  }
  sink.truth({
    customerId: id, isProspect, purchaseRate: lambda, meanSpend: SPEND.p / nu, baseDropoutRate: mu, serviceRisk: risk,
    hazardMultiplier: mult, droppedAt, reactivated, unresolvedComplaints: unresolved,
  });
}
