import { policyPackSchema } from '../../src/core/policy-pack.js';

/**
 * Seed 004: a province's 2013 实施意见 implementing 国办发〔2013〕100号. The seed is a
 * traditional-character rendering (with stray pinyin from the converter); clauses quote it in
 * simplified characters, like every other message. It carries no 文号 of its own, so docNo is a
 * short descriptive name; refs are its numbered items 1–14.
 *
 * It sets no hour or working-day limits for responding to 舆情 or 网民留言, so the pack has no
 * clock rules: items get no deadlines, only the citations below.
 */
export const province2013 = policyPackSchema.parse({
  id: 'province-2013',
  title: '关于进一步加强政府信息公开回应社会关切提升政府公信力的实施意见',
  docNo: '2013年省政府信息公开回应社会关切实施意见',
  clauses: {
    // No per-category 归口 list: every category falls back to `overall`, the general 8.
    guikou: {},
    overall: {
      ref: '8',
      text: '各级互联网信息办公室、公安、工信、通信管理等部门要进一步加大网络舆情监测力度，重要舆情形成监测分析报告，及时转请相关单位和部门处置',
    },
    involvedUnit: {
      ref: '8',
      text: '各地、各部门要建立健全舆情收集、研判、报告和回应机制，密切关注重要政务舆情，加强分析研判和调查处理，必要时及时予以回应，澄清事实',
    },
    multiRegion: {
      ref: '3',
      text: '强化省、市、县三级新闻发布体系，各负其责，及时主动做好本地区新闻发布工作',
    },
    multiDepartment: {
      ref: '9',
      text: '涉及其他行政机关的，应主动与有关部门沟通确认，确保政府信息发布准确、一致',
    },
    // No 抄送 rule: the closest is 11, keeping the 新闻办 and 网信办 informed.
    cc: {
      ref: '11',
      text: '各地、各部门要加强与政府新闻办公室、互联网信息办公室以及有关新闻媒体的沟通联系',
    },
    // No reporting time limit: the closest is 3 on 重大突发事件.
    majorReport: {
      ref: '3',
      text: '重大突发事件的新闻发布，由各级政府新闻办公室会同负责处置突发事件的政府主管部门统一协调管理，依法发布相关权威信息、妥善回应公众质疑、及时澄清不实传言',
    },
    criticalLeader: {
      ref: '12',
      text: '主要负责同志要亲自过问，分管负责同志要直接负责，逐级落实责任，确保各项工作措施落实到位',
    },
    notifySpokesperson: {
      ref: '9',
      text: '特别是重大突发事件和热点敏感问题，涉事单位和部门新闻发言人要及时回应',
    },
    approval: {
      doc: '云政办发〔2016〕106号',
      ref: '七(一)',
      text: '指定专门工作机构，坚持和完善专人采编、领导审核把关等工作程序，安排专业人员负责政务舆情收集、分析、回应等工作',
    },
    secrecy: {
      ref: '9',
      text: '要依法依规做好政府信息发布的保密审查工作，涉及其他行政机关的，应主动与有关部门沟通确认，确保政府信息发布准确、一致',
    },
    unifiedWording: { ref: '9', text: '确保政府信息发布准确、一致' },
    releaseStages: {
      doc: '云政办发〔2016〕106号',
      ref: '五',
      text: '遵循“快报事实、慎报原因、详报措施、后报结果”的原则，第一时间通知舆情责任单位新闻发言人和单位主要负责同志',
    },
  },
  clocks: {
    rules: [],
    continuing: {
      kind: 'continuing',
      label: '持续发布权威信息',
      everyHours: 24,
      clause: { ref: '9', text: '围绕中心工作，针对公众关切，主动、及时、全面、准确地发布政府权威信息' },
    },
    breach: {
      firstMinutes: 60,
      maxHours: 24,
      superviseClause: {
        ref: '14',
        text: '省政府办公厅、省政府新闻办公室、省互联网信息办公室、省工信委要协同加强……督查和指导……强化绩效评估，加大问责力度，定期通报有关情况，切实解决存在的突出问题',
      },
    },
    // /延期 only applies to 网民留言, which this pack has no clock for; the document has no
    // extension rule, so this cites its 回复回访 provision.
    extension: {
      workingDays: 10,
      clause: {
        ref: '7',
        text: '建立完善回复回访和监督制度，特别是对投诉、举报类电话质询，要确保件件有回复、事事有回音',
      },
    },
  },
});
