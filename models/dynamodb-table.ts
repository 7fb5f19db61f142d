/**
 * The shape of the DynamoDB store's table, apart from the store so that whoever creates the table (a
 * template, the doctor's advice, the tests) reads it without loading the AWS SDK.
 */

/**
 * The table's attributes. The table has one key, the partition key {@link DYNAMODB_ATTRIBUTES.key} of type
 * string, and DynamoDB's TTL set on {@link DYNAMODB_ATTRIBUTES.ttl}; nothing else is declared.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html
 */
export const DYNAMODB_ATTRIBUTES = {
  /** The partition key (S): `linkbridge:` and the store key (a namespace and a hash, never a secret). */
  key: 'pk',
  /** The value (S): a sealed record, a lock owner's id or a claim's mark. */
  value: 'v',
  /** When the entry expires (N), in milliseconds since the epoch: checked on every read and conditional write. */
  expiresAt: 'expiresAt',
  /** The same moment in whole seconds since the epoch, rounded up (N): the TTL attribute, for DynamoDB's own cleanup. */
  ttl: 'ttl',
} as const;

/**
 * Every item linkbridge writes has a key starting with this, so the table can be shared with other data (and
 * an IAM policy can limit linkbridge to these items with the `dynamodb:LeadingKeys` condition).
 */
export const DYNAMODB_KEY_PREFIX = 'linkbridge:';
