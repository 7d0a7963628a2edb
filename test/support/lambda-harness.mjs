// Cold-starts one Lambda bundle in this fresh process and serves one event:
//   node lambda-harness.mjs <path/to/handler.mjs> '<event JSON>'
// The last stdout line is `LAMBDA_HARNESS_RESULT {json}` with the handler's result and timings
// (ms since process start); everything before it is the function's own log output.
import { pathToFileURL } from 'node:url';

const [bundle, event = '{}'] = process.argv.slice(2);
if (!bundle) {
  console.error('usage: node lambda-harness.mjs <handler.mjs> [event-json]');
  process.exit(2);
}
const started = performance.now();
let outcome;
try {
  const module = await import(pathToFileURL(bundle).href);
  const imported = performance.now();
  const result = await module.handler(JSON.parse(event), { awsRequestId: 'harness-request-1' });
  const served = performance.now();
  outcome = {
    ok: true,
    result,
    timings: { importMs: imported - started, firstRequestMs: served - imported, initMs: served - started, sinceProcessStartMs: served },
  };
} catch (error) {
  outcome = { ok: false, error: { name: error?.name, message: error?.message } };
}
process.stdout.write(`\nLAMBDA_HARNESS_RESULT ${JSON.stringify(outcome)}\n`, () => process.exit(outcome.ok ? 0 : 1));
