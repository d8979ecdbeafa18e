package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// The corpus is drawn deterministically: every customer, order and ticket
// has its own random stream, seeded by the run's seed and its id, so the
// same flags give the same database whatever order things are written in.

// corpus sizes one generated shop.
type corpus struct {
	seed      uint64
	customers int
	orders    int
	tickets   int
	messages  int
	start     time.Time // the first ticket's day; tickets spread over a year after it
	counts    []uint8   // messages per ticket, summing to messages
}

func newCorpus(seed uint64, customers, orders, tickets, messages int) *corpus {
	c := &corpus{seed: seed, customers: customers, orders: orders, tickets: tickets, messages: messages,
		start: time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)}
	// Messages per ticket: 1 to 9 at random, then nudged until the total is exact.
	r := c.rng(9, 0)
	c.counts = make([]uint8, tickets)
	total := 0
	for i := range c.counts {
		c.counts[i] = uint8(1 + r.IntN(9))
		total += int(c.counts[i])
	}
	for total != messages && tickets > 0 {
		i := r.IntN(tickets)
		switch {
		case total < messages && c.counts[i] < 30:
			c.counts[i]++
			total++
		case total > messages && c.counts[i] > 1:
			c.counts[i]--
			total--
		}
	}
	return c
}

func (c *corpus) rng(kind, id uint64) *rand.Rand {
	return rand.New(rand.NewPCG(c.seed, kind<<40|id))
}

var (
	surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
	given    = []rune("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉斌宇浩凯健俊帆帅旭宁晨琳雪梅晶颖倩婷欣怡佳悦思雨萱涵梓轩子墨浩然")
	enFirst  = []string{"Emily", "James", "Olivia", "Liam", "Sophia", "Noah", "Ava", "Lucas", "Mia", "Ethan", "Grace", "Daniel", "Chloe", "Henry", "Ella", "Jack"}
	enLast   = []string{"Carter", "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Thomas", "Walker", "Wright", "Green", "Hall", "Wood", "Clark", "Lewis"}
	cities   = []string{"北京市", "上海市", "广州市", "深圳市", "杭州市", "成都市", "武汉市", "南京市", "西安市", "重庆市", "苏州市", "天津市", "长沙市", "郑州市", "青岛市", "厦门市"}
	carriers = []struct{ name, prefix string }{{"顺丰", "SF"}, {"中通", "ZT"}, {"圆通", "YT"}, {"韵达", "YD"}, {"京东物流", "JD"}, {"邮政", "EMS"}}
)

type product struct {
	sku, zh, en, cat string
	price            int64
}

var products = []product{
	{"TS-001", "纯棉短袖T恤", "cotton T-shirt", "apparel", 7900},
	{"JK-201", "轻薄羽绒服", "light down jacket", "apparel", 49900},
	{"JN-310", "直筒牛仔裤", "straight jeans", "apparel", 19900},
	{"DR-115", "碎花连衣裙", "floral dress", "apparel", 25900},
	{"SH-402", "运动跑鞋", "running shoes", "apparel", 39900},
	{"SW-520", "羊毛针织毛衣", "wool sweater", "apparel", 29900},
	{"HP-700", "降噪蓝牙耳机", "noise-cancelling headphones", "electronics", 89900},
	{"EB-710", "真无线耳机", "wireless earbuds", "electronics", 39900},
	{"PB-320", "20000毫安充电宝", "20000mAh power bank", "electronics", 15900},
	{"CH-065", "65W氮化镓充电器", "65W GaN charger", "electronics", 12900},
	{"WT-880", "智能手表", "smart watch", "electronics", 129900},
	{"KB-150", "机械键盘", "mechanical keyboard", "electronics", 45900},
	{"MS-090", "无线鼠标", "wireless mouse", "electronics", 9900},
	{"SP-330", "便携蓝牙音箱", "portable speaker", "electronics", 26900},
	{"CS-015", "手机壳", "phone case", "electronics", 3900},
	{"CB-010", "Type-C数据线", "USB-C cable", "electronics", 2900},
	{"RC-500", "电饭煲", "rice cooker", "home", 39900},
	{"KT-210", "电热水壶", "electric kettle", "home", 14900},
	{"AF-600", "空气炸锅", "air fryer", "home", 45900},
	{"VC-900", "无线吸尘器", "cordless vacuum", "home", 159900},
	{"BD-120", "乳胶枕头", "latex pillow", "home", 19900},
	{"TW-030", "纯棉浴巾", "cotton bath towel", "home", 6900},
	{"FR-101", "赣南脐橙5斤装", "navel oranges 2.5kg", "fresh", 5990},
	{"FR-205", "海南芒果", "Hainan mangoes", "fresh", 6990},
	{"FR-330", "车厘子2斤", "cherries 1kg", "fresh", 12900},
	{"SN-410", "坚果礼盒", "mixed nuts gift box", "fresh", 15900},
	{"BK-001", "Go语言程序设计", "The Go Programming Language", "books", 8900},
	{"BK-020", "儿童绘本套装", "picture book set", "books", 12800},
	{"GC-100", "定制刻字保温杯", "engraved thermos", "custom", 15900},
	{"GC-210", "定制照片台历", "custom photo calendar", "custom", 6900},
	{"DG-050", "视频会员年卡", "video membership (1 year)", "digital", 19800},
	{"DG-080", "软件激活码", "software licence key", "digital", 29900},
}

