/**
 * `npm run audit`: `npm audit --omit=dev --audit-level=high`, i.e. fail on a high or critical
 * advisory in a runtime dependency. When the registry's advisory endpoint cannot be reached or
 * refuses the request (some networks and mirrors answer HTTP 405 to its POST), say so plainly and
 * exit 2: the audit did not run, which is neither a pass nor a finding. The offline checks
 * (exact versions, integrity hashes, no unused runtime dependency) are in test/supply_chain.test.ts.
 */
import { spawnSync } from 'node:child_process';

const args = ['audit', '--omit=dev', '--audit-level=high'];
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const res = spawnSync(npm, args, { encoding: 'utf8' });
const out = `${res.stdout ?? ''}${res.stderr ?? ''}`;
process.stdout.write(out);

if (res.error) {
  console.error(`\naudit: could not start npm (${res.error.message}).`);
  process.exit(2);
}

const refused =
  /audit endpoint returned an error|\b(40[0-9]|5\d\d)\b[^\n]*advisories|E(NOTFOUND|CONNREFUSED|CONNRESET|AI_AGAIN|TIMEDOUT)|network/i;
if (res.status !== 0 && refused.test(out) && !/found \d+ vulnerabilit/i.test(out)) {
  const code = /(?:audit |statusCode":\s*)(\d{3})\b/.exec(out)?.[1];
  console.error(
    [
      '',
      `audit: NOT RUN. The registry's advisory endpoint (POST /-/npm/v1/security/advisories/bulk) ` +
        `${code ? `answered HTTP ${code}` : 'could not be reached'}, so npm could not look up advisories.`,
      'This is a property of the network or registry mirror, not a result: run `npm run audit` on a',
      'network that reaches registry.npmjs.org (or set a registry that implements the audit API).',
      'Checked offline instead (npx vitest run test/supply_chain.test.ts): runtime dependencies are',
      'exact versions, each is imported by src/, and the lockfile pins them with integrity hashes.',
    ].join('\n'),
  );
  process.exit(2);
}

if (res.status === 0) console.log('audit: no high or critical advisory in the runtime dependencies.');
else console.error('\naudit: high or critical advisories in the runtime dependencies (see above).');
process.exit(res.status ?? 1);
