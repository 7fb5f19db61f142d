import type { Clock } from '../../models/clock';
import type { Config, StoreLocation } from '../../models/config';
import { createRawStore } from '../../models/create-store';
import type { DynamoDbStore } from '../../models/dynamodb.store';
import { DYNAMODB_ATTRIBUTES } from '../../models/dynamodb-table';
import type { Store } from '../../models/store';
import type { Finding } from './report';

/** What the check needs of a DynamoDB store: the read every request makes, and the table's TTL setting. */
export type DynamoDbStoreProbe = Pick<DynamoDbStore, 'ping' | 'timeToLive' | 'close'>;

/** What the persistence check needs of a store: what it keeps across a restart. */
export type PersistenceProbe = Pick<Store, 'persistence' | 'close'>;

/**
 * A DynamoDB store (`STORE_URL=dynamodb://…`) is a table in an AWS account, reached with credentials from
 * the environment: the doctor reads from it as the service does (the table, the region, the credentials and
 * their permission all have to be right), and looks at the table's TTL, without which DynamoDB never deletes
 * expired entries. A Redis store (and, in vault custody, any store) is asked what it keeps across a
 * restart of its server (`INFO persistence`, `CONFIG GET save`): vault custody keeps each user's only
 * link there and refuses to start on a store that keeps nothing.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html
 */
export async function checkStore(
  config: Config,
  deps: { readonly clock: Clock },
  // The AWS SDK is loaded only when the store is DynamoDB (createRawStore loads it late).
  open: (location: StoreLocation) => DynamoDbStoreProbe = (location) => createRawStore(location, deps.clock) as DynamoDbStore,
  openForPersistence: (location: StoreLocation) => PersistenceProbe = (location) => createRawStore(location, deps.clock),
): Promise<Finding[]> {
  if (config.store.kind === 'redis' || (config.store.kind !== 'dynamodb' && config.tokenCustody === 'vault')) {
    return checkPersistence(config, openForPersistence(config.store));
  }
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

/** What the store keeps across a restart, as the store says: an error in vault custody when it keeps nothing. */
async function checkPersistence(config: Config, store: PersistenceProbe): Promise<Finding[]> {
  const vault = config.tokenCustody === 'vault';
  try {
    let persistence;
    try {
      persistence = await store.persistence?.();
    } catch (error) {
      return [
        {
          check: 'store',
          severity: 'error',
          message: `the store cannot be asked what it keeps (${error instanceof Error ? error.message : String(error)}); every token request would get 503`,
          setting: 'STORE_URL',
          fix: 'check the host, port and password in STORE_URL, and that the server runs',
        },
      ];
    }
    if (!persistence) return [{ check: 'store', severity: 'skipped', message: 'the store does not say what it keeps across a restart' }];
    if (persistence.durable === true) return [{ check: 'store', severity: 'ok', message: `keeps its entries across a restart: ${persistence.found}` }];
    if (persistence.durable === false) {
      return [
        vault
          ? { check: 'store', severity: 'error', message: `keeps nothing across a restart (${persistence.found}), and TOKEN_CUSTODY=vault keeps each user's only link there: linkbridge refuses to start`, setting: 'STORE_URL', fix: persistence.fix }
          : { check: 'store', severity: 'ok', message: `keeps nothing across a restart (${persistence.found}): enough for relay custody, whose entries live minutes; TOKEN_CUSTODY=vault would refuse it` },
      ];
    }
    return [
      {
        check: 'store',
        severity: vault ? 'warning' : 'ok',
        message: `does not say whether it keeps its entries across a restart (${persistence.found})${vault ? ": TOKEN_CUSTODY=vault keeps each user's only link there" : ''}`,
        ...(vault ? { setting: 'STORE_URL', fix: persistence.fix } : {}),
      },
    ];
  } finally {
    await store.close();
  }
}