// customer is one generated customer.
type customerRow struct {
	id           int64
	name, lang   string
	email, phone string
	created      time.Time
	city         string
}

func (c *corpus) customer(id int64) customerRow {
	r := c.rng(1, uint64(id))
	cr := customerRow{id: id, lang: "zh-CN"}
	if r.IntN(10) < 2 {
		cr.lang = "en"
		cr.name = enFirst[r.IntN(len(enFirst))] + " " + enLast[r.IntN(len(enLast))]
		cr.email = fmt.Sprintf("%s.%d@example.com", strings.ToLower(strings.ReplaceAll(cr.name, " ", ".")), id)
	} else {
		cr.name = string(surnames[r.IntN(len(surnames))]) + string(given[r.IntN(len(given))])
		if r.IntN(2) == 0 {
			cr.name += string(given[r.IntN(len(given))])
		}
		cr.email = fmt.Sprintf("user%d@example.cn", id)
	}
	cr.phone = c.phone(id)
	cr.created = c.start.Add(-time.Duration(r.IntN(365*24)) * time.Hour)
	cr.city = cities[r.IntN(len(cities))]
	return cr
}

// phone is a unique mainland mobile number for customer id (a bijection
// of the id, so no two customers share one).
func (c *corpus) phone(id int64) string {
	prefixes := []string{"138", "139", "136", "158", "186", "177", "135", "150", "188", "199"}
	n := (id*7919 + int64(c.seed)*104729) % 100000000
	return prefixes[id%int64(len(prefixes))] + fmt.Sprintf("%08d", n)
}

type orderRow struct {
	id              int64
	number, ext     string
	customer        int64
	placed, shipped time.Time
	city            string
	items           []product
	qty             []int
	carrier         string
	tracking        string
	total           int64
}

func (c *corpus) order(id int64) orderRow {
	r := c.rng(2, uint64(id))
	o := orderRow{id: id, customer: 1 + int64(r.IntN(c.customers))}
	o.placed = c.start.Add(time.Duration(r.IntN(365*24*60)) * time.Minute).Add(-30 * 24 * time.Hour)
	o.shipped = o.placed.Add(time.Duration(6+r.IntN(48)) * time.Hour)
	o.number = fmt.Sprintf("DD%s%06d", o.placed.Format("20060102"), id%1000000)
	o.ext = fmt.Sprintf("SO-%d", 100000+id)
	o.city = cities[r.IntN(len(cities))]
	n := 1 + r.IntN(3)
	seen := map[int]bool{}
	for len(o.items) < n {
		p := r.IntN(len(products))
		if seen[p] {
			continue
		}
		seen[p] = true
		o.items = append(o.items, products[p])
		q := 1 + r.IntN(2)
		o.qty = append(o.qty, q)
		o.total += products[p].price * int64(q)
	}
	cr := carriers[r.IntN(len(carriers))]
	o.carrier = cr.name
	o.tracking = fmt.Sprintf("%s%012d", cr.prefix, (id*1000003+int64(c.seed))%1000000000000)
	return o
}

