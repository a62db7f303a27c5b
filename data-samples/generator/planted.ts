// The true parameters of the simulated world. Tests of other modules (drivers, value, churn) compare their
// estimates against these; data-samples/README.md explains each one. Rates are per day unless named otherwise.

export const DEFAULT_SEED = 20261031;
export const DEFAULT_CUSTOMERS = 2000;
export const DEFAULT_AS_OF = '2026-10-31';
/** First day of the event window; purchases, interactions and surveys fall in [WINDOW_START, asOf]. */
export const WINDOW_START = '2024-07-01';

export const POPULATION = {
  /** Share of customers who never purchase (prospects); they may still contact service. */
  prospectShare: 0.12,
  /** Share signed up before the window (uniform from preWindowFrom); they buy from WINDOW_START on. */
  preWindowShare: 0.3,
  preWindowFrom: '2021-01-01',
  /** Share signed up in the last recentDays before asOf (new customers), on top of the growth curve. */
  recentShare: 0.08,
  recentDays: 90,
  /** The rest sign up in the window with density proportional to 1 + growthSlope * (fraction of window). */
  growthSlope: 1.5,
  /** A buyer who signs up in the window makes a first purchase within 3 days of signup with this chance. */
  firstPurchaseAtSignup: 0.8,
  /** Marketing consent: share opted in (written as true/yes/Y/1 and false/no/N/0; emptyShare left empty = false). */
  consentShare: 0.65,
  consentEmptyShare: 0.02,
} as const;

/** Purchase rate lambda ~ Gamma(shape, mean/shape): NBD heterogeneity (purchases per day while alive). */
export const PURCHASE_RATE = { shape: 1.8, mean: 0.033 } as const;

/**
 * Spend (gamma-gamma): each order amount ~ Gamma(p, 1/nu), customer nu ~ Gamma(q, 1/gamma) (rate gamma),
 * so a customer's mean spend is p/nu and the population mean of it is p*gamma/(q-1).
 */
export const SPEND = { p: 6, q: 4, gamma: 30, minAmount: 1 } as const;

export const ORDER_STATUS = { completed: 0.92, refunded: 0.05, cancelled: 0.03 } as const;
export const PURCHASE_CHANNELS = { web: 0.5, app: 0.3, store: 0.15, phone: 0.05 } as const;
/** Share of a customer's orders placed in their own primary channel. */
export const PRIMARY_CHANNEL_SHARE = 0.7;

/**
 * Dropout (Pareto/NBD-like, continuous time): base hazard mu ~ Gamma(shape, mean/shape) per day, times the
 * service multipliers below. A customer who drops out stops purchasing and contacting service; with
 * reactivationProb they come back after an exponential gap (mean reactivationMeanDays).
 */
export const DROPOUT = { shape: 1.5, mean: 1 / 900, reactivationProb: 0.15, reactivationMeanDays: 240 } as const;

/**
 * The planted cause of churn: from the moment of a bad experience on, the dropout hazard is multiplied by
 * these factors (they compound, capped at maxMultiplier) for the rest of the customer's life.
 */
export const HAZARD_MULTIPLIERS = {
  unresolvedComplaint: 4,
  slowFirstResponse: 1.8,
  complaintNotFirstContactResolved: 1.3,
  maxMultiplier: 10,
} as const;

/** Interaction rate = base + k * lambda, k ~ Gamma(shape, mean/shape): buyers who buy more contact more. */
export const INTERACTION_RATE = { base: 1 / 1200, kShape: 2, kMean: 0.3 } as const;

export const INTERACTION_CHANNELS = { chat: 0.28, email: 0.25, phone: 0.2, app: 0.12, social: 0.08, store: 0.07 } as const;
export type InteractionChannel = keyof typeof INTERACTION_CHANNELS;

/** Chance that an interaction is a complaint, by channel. */
export const COMPLAINT_RATE_BY_CHANNEL: Record<InteractionChannel, number> = {
  social: 0.45, phone: 0.35, email: 0.3, chat: 0.25, store: 0.2, app: 0.15,
};
/** Other kinds, when not a complaint. */
export const NON_COMPLAINT_KINDS = { inquiry: 0.45, request: 0.35, praise: 0.1, other: 0.1 } as const;
/** Complaint categories: delivery dominates (a Pareto chart has something to show). */
export const COMPLAINT_CATEGORIES = {
  delivery: 0.36, product_defect: 0.2, billing: 0.14, returns: 0.12, technical: 0.1, account: 0.08,
} as const;
export const OTHER_CATEGORIES = {
  account: 0.25, billing: 0.2, delivery: 0.2, technical: 0.15, returns: 0.1, product_defect: 0.1,
} as const;

/**
 * First response: median minutes by channel, times exp(serviceRiskEffect * risk + sd * N(0,1)) where risk is the
 * customer's latent service risk ~ N(0,1). "Slow" = beyond the SLA (15 min chat/phone, 24 h elsewhere).
 */
export const FIRST_RESPONSE = {
  medianMinutes: { phone: 2, chat: 3, store: 5, app: 90, social: 240, email: 600 } as Record<InteractionChannel, number>,
  slaMinutes: { phone: 15, chat: 15, store: 1440, app: 1440, social: 1440, email: 1440 } as Record<InteractionChannel, number>,
  sd: 0.9,
  serviceRiskEffect: 0.45,
  /** Never answered (then never resolved either), email and social only. */
  noResponseShare: 0.015,
} as const;

