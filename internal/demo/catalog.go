package demo

import (
	"fmt"
	"strings"
)

// Product categories of the demo shop, as they appear in OrderItem.ProductCategory.
const (
	catApparel     = "apparel"
	catElectronics = "electronics"
	catFresh       = "fresh"
	catCustom      = "custom" // made to the buyer's order (定作)
	catBooks       = "books"
	catDigital     = "digital"
)

// product is one listing of the demo shop. Prices are in fen.
type product struct {
	sku      string
	name     string // as the shop lists it
	nameEN   string // how English-speaking agents refer to it
	cat      string
	colours  []string // apparel and electronics
	sizes    []string // apparel
	options  []string // any other variant, written out whole
	price    int64
	cost     int64
	noReturn bool // the buyer confirmed at purchase that it is excluded from no-reason return
}

var catalog = []product{
	{sku: "AP-1001", name: "纯棉圆领短袖T恤", nameEN: "cotton crew-neck T-shirt", cat: catApparel,
		colours: []string{"白色", "黑色", "藏青", "雾霾蓝"}, sizes: []string{"S", "M", "L", "XL"}, price: 7900, cost: 3100},
	{sku: "AP-1002", name: "羊毛混纺针织开衫", nameEN: "wool-blend cardigan", cat: catApparel,
		colours: []string{"燕麦色", "藏青", "酒红"}, sizes: []string{"S", "M", "L"}, price: 32900, cost: 14200},
	{sku: "AP-1003", name: "高腰阔腿牛仔裤", nameEN: "high-waist wide-leg jeans", cat: catApparel,
		colours: []string{"浅蓝", "深蓝"}, sizes: []string{"25", "26", "27", "28", "29"}, price: 19900, cost: 8600},
	{sku: "AP-1004", name: "轻薄连帽羽绒服", nameEN: "lightweight hooded down jacket", cat: catApparel,
		colours: []string{"黑色", "藏青", "卡其"}, sizes: []string{"M", "L", "XL", "XXL"}, price: 59900, cost: 27800},
	{sku: "AP-1005", name: "真丝印花连衣裙", nameEN: "printed silk dress", cat: catApparel,
		colours: []string{"墨绿碎花", "藏青波点"}, sizes: []string{"S", "M", "L"}, price: 45900, cost: 19800},
	{sku: "AP-1006", name: "男士免烫商务衬衫", nameEN: "non-iron business shirt", cat: catApparel,
		colours: []string{"白色", "浅蓝", "藏青"}, sizes: []string{"39", "40", "41", "42", "43"}, price: 23900, cost: 9500},
	{sku: "AP-1007", name: "运动速干短裤", nameEN: "quick-dry sports shorts", cat: catApparel,
		colours: []string{"黑色", "灰色"}, sizes: []string{"M", "L", "XL"}, price: 8900, cost: 3300},
	{sku: "EL-2001", name: "主动降噪蓝牙耳机", nameEN: "noise-cancelling Bluetooth earbuds", cat: catElectronics,
		colours: []string{"曜石黑", "珍珠白"}, price: 69900, cost: 41500},
	{sku: "EL-2002", name: "智能运动手环", nameEN: "fitness band", cat: catElectronics,
		colours: []string{"黑色", "薄荷绿"}, price: 24900, cost: 13800},
	{sku: "EL-2003", name: "20000mAh 快充移动电源", nameEN: "20,000 mAh power bank", cat: catElectronics,
		colours: []string{"白色", "黑色"}, price: 15900, cost: 8200},
	{sku: "EL-2004", name: "声波电动牙刷", nameEN: "sonic electric toothbrush", cat: catElectronics,
		colours: []string{"樱花粉", "星空蓝"}, price: 29900, cost: 14600},
	{sku: "EL-2005", name: "4.5L 智能空气炸锅", nameEN: "4.5 L air fryer", cat: catElectronics,
		options: []string{"颜色: 奶白"}, price: 45900, cost: 26800},
	{sku: "EL-2006", name: "87键机械键盘", nameEN: "87-key mechanical keyboard", cat: catElectronics,
		options: []string{"轴体: 红轴", "轴体: 茶轴", "轴体: 青轴"}, price: 39900, cost: 21500},
	{sku: "EL-2007", name: "扫拖一体机器人", nameEN: "robot vacuum", cat: catElectronics,
		options: []string{"颜色: 白色; 版本: 标准版", "颜色: 白色; 版本: 自动集尘版"}, price: 199900, cost: 128000},
	{sku: "FR-3001", name: "阳澄湖大闸蟹礼盒", nameEN: "Yangcheng Lake hairy crab gift box", cat: catFresh,
		options: []string{"规格: 公4.0两 母3.0两 8只装"}, price: 38800, cost: 24500, noReturn: true},
	{sku: "FR-3002", name: "赣南脐橙", nameEN: "Gannan navel oranges", cat: catFresh,
		options: []string{"规格: 5kg 装", "规格: 10kg 装"}, price: 6900, cost: 3600, noReturn: true},
	{sku: "FR-3003", name: "智利车厘子 JJ级", nameEN: "Chilean cherries", cat: catFresh,
		options: []string{"规格: 2kg 礼盒"}, price: 22900, cost: 15400, noReturn: true},
	{sku: "FR-3004", name: "冰鲜三文鱼刺身", nameEN: "chilled salmon sashimi", cat: catFresh,
		options: []string{"规格: 500g"}, price: 16800, cost: 10900, noReturn: true},
	{sku: "CU-4001", name: "定制刻字保温杯", nameEN: "engraved vacuum flask", cat: catCustom,
		options: []string{"颜色: 磨砂黑; 刻字: 平安喜乐", "颜色: 月光白; 刻字: 生日快乐", "颜色: 磨砂黑; 刻字: Lucky"},
		price:   12800, cost: 5400, noReturn: true},
	{sku: "CU-4002", name: "定制照片抱枕", nameEN: "custom photo cushion", cat: catCustom,
		options: []string{"尺寸: 45×45cm; 图案: 客户上传照片"}, price: 8900, cost: 3500, noReturn: true},
	{sku: "CU-4003", name: "手工定制真皮钱包", nameEN: "handmade leather wallet with initials", cat: catCustom,
		options: []string{"颜色: 棕色; 烫印: ZW", "颜色: 黑色; 烫印: L.J."}, price: 26800, cost: 11800, noReturn: true},
	{sku: "CU-4004", name: "定制尺寸实木相框", nameEN: "made-to-measure wooden frame", cat: catCustom,
		options: []string{"尺寸: 30×40cm; 木色: 胡桃"}, price: 15900, cost: 6900, noReturn: true},
	{sku: "BK-5001", name: "《三体》全集（典藏版）", nameEN: "The Three-Body Problem trilogy", cat: catBooks,
		options: []string{"版本: 精装"}, price: 9300, cost: 5600},
	{sku: "BK-5002", name: "《百年孤独》", nameEN: "One Hundred Years of Solitude", cat: catBooks, price: 5500, cost: 3100},
	{sku: "BK-5003", name: "《明朝那些事儿》全套", nameEN: "Those Things in the Ming Dynasty box set", cat: catBooks, price: 15800, cost: 9200},
	{sku: "BK-5004", name: "儿童科普绘本套装（10册）", nameEN: "children's science picture books", cat: catBooks, price: 12800, cost: 6500},
	{sku: "DG-6001", name: "视频会员年卡", nameEN: "video membership, 12 months", cat: catDigital,
		options: []string{"有效期: 12个月"}, price: 19800, cost: 15000, noReturn: true},
	{sku: "DG-6002", name: "正版办公软件激活码", nameEN: "office suite licence key", cat: catDigital,
		options: []string{"授权: 1台电脑 永久"}, price: 39800, cost: 26000, noReturn: true},
	{sku: "DG-6003", name: "有声书畅听卡", nameEN: "audiobook pass", cat: catDigital,
		options: []string{"有效期: 6个月"}, price: 6800, cost: 4200, noReturn: true},
}

