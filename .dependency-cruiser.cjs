/**
 * The import rules of ../shared/DESIGN.md §2, checked in `npm test` (`npm run deps`).
 * A wrong import fails CI; the message names the rule and why it exists.
 */
const PROJECT = '^(src|bot-flows|db|bench|test)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment:
        'src/core is the pure domain: it imports nothing of the project outside itself and no Node I/O module.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: {
        pathNot: ['^src/core/', '^node_modules/'],
        dependencyTypesNot: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-bundled', 'npm-no-pkg'],
      },
    },
    {
      name: 'bot-is-platform-neutral',
      comment: 'src/bot is the platform-neutral runtime: it imports no adapter and no bot-flows.',
      severity: 'error',
      from: { path: '^src/bot/' },
      to: { path: ['^src/adapters/', '^bot-flows/'] },
    },
    {
      name: 'flows-know-no-platform',
      comment: 'bot-flows say what the bot does: no adapter, no scheduler (they queue; runners send).',
      severity: 'error',
      from: { path: '^bot-flows/' },
      to: { path: ['^src/adapters/', '^src/scheduler/'] },
    },
    {
      name: 'db-depends-on-core-only',
      comment: 'db/ (schema, client, repositories) may use src/core only.',
      severity: 'error',
      from: { path: '^db/' },
      to: { path: PROJECT, pathNot: ['^db/', '^src/core/'] },
    },
    {
      name: 'sql-lives-in-repositories',
      comment:
        'Only db/ speaks SQL: flows, the runtime, adapters and runners call named repository functions (db/repos/).',
      severity: 'error',
      from: { path: '^(src|bot-flows)/' },
      to: { path: ['^db/schema', '^node_modules/drizzle-orm/'] },
    },
    {
      name: 'production-never-imports-tests',
      comment: 'Nothing the service runs imports test or benchmark code.',
      severity: 'error',
      from: { path: '^(src|bot-flows|db)/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'no-runtime-cycles',
      comment: 'Runtime import cycles make module order matter; type-only cycles are harmless.',
      severity: 'error',
      from: { path: PROJECT },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(\\.data|dist)/' },
  },
};
