import { createLambdaHandler } from './aws/lambda-handler';

/**
 * The AWS Lambda entry (`lambda.handler`, as `ask-resources.json` names it): the skill for Alexa's direct
 * invocations and the linking routes behind the function's URL. Reads the function's environment once, at
 * the cold start; see `aws/lambda-handler.ts`. `hooks/build.sh` bundles this file into the function's package,
 * split at the two imports below: each half is read and compiled at the first event that needs it.
 */
export const handler = createLambdaHandler({
  env: process.env,
  halves: { http: () => import('./aws/lambda-http.js'), skill: () => import('./aws/lambda-skill.js') },
});
