package demo

import "github.com/kefu-dev/kefu/internal/kefu"

// scenariosBuyer are cases where the buyer changes their mind or their plans
// (taxonomy group buyer), in Chinese.
func scenariosBuyer() []*scenario {
	return []*scenario{
		{
			key: "seven_day_return", category: "buyer.seven_day_return", typ: kefu.TypeAfterSales, prio: kefu.PriorityNormal,
			channels: chRequest, cats: []string{catApparel, catElectronics, catBooks}, fate: fate{fDelivered, 1, 6}, weight: 10,
			subject: "申请七天无理由退货",
			open: []step{
				cust("你好，{product}收到了，试了一下不太适合我，想申请七天无理由退货。东西没怎么用，包装、配件和吊牌都在。"),
			},
			first: []step{
				reply("亲，您好，我是售后客服{agent}。收到您的退货申请～您的订单 {order} 是 {date} 签收的，还在七天无理由退货期内，可以退的。麻烦确认一下商品、配件、吊牌和包装都完好，不影响二次销售哦。退货运费需要您这边承担，如果下单时买了运费险会自动理赔。您看可以吗？"),
			},
			more: []step{cust("可以，我买了运费险的。寄到哪个地址？")},
			resolve: []step{
				reply("好的亲，退货申请已经为您通过了。请寄回：" + returnAddressZH + "。包裹里放一张纸条写上订单号 {order}。仓库收到并检查无误后，7 天内原路退款 ¥{refund}，运费险的赔付由保险公司直接打给您。"),
			},
			close: []step{cust("已经寄回了，谢谢。")},
			tags:  []string{"七天无理由", "退货"},
		},
		{
			key: "return_after_seven_days", category: "buyer.return_after_seven_days", typ: kefu.TypeAfterSales, prio: kefu.PriorityNormal,
			channels: chRequest, cats: []string{catApparel, catElectronics, catBooks}, fate: fate{fDelivered, 12, 25}, weight: 4,
			subject: "超过七天了还能退货吗",
			open: []step{
				cust("{product}买了快三个星期，一直放着没用，现在觉得用不上了，还能退吗？"),
			},
			first: []step{
				reply("亲，您好，我是售后客服{agent}。我理解您的想法。您的订单是 {date} 签收的，到今天已经 {days} 天，超过了七天无理由退货的期限，系统上没法直接走无理由退货了。想问一下，商品是有什么质量问题吗？如果有质量问题，在保修期内我们是可以处理的。"),
			},
			more: []step{cust("没有质量问题，就是不想要了。真的不能通融一下吗？")},
			resolve: []step{
				reply("非常理解您的心情，不过超过七天的无理由退货我们确实没办法办理，这是对所有顾客统一的规则，还请您谅解。我为您申请了一张 ¥20 的无门槛优惠券，已经发到您的账户，下次购物可以用。之后商品如果出现任何质量问题，随时找我们，保修期内一定给您处理好。"),
			},
			close: []step{cust("好吧，知道了。")},
			tags:  []string{"超七天", "已婉拒"},
		},
		{
			key: "custom_made_return", category: "buyer.seven_day_return", typ: kefu.TypeAfterSales, prio: kefu.PriorityNormal,
			channels: chRequest, cats: []string{catCustom}, fate: fate{fDelivered, 1, 5}, weight: 3,
			subject: "{product}不喜欢，想退货",
			open: []step{
				cust("你好，我前几天买的{product}（{variant}），收到后觉得不太喜欢，能七天无理由退吗？"),
			},
			first: []step{
				reply("亲，您好，我是售后客服{agent}。我理解您的想法。不过这件是按您的要求专门定制的（{variant}），根据《网络购买商品七日无理由退货暂行办法》，定作类商品不适用七天无理由退货，下单页面上也有提示。请问商品本身有质量问题吗，比如刻字错误、破损？"),
			},
			more: []step{cust("没有质量问题，就是觉得不好看。那真的不能退？")},
			resolve: []step{
				reply("非常抱歉，定制商品确实没法办理无理由退货，因为它没办法再卖给其他顾客，还请您理解。如果是刻字、做工方面的问题，我们一定负责重做。另外给您申请了一张 ¥10 的优惠券作为心意，希望下次能给您带来更满意的购物体验。"),
				note("定制商品，不适用七天无理由（已在下单页确认）。已婉拒，发放 ¥10 券安抚。"),
			},
			close: []step{cust("好吧。")},
			tags:  []string{"定制商品", "已婉拒"},
		},
		{
			key: "change_address", category: "buyer.change_address", typ: kefu.TypeAfterSales, prio: kefu.PriorityNormal,
			channels: []kefu.Channel{kefu.ChannelChat, kefu.ChannelPhone, kefu.ChannelPortal}, fate: fate{fPacked, 0.15, 0.5}, weight: 5,
			subject: "下单后想修改收货地址",
			open: []step{
				cust("刚下的单 {order}，收货地址写成了公司的，想改成家里的，还来得及吗？"),
			},
			first: []step{
				reply("亲，您好，我是售后客服{agent}。您的订单还没有被快递揽收，可以修改的～麻烦把新的收货人、电话和详细地址发给我，我帮您登记。"),
			},
			more: []step{cust("改成：{province}{city}幸福路 88 号 3 栋 1202，收件人和电话不变。")},
			hand: &handoff{team: teamWarehouse,
				note: "订单 {order} 客户要求改地址为：{province}{city}幸福路 88 号 3 栋 1202（收件人、电话不变）。系统地址已改，请仓库重新打印面单，确认后回复。",
				wait: "地址已经为您改好了，也通知了仓库重新打印面单，请放心。",
				dept: "面单已重新打印，今天下午随批次发出。"},
			resolve: []step{
				reply("亲，新地址已经生效，包裹今天会按新地址发出，发货后您会收到短信通知。还有其他需要帮忙的吗？"),
			},
			close: []step{cust("没有了，谢谢！")},
			tags:  []string{"改地址"},
		},
		{
			key: "refund_before_shipment", category: "buyer.refund_before_shipment", typ: kefu.TypeAfterSales, prio: kefu.PriorityNormal,
			channels: []kefu.Channel{kefu.ChannelChat, kefu.ChannelPortal, kefu.ChannelAPI}, fate: fate{fUnshipped, 0.05, 0.6}, weight: 5,
			subject: "还没发货，不想要了请退款",
			open: []step{
				cust("刚刚下的单 {order}，不想要了，还没发货的话麻烦直接退款。"),
			},
			first: []step{
				reply("亲，您好，我是售后客服{agent}。收到～请问是对商品有什么顾虑吗？如果是尺码或颜色拿不准，我可以帮您参考一下哦。"),
			},
			more: []step{cust("不用了，买重复了，家里人已经买了。")},
			hand: &handoff{team: teamWarehouse,
				note: "订单 {order} 买家申请未发货退款，请在出库前拦截，拦截成功后回复。",
				wait: "已经通知仓库拦截出库，确认拦截成功后马上给您退款。",
				dept: "已拦截，未出库。"},
			resolve: []step{
				reply("明白了～您的订单还没有出库，已经为您拦截并办理全额退款 ¥{amount}，1-3 个工作日原路返回，不扣任何费用。欢迎下次光临！"),
			},
			tags: []string{"未发货退款", "已退款"},
		},
		{
			key: "refund_after_shipment", category: "buyer.refund_after_shipment", typ: kefu.TypeAfterSales, prio: kefu.PriorityNormal,
			channels: []kefu.Channel{kefu.ChannelChat, kefu.ChannelPortal, kefu.ChannelAPI}, fate: fate{fIntercept, 0.6, 1.2}, weight: 4,
			subject: "已经发货了，不想要了能退款吗",
			open: []step{
				cust("订单 {order} 已经发货了，但我不想要了，能退款吗？"),
			},
			first: []step{
				reply("亲，您好，我是售后客服{agent}。可以的～您的包裹已经由{carrier}发出（{tracking}），我们可以尝试拦截退回；如果拦截不成功，您签收后走七天无理由退货也可以。需要说明一下：拦截退回的话，我们发货实际支付的运费 ¥8 会从退款里扣除。您看可以吗？"),
			},
			more: []step{cust("可以，帮我拦截吧。")},
			hand: &handoff{team: teamLogistics,
				note: "订单 {order}（{carrier} {tracking}）买家申请已发货退款，请向快递申请拦截退回，退回到仓后通知售后退款（扣发货运费 ¥8）。",
				wait: "已经申请快递拦截，拦截成功后包裹会退回我们仓库，到仓后马上为您退款。",
				dept: "拦截成功，包裹已退回仓库。"},
			resolve: []step{
				reply("亲，包裹已经拦截成功并退回仓库了。已为您办理退款 ¥{refund8}（扣除实际发货运费 ¥8），1-3 个工作日原路到账。感谢您的理解～"),
			},
			close: []step{cust("好的，收到了。")},
			tags:  []string{"已发货退款", "拦截"},
		},
		{
			key: "wrong_address", category: "buyer.wrong_address", typ: kefu.TypeAfterSales, prio: kefu.PriorityNormal,
			channels: []kefu.Channel{kefu.ChannelChat, kefu.ChannelPhone}, fate: fate{fException, 2.5, 3.5}, weight: 3,
			subject: "地址填错了，快递送不到",
			open: []step{
				cust("糟糕，下单时门牌号写错了，快递显示“地址不详”，怎么办？单号 {tracking}"),
			},
			first: []step{
				reply("亲，您好，我是售后客服{agent}。别着急～请把正确的详细地址发给我，我联系{carrier}帮您改派。"),
			},
			more: []step{cust("正确的是 {city}建设路 66 号 5 栋 601，我写成了 506。")},
			hand: &handoff{team: teamLogistics,
				note: "{carrier} {tracking} 因地址错误滞留，正确地址：{city}建设路 66 号 5 栋 601。请联系网点改派。",
				wait: "已经请物流专员联系网点改派，改派成功后马上告诉您。",
				dept: "网点已按新地址改派，明天派送。"},
			resolve: []step{
				reply("亲，已经和{carrier}网点确认改派到新地址，明天派送，快递员会提前电话联系您，请保持电话畅通～"),
			},
			close: []step{cust("收到了，谢谢。")},
			tags:  []string{"改派"},
		},
		{
			key: "buyer_away", category: "buyer.buyer_away", typ: kefu.TypeConsultation, prio: kefu.PriorityNormal,
			channels: []kefu.Channel{kefu.ChannelChat, kefu.ChannelPhone}, fate: fate{kind: fOutForDelivery}, weight: 3,
			subject: "出差不在家，快递能不能晚点送",
			open: []step{
				cust("快递今天派送，但我这几天出差不在家，能不能放快递柜或者晚几天再送？"),
			},
			first: []step{
				reply("亲，您好，我是售后客服{agent}。可以的～请问您希望放到小区的快递柜/驿站，还是等您回来再派送？大概哪天回来呢？"),
			},
			more: []step{cust("放驿站吧，我周五回来取。")},
			resolve: []step{
				reply("好的，已经联系{carrier}的派送员，包裹会放到小区驿站，取件码会短信发给您。驿站一般免费保管 3 天，超过可能会有保管费哦，回来记得早点取～"),
			},
			close: []step{cust("好的，谢谢。")},
			tags:  []string{"买家不在"},
		},
	}
}
