/* global process, __dirname */
/**
 * A jest reporter that ends the run with one plain line about the suites that could not run here and
 * why, so a green `npm test` never hides what it did not test.
 */
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

/** The test files with a skipped test inside a suite whose name matches `pattern`. */
function filesSkipping(results, pattern) {
  return results.testResults.filter((suite) => suite.testResults.some((test) => test.status === 'pending' && pattern.test(test.ancestorTitles.join(' '))));
}

/** Whether dynalite starts here (test/support/dynalite.ts asks the same in each test file). */
function dynaliteStarts() {
  const script = "const s = require('dynalite')({}); s.listen(0, '127.0.0.1', () => s.close(() => console.log('dynalite started')));";
  const probe = spawnSync(process.execPath, ['-e', script], { cwd: join(__dirname, '..', '..'), encoding: 'utf8', timeout: 20000 });
  return probe.status === 0 && probe.stdout.includes('dynalite started');
}

class SkippedSuitesReporter {
  onRunComplete(_contexts, results) {
    const binary = process.env.REDIS_SERVER_BIN || 'redis-server';
    if (spawnSync(binary, ['--version']).status !== 0) {
      const files = filesSkipping(results, /redis/i);
      process.stderr.write(
        `\nSKIPPED: ${files.length} test files with Redis store suites did not run them: ${binary} is not installed here. ` +
          'Install it (apt-get install redis-server) to run them; .ci/run installs it and requires them.\n',
      );
    }
    const dynamoFiles = filesSkipping(results, /dynamodb/i);
    if (dynamoFiles.length > 0 && !dynaliteStarts()) {
      process.stderr.write(
        `\nSKIPPED: ${dynamoFiles.length} test files with DynamoDB store suites did not run them: dynalite (a dev dependency) cannot start here. ` +
          'npm install brings it; .ci/run requires them (LINKBRIDGE_REQUIRE_DYNALITE=1).\n',
      );
    }
  }
}

module.exports = SkippedSuitesReporter;
