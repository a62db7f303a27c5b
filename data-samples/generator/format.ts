// Row formatting for the written sources: CSV (RFC 4180 quoting where needed) and JSON lines.
import { ASPECTS } from './planted.js';
import { formatTs } from './time.js';
import type { CustomerRow, InteractionRow, PurchaseRow, SurveyRow } from './types.js';

export const HEADERS = {
  customers: 'customer_id,signup_at,country,email,marketing_consent',
  purchases: 'order_id,customer_id,ordered_at,amount,status,channel',
  interactions: 'interaction_id,customer_id,channel,kind,category,opened_at,first_response_at,resolved_at,is_first_contact_resolution',
  surveys: `response_id,customer_id,submitted_at,survey_type,score,interaction_id,comment,${ASPECTS.join(',')}`,
} as const;

export function csvField(v: string | null): string {
  if (v === null) return '';
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function money(cents: number): string {
  const neg = cents < 0;
  const a = Math.abs(cents);
  const c = a % 100;
  return `${neg ? '-' : ''}${(a - c) / 100}.${c < 10 ? '0' : ''}${c}`;
}

const tsOrNull = (s: number | null): string => (s === null ? '' : formatTs(s));

export function customerCsv(c: CustomerRow): string {
  return `${c.customerId},${formatTs(c.signupAt)},${c.country},${csvField(c.email)},${c.consent}`;
}

export function purchaseCsv(p: PurchaseRow): string {
  return `${p.orderId},${p.customerId},${formatTs(p.orderedAt)},${money(p.amountCents)},${p.status},${p.channel}`;
}

export function interactionCsv(i: InteractionRow): string {
  return `${i.interactionId},${i.customerId},${i.channel},${i.kind},${i.category},${formatTs(i.openedAt)},` +
    `${tsOrNull(i.firstResponseAt)},${tsOrNull(i.resolvedAt)},${i.isFirstContactResolution}`;
}

const jsonTs = (s: number | null): string => (s === null ? 'null' : `"${formatTs(s)}"`);

export function interactionJson(i: InteractionRow): string {
  return `{"interaction_id":"${i.interactionId}","customer_id":"${i.customerId}","channel":"${i.channel}",` +
    `"kind":"${i.kind}","category":"${i.category}","opened_at":"${formatTs(i.openedAt)}",` +
    `"first_response_at":${jsonTs(i.firstResponseAt)},"resolved_at":${jsonTs(i.resolvedAt)},` +
    `"is_first_contact_resolution":${i.isFirstContactResolution}}`;
}

export function surveyCsv(s: SurveyRow): string {
  const answers = s.answers.map((a) => (a === null ? '' : String(a))).join(',');
  return `${s.responseId},${s.customerId},${formatTs(s.submittedAt)},${s.surveyType},${s.score},` +
    `${s.interactionId ?? ''},${csvField(s.comment)},${answers}`;
}
