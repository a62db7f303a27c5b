import { plausibilitySchema } from '../sources/plausibility.js';
import { sectionSchemas } from './sections.js';
import { sourceExtraSchema } from '../sources/source-options.js';

import { SOURCE_NAMES, type SourceName } from './source-names.js';

export { SOURCE_NAMES, type SourceName };

export const SOURCE_FORMATS = ['csv', 'tsv', 'jsonl', 'parquet'] as const;

const noAnswerSchema = {
  type: 'array',
  items: { type: ['string', 'number'] },
  description: 'values that mean "no answer" (matched case-insensitively; numbers also numerically); a blank always is',
} as const;

const fixedRange = (min: number, max: number) =>
  ({ type: 'object', additionalProperties: false, properties: { min: { const: min }, max: { const: max } } }) as const;

const answerScaleSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { min: { type: 'number' }, max: { type: 'number' }, noAnswer: noAnswerSchema },
} as const;

const sourceSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    // Required for file sources (the default type); checked in sourceProblems().
    path: { type: 'string', minLength: 1, description: 'file or glob, relative to the config file' },
    format: { type: 'string', enum: [...SOURCE_FORMATS] },
    columns: {
      type: 'object',
      default: {},
      additionalProperties: { type: 'string', minLength: 1 },
      description: 'canonical name -> source column name',
    },
    delimiter: { type: 'string', minLength: 1, description: 'one character, or "whitespace"' },
    header: { type: 'boolean', default: true },
    names: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 },
    timestampFormat: { type: 'string', minLength: 1 },
    decimalSeparator: {
      type: 'string',
      enum: ['.', ','],
      description:
        'CSV/TSV: the decimal mark of numbers in the file: "." (default) or "," as European exports write them (1234,5; 1.234,5; 1 234,5: "." and spaces then group thousands); Parquet and JSON numbers are typed',
    },
    quote: { type: 'string', maxLength: 1 },
    encoding: { type: 'string', enum: ['utf-8', 'utf8'] },
    defaults: {
      type: 'object',
      default: {},
      additionalProperties: { type: ['string', 'number', 'boolean'] },
      description: 'canonical column -> constant, for columns a source lacks',
    },
    answerColumns: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      description: 'surveys only: numeric columns that become survey_answers rows (question = column name)',
    },
    scales: {
      type: 'object',
      additionalProperties: false,
      description:
        'surveys only: valid answer ranges and "no answer" codes (no-answer -> NULL, out of range -> rejected); resolved in full by `cxpulse config`',
      properties: {
        score: {
          type: 'object',
          additionalProperties: false,
          description: 'the score column: ranges fixed (nps 0-10, csat 1-5, ces 1-7); a no-answer score rejects the response',
          properties: {
            noAnswer: noAnswerSchema,
            // Printed by `cxpulse config` for reference; fixed by the metric definitions.
            nps: fixedRange(0, 10),
            csat: fixedRange(1, 5),
            ces: fixedRange(1, 7),
          },
        },
        answers: { ...answerScaleSchema, description: 'default scale of every answerColumns question (0-10, N/A codes "N/A", "NA", "-", 99)' },
        questions: { type: 'object', additionalProperties: answerScaleSchema, description: 'answer column -> its own scale' },
      },
    },
    timezone: { type: 'string', minLength: 1, description: "IANA zone this source's naive timestamps are in; default: the top-level timezone" },
    maxAgeHours: { type: 'number', exclusiveMinimum: 0, description: 'data older than this is stale' },
    plausibility: plausibilitySchema,
    attributes: {
      type: 'object',
      propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]{0,62}$' },
      additionalProperties: {
        type: 'object',
        required: ['type'],
        additionalProperties: false,
        properties: {
          type: { type: 'string', enum: ['categorical', 'numeric'] },
          column: { type: 'string', minLength: 1, description: 'column in the file; default: the attribute name' },
        },
      },
      description:
        'customers only: extra columns kept in customers.attributes with their type (categorical or numeric), used as churn features, shown on the customer page and exported',
    },
    ...sourceExtraSchema,
  },
} as const;

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['sources'],
  properties: {
    $schema: { type: 'string' },
    warehouse: { type: 'string', minLength: 1, default: 'var/warehouse.duckdb' },
    asOf: { type: 'string', format: 'date' },
    timezone: { type: 'string', default: 'UTC' },
    sources: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: Object.fromEntries(SOURCE_NAMES.map((n) => [n, sourceSchema])),
    },
    exports: {
      type: 'object',
      default: {},
      additionalProperties: false,
      properties: {
        dir: { type: 'string', minLength: 1, default: 'var/exports' },
        includePii: { type: 'boolean', default: false },
        datasets: { type: 'array', items: { type: 'string', minLength: 1 } },
      },
    },
    duckdb: {
      type: 'object',
      default: {},
      additionalProperties: false,
      properties: {
        threads: { type: 'integer', minimum: 1 },
        memoryLimit: { type: 'string', pattern: '^[0-9.]+\\s*[KMGT]i?B$' },
        // DuckDB's block_allocator_memory; its default depends on memoryLimit (duckdb-settings.ts). "0MB" turns it off.
        blockAllocatorMemory: { type: 'string', pattern: '^[0-9.]+\\s*[KMGT]i?B$' },
      },
    },
    ...sectionSchemas,
  },
} as const;
