import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { registerFlows } from '../../bot-flows/index.js';
import { Dispatcher, type DispatcherDeps } from '../../src/bot/dispatcher.js';

const COMMANDS_DOC = new URL('../../docs/user/commands.md', import.meta.url);
const TABLE_HEADING = '## 命令一览';

/** The commands the bot registers: registering touches no dependency, so none is given. */
function registeredCommands(): Map<string, string[]> {
  const dispatcher = registerFlows(new Dispatcher({} as DispatcherDeps));
  return new Map(dispatcher.commandList.map((c) => [c.name, [...c.aliases].sort()]));
}

/** The rows of the command table: `/名称` in the first cell, `/alias` tokens in the second. */
function documentedCommands(markdown: string): Map<string, string[]> {
  const start = markdown.indexOf(`${TABLE_HEADING}\n`);
  if (start < 0) throw new Error(`docs/user/commands.md has no "${TABLE_HEADING}" section`);
  const section = markdown.slice(start + TABLE_HEADING.length).split(/\n#{1,2} /)[0] ?? '';
  const rows = section.split('\n').filter((line) => /^\|\s*`\//.test(line));
  const table = new Map<string, string[]>();
  for (const row of rows) {
    const [first = '', second = ''] = row.split('|').slice(1);
    const name = /`\/([^`\s]+)`/.exec(first)?.[1];
    if (!name) throw new Error(`command table row without a command: ${row}`);
    if (table.has(name)) throw new Error(`command table lists /${name} twice`);
    const aliases = [...second.matchAll(/`\/([^`\s]+)`/g)].map((m) => m[1] as string).sort();
    table.set(name, aliases);
  }
  return table;
}

describe('docs/user/commands.md', () => {
  it('lists exactly the registered commands with their English aliases', () => {
    const documented = documentedCommands(readFileSync(COMMANDS_DOC, 'utf8'));
    const registered = registeredCommands();
    expect(registered.size).toBeGreaterThan(0);
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(registered));
  });

  it('reads a row per command and its aliases', () => {
    const doc = [
      TABLE_HEADING,
      '',
      '| 命令 | 英文别名 | 用法 | 作用 |',
      '|---|---|---|---|',
      '| `/查询` | `/query`、`/show` | `/查询 <编号>` | 查看 |',
      '',
      '## 其他',
      '| `/不算` | `/nope` | | |',
    ].join('\n');
    expect(Object.fromEntries(documentedCommands(doc))).toEqual({ 查询: ['query', 'show'] });
  });
});
