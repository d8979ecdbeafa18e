package demo

import "github.com/kefu-dev/kefu/internal/kefu"

// scenariosEN are the cases of the English-speaking customers. Replies are in
// English; notes between colleagues stay in Chinese, as the team writes them.
func scenariosEN() []*scenario {
	return []*scenario{
		{
			key: "en_size_exchange", en: true, category: "product.wrong_size", typ: kefu.TypeAfterSales, prio: kefu.PriorityNormal,
			channels: chEN, cats: []string{catApparel}, skus: skusTops, fate: fate{fDelivered, 0.5, 5}, weight: 3,
			subject: "Exchange my {product} for a bigger size",
			open: []step{
				cust("Hi, I received my {product} ({variant}) today but it's too tight around the shoulders, even though I followed the size chart. Could I exchange it for one size up? Order {order}."),
			},
			first: []step{
				reply("Hi {call}, this is {agent} from the after-sales team. I'm sorry the size didn't work out! Could you tell me your height and the size you usually wear, so I can recommend the right one?"),
			},
			more: []step{cust("I'm 180 cm, and this is the size I always wear in other brands. The shoulders on this one are clearly narrower.")},
			hand: &handoff{team: teamWarehouse,
				note: "英文客户，订单 {order}：{product}（{variant}）需换大一码，请确认库存并预留一件。",
				wait: "Thank you! I've asked our warehouse to check stock and reserve one for you. I'll get back to you today.",
				dept: "大一码有货，已预留，可以先发。"},
			resolve: []step{
				reply("Good news: the next size up is in stock and reserved for you. Since our size chart was off, the exchange is free. We're shipping the new one today by SF Express (tracking {newtracking}); please send the original back with the prepaid label I've emailed you."),
			},
			close:  []step{cust("Got the new one, fits perfectly. Thanks!")},
			tags:   []string{"换货", "English"},
			resend: true,
		},
		{
			key: "en_delivery_delay", en: true, category: "logistics.delivery_delay", typ: kefu.TypeComplaint, prio: kefu.PriorityNormal,
			channels: []kefu.Channel{kefu.ChannelChat, kefu.ChannelEmail, kefu.ChannelAPI}, fate: fate{fInTransit, 3.5, 5.5}, weight: 3,
			subject: "Where is my parcel? Order {order}",
			open: []step{
				cust("Hello, my order {order} shipped {shipdays} days ago and the tracking ({tracking}) hasn't moved for days. I need it before the weekend. Can you help?"),
			},
			first: []step{
				reply("Hi {call}, I'm {agent}. I'm really sorry for the wait, and I understand how frustrating this is. I can see your parcel with {carrier} is held up at a transfer hub. I'm contacting the courier now and will update you within 24 hours. Is the delivery address still correct?"),
			},
			more: []step{cust("Yes, same address. Thanks, please keep me posted.")},
			hand: &handoff{team: teamLogistics,
				note: "{carrier} {tracking} 中转滞留，英文客户需要周末前收到。请联系网点催派并确认时效，已承诺 24 小时内回复客户。",
				wait: "Our logistics team is now chasing {carrier} directly. I'll message you as soon as I hear back.",
				dept: "网点确认：包裹今天到站，明天上午派送。"},
			resolve: []step{
				reply("Update: {carrier} confirmed your parcel has reached {city} and will be delivered tomorrow morning; the courier will call before arriving. As an apology for the delay we've refunded ¥5 of shipping to your original payment method."),
			},
			close: []step{cust("Arrived this morning. Thank you!")},
			tags:  []string{"物流延误", "English"},
			comp:  500,
		},
		{
			key: "en_defect", en: true, category: "product.quality_defect", typ: kefu.TypeAfterSales, prio: kefu.PriorityHigh,
			channels: chEN, cats: []string{catElectronics}, skus: skusBattery, fate: fate{fDelivered, 3, 14}, weight: 3,
			subject: "My {product} stopped working",
			open: []step{
				cust("Hi, my {product} stopped charging after less than two weeks. I've tried different cables and chargers. Photo attached. Order {order}.", imgCracked),
			},
			first: []step{
				reply("Hi {call}, this is {agent}. I'm very sorry about this! Could you please try a hard reset (hold the power button for 15 seconds) and let me know whether the indicator light comes on?"),
			},
			more: []step{cust("Tried it, still nothing. The light doesn't come on at all.")},
			hand: &handoff{team: teamTech,
				note: "英文客户：{product} 无法充电，强制重启无效，签收 {days} 天，照片在对话里。请判断是否直接换新。",
				wait: "I've passed this to our technical support team together with your photo. They'll give their assessment within 24 hours.",
				dept: "判断为充电模块故障，属质量问题，直接换新。"},
			resolve: []step{
				reply("Our technicians confirmed a faulty charging module, a quality defect, so we'll replace it free of charge. A new unit ships today by SF Express (tracking {newtracking}), and a courier will pick up the faulty one; all shipping is on us. Sorry again for the trouble!"),
			},
			close:  []step{cust("The replacement works great, thanks for the quick help.")},
			tags:   []string{"质量问题", "English"},
			resend: true,
		},
		{
			key: "en_seven_day_return", en: true, category: "buyer.seven_day_return", typ: kefu.TypeAfterSales, prio: kefu.PriorityNormal,
			channels: []kefu.Channel{kefu.ChannelPortal, kefu.ChannelEmail, kefu.ChannelAPI}, cats: []string{catApparel, catBooks, catElectronics}, fate: fate{fDelivered, 1, 6}, weight: 3,
			subject: "Return request for order {order}",
			open: []step{
				cust("Hi, I'd like to return the {product} from order {order}. It's unused and in the original packaging; it just isn't what I expected."),
			},
			first: []step{
				reply("Hi {call}, I'm {agent}. No problem: your order was delivered on {date}, so you're within the 7-day no-reason return period. Please make sure the item, tags and accessories are complete. Return shipping is paid by the buyer unless you bought shipping insurance. Would you like to go ahead?"),
			},
			more: []step{cust("Yes please. Where should I send it?")},
			resolve: []step{
				reply("Your return is approved. Please send it to: kefu After-sales Warehouse, 1888 Wenyi West Road, Yuhang District, Hangzhou, Zhejiang (tel. 0571-88886666), with a note of your order number. Once the warehouse has checked the item, we'll refund ¥{refund} to your original payment method within 7 days."),
			},
			close: []step{cust("Sent it back today, thanks.")},
			tags:  []string{"七天无理由", "English"},
		},
		{
			key: "en_fapiao", en: true, typ: kefu.TypeConsultation, prio: kefu.PriorityLow,
			channels: []kefu.Channel{kefu.ChannelEmail, kefu.ChannelChat}, fate: fate{fDelivered, 1, 20}, weight: 2,
			subject: "Can I get a fapiao for order {order}?",
			open: []step{
				cust("Hello, my company needs an official invoice (fapiao) for order {order}. How can I request one?"),
			},
			first: []step{
				reply("Hi {call}, I'm {agent}. Of course! Please send me the company's full Chinese name, its taxpayer ID, and the email address where you'd like to receive the e-invoice."),
			},
			more: []step{cust("Company: 上海蓝桥咨询有限公司, taxpayer ID 91310000MA1FL3XK2B, email accounts@bluebridge.cn")},
			resolve: []step{
				reply("Thank you! I've requested an electronic general VAT invoice for ¥{amount}. It will arrive at accounts@bluebridge.cn within 1–3 working days."),
			},
			close: []step{cust("Received, thanks!")},
			tags:  []string{"发票", "English"},
		},
		{
			key: "en_cancel", en: true, category: "buyer.refund_before_shipment", typ: kefu.TypeAfterSales, prio: kefu.PriorityNormal,
			channels: []kefu.Channel{kefu.ChannelChat, kefu.ChannelAPI, kefu.ChannelPortal}, fate: fate{fUnshipped, 0.05, 0.5}, weight: 2,
			subject: "Please cancel order {order}",
			open: []step{
				cust("Hi, I placed order {order} earlier today by mistake. Could you cancel it and refund me? It hasn't shipped yet."),
			},
			first: []step{
				reply("Hi {call}, this is {agent}. Sure. Just to confirm: you'd like to cancel the whole order ({product}), right?"),
			},
			more: []step{cust("Yes, the whole order.")},
			resolve: []step{
				reply("Done! Your order was stopped before it left the warehouse and a full refund of ¥{amount} has been issued. It should reach your original payment method within 1–3 working days."),
			},
			tags: []string{"未发货退款", "English"},
		},
		{
			key: "en_fresh_spoiled", en: true, category: "product.quality_defect", typ: kefu.TypeComplaint, prio: kefu.PriorityHigh,
			channels: []kefu.Channel{kefu.ChannelChat, kefu.ChannelPortal}, cats: []string{catFresh}, skus: skusFruit, fate: fate{fDelivered, 0.05, 0.6}, weight: 2,
			subject: "Order {order}: {product} arrived spoiled",
			open: []step{
				cust("The {product} I received today are soft and some are mouldy. The ice packs had completely melted. Photo attached.", imgMould),
			},
			first: []step{
				reply("Hi {call}, I'm {agent}. I'm so sorry, that's not what you should receive. Could you also send a photo of the outer box and the shipping label? Please don't throw the items away yet."),
			},
			more: []step{cust("Here's the box.", imgBox)},
			resolve: []step{
				reply("Thank you. Fresh food doesn't need to be sent back: I've issued a full refund of ¥{refund} for the item, which will arrive within 1–3 working days. We've also reported the cold-chain problem to our logistics team. Sorry again!"),
			},
			close: []step{cust("Refund received. Thanks for sorting it out so quickly.")},
			tags:  []string{"生鲜", "English"},
		},
	}
}
