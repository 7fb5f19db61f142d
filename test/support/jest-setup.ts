/* eslint-disable no-console -- this file filters console output on purpose */
/**
 * node-oidc-provider announces its development defaults (in-memory adapter, dev interactions) on the
 * console each time a test starts one; those notices are expected here and drown real output.
 */
for (const method of ['warn', 'info'] as const) {
  const original = console[method].bind(console);
  console[method] = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('oidc-provider')) return;
    original(...args);
  };
}
