import type { CommandSpec, Dispatcher } from '../src/bot/dispatcher.js';
import { CARD_ACTIONS } from './cards/item-actions.js';
import { bindCommand } from './commands/bind.js';
import { claimCommand, gradeCommand } from './commands/claim-grade.js';
import { closeCommand, extendCommand } from './commands/close-extend.js';
import { HELP, helpCommand } from './commands/help.js';
import { listCommand } from './commands/list.js';
import { netizenMessageCommand } from './commands/netizen-message.js';
import { queryCommand } from './commands/query.js';
import { reportCommand } from './commands/report.js';
import {
  escalateCommand,
  pressConferenceCommand,
  publishCommand,
  updateCommand,
} from './commands/respond.js';
import { transferCommand } from './commands/transfer.js';
import {
  approveCommand,
  rejectCommand,
  withdrawCommand,
  wordingCommand,
} from './commands/wording/commands.js';

const COMMANDS = [
  reportCommand,
  claimCommand,
  gradeCommand,
  transferCommand,
  wordingCommand,
  approveCommand,
  rejectCommand,
  withdrawCommand,
  escalateCommand,
  publishCommand,
  pressConferenceCommand,
  updateCommand,
  closeCommand,
  extendCommand,
  netizenMessageCommand,
  queryCommand,
  listCommand,
  bindCommand,
];

/** Name, aliases, usage and summary of every command, for platform command menus. */
export const COMMAND_INFO: Omit<CommandSpec, 'handler'>[] = [...COMMANDS, HELP];

/** Registers every command and card action the bot offers. */
export function registerFlows(dispatcher: Dispatcher): Dispatcher {
  for (const c of COMMANDS) dispatcher.command(c);
  dispatcher.command(helpCommand(dispatcher));
  for (const a of CARD_ACTIONS) dispatcher.action(a);
  return dispatcher;
}