// topic is a kind of after-sales case with the wording customers and
// agents use for it.
type topic struct {
	en       bool
	subjects []string
	open     []string // the customer's first message
	more     []string // the customer again
	replies  []string // the agent
	notes    []string // internal notes
	tags     []string
}

var topicsZH = []topic{
	{subjects: []string{"衣服有色差", "颜色和图片不一样", "收到的{product}色差严重"},
		open:    []string{"你好，收到的{product}颜色和页面图片差别很大，明显有色差，能换一件吗？", "{product}实物颜色比图片深很多，色差太大了，订单号{order}。"},
		more:    []string{"我拍了照片，在自然光下也是这个颜色。", "如果不能换的话我想退货退款。"},
		replies: []string{"亲，非常抱歉给您带来不好的体验。不同显示器会有一定色差，麻烦您在自然光下拍一张照片发给我们，我们帮您核实。", "已经为您登记换货，仓库会在48小时内补发新的{product}。"},
		notes:   []string{"客户反馈色差，照片已核实，同意换货。"}, tags: []string{"色差", "换货"}},
	{subjects: []string{"尺码不合适想换货", "{product}尺码偏小", "衣服太大了能换小一码吗"},
		open:    []string{"{product}买的L码，穿上偏小，想换XL，吊牌都还在。", "尺码不合适，平时穿M这次买的M太紧了，能换吗？"},
		more:    []string{"新的尺码什么时候能发出？", "我已经把原来的寄回了，快递单号是{tracking}。"},
		replies: []string{"亲，可以为您办理换货的，请保持吊牌完好，寄回时在包裹里写上订单号{order}。", "仓库已收到退回的商品，新的尺码今天发出。"},
		notes:   []string{"换码，客户已寄回，等待仓库验收。"}, tags: []string{"换货", "尺码"}},
	{subjects: []string{"申请七天无理由退货", "七天无理由退货", "不想要了申请退货"},
		open:    []string{"你好，{product}收到了，不太适合我，想申请七天无理由退货，包装和配件都在。", "{days}天前签收的，想退货，可以吗？"},
		more:    []string{"我买了运费险的，退货地址是哪里？", "已经寄回了，请尽快退款。"},
		replies: []string{"亲，您的订单{order}还在七天无理由退货期内，可以退的。请寄回：{city}售后中心，收到后7天内原路退款¥{amount}。", "退货申请已通过，运费险会自动理赔。"},
		notes:   []string{"七天无理由，商品完好，同意退货。"}, tags: []string{"七天无理由", "退货"}},
	{subjects: []string{"退款什么时候到账", "退款还没收到", "申请的退款一直没到"},
		open:    []string{"我的退款申请已经通过{days}天了，钱还没到账，订单{order}。", "退款¥{amount}一直没收到，帮我查一下。"},
		more:    []string{"银行卡也没有收到，支付宝里也看不到。", "能给我一个退款的流水号吗？"},
		replies: []string{"亲，退款已于{days}天前原路退回，银行处理一般需要1-3个工作日，请留意银行卡到账通知。", "我帮您查了，退款已经到账，请查看支付宝余额明细。"},
		notes:   []string{"退款已原路退回，提供退款流水号给客户。"}, tags: []string{"退款"}},
	{subjects: []string{"物流一直没更新", "快递三天没动了", "物流停滞不前"},
		open:    []string{"我的快递{tracking}已经三天没有物流更新了，一直停在{city}中转站。", "订单{order}的物流信息停滞了，帮我催一下快递。"},
		more:    []string{"今天还是没有动，能不能补发？", "快递员电话也打不通。"},
		replies: []string{"亲，已经帮您联系{carrier}催件了，预计24小时内更新物流信息。", "快递确认丢件了，我们马上为您补发，新单号稍后发给您。"},
		notes:   []string{"已联系物流部催件，{carrier}回复包裹在中转站滞留。"}, tags: []string{"物流", "催件"}},
	{subjects: []string{"快递显示签收但没收到", "没收到货却显示已签收"},
		open:    []string{"快递显示已签收，但我根本没收到，门口和驿站都找过了。", "{tracking}显示签收了，家里没人收到啊。"},
		more:    []string{"小区快递柜里也没有。", "请给我一个处理结果。"},
		replies: []string{"亲，非常抱歉，已经联系快递员核实签收情况，请稍等。", "快递员承认放错了地址，已经找回，今天下午重新派送。"},
		notes:   []string{"虚假签收，已投诉{carrier}网点。"}, tags: []string{"物流", "签收"}},
	{subjects: []string{"商品破损", "收到的{product}破了", "包装压坏了"},
		open:    []string{"收到的{product}外包装压坏了，里面的东西也破损了，附上照片。", "打开箱子发现{product}摔坏了，怎么处理？"},
		more:    []string{"照片已经上传了。", "我不想退货，能补发一个吗？"},
		replies: []string{"亲，非常抱歉运输过程中造成破损，我们马上为您补发，破损的商品不用寄回。", "已为您申请破损赔偿¥{amount}，请查收。"},
		notes:   []string{"运输破损，补发处理，向{carrier}索赔。"}, tags: []string{"破损", "补发"}},
	{subjects: []string{"漏发了配件", "少发了一件", "缺件"},
		open:    []string{"订单{order}买了两件，只收到一件，少发了。", "{product}的包装里没有充电线和说明书，漏发了配件。"},
		more:    []string{"请尽快补寄。", "补发的单号是多少？"},
		replies: []string{"亲，已核实仓库漏发，今天为您补发，单号{tracking}。", "抱歉，仓库打包时遗漏了配件，已安排补发。"},
		notes:   []string{"仓库漏发，已补发。"}, tags: []string{"漏发", "补发"}},
	{subjects: []string{"发错货了", "收到的不是我买的"},
		open:    []string{"我买的是{product}，收到的却是别的东西，发错货了。", "颜色发错了，我要的是黑色，收到白色。"},
		more:    []string{"错发的东西怎么寄回？", "能先发正确的吗？"},
		replies: []string{"亲，非常抱歉仓库发错了货，我们先为您发出正确的商品，错发的商品快递员会上门取件。", "已安排换货，运费由我们承担。"},
		notes:   []string{"仓库错发，上门取件并换货。"}, tags: []string{"错发"}},
	{subjects: []string{"耳机没有声音", "{product}左耳没声音", "蓝牙连接不上"},
		open:    []string{"{product}用了{days}天，左边突然没有声音了，重置也没用。", "蓝牙连接不上手机，一直配对失败。"},
		more:    []string{"换了手机也一样。", "还在保修期内，可以换新吗？"},
		replies: []string{"亲，请先长按电源键10秒恢复出厂设置，再重新配对试试。", "经检测确认是质量问题，保修期内为您免费换新。"},
		notes:   []string{"疑似固件故障，转技术支持判断。"}, tags: []string{"故障", "保修"}},
	{subjects: []string{"充电宝充不进电", "充电器发烫", "电池续航变短"},
		open:    []string{"{product}充不进电了，指示灯不亮。", "充电的时候{product}特别烫，有点担心安全。"},
		more:    []string{"换了充电线也不行。", "这个有安全隐患吧？"},
		replies: []string{"亲，请停止使用，我们安排退回检测，确认是质量问题直接换新。", "已为您办理退货退款。"},
		notes:   []string{"发热问题，安全起见直接换新。"}, tags: []string{"故障", "安全"}},
	{subjects: []string{"屏幕碎了", "手表屏幕有划痕", "开机黑屏"},
		open:    []string{"收到的{product}屏幕有一道划痕，是新的吗？", "{product}开机黑屏，充电也没反应。"},
		more:    []string{"我怀疑是二手翻新的。", "请给我换一台全新的。"},
		replies: []string{"亲，我们销售的都是正品新品，划痕可能是运输造成的，为您换新。", "开机黑屏请按住电源键和音量键15秒强制重启。"},
		notes:   []string{"屏幕划痕，换新处理。"}, tags: []string{"质量问题"}},
	{subjects: []string{"水果坏了", "收到的水果烂了", "生鲜变质"},
		open:    []string{"收到的{product}有好几个烂了，一打开箱子就有异味。", "冷链运输的{product}到的时候冰袋都化了，已经变质。"},
		more:    []string{"照片拍好了，坏果有五六个。", "能全额退款吗？"},
		replies: []string{"亲，非常抱歉，坏果部分按比例为您退款¥{amount}，不用退回。", "生鲜商品变质，全额退款已提交。"},
		notes:   []string{"生鲜坏果，按比例赔付。"}, tags: []string{"生鲜", "坏果"}},
	{subjects: []string{"发票怎么开", "需要开增值税专用发票", "电子发票没收到"},
		open:    []string{"订单{order}需要开发票，抬头是公司名称，税号稍后发给你。", "电子发票一直没有发到邮箱{email}。"},
		more:    []string{"税号是91330100MA2XXXXXX。", "能开专票吗？"},
		replies: []string{"亲，电子发票已经开好并发送到您的邮箱，请查收。", "专用发票需要提供开票信息，我们会在3个工作日内寄出。"},
		notes:   []string{"已开具电子发票。"}, tags: []string{"发票"}},
	{subjects: []string{"修改收货地址", "下单后想改地址"},
		open:    []string{"刚下的单{order}，收货地址写错了，想改成{city}幸福路88号。", "还没发货的话能改地址吗？电话{phone}。"},
		more:    []string{"收件人和电话不变。", "改好了吗？"},
		replies: []string{"亲，您的订单还没有发货，地址已经为您修改好了。", "包裹已经发出，我们联系{carrier}为您改派。"},
		notes:   []string{"改地址，已通知仓库重新打印面单。"}, tags: []string{"改地址"}},
	{subjects: []string{"催发货", "怎么还不发货", "预售什么时候发"},
		open:    []string{"下单{days}天了还没发货，什么时候能发？", "订单{order}一直显示待发货。"},
		more:    []string{"我着急用，能加急吗？", "不发货我就取消订单了。"},
		replies: []string{"亲，您购买的{product}是预售商品，预计3天内发货，请耐心等待。", "已为您加急处理，今天下午发出。"},
		notes:   []string{"缺货，已催仓库补货。"}, tags: []string{"催发货"}},
	{subjects: []string{"价格降了要求补差价", "刚买就降价了", "申请价保"},
		open:    []string{"我{days}天前买的{product}，今天降价了，能补差价吗？", "买贵了¥{amount}，申请价保。"},
		more:    []string{"活动页面截图发给你了。", "别家都能价保。"},
		replies: []string{"亲，您的订单在价保期内，差价¥{amount}已经退回到您的账户。", "很抱歉，活动价格不在价保范围内，为您申请了一张优惠券作为补偿。"},
		notes:   []string{"价保，已退差价。"}, tags: []string{"价保", "差价"}},
	{subjects: []string{"优惠券用不了", "满减没有生效"},
		open:    []string{"下单的时候优惠券用不了，提示不满足条件。", "满减活动没有生效，多付了¥{amount}。"},
		more:    []string{"能补偿吗？", "优惠券明明还没过期。"},
		replies: []string{"亲，这张优惠券仅限指定商品使用，我们为您重新发放一张无门槛优惠券。", "已为您退回多付的¥{amount}。"},
		notes:   []string{"优惠券规则误解，补发券安抚。"}, tags: []string{"优惠券"}},
	{subjects: []string{"重复扣款", "付款扣了两次钱"},
		open:    []string{"付款的时候扣了两次钱，订单只有一个{order}。", "银行卡被重复扣款¥{amount}。"},
		more:    []string{"银行流水截图发你了。", "多扣的钱什么时候退？"},
		replies: []string{"亲，系统核实确实重复扣款，多扣的¥{amount}会在24小时内原路退回。", "重复支付的款项已经退回。"},
		notes:   []string{"支付渠道重复扣款，已退款。"}, tags: []string{"支付", "退款"}},
	{subjects: []string{"激活码无效", "会员没有到账"},
		open:    []string{"购买的{product}激活码提示无效，无法激活。", "会员年卡付款成功了但是账号里没有会员。"},
		more:    []string{"账号是{email}。", "能重新发一个激活码吗？"},
		replies: []string{"亲，已为您重新生成激活码并发送到邮箱，请查收。", "会员已经补发到您的账号。"},
		notes:   []string{"激活码库存异常，已补发。"}, tags: []string{"激活码"}},
	{subjects: []string{"定制商品刻字错了", "刻字内容不对"},
		open:    []string{"定制的{product}刻字刻错了，我写的是“平安喜乐”，收到的是“平安快乐”。", "刻字的字体和预览不一样。"},
		more:    []string{"这是送人的礼物，很着急。", "能重新做一个吗？"},
		replies: []string{"亲，非常抱歉刻字有误，已安排重新制作，加急发出。", "重新定制的商品今天已经发出。"},
		notes:   []string{"定制刻字错误，重做。"}, tags: []string{"定制"}},
	{subjects: []string{"投诉客服态度", "对处理结果不满意"},
		open:    []string{"上次客服态度很差，问题一直没解决，我要投诉。", "对退款的处理结果非常不满意。"},
		more:    []string{"我要给差评了。", "请主管来处理。"},
		replies: []string{"亲，非常抱歉给您带来不好的体验，我是客服主管，您的问题由我亲自跟进。", "为表歉意，为您申请了¥{amount}的补偿。"},
		notes:   []string{"投诉升级，主管跟进，已补偿。"}, tags: []string{"投诉"}},
	{subjects: []string{"图书缺页", "书有破损"},
		open:    []string{"买的{product}第120页到136页缺页了。", "书的封面有折痕，边角破损。"},
		more:    []string{"能换一本吗？", "是送给孩子的。"},
		replies: []string{"亲，为您换一本新的，破损的不用寄回。", "已安排补发。"},
		notes:   []string{"印刷缺页，换新。"}, tags: []string{"图书"}},
	{subjects: []string{"咨询保修政策", "保修期多久"},
		open:    []string{"{product}的保修期是多久？需要保留发票吗？", "保修需要什么凭证？"},
		more:    []string{"过了保修期还能修吗？", "维修要多少钱？"},
		replies: []string{"亲，{product}整机保修一年，凭订单号即可，无需发票。", "保修期外维修只收配件费。"},
		notes:   []string{"保修咨询。"}, tags: []string{"保修", "咨询"}},
}

