/**
 * Presets: known export formats (column names, timestamp format, value words) so a user points a source
 * at a vendor's export instead of writing the mapping. Every key a preset supplies can be overridden in
 * the source's config; `columns`, `values` and `defaults` are merged key by key (the user's win).
 * Column names follow the vendors' documentation; see data-samples/presets/README.md for the sources
 * and the hand-built sample files.
 */
import type { SourceName } from '../../config/schema.js';
import type { SurveyScalesConfig } from '../../config/types.js';
import type { PresetName } from '../source-options.js';

export interface Preset {
  /** The canonical source the export feeds. */
  source: SourceName;
  description: string;
  columns: Record<string, string>;
  timestampFormat?: string;
  values?: Record<string, Record<string, string>>;
  defaults?: Record<string, string>;
  grain?: 'order' | 'line';
  /** surveys: no-answer codes of the score (a rating offered but not given). */
  scales?: SurveyScalesConfig;
  /** Canonical columns the user must still map (e.g. which survey question holds the score). */
  userMaps?: string[];
  /** What the preset cannot know or does not load, said plainly. */
  notes: string[];
}

/** Zendesk/Freshdesk channel words -> canonical channels. */
const HELPDESK_CHANNELS: Record<string, string> = {
  email: 'email',
  mail: 'email',
  'outbound email': 'email',
  'web form': 'other',
  'web widget': 'other',
  'web service': 'other',
  'feedback widget': 'other',
  portal: 'other',
  api: 'other',
  forum: 'other',
  'closed ticket': 'other',
  chat: 'chat',
  messaging: 'chat',
  'phone call (incoming)': 'phone',
  'phone call (outgoing)': 'phone',
  voicemail: 'phone',
  phone: 'phone',
  twitter: 'social',
  facebook: 'social',
  instagram: 'social',
  whatsapp: 'social',
  mobile: 'app',
  'mobile sdk': 'app',
};

/** Satisfaction words of multiple-choice questions -> 1..5 (CSAT). Numbers pass through. */
const SATISFACTION_WORDS: Record<string, string> = {
  'very satisfied': '5',
  satisfied: '4',
  neutral: '3',
  'neither satisfied nor dissatisfied': '3',
  dissatisfied: '2',
  'very dissatisfied': '1',
};

const SURVEY_NOTE = 'map columns.score to the column of the question that carries the score (its title in the export), '
  + 'and defaults.survey_type to nps, csat or ces; further questions can go to answerColumns';

/**
 * A wide survey export (one column per question): the vendor's id, time and respondent columns, the
 * satisfaction words, and the score question the user must name (SURVEY_NOTE first among the notes).
 */
function surveyPreset(p: { description: string; columns: Record<string, string>; timestampFormat?: string; surveyType: 'nps' | 'csat'; notes: string[] }): Preset {
  return {
    source: 'surveys',
    description: p.description,
    columns: p.columns,
    ...(p.timestampFormat ? { timestampFormat: p.timestampFormat } : {}),
    values: { score: SATISFACTION_WORDS },
    defaults: { survey_type: p.surveyType },
    userMaps: ['score'],
    notes: [SURVEY_NOTE, ...p.notes],
  };
}

