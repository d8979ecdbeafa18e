package demo

import "github.com/kefu-dev/kefu/internal/kefu"

// scenariosService are complaints about the service and the couriers, and
// plain questions, in Chinese.
func scenariosService() []*scenario {
	return []*scenario{
		{
			key: "misleading_washing", category: "service.misleading_advice", typ: kefu.TypeComplaint, prio: kefu.PriorityHigh,
			channels: chComplain, cats: []string{catApparel}, skus: []string{"AP-1001", "AP-1002", "AP-1005"}, fate: fate{fDelivered, 3, 10}, weight: 3, lead: true,
			subject: "客服说可以机洗，结果洗一次就缩水了",
			open: []step{
				cust("买之前我专门问过你们客服，说这件{product}可以机洗、不会缩水，我才买的。结果洗了一次就缩了一圈，根本穿不了！聊天记录我还留着。"),
			},
			first: []step{
				reply("您好，我是售后客服{agent}。我查看了您下单前的聊天记录，当时客服的回复确实不准确，这款需要手洗或干洗，是我们的问题，我代表团队向您郑重道歉！请问您是希望退货退款，还是商品留下、我们给您一些补偿呢？"),
			},
			more: []step{cust("退货太麻烦了，衣服我留着在家穿吧，但你们得给个说法。")},
			resolve: []step{
				note("已调取售前聊天记录：客服回复“可以机洗”有误。已报主管，纳入本周话术培训；补偿按异地订单标准 ¥15，高于成本底线。"),
				reply("非常感谢您的理解！商品您留下，我们给您部分退款 ¥15 作为这次误导的补偿。这个金额是按售价和运费成本核算的，已经是这一单能给的最高标准了。退款已提交，1-3 个工作日原路返回。我们也已经对当班客服做了培训，详情页补充了洗涤说明。再次向您道歉！"),
			},
			close: []step{cust("行吧，退款收到了。")},
			tags:  []string{"售前误导", "部分退款"},
			comp:  1500,
		},
		{
			key: "misleading_charging", category: "service.misleading_advice", typ: kefu.TypeComplaint, prio: kefu.PriorityHigh,
			channels: chComplain, cats: []string{catElectronics}, skus: []string{"EL-2001", "EL-2002", "EL-2003", "EL-2004"}, fate: fate{fDelivered, 1, 6}, weight: 2, lead: true,
			subject: "售前说支持快充，实际充了四个多小时",
			open: []step{
				cust("下单前问过你们客服，{product}是不是支持快充、两小时能充满，客服说完全可以。结果我充了四个多小时才满，这不是误导吗？"),
			},
			first: []step{
				reply("您好，我是售后客服{agent}。非常抱歉给您带来了不便，我理解您的感受。我查了售前记录，客服当时的说法确实不准确，这款只有配合 20W 以上的快充头才能在两小时内充满，我们没有讲清楚，是我们的问题。您是希望退货，还是留下商品、我们给您一些补偿？退货的话来回运费都由我们承担。"),
			},
			more: []step{cust("东西我还想用。你们给多少补偿？")},
			resolve: []step{
				note("签收 {days} 天，售价 ¥{price}。按成本核算，补偿上限 ¥15。"),
				reply("我们可以给您部分退款 ¥15，作为这次误导的补偿。"),
				cust("15 块太少了吧，至少 50。"),
				reply("非常理解您的心情。不过 ¥50 已经超出了这一单合理的补偿范围，我们实在没办法答应，还请您谅解。如果您觉得不满意，我们可以为您办理退货退款，来回运费都由我们承担。您更倾向哪一种呢？"),
				cust("算了，15 就 15 吧。"),
				reply("好的，¥15 已经提交，1-3 个工作日原路到账。也谢谢您的反馈，我们已经把快充的说明补充到详情页和客服话术里了。"),
			},
			close: []step{cust("收到了。")},
			tags:  []string{"售前误导", "部分退款"},
			comp:  1500,
		},
		{
			key: "agent_attitude", category: "service.agent_attitude", typ: kefu.TypeComplaint, prio: kefu.PriorityHigh,
			channels: chComplain, cats: []string{catElectronics}, fate: fate{fDelivered, 2, 15}, weight: 3, lead: true,
			subject: "投诉客服态度敷衍",
			open: []step{
				cust("昨天在线咨询，你们客服回复特别敷衍，我问了三遍都是复制粘贴，最后还来一句“您自己看详情页”。这是什么态度？"),
			},
			first: []step{
				reply("您好，我是售后客服{agent}。非常抱歉给您带来了这么不好的体验，我理解您的感受。我已经调取了昨天的聊天记录，确实存在回复敷衍的问题。请问您当时咨询的问题现在解决了吗？我来亲自帮您处理。"),
			},
			more: []step{cust("问的是{product}能不能开发票、保修多久，到现在也没人回答清楚。")},
			resolve: []step{
				note("已查看昨天的会话：当班客服用模板回复 3 次，未解答保修问题。已与当事客服面谈，纳入本周质检和话术培训。"),
				reply("{product}支持开电子发票，保修期一年，自签收之日起算，保修期内非人为损坏免费维修或换新。发票我已经帮您申请了，会发到您预留的联系方式。对于昨天的接待，我们已经对当事客服做了批评和培训，再次向您道歉，也谢谢您的监督！"),
			},
			close: []step{cust("这还差不多。")},
			tags:  []string{"服务态度", "质检"},
		},
		{
			key: "slow_handling", category: "service.slow_handling", typ: kefu.TypeComplaint, prio: kefu.PriorityUrgent,
			channels: []kefu.Channel{kefu.ChannelChat, kefu.ChannelPhone}, cats: []string{catApparel, catElectronics, catBooks}, fate: fate{fDelivered, 10, 18}, weight: 3, lead: true,
			subject: "等了二十分钟没人回复，退款一周没处理",
			open: []step{
				cust("我在线等了二十分钟都没人理！前天打电话说会回电，也没人回！退货寄回去一个星期了，退款到现在还没处理，你们到底管不管？"),
			},
			first: []step{
				reply("您好，我是售后客服{agent}。真的非常抱歉让您等了这么久，也没有按承诺给您回电，这是我们的失误。我现在就跟进：订单 {order} 的退货已经到仓，卡在了验货环节。请给我 2 个小时，今天 {cb} 前我一定给您结果，可以吗？"),
			},
			more: []step{cust("好，我就再等两个小时。")},
			hand: &handoff{team: teamWarehouse,
				note: "加急：订单 {order} 退件到仓 5 天未验货，客户多次催促，之前还有一次未兑现的回电承诺。已承诺客户 {cb} 前给结果，请今天内完成验货并反馈。",
				wait: "已经加急联系仓库验货，有结果马上回复您，不会再让您等。",
				dept: "已验货，商品完好，可以退款。"},
			resolve: []step{
				reply("您好，仓库已经完成验货，退款 ¥{refund} 已经提交，1-3 个工作日原路返回。这次让您反复催促，真的很抱歉，另外给您补偿了一张 ¥20 的优惠券。之后有任何问题可以直接找我，我会跟进到底。"),
			},
			close: []step{cust("退款到了。")},
			tags:  []string{"处理超时", "已退款"},
		},
		{
			key: "parcel_lost", category: "logistics.parcel_lost", typ: kefu.TypeAfterSales, prio: kefu.PriorityHigh,
			channels: chAll, cats: []string{catApparel, catElectronics, catBooks}, fate: fate{fStalled, 5, 7}, weight: 5,
			subject: "物流好几天没更新，包裹是不是丢了",
			open: []step{
				cust("订单 {order} 显示{carrier}已经发货好几天了，物流信息一直停在杭州转运中心，好几天都没动过，是不是丢件了？我急着用的！"),
			},
			first: []step{
				reply("亲，您好，我是售后客服{agent}。非常抱歉让您着急了，我理解您的感受。我这边查到您的快递单号 {tracking} 最后一条记录确实停在杭州转运中心。我马上联系{carrier}核实，24 小时内一定给您回复。请问收件电话还是下单时留的那个吗？"),
			},
			more: []step{cust("是的，电话没变。你们快点，这是送人的生日礼物。")},
			hand: &handoff{team: teamLogistics,
				note: "单号 {tracking}（{carrier}）在杭州转运中心滞留超过 72 小时，客户急用（生日礼物）。请联系快递核实是否遗失；如确认遗失请走理赔，我这边准备顺丰补发。已承诺客户 24 小时内回复。",
				wait: "已经把您的情况转给物流专员，正在和{carrier}核实包裹下落。明天这个时间之前一定给您准确答复；如果确认丢件，我们第一时间用顺丰给您补发，不会让您有损失。",
				dept: "已联系{carrier}网点：快件在转运中心遗失，已登记理赔，理赔由我方跟快递公司处理。可以补发。"},
			resolve: []step{
				reply("亲，让您久等了。经和{carrier}核实，您的包裹在转运途中遗失了，非常抱歉！我们已经用顺丰速运为您补发，新单号 {newtracking}，预计 1-2 天送达。理赔的事情由我们和快递公司处理，您不用操心。再次向您道歉！"),
			},
			close:  []step{cust("补发的收到了，东西没问题，谢谢你们。")},
			tags:   []string{"丢件", "补发", "承诺24h"},
			resend: true,
		},
		{
			key: "delivery_delay", category: "logistics.delivery_delay", typ: kefu.TypeComplaint, prio: kefu.PriorityNormal,
			channels: chAll, fate: fate{fInTransit, 3.5, 5.5}, weight: 7,
			subject: "发货好几天了还没收到",
			open: []step{
				cust("订单 {order} 都发货 {shipdays} 天了还没到，{city}又不是偏远地区，物流一直显示运输中，到底什么时候能到？"),
			},
			first: []step{
				reply("亲，您好，我是售后客服{agent}。非常抱歉让您久等了！我查了一下，您的包裹（{carrier} {tracking}）还在运输途中，最近部分线路快递量大，中转有延误。我马上联系快递催件，今天 18:00 前给您回复具体的派送时间，可以吗？"),
			},
			more: []step{cust("好，尽快吧，再不到我就申请退款了。")},
			hand: &handoff{team: teamLogistics,
				note: "{carrier} {tracking} 发货 {shipdays} 天未送达，在{city}转运中心后无更新。请联系网点催派并确认预计送达时间。客户有退款倾向，已承诺今天 18:00 前回复。",
				wait: "已经请物流专员直接联系{carrier}的网点催派，有结果马上告诉您。",
				dept: "已联系{carrier}{city}网点：包裹今天到站，明天上午派送。"},
			resolve: []step{
				reply("亲，已经和{carrier}确认，您的包裹已经到{city}了，明天上午派送，派送前快递员会电话联系您。这次耽误了您的时间，我们给您申请了 ¥5 的运费补偿，已退回到您的支付账户。"),
			},
			close: []step{cust("收到了。")},
			tags:  []string{"物流延误"},
			comp:  500,
		},
		{
			key: "courier_rude", category: "logistics.courier_behaviour", typ: kefu.TypeComplaint, prio: kefu.PriorityNormal,
			channels: chComplain, fate: fate{fDelivered, 0.2, 1.5}, weight: 3,
			subject: "快递员态度恶劣，不送上门",
			open: []step{
				cust("你们用的{carrier}快递员太过分了，我人在家，他不送上楼，直接扔在小区门口，打电话还骂人。东西差点丢了！"),
			},
			first: []step{
				reply("亲，您好，我是售后客服{agent}。非常抱歉给您带来了这么不好的体验，我理解您的感受！请问包裹里的商品有没有损坏？方便的话告诉我快递员联系您的大概时间，我向快递公司投诉核实。"),
			},
			more: []step{cust("东西没坏。就是昨天下午四点多。")},
			hand: &handoff{team: teamLogistics,
				note: "客户投诉{carrier}快递员（{tracking}）未送货上门、电话中辱骂客户，时间约昨天 16:00。请向{carrier}网点正式投诉，并要求书面反馈处理结果。",
				wait: "我们已经向{carrier}网点正式投诉，要求他们调查并给出处理结果，有进展第一时间告诉您。",
				dept: "{carrier}网点回复：已对该快递员处罚并安排上门道歉，之后该片区由组长派送。"},
			resolve: []step{
				reply("亲，{carrier}网点已经回复：已经对这位快递员做了处罚，网点负责人也会给您打电话道歉。以后您的包裹我们会备注“送货上门”。感谢您的反馈，再次向您道歉！"),
			},
			close: []step{cust("好的，网点已经打过电话了。")},
			tags:  []string{"快递投诉"},
		},
		{
			key: "wrong_courier", category: "logistics.wrong_courier", typ: kefu.TypeComplaint, prio: kefu.PriorityNormal,
			channels: chChat, fate: fate{fInTransit, 1.5, 2.5}, weight: 3, notSF: true,
			subject: "备注了发顺丰，怎么发的{carrier}",
			open: []step{
				cust("我下单时备注了发顺丰，说了可以补运费，你们怎么还是发了{carrier}？我着急用。"),
			},
			first: []step{
				reply("亲，您好，我是售后客服{agent}。非常抱歉没有按您的备注发货，是我们打单时漏看了。您的包裹 {tracking} 已经在路上，预计 2-3 天到。请问您最晚什么时候要用呢？"),
			},
			more: []step{cust("后天之前必须到。")},
			resolve: []step{
				reply("我已经联系{carrier}加急派送，并且每天帮您盯着物流。如果后天前还没送到，我们直接用顺丰给您重新发一件，多出的运费由我们承担。另外退还您 ¥5 作为补偿。给您添麻烦了！"),
				note("已加入物流重点关注：后天 18:00 未签收则顺丰补发（承诺已告知客户）。"),
			},
			close: []step{cust("今天到了，谢谢。")},
			tags:  []string{"快递选择", "承诺跟进"},
			comp:  500,
		},
		{
			key: "invoice", typ: kefu.TypeConsultation, prio: kefu.PriorityLow,
			channels: []kefu.Channel{kefu.ChannelEmail, kefu.ChannelChat, kefu.ChannelPortal, kefu.ChannelAPI}, fate: fate{fDelivered, 1, 20}, weight: 5,
			subject: "订单 {order} 需要开发票",
			open: []step{
				cust("你好，订单 {order} 需要开发票，抬头是公司，要增值税普通发票，怎么开？"),
			},
			first: []step{
				reply("亲，您好，我是售后客服{agent}。可以开的～麻烦您提供：1）发票抬头（公司全称）；2）纳税人识别号；3）接收电子发票的邮箱。"),
			},
			more: []step{cust("抬头：杭州云帆科技有限公司，税号 91330110MA2H7K8Q1X，邮箱 finance@yunfan-tech.cn")},
			resolve: []step{
				reply("已经为您申请了电子普通发票，金额 ¥{amount}，1-3 个工作日内发送到 finance@yunfan-tech.cn，请注意查收。如果需要专票，告诉我就行～"),
			},
			close: []step{cust("收到发票了，谢谢。")},
			tags:  []string{"发票"},
		},
		{
			key: "usage_pairing", typ: kefu.TypeConsultation, prio: kefu.PriorityLow,
			channels: []kefu.Channel{kefu.ChannelChat, kefu.ChannelPhone, kefu.ChannelEmail}, cats: []string{catElectronics}, skus: []string{"EL-2001", "EL-2002", "EL-2007"}, fate: fate{fDelivered, 0.1, 10}, weight: 5,
			subject: "{product}怎么连接手机",
			open: []step{
				cust("请问{product}怎么和手机连接？说明书看不太懂。"),
			},
			first: []step{
				reply("亲，您好，我是售后客服{agent}，很高兴为您服务～请问您用的是苹果还是安卓手机呢？"),
			},
			more: []step{cust("安卓，华为的。")},
			resolve: []step{
				reply("好的～步骤是：1）打开手机蓝牙；2）长按{product}的功能键 3 秒，指示灯快闪就是进入了配对模式；3）在手机蓝牙列表里点选设备名称，或者下载我们的 App 按提示添加。如果还连不上，随时找我，我也可以给您发一段视频教程～"),
				note("客户对配对流程不熟悉，已另外发送图文使用指南；3 天后回访使用情况。"),
			},
			close: []step{cust("连上了，谢谢！")},
			tags:  []string{"使用咨询"},
		},
		{
			key: "presale_size", typ: kefu.TypeConsultation, prio: kefu.PriorityLow,
			channels: []kefu.Channel{kefu.ChannelChat, kefu.ChannelChat, kefu.ChannelPortal}, cats: []string{catApparel}, fate: fate{kind: fNone}, weight: 4,
			subject: "{product}尺码怎么选",
			open: []step{
				cust("身高 165，体重 55 公斤，{product}穿 M 还是 L？"),
			},
			first: []step{
				reply("亲，您好，我是客服{agent}～这款是修身版型，按您的身高体重建议选 M 码；如果喜欢宽松一些可以选 L。请问您平时穿衣服喜欢合身还是宽松呢？"),
			},
			more: []step{cust("喜欢宽松一点。")},
			resolve: []step{
				reply("那推荐您选 L 码～这款支持七天无理由退换，收到不合适可以随时联系我们换码。"),
			},
			close: []step{cust("好的，去下单了。")},
			tags:  []string{"售前咨询"},
		},
	}
}