var topicsEN = []topic{
	{en: true, subjects: []string{"Refund not received", "Where is my refund?", "Refund still pending"},
		open:    []string{"I returned the {product} {days} days ago and I still have not received my refund for order {order}.", "My refund of ¥{amount} has not arrived yet."},
		more:    []string{"My bank says nothing came in.", "Can you send me the refund reference?"},
		replies: []string{"Sorry for the wait. The refund was issued {days} days ago and should reach your card within 3 business days.", "I checked with our finance team: the refund has been processed."},
		notes:   []string{"Refund issued, shared reference with the customer."}, tags: []string{"refund"}},
	{en: true, subjects: []string{"Package arrived damaged", "Broken {product}", "Damaged in delivery"},
		open:    []string{"The box was crushed and the {product} inside is broken.", "My {product} arrived damaged, photos attached."},
		more:    []string{"I would prefer a replacement rather than a refund.", "When will the replacement ship?"},
		replies: []string{"I am sorry the {product} arrived damaged. We are sending a replacement today, no need to return the broken one.", "The replacement has shipped with tracking number {tracking}."},
		notes:   []string{"Damaged in transit, replacement sent, claim filed with {carrier}."}, tags: []string{"damaged"}},
	{en: true, subjects: []string{"Late delivery", "Tracking not updating", "Order stuck in transit"},
		open:    []string{"Tracking {tracking} has not updated for four days.", "My order {order} was supposed to arrive last week."},
		more:    []string{"Any news on the delivery?", "I need it before the weekend."},
		replies: []string{"I have asked {carrier} to look into the delay; they expect to deliver within 48 hours.", "The parcel is at the local depot and will be delivered tomorrow."},
		notes:   []string{"Chased {carrier}, parcel held at the hub."}, tags: []string{"delivery"}},
	{en: true, subjects: []string{"Wrong size", "Exchange for a bigger size", "Size exchange"},
		open:    []string{"The {product} is too small, I would like to exchange it for a larger size.", "Can I exchange the {product} for size L?"},
		more:    []string{"I have sent it back already.", "How long does the exchange take?"},
		replies: []string{"Of course, please return it with the tags on and write order {order} on a note inside.", "The exchange has been shipped."},
		notes:   []string{"Size exchange approved."}, tags: []string{"exchange"}},
	{en: true, subjects: []string{"Headphones not charging", "Battery drains quickly", "Device will not turn on"},
		open:    []string{"My {product} stopped charging after {days} days.", "The battery of my {product} drains in two hours."},
		more:    []string{"I tried another cable and charger.", "Is it still under warranty?"},
		replies: []string{"Please hold the power button for 10 seconds to reset it, then try charging again.", "It is under warranty; we will replace it free of charge."},
		notes:   []string{"Likely faulty battery, warranty replacement."}, tags: []string{"warranty"}},
	{en: true, subjects: []string{"Invoice request", "Need a VAT invoice"},
		open:    []string{"Could you send me an invoice for order {order}?", "I need an invoice with my company name for accounting."},
		more:    []string{"The company name is Carter Trading Ltd.", "Please send it to {email}."},
		replies: []string{"The invoice has been sent to {email}.", "Here is your invoice for order {order}."},
		notes:   []string{"Invoice issued."}, tags: []string{"invoice"}},
	{en: true, subjects: []string{"Cancel my order", "Order cancellation"},
		open:    []string{"Please cancel order {order}, I ordered the wrong item.", "I want to cancel before it ships."},
		more:    []string{"Has it been cancelled?", "I will order again later."},
		replies: []string{"Your order has been cancelled and the payment of ¥{amount} refunded.", "The order already shipped; you can refuse delivery and we will refund you."},
		notes:   []string{"Cancelled before shipping."}, tags: []string{"cancellation"}},
	{en: true, subjects: []string{"Missing item in my parcel", "Only received part of my order"},
		open:    []string{"I ordered two items but only the {product} was in the box.", "The charger was missing from the package."},
		more:    []string{"Please send the missing item.", "Any update?"},
		replies: []string{"Sorry about that, the warehouse has shipped the missing item with tracking {tracking}.", "We have confirmed the item was missed and sent it today."},
		notes:   []string{"Warehouse missed an item, resent."}, tags: []string{"missing item"}},
}

