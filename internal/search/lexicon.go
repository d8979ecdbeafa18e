package search

import "strings"

// The index holds every CJK bigram, so any run of Chinese text can be found
// without knowing where its words begin and end. Queries are another
// matter: an agent types "衣服色差" for a ticket that says "衣服有色差", and
// the bigram 服色 is in no ticket. Before a query's Chinese run is turned
// into bigrams it is cut into words with this short after-sales lexicon
// (longest word first, left to right); bigrams that straddle two words are
// dropped. Runs the lexicon does not know stay whole, which means "contains
// this text". The lexicon is applied to queries only: the index never
// depends on it, so growing it needs no reindex.

var lexicon = map[string]bool{}

// maxLexiconWord is the length in characters of the lexicon's longest word.
var maxLexiconWord int

// stopChars are characters and words that carry no meaning on their own
// in a query ("我的订单到了吗" is about 订单); they are dropped from the ends
// of a query's stretches when something else is left.
var stopChars = map[string]bool{}

func init() {
	for _, w := range strings.Fields(lexiconWords) {
		w = foldString(w)
		lexicon[w] = true
		if n := len([]rune(w)); n > maxLexiconWord {
			maxLexiconWord = n
		}
	}
	for _, w := range strings.Fields(stopWordsZH) {
		w = foldString(w)
		stopChars[w] = true
		if n := len([]rune(w)); n > maxLexiconWord {
			maxLexiconWord = n
		}
	}
	for _, w := range strings.Fields(stopWordsEN) {
		stopEN[w] = true
	}
}

func foldString(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteRune(fold(r))
	}
	return b.String()
}

// segment cuts a run of CJK characters into lexicon words and the stretches
// between them. A stretch the lexicon does not know is returned whole, less
// the stop words at its ends ("我的", "到了吗"): inside it, a stop word may
// be part of a word (想要 in 不想要了). When nothing is left it returns the
// run.
func segment(run []string) [][]string {
	var out [][]string
	var stretch []string // characters between lexicon words
	flush := func() {
		// Trim stop words, longest first, from both ends.
		for trimmed := true; trimmed && len(stretch) > 0; {
			trimmed = false
			for l := min(maxLexiconWord, len(stretch)); l >= 1; l-- {
				if stopChars[strings.Join(stretch[:l], "")] {
					stretch, trimmed = stretch[l:], true
					break
				}
				if stopChars[strings.Join(stretch[len(stretch)-l:], "")] {
					stretch, trimmed = stretch[:len(stretch)-l], true
					break
				}
			}
		}
		if len(stretch) > 0 {
			out = append(out, stretch)
		}
		stretch = nil
	}
	for i := 0; i < len(run); {
		n := 0
		for l := min(maxLexiconWord, len(run)-i); l >= 2; l-- {
			if lexicon[strings.Join(run[i:i+l], "")] {
				n = l
				break
			}
		}
		if n == 0 {
			stretch = append(stretch, run[i])
			i++
			continue
		}
		flush()
		out = append(out, run[i:i+n])
		i += n
	}
	flush()
	if len(out) == 0 {
		return [][]string{run}
	}
	return out
}

// stopEN are English words too common to narrow a search.
var stopEN = map[string]bool{}

const stopWordsEN = `a an and are as at be by for from has have i in is it its me my of on or our that the this to was we were with you your`

const stopWordsZH = `的 了 过 着 到 有 吗 呢 吧 啊 呀 哦 嘛 么 是 我 你 您 他 她 它 们 和 与 及 在 也 都 就 还 又 很 太 这 那 个 一下 一个 请问 您好 你好 谢谢 亲 麻烦 怎么 怎么办 什么 为什么 如何 哪里 可以 有没有 没有 已经 还是 但是 因为 所以`

// lexiconWords are words of after-sales conversations: problems, goods,
// logistics and money. Keep to words an agent would search for.
const lexiconWords = `
退款 退货 换货 退换 退换货 退回 寄回 退运费 运费 运费险   申请 售后 客服 
投诉 差评 好评 中评 评价 赔偿 补偿 理赔 赔付 补发 漏发 错发 少发 发错 缺件 缺货 断货 补货 到货
质量  问题 瑕疵 破损 损坏 坏了 故障 维修 返修 保修 保修期 换新 检测 鉴定 翻新 二手 正品 假货
色差 颜色 尺码 尺寸 码数 偏大 偏小 大码 小码 偏紧 偏松 起球 掉色 褪色 缩水 开线 脱线 做工 面料 异味
味道 污渍 线头 褶皱 变形 划痕 磕碰 掉漆 裂了 裂缝 漏水 漏电 发热 发烫 噪音 异响 没声音 不响 不亮
黑屏 花屏 死机 卡顿 重启 开机 关机 充电 充不进 充电器 充电宝 充电线 数据线 耳机 蓝牙 电池 续航 屏幕
手机 手机壳 平板 电脑 笔记本 键盘 鼠标 音箱 手表 手环 相机 镜头 插头 插座 适配器 电源 遥控器 配件
说明书 包装 外包装 包装盒 吊牌 标签 发票 开票  专票 收据 保修卡 赠品 礼品 礼盒 定制 刻字
衣服 裤子 裙子 外套 羽绒服 大衣 衬衫 毛衣 卫衣 鞋子 运动鞋 袜子 帽子 围巾 包包 背包 行李箱
水果 生鲜 冷链 冰袋 坏果 烂果 变质 融化 过期 保质期  临期 图书 缺页 印刷 装订 破页
物流 快递 快递员 快递单  单号 运单 运单号   发货 未发货 没发货  催发
催件 催派 派送 派件 配送 揽收 揽件 签收 代签 代收 拒收 拒签 丢件 丢失 遗失 没收到 未收到 收到 收货
收货人  地址     拦截 退回 中转 转运 滞留 停滞 停滞不前 延误
延迟 超时 慢 驿站 快递柜 丰巢 自提 上门  取件 寄件 包裹 箱子 纸箱 破了 压坏 压扁 摔坏
顺丰 中通 圆通 申通 韵达 京东  邮政  极兔 德邦 菜鸟
订单 订单号 下单 拍下 拍错 付款 支付 已付款 待付款 取消     拆单
价格 差价  价保 降价 涨价 优惠 优惠券 红包 满减 折扣 积分 会员 会员卡 余额 金额 总价 原价
扣款  多扣 到账 原路  退到 银行卡 信用卡 支付宝 微信 花呗 分期 白条 转账 
账号 账户 登录 密码 验证码 手机号 电话 号码 邮箱 短信 通知 激活 激活码 兑换码 卡密 序列号 会员码
下载 安装 软件 系统 固件 升级 更新 驱动 设置 连接 配对 网络 信号 无线 
 无理由 七天 十五天 三十天 一年 质保 保价 运费险 退货险 包邮 邮费 到付 自费
客户 顾客 买家 卖家 商家 店铺 仓库 技术支持 物流部 售后部 主管 经理 专员 工单 留言
加急 紧急 尽快 马上 今天 明天 昨天 上周 本周 周末 节假日 双十一 双11 六一八 年货
生日 祝福 会员日 老客户 新客户 回访 满意 不满意 失望 生气 退订
`
