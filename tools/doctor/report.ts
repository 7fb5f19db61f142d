/**
 * What `npm run doctor` finds: one finding per thing it checked, each saying what is wrong, which
 * setting to change and how. Errors stop linking from working; warnings make it fragile.
 */

/** `error`: linking will fail; `warning`: it may fail later or for some users; `info`: something to copy. */
export type Severity = 'ok' | 'info' | 'warning' | 'error' | 'skipped';

/** The checks, in the order they run and print. */
export const CHECK_NAMES = {
  config: 'configuration',
  'public-url': 'public URL',
  'redirect-uris': 'redirect URIs',
  discovery: 'provider discovery',
  'authorization-endpoint': 'provider authorization endpoint',
  'token-endpoint': 'provider token endpoint',
  latency: 'provider latency',
  'token-lifetime': 'token lifetime',
  scope: 'scope',
  'account-api': 'account API',
  'account-linking': "Alexa's account-linking settings",
  store: 'store',
} as const;

export type CheckId = keyof typeof CHECK_NAMES;

/**
 * What `npm run doctor -- --link` adds, in the order it runs and prints: it signs in with a test account
 * and tests the grant it got (see `link/run-link-check.ts`). `npm run doctor` alone never runs these.
 */
export const LINK_CHECK_NAMES = {
  'link-sign-in': 'sign-in with the test account',
  'link-exchange': 'code exchange',
  'link-account-api': 'account API with the new token',
  'link-refresh': 'refresh',
  'link-reuse': 'refresh token reuse',
  'link-concurrent': 'two refreshes at once',
  'link-offline-access': 'offline access (OpenID Connect)',
  'link-revocation': 'revocation',
  'link-latency': 'provider call latency',
} as const;

export type LinkCheckId = keyof typeof LINK_CHECK_NAMES;

/** Every check's name, the link checks after the others. */
const ALL_CHECK_NAMES: Readonly<Record<CheckId | LinkCheckId, string>> = { ...CHECK_NAMES, ...LINK_CHECK_NAMES };

export interface Finding {
  readonly check: CheckId | LinkCheckId;
  readonly severity: Severity;
  /** What was found, in a sentence. */
  readonly message: string;
  /** The environment variable (or config file entry) to change, when there is one. */
  readonly setting?: string;
  /** How to fix it. */
  readonly fix?: string;
  /** Values worth copying (URLs to register, durations). Never a secret. */
  readonly details?: Readonly<Record<string, string | number | readonly string[]>>;
  /** For a `skipped` finding: the check whose failure it waits on; it is printed after that check. */
  readonly blockedBy?: CheckId | LinkCheckId;
}

/**
 * A check that cannot run because another one failed: shown once, as skipped, naming the failed check,
 * and never as a second error for the same cause.
 */
export function skipped(check: CheckId | LinkCheckId, blockedBy: CheckId | LinkCheckId, needs: string): Finding {
  return { check, severity: 'skipped', blockedBy, message: `${needs}, and the ${ALL_CHECK_NAMES[blockedBy]} check above failed` };
}

export interface DoctorReport {
  /** True when no finding is an error. */
  readonly ok: boolean;
  readonly errors: number;
  readonly warnings: number;
  readonly findings: readonly Finding[];
}

/** The report and the process exit code: 0 when nothing is an error, 1 otherwise. */
export interface DoctorResult {
  readonly report: DoctorReport;
  readonly exitCode: 0 | 1;
}

/**
 * The findings in the order of {@link CHECK_NAMES}, then {@link LINK_CHECK_NAMES} (each check's own findings keep their order), a
 * skipped finding never before the check it waits on, counted.
 */
export function summarize(unordered: readonly Finding[]): DoctorResult {
  const order: readonly string[] = Object.keys(ALL_CHECK_NAMES);
  const place = (finding: Finding) => Math.max(order.indexOf(finding.check), finding.blockedBy === undefined ? -1 : order.indexOf(finding.blockedBy) + 0.5);
  const findings = [...unordered].sort((a, b) => place(a) - place(b));
  const errors = findings.filter((finding) => finding.severity === 'error').length;
  const warnings = findings.filter((finding) => finding.severity === 'warning').length;
  return { report: { ok: errors === 0, errors, warnings, findings }, exitCode: errors === 0 ? 0 : 1 };
}

const LABELS: Readonly<Record<Severity, string>> = { ok: 'ok', info: 'info', warning: 'WARN', error: 'ERROR', skipped: 'skip' };

/** The report for a person: one block per finding, the setting and the fix indented under it. */
export function formatReport(report: DoctorReport): string {
  const lines = ['linkbridge doctor', '', ...formatFindings(report.findings), ''];
  lines.push(
    report.ok
      ? `No errors${report.warnings > 0 ? `, ${report.warnings} warning${report.warnings === 1 ? '' : 's'}` : ''}: linking should work.`
      : `${report.errors} error${report.errors === 1 ? '' : 's'}, ${report.warnings} warning${report.warnings === 1 ? '' : 's'}: linking will fail until the errors are fixed.`,
  );
  return `${lines.join('\n')}\n`;
}

/** Each finding as lines: `[label] check: message`, then its setting, fix and details indented. */
export function formatFindings(findings: readonly Finding[]): string[] {
  const lines: string[] = [];
  for (const finding of findings) {
    lines.push(`${`[${LABELS[finding.severity]}]`.padEnd(8)}${ALL_CHECK_NAMES[finding.check]}: ${finding.message}`);
    if (finding.setting) lines.push(`        setting: ${finding.setting}`);
    if (finding.fix) lines.push(`        fix: ${finding.fix}`);
    for (const [name, value] of Object.entries(finding.details ?? {})) {
      if (Array.isArray(value)) {
        lines.push(`        ${name}:`);
        for (const item of value) lines.push(`          ${item}`);
      } else {
        lines.push(`        ${name}: ${String(value)}`);
      }
    }
  }
  return lines;
}
