import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { RelanceStack } from './stack';

/**
 * The CDK app (cdk.json runs it with tsx). The stack is environment-agnostic, so `cdk synth` needs
 * neither credentials nor network. cdk-nag's AWS Solutions rules run on every synthesis: any finding
 * that is not acknowledged, with a reason, next to the resource it concerns fails the synthesis.
 * (cdk-nag 3 is a CDK validation plugin, registered with `Validations`, no longer an Aspect.)
 */
const app = new App();

new RelanceStack(app, 'Relance', {
  description: 'Relance: serverless, email-first marketing automation for retailers with physical shops',
});

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
