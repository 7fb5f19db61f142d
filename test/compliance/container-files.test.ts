/**
 * The image and the compose file, checked as far as they can be without a Docker engine (none runs where
 * these tests run, so nothing here builds the image or starts the stack): the Dockerfile against Docker's
 * instruction reference, compose.yaml against the Compose specification, the Caddyfile against the stack
 * compose.yaml runs, and the configuration they give linkbridge against linkbridge's own loader. What the
 * image does when it runs (the production install, its command, its health check) runs for real in
 * test/e2e/production-install.test.ts.
 * @see https://docs.docker.com/reference/dockerfile/
 * @see https://docs.docker.com/reference/compose-file/
 * @see https://caddyserver.com/docs/caddyfile/directives/reverse_proxy
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { loadConfig } from '../../models/config';
import { SECRET_FILE_SETTINGS } from '../../models/config-loader';
import { DOCKERFILE_INSTRUCTIONS, execForm, optionsOf, parseDockerfile, type Stage } from '../support/dockerfile';
import { parseYaml } from '../support/yaml';

const ROOT = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

const dockerfile = parseDockerfile(read('Dockerfile'));
const compose = parseYaml(read('compose.yaml')) as Compose;
const caddyfile = read('deploy/Caddyfile');

interface Compose {
  readonly name: string;
  readonly services: Record<string, Service>;
  readonly networks: Record<string, { ipam?: { config?: Array<{ subnet?: string }> } }>;
  readonly volumes: Record<string, unknown>;
  readonly secrets: Record<string, { file?: string; environment?: string }>;
}
interface Service {
  readonly [attribute: string]: unknown;
  readonly build?: string;
  readonly image?: string;
  readonly command?: string[];
  readonly deploy?: { replicas?: number };
  readonly env_file?: string[];
  readonly environment?: Record<string, string>;
  readonly secrets?: string[];
  readonly ports?: string[];
  readonly expose?: string[];
  readonly volumes?: string[];
  readonly depends_on?: Record<string, { condition: string }>;
  readonly healthcheck?: { test: string[] };
  readonly networks?: Record<string, { ipv4_address?: string } | null> | string[];
}

/** A stage by its name (`FROM … AS name`). */
function stage(name: string): Stage {
  const found = dockerfile.stages.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no stage named ${name}`);
  return found;
}

/** The instructions of `keyword` in `of`. */
function instructionsOf(of: Stage, keyword: string) {
  return of.instructions.filter((instruction) => instruction.keyword === keyword);
}

/** The stage that `COPY --from=…` of `path` in the run stage takes it from. */
function copiedFrom(path: string): Stage {
  const copy = instructionsOf(runStage, 'COPY').find((instruction) => optionsOf(instruction.args).rest.split(/\s+/).slice(0, -1).includes(path));
  if (!copy) throw new Error(`the run stage does not copy ${path}`);
  return stage(optionsOf(copy.args).options.from);
}

const runStage = dockerfile.stages.at(-1)!;
const SECRET_NAME = /SECRET|PASSWORD|TOKEN|SEALING|CREDENTIAL|PRIVATE/i;

describe('Dockerfile (Docker\'s instruction reference)', () => {
  test('uses only the reference\'s instructions, with the BuildKit syntax directive', () => {
    expect(dockerfile.directives.syntax).toBe('docker/dockerfile:1');
    expect(dockerfile.instructions.length).toBeGreaterThan(10);
    for (const instruction of dockerfile.instructions) expect(DOCKERFILE_INSTRUCTIONS).toContain(instruction.keyword);
  });

  test('is multi-stage: every stage named with FROM … AS, every COPY --from naming an earlier stage', () => {
    // @see https://docs.docker.com/build/building/multi-stage/
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(3);
    const names = dockerfile.stages.map((each) => each.name);
    expect(names.every((name) => name !== undefined && /^[a-z][a-z0-9_.-]*$/.test(name))).toBe(true);
    expect(new Set(names).size).toBe(names.length);
    dockerfile.stages.forEach((each, position) => {
      for (const copy of instructionsOf(each, 'COPY')) {
        const from = optionsOf(copy.args).options.from;
        if (from !== undefined) expect(names.slice(0, position)).toContain(from);
      }
    });
  });

  test('builds with the dev dependencies: npm ci, then npm run build (TypeScript and the bundle)', () => {
    const build = copiedFrom('/app/dist/linkbridge.js');
    const runs = instructionsOf(build, 'RUN').map((run) => run.args);
    expect(runs.some((run) => /^npm ci\b/.test(run) && !run.includes('--omit=dev'))).toBe(true);
    expect(runs).toContain('npm run build');
  });

  test('runs on a slim Node 20 with the production dependencies (npm ci --omit=dev) and the bundle, nothing else', () => {
    expect(runStage.image).toMatch(/^node:20(\.\d+)*-[a-z]+-slim$/);
    expect(instructionsOf(copiedFrom('/app/node_modules'), 'RUN').map((run) => run.args)).toContainEqual(expect.stringMatching(/^npm ci --omit=dev\b/));
    const copies = instructionsOf(runStage, 'COPY').map((copy) => optionsOf(copy.args));
    // Only from earlier stages, never the build context: no source, test, secret or env file gets in.
    expect(copies.every((copy) => copy.options.from !== undefined)).toBe(true);
    expect(copies.flatMap((copy) => copy.rest.split(/\s+/).slice(0, -1)).sort()).toEqual(['/app/dist/linkbridge.js', '/app/dist/linkbridge.js.map', '/app/node_modules', '/app/package.json']);
    // No compiler, no install at start: the run stage runs nothing of npm.
    expect(instructionsOf(runStage, 'RUN').every((run) => !/\bnpm\b|\bnpx\b|\btsc\b/.test(run.args))).toBe(true);
  });

  test('runs as a user that is not root', () => {
    const users = instructionsOf(runStage, 'USER');
    expect(users).toHaveLength(1);
    expect(users[0].args).not.toMatch(/^(root|0)(:|$)/);
    const cmd = instructionsOf(runStage, 'CMD')[0];
    expect(users[0].line).toBeLessThan(cmd.line);
  });

  test('its command runs the bundle with Node, in exec form so Node itself gets SIGTERM', () => {
    const cmds = instructionsOf(runStage, 'CMD');
    expect(cmds).toHaveLength(1);
    expect(execForm(cmds[0].args)).toEqual(['node', 'dist/linkbridge.js']);
    expect(JSON.parse(read('package.json')).main).toBe('dist/linkbridge.js');
    expect(instructionsOf(runStage, 'ENTRYPOINT')).toHaveLength(0);
  });

  test('its HEALTHCHECK asks the readiness route, with the reference\'s options only', () => {
    // @see https://docs.docker.com/reference/dockerfile/#healthcheck
    const checks = instructionsOf(runStage, 'HEALTHCHECK');
    expect(checks).toHaveLength(1);
    const { options, rest } = optionsOf(checks[0].args);
    for (const name of Object.keys(options)) expect(['interval', 'timeout', 'start-period', 'start-interval', 'retries']).toContain(name);
    for (const name of ['interval', 'timeout', 'start-period']) expect(options[name]).toMatch(/^\d+(ms|s|m|h)$/);
    expect(options.retries).toMatch(/^\d+$/);
    expect(rest.startsWith('CMD ')).toBe(true);
    const command = execForm(rest.slice('CMD '.length).trim())!;
    expect(command[0]).toBe('node');
    expect(command.join(' ')).toContain('/readyz');
  });

  test('puts no secret in ENV or ARG (they stay in the image\'s history)', () => {
    const settings = dockerfile.instructions.filter((instruction) => instruction.keyword === 'ENV' || instruction.keyword === 'ARG');
    for (const setting of settings) {
      const name = setting.args.split(/[=\s]/)[0];
      expect(name).not.toMatch(SECRET_NAME);
      expect((SECRET_FILE_SETTINGS as readonly string[]).includes(name)).toBe(false);
    }
  });

  test('exposes the service and metrics ports compose.yaml sets', () => {
    const exposed = instructionsOf(runStage, 'EXPOSE').flatMap((expose) => expose.args.split(/\s+/));
    const environment = compose.services.linkbridge.environment!;
    expect(exposed).toEqual(expect.arrayContaining([environment.PORT, environment.METRICS_PORT]));
  });

  test('.dockerignore keeps dependencies, builds, env files and secrets out of the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .filter((line) => line && !line.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.env', '*.env', 'deploy/secrets', '.git']));
  });
});

/** Attributes the Compose specification defines: top level, and for a service. @see https://docs.docker.com/reference/compose-file/services/ */
const TOP_LEVEL = ['version', 'name', 'include', 'services', 'networks', 'volumes', 'secrets', 'configs', 'models'];
const SERVICE_ATTRIBUTES = [
  'annotations', 'attach', 'build', 'blkio_config', 'cap_add', 'cap_drop', 'cgroup', 'cgroup_parent', 'command', 'configs', 'container_name',
  'cpu_count', 'cpu_percent', 'cpu_shares', 'cpu_quota', 'cpu_period', 'cpu_rt_period', 'cpu_rt_runtime', 'cpus', 'cpuset', 'credential_spec',
  'depends_on', 'deploy', 'develop', 'device_cgroup_rules', 'devices', 'dns', 'dns_opt', 'dns_search', 'domainname', 'entrypoint', 'env_file',
  'environment', 'expose', 'extends', 'external_links', 'extra_hosts', 'gpus', 'group_add', 'healthcheck', 'hostname', 'image', 'init', 'ipc',
  'isolation', 'labels', 'links', 'logging', 'mac_address', 'mem_limit', 'mem_reservation', 'mem_swappiness', 'memswap_limit', 'network_mode',
  'networks', 'oom_kill_disable', 'oom_score_adj', 'pid', 'pids_limit', 'platform', 'ports', 'post_start', 'pre_stop', 'privileged', 'profiles',
  'pull_policy', 'read_only', 'restart', 'runtime', 'scale', 'secrets', 'security_opt', 'shm_size', 'stdin_open', 'stop_grace_period',
  'stop_signal', 'storage_opt', 'sysctls', 'tmpfs', 'tty', 'ulimits', 'user', 'userns_mode', 'uts', 'volumes', 'volumes_from', 'working_dir',
];

/** The `KEY=VALUE` lines of an env file, as Compose reads `env_file`. @see https://docs.docker.com/compose/how-tos/environment-variables/variable-interpolation/#env-file-syntax */
function envFile(path: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of read(path).split('\n')) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) values[match[1]] = match[2];
  }
  return values;
}

/** Whether IPv4 `address` is inside `subnet` (`a.b.c.d/n`). */
function inSubnet(address: string, subnet: string): boolean {
  const [base, bits] = subnet.split('/');
  const number = (ip: string) => ip.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
  const size = 2 ** (32 - Number(bits));
  return Math.floor(number(address) / size) === Math.floor(number(base) / size);
}

describe('compose.yaml (the Compose specification)', () => {
  const { linkbridge, redis, caddy } = compose.services;

  test('uses only the specification\'s attributes, at the top level and in each service', () => {
    for (const key of Object.keys(compose)) expect(TOP_LEVEL).toContain(key);
    for (const service of Object.values(compose.services)) for (const key of Object.keys(service)) expect(SERVICE_ATTRIBUTES).toContain(key);
    expect(Object.keys(compose.services).sort()).toEqual(['caddy', 'linkbridge', 'redis']);
  });

  test('runs two replicas of the image this Dockerfile builds (deploy.replicas), never published directly', () => {
    // @see https://docs.docker.com/reference/compose-file/deploy/#replicas
    expect(linkbridge.build).toBe('.');
    expect(linkbridge.deploy?.replicas).toBe(2);
    expect(linkbridge.container_name).toBeUndefined();
    expect(linkbridge.ports).toBeUndefined();
    expect(linkbridge.depends_on?.redis.condition).toBe('service_healthy');
  });

  test('shares one Redis with append-only persistence on a named volume', () => {
    // @see https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/
    expect(linkbridge.environment!.STORE_URL).toMatch(/^redis:\/\/redis:6379\//);
    const command = redis.command!;
    expect(command[command.indexOf('--appendonly') + 1]).toBe('yes');
    const [volume, target] = redis.volumes![0].split(':');
    expect(target).toBe('/data');
    expect(compose.volumes).toHaveProperty(volume);
    expect(redis.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
  });

  test('configures linkbridge from an env file, its secrets as files mounted from outside the image', () => {
    // @see https://docs.docker.com/reference/compose-file/services/#env_file and https://docs.docker.com/reference/compose-file/secrets/
    expect(linkbridge.env_file).toEqual(['deploy/linkbridge.env']);
    const environment = linkbridge.environment!;
    for (const name of ['ALEXA_CLIENT_SECRET', 'UPSTREAM_CLIENT_SECRET', 'SEALING_KEYS']) {
      expect(environment[name]).toBeUndefined();
      const secret = /^\/run\/secrets\/([a-z_]+)$/.exec(environment[`${name}_FILE`])![1];
      expect(linkbridge.secrets).toContain(secret);
      expect(compose.secrets[secret].file).toMatch(/^deploy\/secrets\//);
    }
    for (const [name, value] of Object.entries(environment)) {
      if (name.endsWith('_FILE')) continue;
      expect(name).not.toMatch(SECRET_NAME);
      expect(value).not.toMatch(/^[A-Za-z0-9_-]{32,}$/);
    }
    // The secret files and the env file stay out of git and out of the build context.
    expect(read('.gitignore').split('\n')).toEqual(expect.arrayContaining(['deploy/secrets/', 'deploy/linkbridge.env']));
    expect(Object.keys(envFile('deploy/linkbridge.env.example')).filter((name) => SECRET_NAME.test(name))).toEqual([]);
  });

  test('puts Caddy on 443 (and 80 for the redirect) with the Caddyfile, at the one address linkbridge trusts', () => {
    expect(caddy.image).toMatch(/^caddy:2/);
    expect(caddy.ports).toEqual(expect.arrayContaining(['443:443', '80:80']));
    expect(caddy.volumes).toContain('./deploy/Caddyfile:/etc/caddy/Caddyfile:ro');
    expect(caddy.env_file).toEqual(linkbridge.env_file);
    const address = (caddy.networks as Record<string, { ipv4_address: string }>).linkbridge.ipv4_address;
    expect(isIP(address)).toBe(4);
    expect(linkbridge.environment!.TRUST_PROXY).toBe(address);
    const subnet = compose.networks.linkbridge.ipam!.config![0].subnet!;
    expect(inSubnet(address, subnet)).toBe(true);
  });

  test('gives linkbridge a configuration its loader accepts: production, Redis, the trusted proxy, metrics on their own port', () => {
    const secrets: Record<string, string> = {
      '/run/secrets/alexa_client_secret': 'alexa-secret\n',
      '/run/secrets/upstream_client_secret': 'upstream-secret\n',
      '/run/secrets/sealing_keys': `k1:${Buffer.alloc(32, 1).toString('base64url')}\n`,
    };
    const env = { ...envFile('deploy/linkbridge.env.example'), ...linkbridge.environment };
    const config = loadConfig(env, (path) => {
      if (!(path in secrets)) throw new Error(`ENOENT ${path}`);
      return secrets[path];
    });
    expect(config.production).toBe(true);
    expect(config.publicUrl).toMatch(/^https:\/\/[^/:]+$/);
    expect(config.store).toEqual({ kind: 'redis', url: 'redis://redis:6379/0' });
    expect(config.trustProxy).toEqual([linkbridge.environment!.TRUST_PROXY]);
    expect(config.metrics.port).toBe(9464);
    expect(config.port).toBe(3000);
    expect(config.alexa.clientSecret).toBe('alexa-secret');
    expect(config.sealingKeysEphemeral).toBe(false);
  });
});

describe('deploy/Caddyfile', () => {
  const environment = compose.services.linkbridge.environment!;

  test('serves PUBLIC_URL, the one external URL, with automatic HTTPS', () => {
    // A site address with the https scheme (or none) gets a certificate Caddy obtains and renews.
    // @see https://caddyserver.com/docs/automatic-https
    expect(caddyfile).toMatch(/^\{\$PUBLIC_URL\} \{$/m);
  });

  test('proxies to every replica by its container name, with active health checks on the readiness route', () => {
    // Compose names a service's containers <project>-<service>-<index>. @see https://docs.docker.com/compose/how-tos/project-name/
    const replicas = compose.services.linkbridge.deploy!.replicas!;
    const upstreams = /^\s*reverse_proxy ([^{]+) \{$/m.exec(caddyfile)![1].trim().split(/\s+/);
    expect(upstreams).toEqual(Array.from({ length: replicas }, (_, index) => `${compose.name}-linkbridge-${index + 1}:${environment.PORT}`));
    expect(caddyfile).toMatch(/^\s*health_uri \/readyz$/m);
    // DNS-discovered upstreams (`dynamic a`) get no active health checks, which is why the replicas are named.
    expect(caddyfile).not.toMatch(/^\s*dynamic /m);
  });
});
