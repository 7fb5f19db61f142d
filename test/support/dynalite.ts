/* eslint-disable no-console -- a skipped suite says so plainly */
/**
 * dynalite for the tests: a DynamoDB implementation (a dev dependency) that keeps its tables in memory and
 * listens on a loopback port of the test's own process, so it ends with the suite that started it even when
 * the suite fails. When it cannot start here the DynamoDB suites are skipped with a message saying why,
 * unless `LINKBRIDGE_REQUIRE_DYNALITE=1` (set by `.ci/run`): `npm install` brings it, so CI must run them.
 */
import { spawnSync } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoDbClient } from '../../models/dynamodb.store';
import { DYNAMODB_ATTRIBUTES } from '../../models/dynamodb-table';

const ROOT = join(__dirname, '..', '..');

/** The region in every test `STORE_URL`; a local DynamoDB takes any. */
export const DYNALITE_REGION = 'us-east-1';

export const dynaliteRequired = process.env.LINKBRIDGE_REQUIRE_DYNALITE === '1';

/** Starts dynalite on a loopback port and closes it, in a child process: why it cannot, or `undefined`. */
function probe(): string | undefined {
  const script = `
    const server = require('dynalite')({});
    server.on('error', (error) => { console.error(error.message); process.exit(1); });
    server.listen(0, '127.0.0.1', () => server.close(() => console.log('dynalite started')));`;
  const result = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
  if (result.status === 0 && result.stdout.includes('dynalite started')) return undefined;
  const said = result.stderr.split('\n').find((line) => /error/i.test(line)) ?? result.error?.message ?? `it exited with ${result.status ?? result.signal}`;
  return said.trim().slice(0, 300);
}

/** Why dynalite cannot start here; `undefined` when it can. */
export const dynaliteUnavailable: string | undefined = probe();

/**
 * `describe` for a suite that needs DynamoDB: skipped with a plain message when dynalite cannot start, failing
 * instead when it is required. Its name must say "DynamoDB", so the run's closing line can count it.
 */
export function describeWithDynamoDb(name: string, body: () => void): void {
  if (dynaliteUnavailable === undefined) {
    describe(name, body);
    return;
  }
  if (dynaliteRequired) {
    describe(name, () => {
      test('dynalite starts (LINKBRIDGE_REQUIRE_DYNALITE=1)', () => {
        throw new Error(`dynalite cannot start: ${dynaliteUnavailable}; npm install brings it (a dev dependency)`);
      });
    });
    return;
  }
  console.warn(`SKIPPED: "${name}" needs dynalite, which cannot start here (${dynaliteUnavailable}); npm install brings it. Set LINKBRIDGE_REQUIRE_DYNALITE=1 to make this a failure.`);
  describe.skip(name, body);
}

export interface Dynalite {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** The `STORE_URL` of `table` on this server. */
  storeUrl(table: string): string;
  /** Creates an empty table shaped as the store expects (documented in docs/configuration.md); its `STORE_URL`. */
  createTable(table: string): Promise<string>;
  /** Every item of `table`, as DynamoDB returns them. */
  scan(table: string): Promise<Array<Record<string, AttributeValue>>>;
  stop(): Promise<void>;
}

type DynaliteFactory = (options: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;

/** Starts dynalite in memory on a free port of 127.0.0.1; tables become active at once. */
export async function startDynalite(): Promise<Dynalite> {
  // Loaded here, not at the top: where it cannot load, the suites are skipped instead of the file failing.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
  const createDynalite = require('dynalite') as DynaliteFactory;
  const server = createDynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const admin: DynamoDBClient = createDynamoDbClient({ table: 'admin', region: DYNALITE_REGION, endpoint });
  const storeUrl = (table: string) => `dynamodb://${table}?region=${DYNALITE_REGION}&endpoint=${endpoint}`;
  return {
    endpoint,
    storeUrl,
    async createTable(table) {
      await admin.send(
        new CreateTableCommand({
          TableName: table,
          AttributeDefinitions: [{ AttributeName: DYNAMODB_ATTRIBUTES.key, AttributeType: 'S' }],
          KeySchema: [{ AttributeName: DYNAMODB_ATTRIBUTES.key, KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      // dynalite's CREATING state lasts one timer turn with createTableMs 0.
      for (let attempt = 0; attempt < 200; attempt += 1) {
        const { Table } = await admin.send(new DescribeTableCommand({ TableName: table }));
        if (Table?.TableStatus === 'ACTIVE') return storeUrl(table);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      throw new Error(`the table ${table} did not become active`);
    },
    async scan(table) {
      const items: Array<Record<string, AttributeValue>> = [];
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page = await admin.send(new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }));
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      return items;
    },
    async stop() {
      admin.destroy();
      // Clients a test left open must not hold the close up.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
