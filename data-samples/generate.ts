// npm run samples -- --customers N [--out DIR] [--seed S] [--as-of YYYY-MM-DD] [--format demo|csv]
import { parseArgs, USAGE } from './generator/args.js';
import { generatePart, generateSamples } from './generator/run.js';

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  if (opts === 'help') {
    console.log(USAGE);
    return;
  }
  if ('from' in opts) {
    console.log(JSON.stringify(generatePart(opts.options, opts.from, opts.to, opts.dir)));
    return;
  }
  const s = await generateSamples(opts);
  const c = s.counts;
  console.log(
    `wrote ${s.outDir} (${opts.format}, seed ${opts.seed}, as-of ${opts.asOf}) in ${s.seconds.toFixed(1)} s: ` +
    `${c.customers} customers, ${c.purchases} purchases, ${c.interactions} interactions, ${c.surveys} surveys` +
    (s.badRows > 0 ? `, plus ${s.badRows} planted bad/tricky rows (see EXPECTED.json)` : '') +
    `; events ${s.firstEventAt} .. ${s.lastEventAt}`,
  );
}

main().catch((e: unknown) => {
  console.error(`samples: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
