import { policyPackSchema } from '../../src/core/policy-pack.js';

/**
 * Seed 003: a city government's 附件1 (政务舆情收集研判和回应流程) and 附件2 (政务舆情回应工作重点及
 * 职责). The text only says 市人民政府; 附件2 4 names 钦州日报社, so it is 钦州市. The covering
 * notice and its 文号 are not part of the seed, so docNo is a short descriptive name.
 *
 * 附件1 三 sets the limits: 特别重大/重大 突发事件 → report up and publish the known facts
 * ≤ 1 h; heavy casualties or large social impact → press conference ≤ 24 h; every other 舆情 →
 * respond ≤ 48 h. It has no 网民留言 working-day limits.
 */
export const qinzhouCity = policyPackSchema.parse({
  id: 'qinzhou-city',
  title: '钦州市人民政府政务舆情收集研判和回应流程（附件1）及政务舆情回应工作重点及职责（附件2）',
  docNo: '钦州市人民政府政务舆情回应流程',
  clauses: {
    guikou: {
      民生: {
        ref: '附件1 一',
        text: '凡属就业、住房、教育、卫生计生、质监、食品药品安全、价格、扶贫、移民搬迁、公共基础设施建设等民生热点类的，以市各行业主管部门报送为主',
      },
      信访: { ref: '附件1 一', text: '凡属社情民意类的，以市信访局报送为主' },
      外宣: { ref: '附件1 一', text: '凡属对外宣传类的，以市委宣传部报送为主' },
      公安: { ref: '附件1 一', text: '凡属社会稳定类的，以市公安局报送为主' },
      外事: { ref: '附件1 一', text: '凡属涉外类的，以市外侨办报送为主' },
      应急: { ref: '附件1 一', text: '凡属应急管理类的，以市应急办报送为主' },
    },
    overall: { ref: '附件1 一', text: '其他政务舆情信息由市人民政府办公室负责统筹报送' },
    // No 第一责任主体 rule: the closest is 附件1 二, the departments concerned assess and act.
    involvedUnit: {
      ref: '附件1 二',
      text: '市人民政府相关部门要根据网络政务舆情内容、公众反应、跟帖情况、媒体介入程度、发展态势和可能造成的影响，做出预判，研究制定对策',
    },
    multiRegion: { ref: '附件2 3', text: '发现重要舆情信息，及时转请相关地区和部门关注、回应' },
    multiDepartment: {
      ref: '附件1 二',
      text: '必要时，市人民政府办公室召集相关部门进行会商研判，对事件的性质、舆情走势、可能出现的风险等进行及时准确的评估，提出预控处置意见，按程序报审后进行处置',
    },
    cc: {
      ref: '附件1 一',
      text: '市各有关部门在向市人民政府报送各类政务舆情信息时，须同时抄送市政务公开工作领导小组办公室、市新闻办、市网信办',
    },
    majorReport: {
      ref: '附件1 三',
      text: '对涉及特别重大、重大突发事件的政务舆情，涉事责任部门在向上级报告的同时，应第一时间向社会发布已掌握的事实类信息，原则上不超过1小时',
    },
    // No rule on the principal leader: the closest is 附件1 四 on 重大政务舆情.
    criticalLeader: {
      ref: '附件1 四',
      text: '对于重大政务舆情，有关部门要根据上级要求及应急管理、新闻宣传、政府信息与政务公开规定，及时组织对舆情反映情况开展全面调查，快速形成调查报告和处置意见，第一时间发布有关信息',
    },
    // No rule on notifying the spokesperson: the closest is 附件2 1 on the 新闻发布 system.
    notifySpokesperson: {
      ref: '附件2 1',
      text: '切实加强新闻发布制度建设，提升新闻发布能力，完善新闻发布各项流程，让新闻发布成为制度性安排，增强政务舆情回应的实效性、权威性',
    },
    approval: { ref: '附件1 二', text: '提出预控处置意见，按程序报审后进行处置' },
    secrecy: {
      doc: '2013年省政府信息公开回应社会关切实施意见',
      ref: '9',
      text: '要依法依规做好政府信息发布的保密审查工作，涉及其他行政机关的，应主动与有关部门沟通确认，确保政府信息发布准确、一致',
    },
    unifiedWording: {
      doc: '云政办发〔2016〕106号',
      ref: '五',
      text: '启动重大事件舆情处置程序，做到统一指挥协调、统一应对方案、统一发布回应口径',
    },
    releaseStages: {
      doc: '云政办发〔2016〕106号',
      ref: '五',
      text: '遵循“快报事实、慎报原因、详报措施、后报结果”的原则，第一时间通知舆情责任单位新闻发言人和单位主要负责同志',
    },
  },
  clocks: {
    rules: [
      {
        kind: 'escalate',
        label: '报告上级',
        action: 'escalate',
        appliesTo: 'opinion',
        // 附件1 三 ties the report to 特别重大/重大 突发事件, at the same time as the facts.
        when: [{ levels: ['重大', '特别重大'], emergency: true }],
        from: 'occurred',
        hours: 1,
        clause: {
          ref: '附件1 三',
          text: '对涉及特别重大、重大突发事件的政务舆情，涉事责任部门在向上级报告的同时……原则上不超过1小时',
        },
        reminders: { percents: [50, 80], beforeMinutes: [10] },
      },
      {
        kind: 'publish_facts',
        label: '发布已掌握的事实',
        action: 'publish',
        appliesTo: 'opinion',
        when: [{ levels: ['重大', '特别重大'], emergency: true }],
        from: 'occurred',
        hours: 1,
        clause: {
          ref: '附件1 三',
          text: '应第一时间向社会发布已掌握的事实类信息，原则上不超过1小时',
        },
        reminders: { percents: [50, 80], beforeMinutes: [10] },
      },
      {
        kind: 'press_conference',
        label: '召开新闻发布会',
        action: 'press_conference',
        appliesTo: 'opinion',
        when: [{ casualties: true }, { largeImpact: true }],
        from: 'occurred',
        hours: 24,
        clause: {
          ref: '附件1 三',
          text: '造成重大人员伤亡或社会影响较大的，最迟应在24小时内召开新闻发布会，并视情连续召开',
        },
        reminders: { beforeMinutes: [1440, 360, 60] },
      },
      {
        kind: 'respond',
        label: '予以回应',
        action: 'publish',
        appliesTo: 'opinion',
        unlessKinds: ['press_conference'],
        from: 'occurred',
        hours: 48,
        clause: { ref: '附件1 三', text: '市人民政府相关部门认领后……对其他政务舆情应在48小时内予以回应' },
        reminders: { beforeMinutes: [1440, 360, 60] },
      },
    ],
    continuing: {
      kind: 'continuing',
      label: '持续发布权威信息',
      everyHours: 24,
      clause: {
        ref: '附件1 三',
        text: '（新闻发布会）并视情连续召开……并根据工作进展情况，持续发布权威信息',
      },
    },
    breach: {
      firstMinutes: 60,
      maxHours: 24,
      superviseClause: {
        ref: '附件2 9',
        text: '建立政务舆情回应通报批评和约谈制度，定期对舆情回应工作进行通报',
      },
    },
    // /延期 only applies to 网民留言, which this pack has no clock for; the document has no
    // extension rule, so this cites its 协调督办 provision.
    extension: {
      workingDays: 10,
      clause: { ref: '附件2 3', text: '建立政务舆情回应协调督办机制' },
    },
  },
});