var fillerZH = []string{"谢谢。", "麻烦尽快处理。", "在吗？", "好的，我等你们消息。", "这是我第一次在你们家买东西。", "之前买的都挺好的。",
	"我周末在家，可以上门取件。", "我的电话是{phone}。", "急！", "辛苦了。", "收到，谢谢客服。", "请问还需要我提供什么？"}
var fillerEN = []string{"Thanks.", "Please hurry.", "Looking forward to your reply.", "My phone number is {phone}.", "Kind regards.", "Thank you for your help."}

var agents = []string{"小雨", "小浩", "小敏", "阿洋", "Emily"}

type messageRow struct {
	kind string // customer, reply, note
	body string
	at   time.Time
}

type ticketRow struct {
	id, number   int64
	subject      string
	channel, typ string
	status       string
	priority     int
	team         int // 0: default team, 1: second team
	assigned     bool
	customer     int64
	order        int64 // 0: none
	created      time.Time
	updated      time.Time
	tags         []string
	messages     []messageRow
}

var (
	statuses = []string{"new", "open", "open", "pending", "on_hold", "solved", "solved", "closed", "closed", "closed"}
	channels = []string{"email", "chat", "chat", "portal", "phone", "api"}
	types    = []string{"consultation", "complaint", "after_sales", "after_sales"}
)

