import { createLambdaHandler } from './aws/lambda-handler';

/**
 * The AWS Lambda entry (`lambda.handler`, as `ask-resources.json` names it): the skill for Alexa's direct
 * invocations and the linking routes behind the function's URL. Reads the function's environment once, at
 * the cold start; see `aws/lambda-handler.ts`. `hooks/build.sh` bundles this file into the function's package.
 */
export const handler = createLambdaHandler({ env: process.env });
