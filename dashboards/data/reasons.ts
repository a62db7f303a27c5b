/**
 * Churn reasons and column names for people, in their language, from the one glossary. The churn module
 * stores each reason structured ({feature, text, contribution}; its `text` is English with the
 * customer's own figures): English readers get that text; other languages get the factor's glossary name
 * (feature.<name>) and whether it raises or lowers the risk, rendered at display time.
 */
import type { GlossaryKey } from '../i18n/en.js';
import { GLOSSARIES, type Translator } from '../i18n/translate.js';
import { ATTRIBUTE_PREFIX } from '../../models/churn/features.js';
import { NOT_KNOWN_SUFFIX } from '../../models/churn/explain.js';
import { num } from './types.js';

/** The glossary's name of a churn-model feature; an unknown one as stored, spaced; a declared attribute by its own name. */
export function featureLabel(t: Translator, feature: string): string {
  if (feature.startsWith(ATTRIBUTE_PREFIX)) return feature.slice(ATTRIBUTE_PREFIX.length).replaceAll('_', ' ');
  const known = t.label('feature', feature);
  return known !== feature ? known : feature.replaceAll('_', ' ');
}

/**
 * The model's sentence for a declared attribute is the customer's value and the attribute's name, both in
 * the source's own words ("month-to-month contract"): every language shows it, without the English direction.
 */
const ATTRIBUTE_DIRECTION = / \((raises|lowers) risk\)$/;

/** A declared attribute's stated value, or "not known" in the reader's language when the customer has none. */
function attributeFactor(t: Translator, feature: string, text: string): string {
  const stated = text.replace(ATTRIBUTE_DIRECTION, '');
  const name = featureLabel(t, feature);
  return stated === name + NOT_KNOWN_SUFFIX ? t.t('reason.value_missing', { name }) : stated;
}

/** One stored reason in the reader's language. */
export function reasonText(t: Translator, r: { feature?: unknown; text?: unknown; contribution?: unknown }): string {
  if (t.lang === 'en' && typeof r.text === 'string' && r.text) return r.text;
  const feature = String(r.feature ?? '');
  const factor = feature.startsWith(ATTRIBUTE_PREFIX) && typeof r.text === 'string' && r.text ? attributeFactor(t, feature, r.text) : featureLabel(t, feature);
  const c = num(r.contribution);
  return t.t(c !== null && c < 0 ? 'reason.lowers' : 'reason.raises', { factor });
}

/** What SQL needs to render the same text (models/churn/at-risk-list.ts ReasonTexts): labels and templates. */
export function reasonTexts(t: Translator): { labels: Record<string, string>; raises: string; lowers: string; missing: string } {
  const labels: Record<string, string> = {};
  for (const key of Object.keys(GLOSSARIES[t.lang])) if (key.startsWith('feature.') && t.has(key)) labels[key.slice('feature.'.length)] = t.t(key);
  return { labels, raises: t.t('reason.raises'), lowers: t.t('reason.lowers'), missing: t.t('reason.value_missing') };
}

// Columns whose glossary key is not col.<column>.
const COLUMN_KEYS: Record<string, GlossaryKey> = {
  customer_id: 'col.customer',
  churn_band: 'col.band',
  rfm_segment: 'col.segment',
  lifecycle_stage: 'col.stage',
  marketing_consent: 'col.consent',
};

/** A column's name for people (CSV headers and tables a person reads); the stored name when none. */
export function columnLabel(t: Translator, column: string): string {
  const key = COLUMN_KEYS[column] ?? `col.${column}`;
  return t.has(key) ? t.t(key) : column.replaceAll('_', ' ');
}