export const PRESETS: Record<PresetName, Preset> = {
  'shopify-orders': {
    source: 'purchases',
    description: "Shopify admin orders export (CSV, one row per line item; order fields on each order's first row)",
    grain: 'line',
    columns: {
      order_id: 'Name',
      customer_id: 'Email',
      ordered_at: 'Created at',
      quantity: 'Lineitem quantity',
      unit_price: 'Lineitem price',
      refunded_amount: 'Refunded Amount',
      status: 'Financial Status',
      channel: 'Source',
    },
    timestampFormat: '%Y-%m-%d %H:%M:%S %z',
    values: {
      status: {
        paid: 'completed',
        partially_paid: 'completed',
        partially_refunded: 'completed',
        refunded: 'refunded',
        voided: 'cancelled',
      },
      channel: { pos: 'store', shopify_draft_order: 'other', iphone: 'app', android: 'app' },
    },
    notes: [
      'the customer key is the e-mail address (the export has no customer id)',
      'pending and authorized orders are not purchases yet: their lines are rejected as unknown status; map values.status.pending to completed to load them',
      'order totals are the sum of Lineitem quantity x Lineitem price (before discounts, shipping and taxes)',
      'a partially refunded order stays completed and its Refunded Amount becomes a return row <Name>-refund (dated like the order: the export has no refund time); a fully refunded order has status refunded',
      'Fulfillment Status is not used: a paid order is a purchase whether shipped or not',
    ],
  },
  'woocommerce-orders': {
    source: 'purchases',
    description: 'WooCommerce orders export (Order Export Suite / Import Export Suite CSV, one row per order)',
    columns: {
      order_id: 'order_id',
      customer_id: 'customer_email',
      ordered_at: 'order_date',
      amount: 'order_total',
      status: 'status',
    },
    values: {
      status: {
        completed: 'completed',
        'wc-completed': 'completed',
        processing: 'completed',
        'wc-processing': 'completed',
        refunded: 'refunded',
        'wc-refunded': 'refunded',
        cancelled: 'cancelled',
        'wc-cancelled': 'cancelled',
        failed: 'cancelled',
        'wc-failed': 'cancelled',
      },
    },
    notes: [
      'the customer key is customer_email (guest orders have customer_id 0)',
      'pending and on-hold orders are rejected as unknown status; map values.status to load them',
    ],
  },
  'zendesk-tickets': {
    source: 'interactions',
    description: 'Zendesk Support ticket export (CSV from Admin Center > Reports > Export)',
    columns: {
      interaction_id: 'Id',
      customer_id: 'Requester email',
      channel: 'Via',
      kind: 'Ticket type',
      category: 'Group',
      opened_at: 'Created at',
      resolved_at: 'Solved at',
      first_response_minutes: 'First reply time in minutes',
    },
    values: {
      channel: HELPDESK_CHANNELS,
      kind: { question: 'inquiry', incident: 'complaint', problem: 'complaint', task: 'request' },
    },
    defaults: { kind: 'other', channel: 'other' },
    notes: [
      'the customer key is the requester e-mail, so tickets join Shopify orders keyed by e-mail',
      'the first reply time comes from "First reply time in minutes" (calendar minutes)',
      'the Satisfaction Score column (good/bad) is loaded as CSAT surveys by the zendesk-satisfaction preset under sources.surveys (the same file)',
    ],
  },
  'zendesk-satisfaction': {
    source: 'surveys',
    description: 'Zendesk Support ticket export (the same CSV as zendesk-tickets), read for its satisfaction ratings',
    columns: {
      response_id: 'Id',
      interaction_id: 'Id',
      customer_id: 'Requester email',
      submitted_at: 'Solved at',
      score: 'Satisfaction Score',
    },
    // Zendesk's rating is binary; on the 1-5 CSAT scale good is 5 and bad is 1, so CSAT % (the share of
    // 4-5) is Zendesk's own satisfaction score, good / (good + bad).
    values: { score: { good: '5', goodwithcomment: '5', 'good with comment': '5', bad: '1', badwithcomment: '1', 'bad with comment': '1' } },
    defaults: { survey_type: 'csat' },
    scales: { score: { noAnswer: ['Offered', 'Unoffered', 'Not offered'] } },
    notes: [
      'one rating per ticket: the response id and the interaction it rates are the ticket Id; a changed rating updates the response',
      'the export has no rating time: the ticket\'s Solved at stands in',
      'tickets without a rating (Offered, Unoffered, blank) or not solved yet are rejected rows with their reason; the ticket count is the interactions source\'s',
    ],
  },
  'freshdesk-tickets': {
    source: 'interactions',
    description: 'Freshdesk ticket export (CSV from Tickets > Export)',
    columns: {
      interaction_id: 'Ticket ID',
      customer_id: 'Email',
      channel: 'Source',
      kind: 'Type',
      category: 'Group',
      opened_at: 'Created time',
      first_response_at: 'Initial response time',
      resolved_at: 'Resolved time',
    },
    values: {
      channel: HELPDESK_CHANNELS,
      kind: { question: 'inquiry', incident: 'complaint', problem: 'complaint', 'feature request': 'request', refund: 'request' },
    },
    defaults: { kind: 'other', channel: 'other' },
    notes: ['the customer key is the contact e-mail'],
  },
  typeform: surveyPreset({
    description: 'Typeform responses export (CSV: one row per response, one column per question)',
    columns: { response_id: '#', submitted_at: 'Submit Date (UTC)', customer_id: 'email' },
    surveyType: 'nps',
    notes: ['customer_id is read from a hidden field named email; map columns.customer_id to your hidden field'],
  }),
  surveymonkey: surveyPreset({
    description: 'SurveyMonkey responses export (CSV, expanded or condensed: one row per respondent)',
    columns: { response_id: 'Respondent ID', submitted_at: 'End Date', customer_id: 'Email Address' },
    timestampFormat: '%m/%d/%Y %I:%M:%S %p',
    surveyType: 'nps',
    notes: ['the export has a second header row (answer options); it is read as a row without a Respondent ID and rejected as such'],
  }),
  'google-forms': surveyPreset({
    description: 'Google Forms responses (CSV downloaded from the form or its response sheet)',
    columns: { response_id: 'Timestamp', submitted_at: 'Timestamp', customer_id: 'Email Address' },
    timestampFormat: '%m/%d/%Y %H:%M:%S',
    surveyType: 'csat',
    notes: [
      'Google Forms has no response id: the submission time (to the second) identifies a response',
      'the timestamp is written in the form owner\'s locale; set timestampFormat if yours is not month/day/year',
    ],
  }),
  qualtrics: surveyPreset({
    description: 'Qualtrics responses export (CSV with choice values)',
    columns: { response_id: 'ResponseId', submitted_at: 'RecordedDate', customer_id: 'ExternalReference' },
    surveyType: 'nps',
    notes: ['the export has two more header rows (question text, import ids); they are rejected as rows with an unreadable date'],
  }),
};
