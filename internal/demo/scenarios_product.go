package demo

import "github.com/kefu-dev/kefu/internal/kefu"

// scenariosProduct are problems with the goods themselves (taxonomy group
// product), in Chinese.
func scenariosProduct() []*scenario {
	return []*scenario{
		{
			key: "colour_difference", category: "product.colour_difference", typ: kefu.TypeAfterSales, prio: kefu.PriorityNormal,
			channels: chRequest, cats: []string{catApparel}, fate: fate{fDelivered, 0.1, 3}, weight: 8,
			skus: skusNavy, colour: "藏青",
			subject: "{product}颜色和图片差别太大",
			open: []step{
				cust("你好，我买的{product}（{variant}）今天到了，颜色和详情页差太多了吧？详情页上是藏青色，实物明显偏紫。我是在窗边自然光下拍的，第一张是你们详情页截图，第二张是实物，你们自己看看。订单号 {order}", imgListingNavy, imgReceivedNavy),
			},
			first: []step{
				reply("亲，您好，我是售后客服{agent}，很高兴为您服务～非常抱歉给您带来了不便！看了您发来的照片，确实和详情页有差异。不同屏幕和光线下颜色会有一些偏差，不过您这件差得比较明显。想跟您确认一下：吊牌和包装袋都还在吗？您是希望换一件同款，还是退货退款呢？"),
			},
			more: []step{cust("吊牌都在，没穿过。我就是想要图片上那个颜色，能换吗？")},
			hand: &handoff{team: teamWarehouse,
				note: "客户反馈{product}（{variant}）色差明显，照片已附在工单里。请仓库抽检同批次库存的颜色；如库存颜色正常，请安排换货发出，运费由我方承担。",
				wait: "我已经把您的照片转给仓库同事，请他们抽检同一批次的颜色，今天 18:00 前给您回复结果，请您放心。",
				dept: "已抽检同批次库存：货架上的颜色与详情页一致，客户收到的那批有染色偏差，已整批下架。可以换货，今天下午顺丰发出。"},
			resolve: []step{
				reply("亲，让您久等了。仓库已经核实，您收到的那一批确实存在染色偏差，已经整批下架了。已为您安排换货：新的{product}今天通过顺丰发出，单号 {newtracking}；旧的那件您收到新货后用运费到付寄回就行，来回运费都由我们承担。给您添麻烦了，实在抱歉！"),
			},
			close:  []step{cust("收到了，这次颜色对了，谢谢。")},
			tags:   []string{"色差", "换货"},
			resend: true,
		},
		{
			key: "electronics_defect", category: "product.quality_defect", typ: kefu.TypeAfterSales, prio: kefu.PriorityHigh,
			channels: chAll, cats: []string{catElectronics}, skus: skusBattery, fate: fate{fDelivered, 3, 14}, weight: 6,
			subject: "{product}用了没几天就坏了",
			open: []step{
				cust("{product}买了没多久就出问题了：充不进电，指示灯也不亮，换了充电线和插头都一样。拍了照片，订单 {order}。", imgCracked),
			},
			first: []step{
				reply("亲，您好，我是售后客服{agent}。非常抱歉给您带来了不便！照片已经收到。为了尽快帮您判断，麻烦您：1）长按电源键 15 秒强制重启；2）如果还不行，拍一段插上充电器时的视频发给我。辛苦您配合一下～"),
			},
			more: []step{cust("试过了还是不行，视频发你了，插上电一点反应都没有。")},
			hand: &handoff{team: teamTech,
				note: "{product} 疑似充电模块故障，客户已按流程强制重启无效，视频在对话里。签收 {days} 天，在三包期内。请判断是返厂检测还是直接换新。",
				wait: "已经把您的视频和情况转给技术支持的同事判断，他们会在 24 小时内给出处理意见，有结果我第一时间通知您。",
				dept: "看了视频，判断为充电模块故障，属于质量问题。签收未满 15 天，直接换新即可，旧机寄回返厂。"},
			resolve: []step{
				reply("亲，技术同事已经确认是充电模块的质量问题，非常抱歉！已为您安排换新，新机今天顺丰发出，单号 {newtracking}，来回运费都由我们承担。旧机收到新机后寄回就行，我们会附上免费的寄回面单。"),
			},
			close:  []step{cust("新的已经收到，正常使用了，谢谢。")},
			tags:   []string{"质量问题", "换新"},
			resend: true,
		},
		{
			key: "fresh_spoiled", category: "product.quality_defect", typ: kefu.TypeComplaint, prio: kefu.PriorityHigh,
			channels: chComplain, cats: []string{catFresh}, skus: skusFruit, fate: fate{fDelivered, 0.05, 0.6}, weight: 4,
			subject: "{product}收到就坏了",
			open: []step{
				cust("刚收到的{product}，打开就一股味道，好多都发软、长毛了，冰袋全化了。这还怎么吃？照片你们自己看！", imgMould),
			},
			first: []step{
				reply("亲，您好，我是售后客服{agent}。真的非常抱歉，生鲜到手出现这种情况，我理解您的心情！麻烦您再拍一张外箱和快递面单的照片给我，商品先不要丢掉，我这边马上为您登记处理。"),
			},
			more: []step{cust("外箱拍了，箱子都压扁了。", imgBox)},
			hand: &handoff{team: teamLogistics,
				note: "生鲜件 {tracking}（{carrier}冷链）到手变质：冰袋融化、外箱压扁。请调取冷链温控和中转记录，向快递索赔。客户这边先按质量问题退款。",
				wait: "已经请物流同事调取这一单的冷链运输记录，同时先为您登记退款，不会让您等太久。",
				dept: "顺丰冷链记录显示中转时延误 9 小时，温控超标，已向顺丰发起索赔。"},
			resolve: []step{
				reply("收到，谢谢您的配合。生鲜商品不用寄回，我们直接为您处理：这一单全额退款 ¥{refund}，已经提交，1-3 个工作日原路到账，商品请您就地处理。冷链包装的问题我们也反馈给了物流部门。再次向您道歉，耽误您享用了！"),
			},
			close: []step{cust("退款收到了。")},
			tags:  []string{"生鲜", "已退款"},
		},
		{
			key: "size_exchange", category: "product.wrong_size", typ: kefu.TypeAfterSales, prio: kefu.PriorityNormal,
			channels: chRequest, cats: []string{catApparel}, skus: skusTops, fate: fate{fDelivered, 0.5, 5}, weight: 8,
			subject: "{product}尺码偏小，想换大一码",
			open: []step{
				cust("你好，买的{product}（{variant}）穿着偏小，我是按你们的尺码表选的，肩膀那里很紧。想换大一码，有货吗？"),
			},
			first: []step{
				reply("亲，您好，我是售后客服{agent}。非常抱歉尺码不合适给您带来了不便。麻烦告诉我一下您的身高体重和平时穿的尺码，我帮您确认换哪个码更合适～"),
			},
			more: []step{cust("身高 172，体重 65 公斤，别家衣服我一直穿这个码，你们这款肩宽明显偏小。")},
			hand: &handoff{team: teamWarehouse,
				note: "客户需要把{product}（{variant}）换大一码，请确认库存并预留一件。客户反馈该款肩宽偏小，建议核对尺码表。",
				wait: "根据您的情况，换大一码会更合适。我已经请仓库同事确认库存并帮您预留，今天之内给您答复。",
				dept: "大一码同色有货，已预留一件。可以先发新件，不用等退件到仓。"},
			resolve: []step{
				reply("亲，大一码有货，已经为您预留好了。这次是我们尺码表标注不够准确，来回运费由我们承担：新的一件今天先给您发出，单号 {newtracking}；原来那件您用运费到付寄回即可。给您带来不便，非常抱歉！"),
				note("已反馈商品组：该款肩宽比尺码表小约 2cm，请更新详情页尺码表。"),
			},
			close:  []step{cust("新的收到了，合身，谢谢！")},
			tags:   []string{"换货", "尺码"},
			resend: true,
		},
		{
			key: "wrong_item", category: "product.wrong_item", typ: kefu.TypeAfterSales, prio: kefu.PriorityHigh,
			channels: chRequest, cats: []string{catApparel}, fate: fate{fDelivered, 0.1, 3}, weight: 4,
			subject: "发错货了，收到的不是我买的",
			open: []step{
				cust("我买的是{product}（{variant}），收到的是一件红色的，款式尺码都不对，照片发你们了。订单 {order}", imgWrongItem),
			},
			first: []step{
				reply("亲，您好，我是售后客服{agent}。真是太抱歉了，看起来是我们仓库发错了！麻烦您拍一下收到那件的吊牌，或者告诉我吊牌上的货号，我马上安排处理。"),
			},
			more: []step{cust("货号是 AP-1099，吊牌还在。", imgTag)},
			hand: &handoff{team: teamWarehouse,
				note: "订单 {order} 错发：客户应收 {product}（{variant}），实收 AP-1099。请核查拣货记录，立即顺丰补发正确商品，并预约上门取回错发件。",
				wait: "已经通知仓库核查，并优先为您补发正确的商品，今天内给您回复单号。",
				dept: "已核查：拣货员拣错库位。正确商品已顺丰发出，单号 {newtracking}；已预约快递明天上门取回错发件。"},
			resolve: []step{
				reply("亲，正确的{product}已经用顺丰给您补发了，单号 {newtracking}，预计 1-2 天到。发错的那件不用您操心，快递会上门取回，运费全部由我们承担。给您添麻烦了，实在抱歉！"),
			},
			close:  []step{cust("收到对的了，谢谢。")},
			tags:   []string{"错发", "补发"},
			resend: true,
		},
		{
			key: "missing_items", category: "product.missing_or_extra", typ: kefu.TypeAfterSales, prio: kefu.PriorityNormal,
			channels: chRequest, cats: []string{catApparel, catBooks, catElectronics}, fate: fate{fDelivered, 0.1, 3}, weight: 4, multi: true,
			subject: "订单 {order} 少发了一件",
			open: []step{
				cust("我这单 {order} 一共买了 {n} 件，只收到了 {n1} 件，{product}不在包裹里。外包装是完好的，没有拆过的痕迹。"),
			},
			first: []step{
				reply("亲，您好，我是售后客服{agent}。非常抱歉！麻烦您拍一下收到的商品和快递面单，我让仓库核查一下打包记录和称重数据。"),
			},
			more: []step{cust("面单和东西都拍了，你们看看。", imgBox)},
			hand: &handoff{team: teamWarehouse,
				note: "订单 {order} 客户反馈少件：缺 {product}。请调取打包视频和出库称重记录核实，确认漏装请直接补发。",
				wait: "已经请仓库调取打包视频和称重记录，最晚明天中午前给您结果。",
				dept: "打包视频显示 {product} 确实漏装，出库称重也少了。已补发，单号 {newtracking}。"},
			resolve: []step{
				reply("亲，仓库核实确实漏装了{product}，非常抱歉！已经给您补发，顺丰单号 {newtracking}，运费由我们承担。"),
			},
			close:  []step{cust("补的那件到了，谢谢。")},
			tags:   []string{"少件", "补发"},
			resend: true,
		},
		{
			key: "extra_item", category: "product.missing_or_extra", typ: kefu.TypeConsultation, prio: kefu.PriorityLow,
			channels: []kefu.Channel{kefu.ChannelChat, kefu.ChannelEmail}, cats: []string{catApparel, catBooks}, fate: fate{fDelivered, 0.1, 3}, weight: 2,
			subject: "多收到了一件商品",
			open: []step{
				cust("你好，我订单 {order} 只买了一件{product}，包裹里却有两件一样的，是不是发多了？"),
			},
			first: []step{
				reply("亲，您好，我是售后客服{agent}。太感谢您主动告诉我们了！麻烦确认一下多出来那件是否完好、吊牌和包装还在吗？"),
			},
			more: []step{cust("完好的，没拆。")},
			resolve: []step{
				reply("真的非常感谢您的诚信！我们给您预约了快递上门取件，运费由我们承担，快递员明天会联系您。为了表示感谢，给您账户发了一张 ¥20 的优惠券～"),
				note("多发件已预约取回，已通知仓库更新库存。"),
			},
			close: []step{cust("不客气～")},
			tags:  []string{"多发"},
		},
		{
			key: "out_of_stock", category: "product.out_of_stock", typ: kefu.TypeAfterSales, prio: kefu.PriorityHigh,
			channels: chAll, cats: []string{catApparel, catElectronics}, fate: fate{fUnshipped, 2.5, 3.5}, weight: 4,
			subject: "付款三天了还没发货",
			open: []step{
				cust("订单 {order} 付款三天了还没发货，页面上写的 48 小时内发货，怎么回事？"),
			},
			first: []step{
				reply("亲，您好，我是售后客服{agent}。非常抱歉让您久等了！我查了一下，您买的{product}（{variant}）这个规格目前仓库缺货，我们没有及时通知您，是我们的问题。请问您是愿意等补货，还是换其他颜色/款式呢？"),
			},
			more: []step{cust("那要等多久？等不了太久，不行就退款吧。")},
			hand: &handoff{team: teamWarehouse,
				note: "{product}（{variant}）缺货，订单 {order} 已超 48 小时未发。请确认补货到货日期，今天内回复。",
				wait: "正在向仓库确认补货日期，今天之内回复您。",
				dept: "该规格厂家补货要 10 天以后，短期无法发货。"},
			resolve: []step{
				reply("亲，仓库确认这个规格要 10 天后才能到货，不能让您一直等。已经为您办理了全额退款 ¥{amount}，1-3 个工作日原路返回。另外补了一张 ¥10 的优惠券表示歉意，到货后我们也会短信通知您。"),
			},
			close: []step{cust("好吧，退款到了。")},
			tags:  []string{"缺货", "已退款"},
		},
		{
			key: "flaw", category: "product.flaw", typ: kefu.TypeAfterSales, prio: kefu.PriorityNormal,
			channels: chRequest, cats: []string{catApparel}, skus: skusTops, fate: fate{fDelivered, 0.1, 4}, weight: 4,
			subject: "{product}有污渍和线头",
			open: []step{
				cust("刚收到{product}，袖口有一块黄色污渍，还有好几个线头没剪，新衣服怎么会这样？", imgStain),
			},
			first: []step{
				reply("亲，您好，我是售后客服{agent}。非常抱歉！从照片看确实是质检没把好关。请问您是希望换一件新的，还是留下商品、我们给您一些补偿呢？"),
			},
			more: []step{cust("污渍能洗掉的话我就留着，给点补偿吧。")},
			resolve: []step{
				reply("好的～这种污渍用温水加一点洗衣液轻轻搓洗一般可以去掉。我们给您部分退款 ¥10 作为补偿，已经提交，1-3 个工作日到账。如果洗不掉，7 天内随时联系我，为您免费换新，运费我们承担。"),
			},
			close: []step{cust("洗掉了，谢谢。")},
			tags:  []string{"瑕疵", "部分退款"},
			comp:  1000,
		},
		{
			key: "not_as_pictured", category: "product.not_as_pictured", typ: kefu.TypeComplaint, prio: kefu.PriorityNormal,
			channels: chRequest, cats: []string{catApparel}, skus: []string{"AP-1001", "AP-1003", "AP-1006"}, fate: fate{fDelivered, 0.5, 5}, weight: 3,
			subject: "{product}面料和描述不符",
			open: []step{
				cust("详情页写的 100% 纯棉，收到一看吊牌上写的是 60% 棉、40% 聚酯纤维，这不是虚假宣传吗？", imgTag),
			},
			first: []step{
				reply("亲，您好，我是售后客服{agent}。非常抱歉给您带来了不好的体验！我马上核对商品资料。请问吊牌上的货号是多少呢？"),
			},
			more: []step{cust("货号 {sku}。")},
			hand: &handoff{team: teamWarehouse,
				note: "{product}（{sku}）详情页写纯棉，客户收到的吊牌为 60/40 混纺。请核查同批次吊牌，确认后通知运营修改详情页。",
				wait: "已经请仓库核查同批次商品的吊牌信息，今天给您答复。",
				dept: "同批次确为 60% 棉混纺，详情页写错了，已通知运营修改。"},
			resolve: []step{
				reply("亲，已经核实是我们详情页的描述错误，非常抱歉！您可以选择退货退款（来回运费由我们承担），或者留下商品，我们给您部分退款 ¥15。您看哪种更方便？"),
				cust("那我留下吧。"),
				reply("好的，¥15 已提交退款，1-3 个工作日到账。详情页也已经更正了，谢谢您的反馈！"),
			},
			tags: []string{"描述不符", "部分退款"},
			comp: 1500,
		},
		{
			key: "digital_code", category: "product.quality_defect", typ: kefu.TypeAfterSales, prio: kefu.PriorityHigh,
			channels: []kefu.Channel{kefu.ChannelChat, kefu.ChannelEmail, kefu.ChannelPortal, kefu.ChannelAPI}, cats: []string{catDigital}, fate: fate{fDigital, 0.02, 2}, weight: 3,
			subject: "{product}：激活码提示已被使用",
			open: []step{
				cust("买的{product}，激活码输进去提示“该激活码已被使用”，我根本没用过！订单 {order}"),
			},
			first: []step{
				reply("亲，您好，我是售后客服{agent}。非常抱歉给您带来了不便！麻烦您截一下报错页面的图，并告诉我是在哪个设备上激活的，我马上帮您核查。"),
			},
			more: []step{cust("截图发你了，电脑上激活的。", imgErrorDialog)},
			hand: &handoff{team: teamTech,
				note: "{product} 激活码报“已被使用”，订单 {order}，截图在对话里。请查询该码的激活记录；如非客户本人激活，请作废并重新发码。",
				wait: "已经转给技术支持查询激活记录，2 小时内给您答复。",
				dept: "查询到该码被发码系统重复发放，已作废；新码已生成，短信发送给客户。"},
			resolve: []step{
				reply("亲，查到是我们的发码系统出错，把同一个激活码重复发出了，真的非常抱歉！新的激活码已经通过短信发给您，请查收。激活如果还有问题，随时找我～"),
			},
			close: []step{cust("激活成功了。")},
			tags:  []string{"激活码"},
		},
		{
			key: "warranty_repair", category: "product.quality_defect", typ: kefu.TypeAfterSales, prio: kefu.PriorityNormal,
			channels: []kefu.Channel{kefu.ChannelEmail, kefu.ChannelPhone, kefu.ChannelPortal}, cats: []string{catElectronics}, skus: skusBattery, fate: fate{fDelivered, 30, 60}, weight: 3,
			subject: "{product}保修期内坏了，怎么保修",
			open: []step{
				cust("{product}用了一两个月，现在会自己关机，还在保修期吧？怎么处理？订单 {order}"),
			},
			first: []step{
				reply("亲，您好，我是售后客服{agent}。您的订单是 {date} 签收的，在一年保修期内，可以免费保修～麻烦说一下具体情况：充满电也会关机吗？有没有摔过或者进水呢？"),
			},
			more: []step{cust("没摔过也没进水，满电也会突然关机，一天两三次。")},
			hand: &handoff{team: teamTech,
				note: "{product} 签收 {days} 天，随机关机，客户确认无摔落、无进水。请判断寄修还是直接换新。",
				wait: "已经请技术支持同事判断，今天给您回复处理方式。",
				dept: "建议寄回检测：主板问题直接换新，电池问题更换电池，预计 5 个工作日。"},
			resolve: []step{
				reply("亲，技术同事建议寄回检测，我已经为您预约了顺丰上门取件，运费我们承担。收到后 5 个工作日内检测维修完成并寄回，如果是主板问题直接给您换新机。取件时间会有短信通知～"),
				note("已登记保修：寄修单号待取件后补录，5 个工作日后回访。"),
			},
			close: []step{cust("修好的已经收到了，谢谢。")},
			tags:  []string{"保修", "需回访"},
		},
	}
}
