import type { ItemRow } from '../../../db/repos/item-repo.js';
import type { FormSpec } from '../../../src/core/message.js';
import { isMajor, RELEASE_STAGES } from '../../../src/core/vocabulary.js';

/** The forms the card offers in the item's current state; each button is checked again on click. */
export function itemForms(item: ItemRow): FormSpec[] {
  const ref = { item: item.id, v: item.version };
  const n = item.number;
  const forms: FormSpec[] = [];
  const working = item.state === 'claimed' || item.state === 'responding';
  if (working) {
    forms.push({
      name: 'wording',
      title: '提交回应口径（报本单位审核人审核）',
      fields: [
        {
          kind: 'text',
          name: 'wording_text',
          label: '口径',
          placeholder: '拟发布的回应口径',
          multiline: true,
        },
      ],
      buttons: [
        {
          label: '提交审核',
          style: 'primary',
          value: { a: 'submit_wording', ...ref },
          command: `/口径 ${n} <口径内容>`,
        },
      ],
    });
  }
  const next = RELEASE_STAGES[item.releaseStage];
  if (item.kind === 'opinion' && working && isMajor(item.level ?? item.proposedLevel) && next) {
    forms.push({
      name: 'stage',
      title: `发布阶段：下一步「${next}」`,
      fields: [
        {
          kind: 'text',
          name: 'stage_text',
          label: '发布内容',
          placeholder: `${next}的内容`,
          multiline: true,
        },
      ],
      buttons: [
        {
          label: `发布「${next}」`,
          style: 'primary',
          value: { a: 'stage', ...ref },
          command: `/续报 ${n} ${next} <内容>`,
        },
      ],
    });
  }
  if (item.state === 'reported' || item.state === 'claimed') {
    forms.push({
      name: 'transfer',
      title: '转办（领导、审核人）',
      fields: [
        { kind: 'text', name: 'transfer_unit', label: '转办单位', placeholder: '单位名称，如 省公安厅' },
        { kind: 'text', name: 'transfer_reason', label: '理由', placeholder: '转办理由（可不填）' },
      ],
      buttons: [
        {
          label: '转办',
          style: 'default',
          value: { a: 'transfer', ...ref },
          command: `/转办 ${n} 单位:<单位> [理由]`,
        },
      ],
    });
  }
  if (working) {
    forms.push({
      name: 'close',
      title: '办结',
      fields: [
        { kind: 'text', name: 'close_result', label: '办理结果', placeholder: '如：已澄清并公开处置结果' },
      ],
      buttons: [
        { label: '办结', style: 'danger', value: { a: 'close', ...ref }, command: `/办结 ${n} <结果>` },
      ],
    });
  }
  return forms;
}
