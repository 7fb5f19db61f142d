import { randomUUID } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type AttributeValue,
  type DynamoDBClientConfig,
} from '@aws-sdk/client-dynamodb';
import type { Clock } from './clock';
import type { DynamoDbStoreLocation } from './store-location';
import { withoutNodeVersionNotice } from './aws-sdk-notice';
import { DYNAMODB_ATTRIBUTES, DYNAMODB_KEY_PREFIX as KEY_PREFIX } from './dynamodb-table';
import { storeOperation, type Store, type StorePersistence } from './store';

/**
 * Each attempt has a second, connecting included (DynamoDB answers in milliseconds), and a failed attempt is
 * tried once more (a kept-alive connection that was closed meanwhile, a throttle), so an operation that
 * cannot succeed fails in about two seconds and the token request gets `503` well inside Alexa's 4.5 s. The
 * deadline bounds the whole operation, retries and a stalled answer body included.
 */
const CONNECTION_TIMEOUT_MS = 1000;
const REQUEST_TIMEOUT_MS = 1000;
const MAX_ATTEMPTS = 2;
const OPERATION_DEADLINE_MS = 2500;

/** A local DynamoDB (dynalite, DynamoDB Local) takes any credentials; these are sent to one on loopback. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** What the expressions call the attributes (`#v`, …), so no attribute name is read as a reserved word. */
const NAMES = {
  '#k': DYNAMODB_ATTRIBUTES.key,
  '#v': DYNAMODB_ATTRIBUTES.value,
  '#e': DYNAMODB_ATTRIBUTES.expiresAt,
} as const;

/**
 * The store for hosts that share nothing but an AWS account, AWS Lambda among them
 * (`STORE_URL=dynamodb://<table>?region=<region>`): one item per entry in one table. `take` is one
 * conditional delete that returns the old item, `claim` and `lock` are conditional puts, `unlock` a
 * conditional delete on the owner, so each is atomic across every instance. Reads are strongly
 * consistent and check the expiry themselves: DynamoDB's TTL deletes expired items late (within days),
 * so it only cleans up, and there is nothing to purge. Expiry is compared with this instance's clock.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.ReadConsistency.html
 */
export class DynamoDbStore implements Store {
  private readonly table: string;

  constructor(
    location: DynamoDbStoreLocation,
    private readonly clock: Clock,
    private readonly client: DynamoDBClient = createDynamoDbClient(location),
  ) {
    this.table = location.table;
  }

  async put(key: string, value: string, expiresAt: number): Promise<void> {
    await this.run('put', (options) => this.client.send(new PutItemCommand({ TableName: this.table, Item: this.item(key, value, expiresAt) }), options));
  }

  async get(key: string): Promise<string | undefined> {
    const { Item: item } = await this.run('get', (options) =>
      this.client.send(
        // Strongly consistent: a value another instance put a moment ago is seen.
        new GetItemCommand({ TableName: this.table, Key: this.key(key), ConsistentRead: true, ProjectionExpression: '#v, #e', ExpressionAttributeNames: names('#v', '#e') }),
        options,
      ),
    );
    if (!item || !(Number(item[DYNAMODB_ATTRIBUTES.expiresAt]?.N) > this.clock.now())) return undefined;
    return item[DYNAMODB_ATTRIBUTES.value]?.S;
  }

  async take(key: string): Promise<string | undefined> {
    const deleted = await this.run('take', (options) =>
      unlessConditionFails(
        this.client.send(
          new DeleteItemCommand({
            TableName: this.table,
            Key: this.key(key),
            // Only a live item is deleted and returned: of two concurrent takes, the second finds nothing.
            // (A retry of a delete whose answer was lost finds nothing either: the value is gone, as when the
            // reply to Redis's GETDEL is lost.)
            ConditionExpression: '#e > :now',
            ExpressionAttributeNames: names('#e'),
            ExpressionAttributeValues: { ':now': number(this.clock.now()) },
            ReturnValues: 'ALL_OLD',
          }),
          options,
        ),
      ),
    );
    return deleted?.Attributes?.[DYNAMODB_ATTRIBUTES.value]?.S;
  }

  async delete(key: string): Promise<void> {
    await this.run('delete', (options) => this.client.send(new DeleteItemCommand({ TableName: this.table, Key: this.key(key) }), options));
  }

  async claim(key: string, expiresAt: number): Promise<boolean> {
    // A mark of its own, so the SDK's retry of a put that did succeed finds its own mark, not someone else's.
    return this.putIfFree('claim', key, randomUUID(), expiresAt);
  }

  async lock(key: string, owner: string, expiresAt: number): Promise<boolean> {
    return this.putIfFree('lock', key, owner, expiresAt);
  }

  async unlock(key: string, owner: string): Promise<void> {
    await this.run('unlock', (options) =>
      // A refused condition: the lock is not this owner's any more (it expired and was taken over), or is gone.
      unlessConditionFails(
        this.client.send(
          new DeleteItemCommand({
            TableName: this.table,
            Key: this.key(key),
            ConditionExpression: '#v = :owner',
            ExpressionAttributeNames: names('#v'),
            ExpressionAttributeValues: { ':owner': { S: owner } },
          }),
          options,
        ),
      ),
    );
  }

