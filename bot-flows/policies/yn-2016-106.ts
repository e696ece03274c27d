import { policyPackSchema } from '../../src/core/policy-pack.js';

/** Seed 000: 云南省人民政府办公厅关于在政务公开工作中进一步做好政务舆情回应的通知 (the default pack). */
export const yn2016106 = policyPackSchema.parse({
  id: 'yn-2016-106',
  title: '云南省人民政府办公厅关于在政务公开工作中进一步做好政务舆情回应的通知',
  docNo: '云政办发〔2016〕106号',
  clauses: {
    guikou: {
      民生: {
        ref: '三(三)',
        text: '凡属就业、住房、教育、卫生计生、质监、食品药品安全、价格、扶贫、移民搬迁、公共基础设施建设等民生热点类的，以各业务职能主管部门报送为主',
      },
      信访: { ref: '三(三)', text: '凡属社情民意类的，以信访部门报送为主' },
      外宣: { ref: '三(三)', text: '凡属对外宣传类的，以外宣部门报送为主' },
      公安: { ref: '三(三)', text: '凡属社会稳定类的，以公安部门报送为主' },
      外事: { ref: '三(三)', text: '凡属涉外类的，以外事部门报送为主' },
      应急: { ref: '三(三)', text: '凡属应急管理类的，以政府应急部门报送为主' },
    },
    overall: { ref: '三(三)', text: '其他政务舆情信息由政府办公厅（室）负责统筹报送' },
    involvedUnit: {
      ref: '二',
      text: '涉事责任部门是第一责任主体，其本级政府办公厅（室）会同宣传部门做好组织协调工作',
    },
    multiRegion: {
      ref: '二',
      text: '对涉及多个地区的政务舆情，上级政府主管部门是舆情回应的第一责任主体，有关地区政府按照属地管理原则进行回应',
    },
    multiDepartment: {
      ref: '二',
      text: '对涉及多个部门的政务舆情，有关部门按照职责分工做好回应工作，本级政府办公厅（室）会同宣传部门做好组织协调、督促指导工作，必要时可确定牵头部门',
    },
    cc: {
      ref: '三(三)',
      text: '报送政务舆情信息时，须同时抄送政务公开日常工作负责部门；报送省人民政府的，须同时抄送省政务公开领导小组办公室、省新闻宣传和舆论处置联席会议办公室',
    },
    majorReport: { ref: '五', text: '重大政务舆情报告时限，最迟不得晚于事发后1小时' },
    criticalLeader: {
      ref: '二',
      text: '对特别重大的政务舆情，本级政府主要负责同志要切实负起领导责任，指导、协调、督促有关部门做好舆情回应工作',
    },
    notifySpokesperson: {
      ref: '五',
      text: '第一时间通知舆情责任单位新闻发言人和单位主要负责同志',
    },
    approval: {
      ref: '七(一)',
      text: '指定专门工作机构，坚持和完善专人采编、领导审核把关等工作程序，安排专业人员负责政务舆情收集、分析、回应等工作',
    },
    secrecy: {
      doc: '2013年省政府信息公开回应社会关切实施意见',
      ref: '9',
      text: '要依法依规做好政府信息发布的保密审查工作，涉及其他行政机关的，应主动与有关部门沟通确认，确保政府信息发布准确、一致',
    },
    unifiedWording: {
      ref: '五',
      text: '启动重大事件舆情处置程序，做到统一指挥协调、统一应对方案、统一发布回应口径',
    },
    releaseStages: {
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
        when: [{ levels: ['重大', '特别重大'] }],
        from: 'occurred',
        hours: 1,
        clause: { ref: '五', text: '重大政务舆情报告时限，最迟不得晚于事发后1小时' },
        reminders: { percents: [50, 80], beforeMinutes: [10] },
      },
      {
        kind: 'publish_facts',
        label: '发布已掌握的事实',
        action: 'publish',
        appliesTo: 'opinion',
        when: [{ emergency: true }],
        from: 'occurred',
        hours: 1,
        // Seed 000 says 第一时间 without a figure; the 1 h is the rule of seed 003 附件1 三.
        clause: { ref: '三(五)', text: '对于重大政务舆情，有关部门要……第一时间发布有关信息' },
        reminders: { percents: [50, 80], beforeMinutes: [10] },
      },
      {
        kind: 'press_conference',
        label: '举行新闻发布会',
        action: 'press_conference',
        appliesTo: 'opinion',
        when: [
          { levels: ['重大', '特别重大'], emergency: true },
          { casualties: true },
          { largeImpact: true },
        ],
        from: 'occurred',
        hours: 24,
        clause: {
          ref: '六',
          text: '对涉及重大突发事件的政务舆情，要快速反应、及时发声，最迟应在24小时内举行新闻发布会',
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
        clause: { ref: '六', text: '对其他政务舆情应在48小时内予以回应' },
        reminders: { beforeMinutes: [1440, 360, 60] },
      },
      ...(
        [
          ['netizen_message_praise', '表扬感谢', 5],
          ['netizen_message_advice', '谏言咨询', 10],
          ['netizen_message_appeal', '申诉求助', 20],
        ] as const
      ).map(([kind, netizenMessageType, workingDays]) => ({
        kind,
        label: '办结并回复网民',
        action: 'close' as const,
        appliesTo: 'netizen_message' as const,
        when: [{ netizenMessageType }],
        from: 'accepted' as const,
        workingDays,
        clause: {
          ref: '四(三)',
          text: '承办单位应分别于5个、10个、20个工作日内办结并回复网民（表扬和感谢类、谏言和咨询类、申诉和寻求解决类）',
        },
        reminders: { beforeWorkingDays: [3, 1, 0] },
      })),
    ],
    continuing: {
      kind: 'continuing',
      label: '持续发布权威信息',
      everyHours: 24,
      clause: { ref: '六', text: '根据工作进展情况，持续发布权威信息' },
    },
    breach: {
      firstMinutes: 60,
      maxHours: 24,
      superviseClause: {
        ref: '七(五)',
        text: '建立政务舆情回应通报批评和约谈制度，定期对政务舆情回应工作情况进行通报',
      },
    },
    extension: { workingDays: 10, clause: { ref: '四(三)', text: '情况特别复杂的可延长10个工作日' } },
  },
});
