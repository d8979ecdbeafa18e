package kefu

// TaxonomyNode is one entry of the default problem taxonomy (domain page,
// after seed 003): four groups and their problems.
type TaxonomyNode struct {
	Key      string
	NameZH   string
	NameEN   string
	Children []TaxonomyNode
}

// DefaultTaxonomy is what a new shop's category list starts with. Shops edit
// it freely; keys stay stable so playbooks and reports can refer to them.
var DefaultTaxonomy = []TaxonomyNode{
	{Key: "product", NameZH: "商品问题", NameEN: "Product", Children: []TaxonomyNode{
		{Key: "product.quality_defect", NameZH: "质量问题", NameEN: "Quality defect"},
		{Key: "product.colour_difference", NameZH: "色差", NameEN: "Colour difference"},
		{Key: "product.wrong_size", NameZH: "尺码不符", NameEN: "Wrong size"},
		{Key: "product.flaw", NameZH: "瑕疵", NameEN: "Flaw"},
		{Key: "product.wrong_item", NameZH: "发错货", NameEN: "Wrong item sent"},
		{Key: "product.missing_or_extra", NameZH: "少件/多件", NameEN: "Missing or extra items"},
		{Key: "product.not_as_pictured", NameZH: "与描述不符", NameEN: "Not as pictured"},
		{Key: "product.out_of_stock", NameZH: "缺货", NameEN: "Out of stock"},
	}},
	{Key: "service", NameZH: "服务问题", NameEN: "Service", Children: []TaxonomyNode{
		{Key: "service.agent_attitude", NameZH: "客服态度", NameEN: "Agent attitude"},
		{Key: "service.misleading_advice", NameZH: "售前误导", NameEN: "Misleading pre-sales advice"},
		{Key: "service.slow_handling", NameZH: "处理缓慢", NameEN: "Slow handling"},
	}},
	{Key: "logistics", NameZH: "物流问题", NameEN: "Logistics", Children: []TaxonomyNode{
		{Key: "logistics.wrong_courier", NameZH: "快递选择错误", NameEN: "Wrong courier"},
		{Key: "logistics.delivery_delay", NameZH: "配送延迟", NameEN: "Delivery delay"},
		{Key: "logistics.courier_behaviour", NameZH: "快递员服务", NameEN: "Courier behaviour"},
		{Key: "logistics.parcel_lost", NameZH: "包裹丢失", NameEN: "Parcel lost"},
	}},
	{Key: "buyer", NameZH: "买家问题", NameEN: "Buyer", Children: []TaxonomyNode{
		{Key: "buyer.change_address", NameZH: "下单后改地址", NameEN: "Change of address after ordering"},
		{Key: "buyer.refund_before_shipment", NameZH: "未发货退款", NameEN: "Refund before shipment"},
		{Key: "buyer.refund_after_shipment", NameZH: "已发货退款", NameEN: "Refund after shipment"},
		{Key: "buyer.wrong_address", NameZH: "地址填错", NameEN: "Wrong address given"},
		{Key: "buyer.buyer_away", NameZH: "买家不在", NameEN: "Buyer away"},
		{Key: "buyer.seven_day_return", NameZH: "七天无理由退货", NameEN: "7-day no-reason return"},
		{Key: "buyer.return_after_seven_days", NameZH: "超七天退货", NameEN: "Return after 7 days"},
	}},
}

// DefaultTeam is the front-line team every shop starts with; tickets that
// name no team land here.
const DefaultTeam = "售后组"
