import { ConfigError } from './config-error';

/**
 * Where the store is, parsed once from `STORE_URL` by the config loader; the store factory reads this,
 * never the text. One case per kind of store: a new kind is one case here, one in `parseStoreUrl` and
 * one in `createRawStore`.
 */
export type StoreLocation =
  /** A file on this host: durable, one host (the default, under `DATA_DIR`). */
  | { readonly kind: 'sqlite'; readonly path: string }
  /** This process only: forgotten at restart. */
  | { readonly kind: 'memory' }
  /** `redis://` or `rediss://` with a host: shared by several hosts. The URL may hold a password. */
  | { readonly kind: 'redis'; readonly url: string }
  /** `dynamodb://<table>?region=<region>[&endpoint=<url>]`: shared by several hosts, or AWS Lambda. */
  | ({ readonly kind: 'dynamodb' } & DynamoDbStoreLocation);

/** Where a `dynamodb://` store lives: the table, its region and, when not the region's own, the endpoint. */
export interface DynamoDbStoreLocation {
  readonly table: string;
  readonly region: string;
  /** A local DynamoDB (dynalite, DynamoDB Local) or a VPC or FIPS endpoint; unset: the region's endpoint. */
  readonly endpoint?: string;
}

/** The `STORE_URL` forms, as a refusal names them. */
const FORMS = 'sqlite:<path>, memory:, redis://[user:password@]host[:port][/db] or dynamodb://<table>?region=<region>';

const DYNAMODB_URL_FORM = 'expects dynamodb://<table>?region=<region>[&endpoint=<http(s) URL>], as in dynamodb://linkbridge?region=us-east-1';

/**
 * Parses a `STORE_URL`, or says what is wrong with it. A refused value may hold a password: the
 * answer repeats its scheme only.
 */
export function parseStoreUrl(value: string): StoreLocation | { readonly problem: string } {
  const colon = value.indexOf(':');
  const candidate = colon > 0 ? value.slice(0, colon) : '';
  const scheme = /^[a-z][a-z0-9+.-]*$/i.test(candidate) ? candidate.toLowerCase() : '';
  const rest = value.slice(colon + 1);
  switch (scheme) {
    case 'sqlite':
      return rest ? { kind: 'sqlite', path: rest } : { problem: 'sqlite: needs a file path, as in sqlite:data/linkbridge.sqlite' };
    case 'memory':
      return { kind: 'memory' };
    case 'redis':
    case 'rediss':
      return hasHost(value) ? { kind: 'redis', url: value } : { problem: 'expects redis://[user:password@]host[:port][/db], as in redis://127.0.0.1:6379/0' };
    case 'dynamodb':
      return dynamoDbLocation(value);
    default:
      return { problem: `expects ${FORMS}, got scheme "${scheme || '(none)'}"` };
  }
}

/**
 * `dynamodb://<table>?region=<region>[&endpoint=<url>]`: a table name DynamoDB accepts, a region, an absolute
 * http(s) endpoint when one is given, and no other parameter (a misspelt one would otherwise be ignored).
 * Credentials are not part of it: they come from the AWS SDK's default chain.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
 */
function dynamoDbLocation(url: string): StoreLocation | { readonly problem: string } {
  const match = /^dynamodb:\/\/([^/?#]*)\/?(?:\?([^#]*))?$/.exec(url);
  if (!match) return { problem: DYNAMODB_URL_FORM };
  const table = match[1];
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(table)) return { problem: `the DynamoDB table name must be 3 to 255 letters, digits, "_", "-" or ".", got "${table}"` };
  const parameters = new URLSearchParams(match[2] ?? '');
  for (const name of new Set(parameters.keys())) {
    if ((name !== 'region' && name !== 'endpoint') || parameters.getAll(name).length > 1) return { problem: `unexpected or repeated parameter "${name}": ${DYNAMODB_URL_FORM}` };
  }
  const region = parameters.get('region') ?? '';
  if (!/^[a-z][a-z0-9-]*[a-z0-9]$/.test(region)) return { problem: `needs the table's region (region=us-east-1): ${DYNAMODB_URL_FORM}` };
  const endpoint = parameters.get('endpoint') ?? undefined;
  if (endpoint !== undefined && !/^https?:\/\//i.test(endpoint)) return { problem: 'endpoint= expects an absolute http(s) URL, as in endpoint=http://127.0.0.1:8000' };
  if (endpoint !== undefined && !hasHost(endpoint)) return { problem: 'endpoint= expects an absolute http(s) URL, as in endpoint=http://127.0.0.1:8000' };
  return endpoint === undefined ? { kind: 'dynamodb', table, region } : { kind: 'dynamodb', table, region, endpoint };
}

/** The table, region and endpoint of a `dynamodb://` `STORE_URL`, or a {@link ConfigError} naming `STORE_URL`. */
export function parseDynamoDbStoreUrl(url: string): DynamoDbStoreLocation {
  const location = dynamoDbLocation(url);
  if ('problem' in location) throw new ConfigError('STORE_URL', location.problem);
  if (location.kind !== 'dynamodb') throw new ConfigError('STORE_URL', DYNAMODB_URL_FORM);
  const { kind: _kind, ...where } = location;
  return where;
}

function hasHost(value: string): boolean {
  try {
    return new URL(value).hostname !== '';
  } catch {
    return false;
  }
}