/** Resolution: median hours by channel (complaints take complaintFactor times longer), lognormal sd. */
export const RESOLUTION = {
  medianHours: { phone: 0.3, chat: 0.5, store: 0.5, app: 4, social: 12, email: 20 } as Record<InteractionChannel, number>,
  complaintFactor: 3,
  sd: 0.8,
  /** P(unresolved) = logistic(intercept + riskEffect * risk + slowEffect * isSlow) */
  unresolvedComplaint: { intercept: -2.0, riskEffect: 0.8, slowEffect: 0.6 },
  unresolvedOther: { intercept: -3.6, riskEffect: 0.5, slowEffect: 0.4 },
  /** P(first-contact resolution | resolved) = logistic(intercept + channel + riskEffect*risk + complaintEffect) */
  fcr: {
    intercept: 1.2, riskEffect: -0.7, complaintEffect: -0.8,
    channel: { phone: 0.3, chat: 0.2, store: 0.3, app: 0, social: -0.3, email: -0.6 } as Record<InteractionChannel, number>,
  },
} as const;

/**
 * A chat outage: chat first responses are responseFactor times slower in this month, surveys about those contacts
 * lose scorePenalty on S, and the company sent an NPS pulse survey after them (surveyShare, instead of the usual
 * afterInteraction chance), so the dip has enough responses to be tested.
 */
export const CHAT_OUTAGE = {
  month: '2026-09', channel: 'chat' as InteractionChannel, responseFactor: 20, scorePenalty: 1.5, surveyShare: 0.8,
} as const;

export const SURVEYS = {
  /** A survey follows an interaction with this chance (linked through interaction_id) ... */
  afterInteraction: 0.23,
  afterInteractionTypes: { nps: 0.45, csat: 0.35, ces: 0.2 },
  /** ... or a completed purchase with this chance (no interaction_id). */
  afterPurchase: 0.028,
  afterPurchaseTypes: { nps: 0.6, csat: 0.4, ces: 0 },
  /** Aspect questions are asked on this share of surveys; ces asks only q_speed and q_knowledge. */
  aspectsAskedShare: 0.75,
  commentShare: 0.35,
} as const;

export const ASPECTS = ['q_speed', 'q_knowledge', 'q_friendliness', 'q_product_quality', 'q_price'] as const;
export type Aspect = (typeof ASPECTS)[number];

/**
 * The planted key drivers. S = sum(weight * answer) over the 1-5 answers (asked or not, every response has
 * them latent) - unresolvedPenalty (customer has an unresolved complaint opened before the survey) - outage penalty.
 * q_price has NO effect on the score, but it correlates with q_product_quality, so only a method that controls
 * for the other aspects gets it right.
 */
export const ASPECT_WEIGHTS: Record<Aspect, number> = {
  q_speed: 0.9, q_knowledge: 0.6, q_friendliness: 0.3, q_product_quality: 0.5, q_price: 0,
};
export const UNRESOLVED_SCORE_PENALTY = 2.0;

/** Score = round(clamp(intercept + scale * S + N(0, noiseSd), min, max)). ces: higher = easier. */
export const SCORE_MODEL = {
  nps: { intercept: -1.0, scale: 1, noiseSd: 1.0, min: 0, max: 10 },
  csat: { intercept: 0.0, scale: 0.45, noiseSd: 0.5, min: 1, max: 5 },
  ces: { intercept: 0.2, scale: 0.6, noiseSd: 0.7, min: 1, max: 7 },
} as const;
export type SurveyType = keyof typeof SCORE_MODEL;

/**
 * Aspect answers (latent, then rounded and clamped to 1-5):
 * q_speed = 3.4 - 0.55 * ln(first response minutes / SLA minutes) + 0.6 N   (experienced response of the
 *   linked interaction, else the customer's last interaction, else a fresh draw on their usual channel)
 * q_knowledge = 3.7 + 0.5 (FCR) / -0.5 (not FCR) - 0.3 risk + 0.7 N
 * q_friendliness = 4.0 - 0.15 risk + 0.7 N
 * q_product_quality = 3.7 + taste + 0.8 N - 1.0 if the last complaint was product_defect  (taste ~ N(0, 0.5))
 * q_price = 3.0 + 0.4 * (q_product_quality latent - 3.7) + 0.8 N
 */
export const ASPECT_MODEL = {
  speed: { intercept: 3.4, logRatioEffect: -0.55, sd: 0.6 },
  knowledge: { intercept: 3.7, fcrEffect: 0.5, riskEffect: -0.3, sd: 0.7 },
  friendliness: { intercept: 4.0, riskEffect: -0.15, sd: 0.7 },
  productQuality: { intercept: 3.7, tasteSd: 0.5, sd: 0.8, defectEffect: -1.0 },
  price: { intercept: 3.0, qualityLink: 0.4, sd: 0.8 },
} as const;

/** Purchase and contact seasonality by calendar month (Jan..Dec), applied by thinning. */
export const MONTHLY_SEASONALITY = [0.8, 0.8, 0.95, 0.95, 1.0, 0.95, 0.9, 0.9, 1.0, 1.05, 1.35, 1.6] as const;
/** Hour-of-day weights (UTC) for event times. */
export const HOUR_WEIGHTS = [
  0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.4, 0.7, 1.0, 1.2, 1.3, 1.3, 1.3, 1.2, 1.2, 1.2, 1.2, 1.3, 1.4, 1.5, 1.4, 1.1, 0.7, 0.4,
] as const;

export const COUNTRIES = { DE: 0.25, US: 0.2, GB: 0.18, FR: 0.15, ES: 0.08, NL: 0.07, IT: 0.07 } as const;
