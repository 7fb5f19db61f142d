/**
 * The baseline on AWS Lambda: ask-sdk's hello-world skill with the ASK SDK's own Lambda handler
 * (`SkillBuilders.custom()…lambda()`), loaded from node_modules as the stock template's package ships it.
 */
import { helloWorldSkill } from './hello-world-skill';

export const handler = helloWorldSkill().lambda();