// ticket draws ticket id with its messages.
func (c *corpus) ticket(id int64) ticketRow {
	r := c.rng(3, uint64(id))
	t := ticketRow{id: id, number: 1000 + id}
	var tp topic
	if r.IntN(10) < 2 {
		tp = topicsEN[r.IntN(len(topicsEN))]
	} else {
		tp = topicsZH[r.IntN(len(topicsZH))]
	}
	var o orderRow
	if c.orders > 0 && r.IntN(10) < 7 {
		o = c.order(1 + int64(r.IntN(c.orders)))
		t.order, t.customer = o.id, o.customer
	} else {
		t.customer = 1 + int64(r.IntN(c.customers))
		o = c.order(1 + int64(r.IntN(max(c.orders, 1)))) // text only: a number the customer quotes
	}
	cu := c.customer(t.customer)
	p := o.items[0]
	pname := p.zh
	if tp.en {
		pname = p.en
	}
	rep := strings.NewReplacer("{product}", pname, "{order}", o.number, "{tracking}", o.tracking, "{carrier}", o.carrier,
		"{city}", o.city, "{phone}", cu.phone, "{email}", cu.email, "{days}", fmt.Sprint(1+r.IntN(14)),
		"{amount}", fmt.Sprintf("%d", o.total/100-int64(r.IntN(int(o.total/200)+1))))
	pick := func(xs []string) string { return rep.Replace(xs[r.IntN(len(xs))]) }
	t.subject = pick(tp.subjects)
	t.channel = channels[r.IntN(len(channels))]
	if tp.en && t.channel == "phone" {
		t.channel = "email"
	}
	t.typ = types[r.IntN(len(types))]
	t.status = statuses[r.IntN(len(statuses))]
	t.priority = r.IntN(4)
	t.team = 0
	if r.IntN(10) < 3 {
		t.team = 1
	}
	t.assigned = r.IntN(10) < 5
	// A year of tickets, in id order.
	year := 365 * 24 * time.Hour
	t.created = c.start.Add(time.Duration(float64(year) * float64(id-1) / float64(max(c.tickets, 1)))).Add(time.Duration(r.IntN(3600)) * time.Second)
	if r.IntN(4) == 0 {
		t.tags = tp.tags
	}
	n := int(c.counts[id-1])
	at := t.created
	filler := fillerZH
	if tp.en {
		filler = fillerEN
	}
	for i := 0; i < n; i++ {
		var m messageRow
		switch {
		case i == 0:
			m = messageRow{kind: "customer", body: pick(tp.open)}
			if r.IntN(3) == 0 {
				m.body += " " + pick(filler)
			}
		case i%2 == 1:
			sign := agents[r.IntN(len(agents))]
			m = messageRow{kind: "reply", body: pick(tp.replies)}
			if tp.en {
				m.body = "Hi " + strings.Fields(cu.name)[0] + ", " + m.body + " Best, " + sign
			} else {
				m.body = "亲，您好，我是售后客服" + sign + "。" + m.body
			}
			if r.IntN(5) == 0 {
				m.kind, m.body = "note", pick(tp.notes)
			}
		default:
			m = messageRow{kind: "customer", body: pick(tp.more)}
			if r.IntN(2) == 0 {
				m.body += " " + pick(filler)
			}
		}
		at = at.Add(time.Duration(5+r.IntN(600)) * time.Minute)
		m.at = at
		t.messages = append(t.messages, m)
	}
	t.updated = at
	return t
}
