import { policyPackSchema } from '../../src/core/policy-pack.js';

/**
 * Seed 001: 保山市林业和草原局's 政务舆情回应制度, published 2020-11-12. The document has no 文号,
 * so its docNo is a short descriptive name.
 *
 * It sets one time limit only (五: 重大 舆情 reported ≤ 1 h after 事发); it has no 48 h response,
 * no press-conference limit and no 网民留言 working-day limits, so the pack has none either.
 */
export const baoshanForestry2020 = policyPackSchema.parse({
  id: 'baoshan-forestry-2020',
  title: '保山市林业和草原局政务舆情回应制度',
  docNo: '保山市林业和草原局政务舆情回应制度',
  clauses: {
    // The document has no per-category 归口 list: every category falls back to `overall`,
    // its general 三(三) 严格归口报送 provision.
    guikou: {},
    overall: {
      ref: '三(三)',
      text: '严格归口报送。加强对政务舆情信息工作的管理，不断规范信息报送渠道，及时有效的向本级和上级机关报送政务舆情信息',
    },
    involvedUnit: {
      ref: '二',
      text: '涉及单位舆情的，涉事责任单位是第一责任主体，应会同宣传部门做好组织协调工作',
    },
    // No rule for 舆情 spanning several regions: the closest is the 属地管理、分级负责 principle.
    multiRegion: {
      ref: '一(二)',
      text: '坚持“属地管理、分级负责”和“谁主管、谁负责”原则，涉事责任单位要明确责任，积极主动回应舆情',
    },
    multiDepartment: {
      ref: '二',
      text: '按照单位职责分工做好回应，单位之间应加强沟通协商，确保回应的信息准确一致',
    },
    // No 抄送 rule: the closest is 六(二), coordination and information sharing with the
    // 新闻宣传 and 互联网信息监管 departments (the offices a report is copied to).
    cc: {
      ref: '六(二)',
      text: '加大与新闻宣传、互联网信息监管……政府应急等部门的协调联动……实现舆情信息共享和协同处置',
    },
    majorReport: { ref: '五', text: '第一时间向上级报告……重大政务舆情报告时限不得晚于事发后1小时' },
    // No 特别重大 rule: the closest is the unit head's leadership duty in 二.
    criticalLeader: {
      ref: '二',
      text: '单位负责人要切实负责起领导责任，指导、协调、督促局属相关单位做好舆情回应工作',
    },
    notifySpokesperson: {
      ref: '五',
      text: '第一时间通知舆论责任单位新闻发言人和单位主要负责同志',
    },
    approval: {
      ref: '六(一)',
      text: '要建立政务舆情信息管理制度，指定专门工作机构，坚持和完善专人采编、领导审核把关等工作程序',
    },
    secrecy: {
      doc: '2013年省政府信息公开回应社会关切实施意见',
      ref: '9',
      text: '要依法依规做好政府信息发布的保密审查工作，涉及其他行政机关的，应主动与有关部门沟通确认，确保政府信息发布准确、一致',
    },
    unifiedWording: {
      ref: '五',
      text: '启动重大舆情处置程序，做到统一指挥协调、统一应对方案、统一发布回应口径',
    },
    releaseStages: {
      ref: '五',
      text: '遵循“快报事实、慎报原因、详报措施、后报结果”的原则，第一时间通知舆论责任单位新闻发言人和单位主要负责同志',
    },
  },
  clocks: {
    rules: [
      {
        kind: 'escalate',
        label: '报告上级',
        action: 'escalate',
        appliesTo: 'opinion',
        when: [{ levels: ['重大', '特别重大'] }],
        from: 'occurred',
        hours: 1,
        clause: { ref: '五', text: '重大政务舆情报告时限不得晚于事发后1小时' },
        reminders: { percents: [50, 80], beforeMinutes: [10] },
      },
    ],
    continuing: {
      kind: 'continuing',
      label: '持续发布权威信息',
      everyHours: 24,
      clause: { ref: '一(三)', text: '线上线下及时沟通，实时反馈回应情况，做到事事有回音' },
    },
    breach: {
      firstMinutes: 60,
      maxHours: 24,
      // No 通报/约谈 rule: the closest is the unit head's duty to 督促 in 二.
      superviseClause: { ref: '二', text: '单位负责人要……指导、协调、督促局属相关单位做好舆情回应工作' },
    },
    // /延期 only applies to 网民留言, which this pack has no clock for; 四(三) is the document's
    // only word on 网民留言 time limits.
    extension: {
      workingDays: 10,
      clause: { ref: '四(三)', text: '严格按照责任分工、办理程序和时限要求，做好网民留言办理工作' },
    },
  },
});