// productsIn lists the catalogue's products in any of cats, in catalogue order.
func productsIn(cats ...string) []*product {
	var ps []*product
	for i := range catalog {
		for _, c := range cats {
			if catalog[i].cat == c {
				ps = append(ps, &catalog[i])
			}
		}
	}
	return ps
}

// productsBySKU returns the catalogue's products with the given SKUs.
func productsBySKU(skus ...string) []*product {
	var ps []*product
	for _, s := range skus {
		for i := range catalog {
			if catalog[i].sku == s {
				ps = append(ps, &catalog[i])
			}
		}
	}
	return ps
}

// variant picks one variant of p, written as the shop writes it.
func (g *gen) variant(p *product) string {
	switch {
	case len(p.sizes) > 0:
		return fmt.Sprintf("颜色: %s; 尺码: %s", pick(g, p.colours), pick(g, p.sizes))
	case len(p.colours) > 0:
		return "颜色: " + pick(g, p.colours)
	case len(p.options) > 0:
		return pick(g, p.options)
	}
	return ""
}

// place is a shipping destination.
type place struct {
	province, city string
	districts      []string
	far            bool // more than a day's trunk haul from Hangzhou
}

var places = []place{
	{"上海市", "上海市", []string{"浦东新区", "徐汇区", "静安区", "闵行区"}, false},
	{"浙江省", "杭州市", []string{"西湖区", "滨江区", "余杭区", "拱墅区"}, false},
	{"浙江省", "宁波市", []string{"鄞州区", "海曙区"}, false},
	{"江苏省", "南京市", []string{"鼓楼区", "建邺区"}, false},
	{"江苏省", "苏州市", []string{"工业园区", "姑苏区"}, false},
	{"北京市", "北京市", []string{"朝阳区", "海淀区", "丰台区"}, true},
	{"广东省", "深圳市", []string{"南山区", "福田区", "宝安区"}, true},
	{"广东省", "广州市", []string{"天河区", "越秀区", "番禺区"}, true},
	{"四川省", "成都市", []string{"武侯区", "高新区", "锦江区"}, true},
	{"湖北省", "武汉市", []string{"洪山区", "江汉区"}, true},
	{"陕西省", "西安市", []string{"雁塔区", "碑林区"}, true},
	{"山东省", "青岛市", []string{"市南区", "崂山区"}, true},
	{"福建省", "厦门市", []string{"思明区", "湖里区"}, true},
	{"重庆市", "重庆市", []string{"渝中区", "江北区"}, true},
	{"天津市", "天津市", []string{"和平区", "南开区"}, true},
	{"湖南省", "长沙市", []string{"岳麓区", "天心区"}, true},
}

