import { CxpError } from '../core/errors.js';
import type { SqlValue } from '../core/warehouse.js';
import { FIELDS, FIELD_NAMES, type FieldType } from './fields.js';

/** A rule condition as written in config: a tree of all/any/not over field comparisons. */
export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { field: string; op: Op; value?: unknown };

export const OPS = ['=', '!=', '<', '<=', '>', '>=', 'in', 'not_in', 'is_null', 'is_not_null'] as const;
export type Op = (typeof OPS)[number];

const OPS_BY_TYPE: Record<FieldType, readonly Op[]> = {
  number: OPS,
  string: ['=', '!=', 'in', 'not_in', 'is_null', 'is_not_null'],
  boolean: ['=', '!=', 'is_null', 'is_not_null'],
};

export interface Leaf {
  field: string;
  op: Op;
  value?: unknown;
}

export interface CompiledCondition {
  /** Boolean SQL over the base CTE's columns (named after the fields); values are `$p1`, `$p2`, ... placeholders. */
  sql: string;
  /** Bound values by placeholder name (`p1`, ...); the query adds `as_of` (pipelines/core/sql-date.ts). */
  params: Record<string, SqlValue>;
  /** Field names used, in first-use order. */
  fields: string[];
  leaves: Leaf[];
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function checkValue(type: FieldType, v: unknown): boolean {
  if (type === 'number') return typeof v === 'number' && Number.isFinite(v);
  if (type === 'string') return typeof v === 'string';
  return typeof v === 'boolean';
}

/**
 * Checks a condition tree and compiles it to SQL: field names come only from the FIELDS whitelist,
 * operators from OPS, and every value is bound. Throws CXP_ERR_CONFIG_INVALID naming every bad key.
 */
export function compileCondition(cond: unknown, where: string): CompiledCondition {
  const problems: string[] = [];
  const params: Record<string, SqlValue> = {};
  const fields: string[] = [];
  const leaves: Leaf[] = [];
  let bound = 0;
  const bind = (v: SqlValue) => {
    const name = `p${++bound}`;
    params[name] = v;
    return `$${name}`;
  };

  const walk = (node: unknown, path: string, depth: number): string => {
    if (depth > 8) {
      problems.push(`${path}: nested too deep (8 levels at most)`);
      return 'false';
    }
    if (!isObj(node)) {
      problems.push(`${path}: must be an object: {all:[...]}, {any:[...]}, {not:{...}} or {field, op, value}`);
      return 'false';
    }
    const keys = Object.keys(node);
    for (const group of ['all', 'any'] as const) {
      if (group in node) {
        const list = node[group];
        if (keys.length !== 1) problems.push(`${path}: "${group}" must be the only key`);
        if (!Array.isArray(list) || list.length === 0) {
          problems.push(`${path}.${group}: must be a non-empty list of conditions`);
          return 'false';
        }
        const parts = list.map((c, i) => walk(c, `${path}.${group}[${i}]`, depth + 1));
        return `(${parts.join(group === 'all' ? ' and ' : ' or ')})`;
      }
    }
    if ('not' in node) {
      if (keys.length !== 1) problems.push(`${path}: "not" must be the only key`);
      return `(not coalesce(${walk(node.not, `${path}.not`, depth + 1)}, false))`;
    }
    const extra = keys.filter((k) => !['field', 'op', 'value'].includes(k));
    if (extra.length > 0) problems.push(`${path}: unknown key(s) ${extra.join(', ')}`);
    const field = node.field;
    const op = node.op as Op;
    if (typeof field !== 'string' || !Object.hasOwn(FIELDS, field)) {
      problems.push(`${path}.field: ${JSON.stringify(field)} is not a rule field; fields are: ${FIELD_NAMES.join(', ')}`);
      return 'false';
    }
    const def = FIELDS[field];
    if (!OPS_BY_TYPE[def.type].includes(op)) {
      problems.push(`${path}.op: ${JSON.stringify(op)} does not apply to ${field} (${def.type}); use one of ${OPS_BY_TYPE[def.type].join(', ')}`);
      return 'false';
    }
    if (!fields.includes(field)) fields.push(field);
    leaves.push({ field, op, value: node.value });
    // Columns of the base CTE are named after the fields (fixed names from the whitelist).
    const col = `"${field}"`;
    const str = def.type === 'string';
    if (op === 'is_null' || op === 'is_not_null') {
      if ('value' in node) problems.push(`${path}.value: ${op} takes no value`);
      return `(${col} ${op === 'is_null' ? 'is null' : 'is not null'})`;
    }
    if (op === 'in' || op === 'not_in') {
      const list = node.value;
      if (!Array.isArray(list) || list.length === 0 || !list.every((v) => checkValue(def.type, v))) {
        problems.push(`${path}.value: ${op} needs a non-empty list of ${def.type}s`);
        return 'false';
      }
      const items = list.map((v) => (str ? `lower(${bind(v as string)})` : bind(v as number)));
      return `(${str ? `lower(${col})` : col} ${op === 'in' ? 'in' : 'not in'} (${items.join(', ')}))`;
    }
    if (!checkValue(def.type, node.value)) {
      problems.push(`${path}.value: ${field} ${op} needs a ${def.type}, got ${JSON.stringify(node.value)}`);
      return 'false';
    }
    // Strings compare case-insensitively: segment names differ in case between tools.
    return str ? `(lower(${col}) ${op} lower(${bind(node.value as string)}))` : `(${col} ${op} ${bind(node.value as SqlValue)})`;
  };

  const sql = walk(cond, where, 0);
  if (problems.length > 0) {
    throw new CxpError('CXP_ERR_CONFIG_INVALID', `invalid trigger rule condition: ${problems.join('; ')}`, {
      where,
      problems,
      hint: 'see docs/triggers.md "Rule format" for fields and operators',
    });
  }
  return { sql, params, fields, leaves };
}

/** The same comparison in JS, to list which leaves held for a customer (the payload's reasons). */
export function leafHolds(leaf: Leaf, actual: unknown): boolean {
  if (leaf.op === 'is_null') return actual === null || actual === undefined;
  if (leaf.op === 'is_not_null') return actual !== null && actual !== undefined;
  if (actual === null || actual === undefined) return false;
  const norm = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v instanceof Date ? v.getTime() : v);
  const a = norm(actual) as number | string | boolean;
  if (leaf.op === 'in' || leaf.op === 'not_in') {
    const found = (leaf.value as unknown[]).map(norm).includes(a);
    return leaf.op === 'in' ? found : !found;
  }
  const v = norm(leaf.value) as number | string | boolean;
  switch (leaf.op) {
    case '=':
      return a === v;
    case '!=':
      return a !== v;
    case '<':
      return a < v;
    case '<=':
      return a <= v;
    case '>':
      return a > v;
    case '>=':
      return a >= v;
  }
  return false;
}
