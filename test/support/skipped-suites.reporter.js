/* global process */
/**
 * A jest reporter that ends the run with one plain line about the suites that could not run here and
 * why, so a green `npm test` never hides what it did not test.
 */
const { spawnSync } = require('node:child_process');

class SkippedSuitesReporter {
  onRunComplete(_contexts, results) {
    const binary = process.env.REDIS_SERVER_BIN || 'redis-server';
    if (spawnSync(binary, ['--version']).status === 0) return;
    const files = results.testResults.filter((suite) =>
      suite.testResults.some((test) => test.status === 'pending' && /redis/i.test(test.ancestorTitles.join(' '))),
    );
    process.stderr.write(
      `\nSKIPPED: ${files.length} test files with Redis store suites did not run them: ${binary} is not installed here. ` +
        'Install it (apt-get install redis-server) to run them; .ci/run installs it and requires them.\n',
    );
  }
}

module.exports = SkippedSuitesReporter;