// Carriers the shop ships with.
const (
	carrierSF   = "顺丰速运"
	carrierZTO  = "中通快递"
	carrierYTO  = "圆通速递"
	carrierJD   = "京东物流"
	carrierEMS  = "EMS"
	warehouseAt = "浙江省杭州市余杭区"
)

// carrierEN is how English replies name a carrier.
var carrierEN = map[string]string{
	carrierSF: "SF Express", carrierZTO: "ZTO Express", carrierYTO: "YTO Express", carrierJD: "JD Logistics", carrierEMS: "EMS",
}

// trackingNumber makes a tracking number in the carrier's format.
func (g *gen) trackingNumber(carrier string) string {
	for {
		var n string
		switch carrier {
		case carrierSF:
			n = "SF" + g.digits(13)
		case carrierZTO:
			n = "75" + g.digits(12)
		case carrierYTO:
			n = "YT" + g.digits(13)
		case carrierJD:
			n = "JDVA" + g.digits(11)
		default:
			n = "1" + g.digits(12)
		}
		if !g.seen["tn:"+n] {
			g.seen["tn:"+n] = true
			return n
		}
	}
}

// digits returns n random decimal digits, the first not zero.
func (g *gen) digits(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		d := g.rng.IntN(10)
		if i == 0 {
			d = 1 + g.rng.IntN(9)
		}
		b.WriteByte(byte('0' + d))
	}
	return b.String()
}

var courierNames = []string{"王师傅", "李师傅", "张师傅", "刘师傅", "陈师傅", "赵师傅"}

var signedBy = []string{"已签收，签收人：本人", "已签收，已放入丰巢智能柜", "已签收，家门口（客户指定）", "已签收，菜鸟驿站代收", "已签收，前台代收"}

// returnAddressZH is where buyers send returns.
const returnAddressZH = "浙江省杭州市余杭区文一西路 1888 号 kefu 售后仓，收件人：售后组，电话 0571-88886666"