  /** DynamoDB's TTL deletes expired items on its own; reads never return them meanwhile. */
  async purgeExpired(): Promise<number> {
    return 0;
  }

  /**
   * One read of a key no entry has: it needs the table, the credentials and the permission every request
   * needs. A read, not `DescribeTable`: health checks come often, and DynamoDB asks that the control plane
   * be queried sparingly.
   * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-control-plane.html
   */
  async ping(): Promise<void> {
    await this.run('ping', (options) =>
      this.client.send(new GetItemCommand({ TableName: this.table, Key: { [DYNAMODB_ATTRIBUTES.key]: { S: KEY_PREFIX } }, ProjectionExpression: '#k', ExpressionAttributeNames: names('#k') }), options),
    );
  }

  /** A DynamoDB table keeps what is written to it. */
  async persistence(): Promise<StorePersistence> {
    return { durable: true, found: `the DynamoDB table ${this.table}` };
  }

  /** The table's TTL setting (for the doctor): `ENABLED` on the `ttl` attribute is what cleans up. */
  async timeToLive(): Promise<{ readonly status: string; readonly attribute?: string }> {
    const { TimeToLiveDescription: description } = await this.run('describe time to live', (options) =>
      this.client.send(new DescribeTimeToLiveCommand({ TableName: this.table }), options),
    );
    return { status: description?.TimeToLiveStatus ?? 'DISABLED', attribute: description?.AttributeName };
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  /**
   * Writes the entry unless a live one is there. An entry holding `owner` counts as free: it can only be
   * this very call's own write, whose answer was lost and which the SDK sent again.
   */
  private async putIfFree(operation: string, key: string, owner: string, expiresAt: number): Promise<boolean> {
    const written = await this.run(operation, (options) =>
      unlessConditionFails(
        this.client.send(
          new PutItemCommand({
            TableName: this.table,
            Item: this.item(key, owner, expiresAt),
            ConditionExpression: 'attribute_not_exists(#k) OR #e <= :now OR #v = :owner',
            ExpressionAttributeNames: names('#k', '#e', '#v'),
            ExpressionAttributeValues: { ':now': number(this.clock.now()), ':owner': { S: owner } },
          }),
          options,
        ),
      ),
    );
    return written !== undefined;
  }

  /** Runs one request within the operation's deadline; whatever it throws becomes a `StoreUnavailableError`. */
  private run<T>(operation: string, request: (options: { abortSignal: AbortSignal }) => Promise<T>): Promise<T> {
    return storeOperation(operation, () => request({ abortSignal: AbortSignal.timeout(OPERATION_DEADLINE_MS) }));
  }

  private key(key: string): Record<string, AttributeValue> {
    return { [DYNAMODB_ATTRIBUTES.key]: { S: `${KEY_PREFIX}${key}` } };
  }

  private item(key: string, value: string, expiresAt: number): Record<string, AttributeValue> {
    return {
      ...this.key(key),
      [DYNAMODB_ATTRIBUTES.value]: { S: value },
      [DYNAMODB_ATTRIBUTES.expiresAt]: number(expiresAt),
      [DYNAMODB_ATTRIBUTES.ttl]: number(Math.ceil(expiresAt / 1000)),
    };
  }
}

/**
 * The DynamoDB client for `location`, bounded as {@link CONNECTION_TIMEOUT_MS} and its neighbours say.
 * Credentials come from the SDK's default chain (on Lambda, the function's role), except for an endpoint on
 * loopback: a local DynamoDB, which takes any, while the chain would end at the instance metadata service.
 */
export function createDynamoDbClient(location: DynamoDbStoreLocation): DynamoDBClient {
  const config: DynamoDBClientConfig = {
    region: location.region,
    maxAttempts: MAX_ATTEMPTS,
    // Without throwOnRequestTimeout, the SDK only warns when requestTimeout passes, and waits on.
    requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
  };
  if (location.endpoint !== undefined) {
    config.endpoint = location.endpoint;
    if (isLoopback(location.endpoint)) config.credentials = LOCAL_CREDENTIALS;
  }
  return withoutNodeVersionNotice(() => new DynamoDBClient(config));
}

function isLoopback(endpoint: string): boolean {
  const host = new URL(endpoint).hostname.replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function number(value: number): AttributeValue {
  return { N: String(value) };
}

function names(...placeholders: Array<keyof typeof NAMES>): Record<string, string> {
  return Object.fromEntries(placeholders.map((placeholder) => [placeholder, NAMES[placeholder]]));
}

/** A refused condition is the expected outcome of a lost race, not a failure: `undefined`. */
async function unlessConditionFails<T>(request: Promise<T>): Promise<T | undefined> {
  try {
    return await request;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}
