import { formatFindings } from '../report';
import type { LinkReport } from './run-link-check';

/**
 * The `doctor --link` report for a person: each finding with its setting and fix, then the verdict:
 * whether linking works as configured (and if not, why), the custody mode, the replay window, the scope
 * to ask for, and what to change in the provider's console.
 */
export function formatLinkReport(report: LinkReport): string {
  const lines = ['linkbridge doctor --link', '', ...formatFindings(report.findings), ''];
  const verdict = report.link.verdict;
  if (!verdict) {
    lines.push('Verdict: not reached; the link test needs the configuration above to pass first.');
  } else {
    lines.push(verdict.works ? 'Verdict: linking works as configured.' : 'Verdict: linking would not work as configured:');
    for (const reason of verdict.reasons) lines.push(`  - ${reason}`);
    const { custody, replayWindow, scope } = verdict;
    const changeCustody = custody.recommended !== custody.configured;
    lines.push(`  custody: ${custody.setting}=${custody.recommended}${changeCustody ? ` (now ${custody.configured})` : ' (as configured)'}: ${custody.why}`);
    const changeWindow = replayWindow.recommended !== replayWindow.configured;
    lines.push(`  replay window: ${replayWindow.setting}=${replayWindow.recommended}${changeWindow ? ` (now ${replayWindow.configured})` : ' (as configured)'}: ${replayWindow.why}`);
    lines.push(scope.value ? `  scope: ${scope.setting}="${scope.value}" (adds ${scope.add.join(', ')}; then npm run skill:package so Alexa asks for the same)` : `  scope: ${scope.setting} as configured`);
    if (verdict.providerConsole.length > 0) {
      lines.push("  in the provider's console, for linkbridge's client:");
      for (const item of verdict.providerConsole) lines.push(`    - ${item}`);
    }
  }
  lines.push('');
  lines.push(`${report.errors} error${report.errors === 1 ? '' : 's'}, ${report.warnings} warning${report.warnings === 1 ? '' : 's'}.`);
  return `${lines.join('\n')}\n`;
}
