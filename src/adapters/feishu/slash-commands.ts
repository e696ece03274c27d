import type * as lark from '@larksuiteoapi/node-sdk';
import { z } from 'zod';

const PATH = '/open-apis/application/v7/app_slash_commands';

const listReply = z.object({
  code: z.number(),
  msg: z.string().optional(),
  data: z
    .object({
      items: z
        .array(
          z
            .object({
              command_id: z.string().optional(),
              id: z.string().optional(),
              command: z.string(),
              description: z.object({ default_value: z.string() }).passthrough().optional(),
            })
            .passthrough(),
        )
        .optional(),
      has_more: z.boolean().optional(),
      page_token: z.string().optional(),
    })
    .optional(),
});

export interface SlashCommand {
  command: string;
  description: string;
}

/**
 * Registers the bot's slash commands: creates the missing ones and updates changed
 * descriptions, so running it again changes nothing. Returns what it did per command.
 */
export async function registerSlashCommands(
  client: lark.Client,
  wanted: SlashCommand[],
): Promise<Record<string, 'created' | 'updated' | 'unchanged'>> {
  const existing = new Map<string, { id: string; description: string }>();
  let pageToken: string | undefined;
  do {
    const reply = listReply.parse(
      await client.request({ method: 'GET', url: PATH, params: { page_size: 50, page_token: pageToken } }),
    );
    if (reply.code !== 0)
      throw new Error(`listing slash commands failed: code ${reply.code} ${reply.msg ?? ''}`);
    for (const item of reply.data?.items ?? []) {
      existing.set(item.command, {
        id: item.command_id ?? item.id ?? '',
        description: item.description?.default_value ?? '',
      });
    }
    pageToken = reply.data?.has_more ? reply.data.page_token : undefined;
  } while (pageToken);

  const result: Record<string, 'created' | 'updated' | 'unchanged'> = {};
  for (const c of wanted) {
    const body = { command: c.command, description: { default_value: c.description } };
    const found = existing.get(c.command);
    let reply: { code?: number; msg?: string };
    if (!found) {
      reply = await client.request({ method: 'POST', url: PATH, data: body });
      result[c.command] = 'created';
    } else if (found.description !== c.description) {
      reply = await client.request({ method: 'PATCH', url: `${PATH}/${found.id}`, data: body });
      result[c.command] = 'updated';
    } else {
      result[c.command] = 'unchanged';
      continue;
    }
    if (reply.code !== 0)
      throw new Error(`slash command ${c.command}: code ${reply.code} ${reply.msg ?? ''}`);
  }
  return result;
}
