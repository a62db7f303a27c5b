import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { publishedConfigSchema } from '../../../pipelines/cli/config-command.js';
import { loadConfig } from '../../../pipelines/config/load-config.js';
import { fromRoot } from '../../../pipelines/core/paths.js';

/**
 * cxpulse.schema.json at the package root is the config file's JSON Schema as editors read it: the
 * configs shipped in data-samples/ point their "$schema" at it, and an installed package has it at
 * node_modules/cxpulse/cxpulse.schema.json.
 */
const SHIPPED_CONFIGS = ['data-samples/demo.config.json', 'data-samples/cdnow/cdnow-master.config.json', 'data-samples/cdnow/cdnow-sample.config.json'];
const published = JSON.parse(readFileSync(fromRoot('cxpulse.schema.json'), 'utf8')) as Record<string, unknown>;

function validator() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  // ajv-formats is CommonJS: its function is the default export's default under NodeNext.
  (addFormatsModule as unknown as { default: (a: Ajv) => void }).default(ajv);
  return ajv.compile(published);
}

describe('the published config schema', () => {
  it('is the schema the code validates with (regenerate it with `npm run schema` after changing a setting)', () => {
    // Compared as JSON, so a key added to a module's settings without regenerating the file fails here.
    expect(published, 'cxpulse.schema.json is stale: run `npm run schema`').toEqual(JSON.parse(JSON.stringify(publishedConfigSchema())));
  });

  it('accepts every config shipped in data-samples/, each of which points its "$schema" at the file', () => {
    const validate = validator();
    for (const rel of SHIPPED_CONFIGS) {
      const path = fromRoot(...rel.split('/'));
      const cfg = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
      expect(validate(cfg), `${rel}: ${JSON.stringify(validate.errors)}`).toBe(true);
      // The relative path an editor follows from the config's own folder.
      expect(resolve(dirname(path), String(cfg.$schema)), rel).toBe(fromRoot('cxpulse.schema.json'));
      // And the loader takes the key as it is.
      expect(() => loadConfig(path), rel).not.toThrow();
    }
  });

  it('names a misspelt key and a wrong type, as an editor would underline them', () => {
    const validate = validator();
    const demo = JSON.parse(readFileSync(fromRoot('data-samples', 'demo.config.json'), 'utf8')) as Record<string, unknown>;
    expect(validate({ ...demo, exprots: { dir: 'x' } })).toBe(false);
    expect(JSON.stringify(validate.errors)).toMatch(/exprots/);
    expect(validate({ ...demo, churn: { horizonDays: 'ninety' } })).toBe(false);
    expect(JSON.stringify(validate.errors)).toMatch(/horizonDays/);
  });

  it('is in the package npm would publish', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: fromRoot(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const files = (JSON.parse(out) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
    expect(files).toContain('cxpulse.schema.json');
    expect(files).toContain(join('dist', 'pipelines', 'cli', 'main.js'));
  });
});
