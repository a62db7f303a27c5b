// Rows as the simulation emits them; times are whole seconds since the Unix epoch (UTC), money in cents.
import type { Aspect, InteractionChannel, SurveyType } from './planted.js';

export interface CustomerRow {
  customerId: string;
  signupAt: number;
  country: string;
  email: string;
  /** Already in one of the mixed written forms (true/yes/Y/1/false/no/N/0 or empty). */
  consent: string;
}

export interface PurchaseRow {
  orderId: string;
  customerId: string;
  orderedAt: number;
  amountCents: number;
  status: 'completed' | 'refunded' | 'cancelled';
  channel: string;
}

export interface InteractionRow {
  interactionId: string;
  customerId: string;
  channel: InteractionChannel;
  kind: string;
  category: string;
  openedAt: number;
  firstResponseAt: number | null;
  resolvedAt: number | null;
  isFirstContactResolution: boolean;
}

export interface SurveyRow {
  responseId: string;
  customerId: string;
  submittedAt: number;
  surveyType: SurveyType;
  score: number;
  interactionId: string | null;
  comment: string | null;
  /** In ASPECTS order; null when not asked. */
  answers: (number | null)[];
}

/** The hidden truth per customer, written to truth.csv (not a source) for validating models. */
export interface TruthRow {
  customerId: string;
  isProspect: boolean;
  purchaseRate: number;
  meanSpend: number;
  baseDropoutRate: number;
  serviceRisk: number;
  /** Dropout multiplier reached at the end of the simulation. */
  hazardMultiplier: number;
  /** Seconds of the last dropout that was not followed by a reactivation, or null when alive at asOf. */
  droppedAt: number | null;
  reactivated: boolean;
  unresolvedComplaints: number;
}

export interface Sink {
  customer(row: CustomerRow): void;
  purchase(row: PurchaseRow): void;
  interaction(row: InteractionRow): void;
  survey(row: SurveyRow): void;
  truth(row: TruthRow): void;
}

export type { Aspect };
