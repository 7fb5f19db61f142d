/**
 * One error vocabulary: only `models/error-body.ts` builds a refusal's body (`{error, error_description}`),
 * so no route can answer with an internal message or a shape of its own; and one cause format, so the log
 * says every cause the same way. A structural check of the product's source (skill/, linking/, models/ and
 * the entry files) with the TypeScript parser, itself checked against the constructions it must catch.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { errorBody } from '../../../models/error-body';

const ROOT = join(__dirname, '../../..');
/** The one module that may build the body. */
const ERROR_BODY_MODULE = 'models/error-body.ts';

function productFiles(): string[] {
  const files = ['app.ts', 'main.ts', 'deps.ts'];
  const walk = (directory: string): void => {
    for (const entry of readdirSync(join(ROOT, directory), { withFileTypes: true })) {
      const path = `${directory}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) files.push(path);
    }
  };
  for (const wing of ['skill', 'linking', 'models']) walk(wing);
  return files;
}

function propertyName(property: ts.ObjectLiteralElementLike): string | undefined {
  if (!property.name) return undefined;
  if (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) return property.name.text;
  return undefined;
}

function hasProperty(literal: ts.ObjectLiteralExpression, name: string): boolean {
  return literal.properties.some((property) => propertyName(property) === name);
}

/**
 * Where `source` builds an error body itself: an object with an `error_description` key; an object with
 * an `error` key sent with `.json()` or `.send()`, or given as a `body`; an `error` parameter set on a URL.
 */
function bodyConstructions(source: string, fileName = 'snippet.ts'): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const at = (node: ts.Node, what: string) => found.push(`${fileName}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${what}`);
  const visit = (node: ts.Node): void => {
    if (ts.isObjectLiteralExpression(node) && hasProperty(node, 'error_description')) at(node, 'an object with error_description');
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && ['json', 'send', 'jsonp'].includes(node.expression.name.text)) {
      const [argument] = node.arguments;
      if (argument && ts.isObjectLiteralExpression(argument) && hasProperty(argument, 'error')) at(node, `an error object sent with .${node.expression.name.text}()`);
    }
    if (ts.isPropertyAssignment(node) && propertyName(node) === 'body' && ts.isObjectLiteralExpression(node.initializer) && hasProperty(node.initializer, 'error')) {
      at(node, 'an error object given as a body');
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && ['set', 'append'].includes(node.expression.name.text)) {
      const [name] = node.arguments;
      if (name && ts.isStringLiteral(name) && (name.text === 'error' || name.text === 'error_description')) at(node, `a URL parameter ${name.text} set by hand`);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

describe('the check catches every way a body used to be built by hand', () => {
  test.each([
    ['a 400 with a shape of its own', "res.status(400).json({ error: 'bad_request', reason });"],
    ['a 404 without a description', "res.status(404).json({ error: 'not_found' });"],
    ['an RFC body built in a route', "res.status(405).json({ error: 'invalid_request', error_description: 'POST only' });"],
    ['a body built in a method', 'toJSON() { return { error: this.error, error_description: this.description }; }'],
    ['an answer object with a body', "return { status: 400, body: { error: 'bad_request', reason: checked.reason } };"],
    ['redirect parameters', 'alexaRedirect(uri, mode, { error: error.error, error_description: error.description, state });'],
    ['a query parameter', "url.searchParams.set('error', code);"],
  ])('%s', (_label, snippet) => {
    expect(bodyConstructions(snippet)).not.toEqual([]);
  });

  test('while log lines and provider error maps, which carry an error code as a field, pass', () => {
    expect(bodyConstructions("log.warn({ error: out.error.error, check }, 'refused'); const rules = [{ code: 1, error: 'invalid_client' }];")).toEqual([]);
  });
});

test('no product module but models/error-body.ts builds an error body', () => {
  const files = productFiles();
  // The walk found the product: the routes that refuse requests are among the files read.
  expect(files).toEqual(expect.arrayContaining(['app.ts', 'linking/token.route.ts', 'linking/alexa-redirect.ts', 'skill/skill.router.ts', ERROR_BODY_MODULE]));
  const found = files.filter((file) => file !== ERROR_BODY_MODULE).flatMap((file) => bodyConstructions(readFileSync(join(ROOT, file), 'utf8'), file));
  expect(found).toEqual([]);
  expect(bodyConstructions(readFileSync(join(ROOT, ERROR_BODY_MODULE), 'utf8'))).not.toEqual([]);
  expect(errorBody('invalid_request', 'the state parameter is required')).toEqual({ error: 'invalid_request', error_description: 'the state parameter is required' });
});

test('a cause is written for the log in one place: models/logger.ts describeCause', () => {
  const everywhere = productFiles().concat(toolFiles());
  const handWritten = everywhere.filter((file) => file !== 'models/logger.ts' && readFileSync(join(ROOT, file), 'utf8').includes('constructor.name'));
  expect(handWritten).toEqual([]);
});

function toolFiles(): string[] {
  return readdirSync(join(ROOT, 'tools'), { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.ts'))
    .map((path) => relative(ROOT, join(ROOT, 'tools', path)));
}
