/**
 * Builds an AWS SDK client without the SDK's `NodeVersionSupportWarning`. The SDK prints it on Node 20 when the
 * first client is made (its releases from 2027 need Node 22); linkbridge pins the SDK's version, so it asks
 * nothing of whoever runs linkbridge, and on standard error it would be a multi-line text among the JSON
 * log lines. Only that warning is held back, only during this synchronous call; any other passes.
 */
export function withoutNodeVersionNotice<T>(build: () => T): T {
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]): void {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (text.startsWith('NodeVersionSupportWarning')) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    return build();
  } finally {
    process.emitWarning = emitWarning;
  }
}
