import type { Clock } from '../../models/clock';
import type { Config, StoreLocation } from '../../models/config';
import { createRawStore } from '../../models/create-store';
import type { DynamoDbStore } from '../../models/dynamodb.store';
import { DYNAMODB_ATTRIBUTES } from '../../models/dynamodb-table';
import type { Finding } from './report';

/** What the check needs of a DynamoDB store: the read every request makes, and the table's TTL setting. */
export type DynamoDbStoreProbe = Pick<DynamoDbStore, 'ping' | 'timeToLive' | 'close'>;

/**
 * A DynamoDB store (`STORE_URL=dynamodb://…`) is a table in an AWS account, reached with credentials from
 * the environment: the doctor reads from it as the service does (the table, the region, the credentials and
 * their permission all have to be right), and looks at the table's TTL, without which DynamoDB never deletes
 * expired entries. The other stores are not checked here.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html
 */
export async function checkStore(
  config: Config,
  deps: { readonly clock: Clock },
  // The AWS SDK is loaded only when the store is DynamoDB (createRawStore loads it late).
  open: (location: StoreLocation) => DynamoDbStoreProbe = (location) => createRawStore(location, deps.clock) as DynamoDbStore,
): Promise<Finding[]> {
  if (config.store.kind !== 'dynamodb') return [];
  const { table, region, endpoint } = config.store;
  const where = `the DynamoDB table ${table} (${endpoint ?? region})`;
  const store = open(config.store);
  try {
    try {
      await store.ping();
    } catch (error) {
      return [
        {
          check: 'store',
          severity: 'error',
          message: `${where} cannot be read: ${error instanceof Error ? error.message : String(error)}; every token request would get 503`,
          setting: 'STORE_URL',
          fix:
            `check the table name and region; the table needs the partition key ${DYNAMODB_ATTRIBUTES.key} (string), and the credentials ` +
            '(on AWS Lambda, the function\'s role) dynamodb:GetItem, PutItem and DeleteItem on it',
        },
      ];
    }
    const found: Finding = { check: 'store', severity: 'ok', message: `${where} answers a read` };
    let ttl: { readonly status: string; readonly attribute?: string };
    try {
      ttl = await store.timeToLive();
    } catch (error) {
      return [found, { check: 'store', severity: 'skipped', message: `the table's TTL setting cannot be read (${error instanceof Error ? error.message : String(error)})` }];
    }
    if ((ttl.status === 'ENABLED' || ttl.status === 'ENABLING') && ttl.attribute === DYNAMODB_ATTRIBUTES.ttl) return [found];
    return [
      found,
      {
        check: 'store',
        severity: 'warning',
        message: `TTL is not enabled on the attribute ${DYNAMODB_ATTRIBUTES.ttl} (${ttl.status}${ttl.attribute ? ` on ${ttl.attribute}` : ''}): expired entries are never read, but never deleted either, so the table only grows`,
        setting: `the table's Time to Live (the attribute ${DYNAMODB_ATTRIBUTES.ttl})`,
        fix: `aws dynamodb update-time-to-live --table-name ${table} --time-to-live-specification Enabled=true,AttributeName=${DYNAMODB_ATTRIBUTES.ttl}`,
      },
    ];
  } finally {
    await store.close();
  }
}
