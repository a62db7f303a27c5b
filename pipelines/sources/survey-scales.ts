/**
 * Answer scales of the surveys source: the valid range of each answer column and the codes that mean
 * "no answer". Resolved once from `sources.surveys.scales` (defaults below) and printed in full by
 * `cxpulse config`; staging (sql/staging/stg_surveys.sql) reads them through bound variables.
 *
 * - score: the survey's own score. Its range is fixed by the metric (nps 0-10, csat 1-5, ces 1-7: the
 *   NPS categories, the CSAT top-two-box and the CES/CSI scaling are defined on them); its no-answer
 *   codes are configurable. A response whose score is a no-answer code has no rating: it is rejected
 *   with reason "no answer to the score", never loaded as a number.
 * - answers: the default scale of every `answerColumns` question; `questions` overrides it per column
 *   (missing keys fall back to `answers`). A no-answer code (or a blank) becomes NULL: no
 *   survey_answers row, never a rating. A value outside [min, max] rejects the row, naming the column.
 * Codes match case-insensitively as text, and numerically when both are numbers ("0" = "0.0").
 */
import type { SourceConfig } from '../config/types.js';

export type NoAnswerCode = string | number;

export interface AnswerScale {
  min: number;
  max: number;
  noAnswer: NoAnswerCode[];
}

export interface SurveyScales {
  score: { nps: { min: number; max: number }; csat: { min: number; max: number }; ces: { min: number; max: number }; noAnswer: NoAnswerCode[] };
  answers: AnswerScale;
  questions: Record<string, AnswerScale>;
}

export const SCORE_RANGES = { nps: { min: 0, max: 10 }, csat: { min: 1, max: 5 }, ces: { min: 1, max: 7 } } as const;

export const DEFAULT_SCORE_NO_ANSWER: NoAnswerCode[] = ['N/A', 'NA', '-'];
/**
 * Default answer scale 0-10: every common rating scale (1-5, 1-7, 0-10) fits, so an unconfigured wide
 * export loads; values beyond it (a 99 code not declared, a typo) are rejected. Whether 0 means "not
 * applicable" only the survey knows: declare it per question (`questions.<q>.noAnswer: [0]`).
 */
export const DEFAULT_ANSWER_SCALE: AnswerScale = { min: 0, max: 10, noAnswer: ['N/A', 'NA', '-', 99] };

/** Every answer column with its full scale; `questions` lists each configured answer column. */
export function resolveSurveyScales(cfg: Pick<SourceConfig, 'answerColumns' | 'scales'>): SurveyScales {
  const s = cfg.scales ?? {};
  const answers: AnswerScale = {
    min: s.answers?.min ?? DEFAULT_ANSWER_SCALE.min,
    max: s.answers?.max ?? DEFAULT_ANSWER_SCALE.max,
    noAnswer: s.answers?.noAnswer ?? DEFAULT_ANSWER_SCALE.noAnswer,
  };
  const questions: Record<string, AnswerScale> = {};
  for (const q of cfg.answerColumns ?? []) {
    const o = Object.hasOwn(s.questions ?? {}, q) ? s.questions![q] : {};
    questions[q] = { min: o.min ?? answers.min, max: o.max ?? answers.max, noAnswer: o.noAnswer ?? answers.noAnswer };
  }
  return {
    score: { ...structuredClone(SCORE_RANGES), noAnswer: s.score?.noAnswer ?? DEFAULT_SCORE_NO_ANSWER },
    answers,
    questions,
  };
}

/** Problems a JSON schema cannot express (min <= max, questions that are not answer columns). */
export function surveyScaleProblems(cfg: Pick<SourceConfig, 'answerColumns' | 'scales'>): string[] {
  const out: string[] = [];
  const s = cfg.scales;
  if (!s) return out;
  const check = (where: string, v: Partial<AnswerScale> | undefined, fallback: { min: number; max: number }) => {
    const min = v?.min ?? fallback.min;
    const max = v?.max ?? fallback.max;
    if (min > max) out.push(`${where}: min ${min} is above max ${max}`);
  };
  check('sources.surveys.scales.answers', s.answers, DEFAULT_ANSWER_SCALE);
  const answers = { min: s.answers?.min ?? DEFAULT_ANSWER_SCALE.min, max: s.answers?.max ?? DEFAULT_ANSWER_SCALE.max };
  const cols = new Set(cfg.answerColumns ?? []);
  for (const [q, v] of Object.entries(s.questions ?? {})) {
    if (!cols.has(q)) out.push(`sources.surveys.scales.questions.${JSON.stringify(q)}: not one of sources.surveys.answerColumns`);
    check(`sources.surveys.scales.questions.${JSON.stringify(q)}`, v, answers);
  }
  return out;
}

/** The codes as staging compares them: lower-case text, plus the numeric value when the code is a number. */
export function noAnswerForSql(codes: NoAnswerCode[]): { text: string[]; numbers: number[] } {
  const text = codes.map((c) => String(c).trim().toLowerCase());
  const numbers = codes.map((c) => Number(c)).filter((n, i) => String(codes[i]).trim() !== '' && Number.isFinite(n));
  return { text, numbers };
}
