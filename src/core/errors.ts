/**
 * Every refusal the bot can give, by stable code, with what it means. Logs, metrics and tests
 * name refusals by these codes; what a chat user reads is the error's message, and the
 * dispatcher adds the usage of the command they typed.
 */
export const ERROR_CODES = {
  // Input that cannot be read
  huiyin_unknown_command: 'no command of that name',
  huiyin_unknown_action: 'a card button the bot does not know (an old card)',
  huiyin_too_long: 'a message or a free-text field is longer than allowed',
  huiyin_missing_title: 'a report or netizen message without its title',
  huiyin_missing_text: 'a command that needs free text (a result, a reason, a wording) got none',
  huiyin_missing_number: 'a command that needs an item number got none',
  huiyin_bad_number: 'the text given as an item number is not one',
  huiyin_missing_unit: 'no unit was named and none follows from the chat or the sender',
  huiyin_unknown_category: 'a 类别 the policy does not know',
  huiyin_unknown_level: 'a 级别 that is not 特别重大/重大/较大/一般, or none given',
  huiyin_unknown_channel: 'a 来源 or 渠道 that is not one of the monitoring channels',
  huiyin_unknown_netizen_message_type: 'a 网民留言 type that is not 表扬感谢/谏言咨询/申诉求助',
  huiyin_unknown_scope: 'a /列表 scope that is not 本单位/我的/全部',
  huiyin_bad_link: 'a 链接 that is not an http(s) address',
  huiyin_bad_time: 'a time or date that cannot be read',
  huiyin_future_time: 'a time or date later than now',
  // Who is asking
  huiyin_unknown_person: 'the sender is not in the org directory',
  huiyin_unknown_unit: 'no unit of that name in the org directory',
  huiyin_ambiguous_unit: 'the name fits several units',
  huiyin_not_allowed: 'the sender lacks the role this action needs',
  huiyin_not_group: 'the command only works in a group chat',
  // What the item allows
  huiyin_unknown_item: 'no item (or wording) with that number or id',
  huiyin_invalid_transition: "the item's state does not allow this action",
  huiyin_stale: 'a card button on an outdated card (the item changed since)',
  huiyin_not_item_card: "the button does not sit on this item's own card",
  huiyin_wrong_item_kind: 'the action is for the other kind of item (网民留言 vs 舆情)',
  huiyin_not_major: 'release stages apply to 重大 and 特别重大 items only',
  huiyin_stage_order: 'release stages go forward one at a time',
  huiyin_already_extended: 'a 网民留言 was already extended once',
  huiyin_same_unit: 'a 转办 to the unit that already owns the item',
  huiyin_unit_unbound: 'the unit has no group chat on this platform',
  huiyin_no_overall_unit: 'the org directory has no 统筹 unit to fall back on',
  // 口径 approval
  huiyin_wording_pending: 'a wording is already under review',
  huiyin_no_pending_wording: 'no wording is under review',
  huiyin_no_approver: 'nobody but the drafter could approve the wording',
  huiyin_own_wording: 'the drafter cannot approve their own wording',
  huiyin_already_decided: 'this unit already decided on the wording',
  huiyin_secrecy_unconfirmed: 'an approval without the 保密审查 confirmation',
} as const satisfies Record<`huiyin_${string}`, string>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** A refusal with a stable code; `message` is what a chat user reads (Simplified Chinese). */
export class HuiyinError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HuiyinError';
  }
}

export const isHuiyinError = (e: unknown): e is HuiyinError => e instanceof HuiyinError;
