/**
 * The layers of Relance, checked in `npm test` (npm run deps): the domain is pure TypeScript that
 * knows nothing of AWS, files, adapters, handlers or presentation; a handler never reaches into
 * another handler; and nothing anywhere imports in a circle.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'A cycle means two modules cannot be understood (or tested) one without the other.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'Domain code takes its ports as arguments: no adapter, handler, HTTP layer, UI or wiring.',
      from: { path: '^functions/domain/' },
      to: { path: '^functions/(adapters|handlers|http|ui|deps\\.ts|wiring\\.ts|config\\.ts)' },
    },
    {
      name: 'domain-no-io',
      severity: 'error',
      comment:
        'The domain never reads files, makes requests, resolves names or calls AWS: adapters do, behind ports.',
      from: { path: '^functions/domain/' },
      to: {
        dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'],
        path: '^(node:)?(fs|fs/promises|http|https|http2|child_process|dgram|dns|dns/promises|tls|worker_threads)$|^@aws-sdk/|^aws-sdk|^aws-lambda$',
      },
    },
    {
      name: 'handler-not-from-handler',
      severity: 'error',
      comment: 'Each handler is one Lambda entry: what two share belongs in the domain, wiring or http/.',
      from: { path: '^functions/handlers/([^/]+)\\.ts$' },
      to: { path: '^functions/handlers/', pathNot: '^functions/handlers/$1\\.ts$' },
    },
    {
      name: 'ui-renders-only',
      severity: 'error',
      comment: 'Presentation renders view models: it does not call adapters or handlers.',
      from: { path: '^functions/ui/' },
      to: { path: '^functions/(adapters|handlers|deps\\.ts|wiring\\.ts)' },
    },
    {
      name: 'adapters-not-from-handlers-or-ui',
      severity: 'error',
      comment: 'Adapters implement ports; they never depend on the code that uses them.',
      from: { path: '^functions/adapters/' },
      to: { path: '^functions/(handlers|ui|wiring\\.ts)' },
    },
    {
      name: 'test-tiers-apart',
      severity: 'error',
      comment: "A test tier uses test/support (shared fakes and fixtures), never another tier's files.",
      from: { path: '^test/(unit|integration|e2e|infra|bench)/' },
      to: { path: '^test/(unit|integration|e2e|infra|bench)/', pathNot: '^test/$1/' },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    // TypeScript 7 has no compiler API for dependency-cruiser yet: swc parses the sources.
    parser: 'swc',
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
    exclude: { path: '(^|/)(node_modules|cdk\\.out|\\.data)/' },
  },
};
