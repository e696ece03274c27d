import type { Dispatcher } from '../src/bot/dispatcher.js';
import { detailAction, refreshAction } from './cards/item-actions.js';
import { bindCommand } from './commands/bind.js';
import { helpCommand } from './commands/help.js';
import { listCommand } from './commands/list.js';
import { queryCommand } from './commands/query.js';
import { reportCommand } from './commands/report.js';

/** Registers every command and card action the bot offers. */
export function registerFlows(dispatcher: Dispatcher): Dispatcher {
  return dispatcher
    .command(reportCommand)
    .command(queryCommand)
    .command(listCommand)
    .command(bindCommand)
    .command(helpCommand(dispatcher))
    .action(refreshAction)
    .action(detailAction);
}
