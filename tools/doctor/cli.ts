import { runDoctor } from './run-doctor';
import { formatReport } from './report';
import { systemClock } from '../../models/clock';

/**
 * `npm run doctor [-- --json]`: checks the configuration in the environment against the provider and the
 * account API, prints each problem with the setting to change, and exits 1 when any is an error.
 */
async function main(): Promise<void> {
  const json = process.argv.slice(2).includes('--json');
  const { report, exitCode } = await runDoctor(process.env, { fetch, clock: systemClock });
  process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  process.exitCode = exitCode;
}

main().catch((error: unknown) => {
  process.stderr.write(`doctor: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
