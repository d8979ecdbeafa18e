package portal

import (
	"net/http"
	"strings"
)

// Languages the portal speaks.
const (
	langZH = "zh-CN"
	langEN = "en"
)

// catalog holds every string the portal shows: key → {zh-CN, en}.
var catalog = map[string][2]string{
	"title":                  {"售后服务", "After-sales service"},
	"shop":                   {"kefu 商城", "kefu shop"},
	"lang.switch":            {"English", "中文"},
	"signin.title":           {"查询订单与售后", "Your orders and requests"},
	"signin.intro":           {"输入订单号和下单时使用的手机号或邮箱，即可查看订单、申请售后、跟进进度。", "Enter your order number and the phone number or email you ordered with to see your orders, open a request and follow it."},
	"signin.order":           {"订单号", "Order number"},
	"signin.contact":         {"手机号或邮箱", "Phone or email"},
	"signin.submit":          {"查询", "Continue"},
	"signin.failed":          {"订单号与手机号/邮箱不匹配，请检查后重试。", "The order number and phone or email do not match. Please check and try again."},
	"signin.throttled":       {"尝试次数过多，请 10 分钟后再试。", "Too many attempts. Please try again in 10 minutes."},
	"signin.link.title":      {"或者用邮箱登录", "Or sign in by email"},
	"signin.link.email":      {"邮箱", "Email"},
	"signin.link.submit":     {"发送登录链接", "Send me a sign-in link"},
	"signin.link.sent":       {"如果该邮箱在我们这里下过单，登录链接已经发出，30 分钟内有效。", "If this address has ordered from us, a sign-in link is on its way; it works for 30 minutes."},
	"signin.link.off":        {"暂不支持邮件登录，请使用订单号登录。", "Email sign-in is not available; please use your order number."},
	"signin.link.bad":        {"登录链接无效或已过期，请重新获取。", "This sign-in link is invalid or has expired; please ask for a new one."},
	"logout":                 {"退出", "Sign out"},
	"hello":                  {"您好，%s", "Hello, %s"},
	"orders.title":           {"我的订单", "My orders"},
	"orders.none":            {"没有找到订单。", "No orders found."},
	"order.number":           {"订单号", "Order"},
	"order.placed":           {"下单时间", "Placed"},
	"order.total":            {"实付", "Paid"},
	"order.status":           {"物流", "Delivery"},
	"order.request":          {"申请售后", "Request after-sales service"},
	"order.cases":            {"售后记录", "Requests"},
	"order.unshipped":        {"待发货", "Not shipped yet"},
	"order.shipped":          {"运输中", "On its way"},
	"order.delivered":        {"已签收", "Delivered"},
	"req.title":              {"申请售后", "Request after-sales service"},
	"req.items":              {"选择商品", "Which items?"},
	"req.qty":                {"数量", "Quantity"},
	"req.reason":             {"遇到的问题", "What is the problem?"},
	"req.reason.pick":        {"请选择", "Please choose"},
	"req.kind":               {"希望的处理方式", "What would you like?"},
	"req.condition":          {"商品现在的状态", "The item's state now"},
	"req.condition.na":       {"不确定 / 不适用", "Not sure / not relevant"},
	"req.insurance":          {"我购买了运费险", "I bought shipping insurance (运费险)"},
	"req.desc":               {"问题描述", "Describe the problem"},
	"req.desc.ph":            {"例如：收到的衣服颜色比图片深很多", "For example: the shirt is much darker than in the pictures"},
	"req.photos":             {"上传照片（最多 9 张）", "Photos (up to 9)"},
	"req.check":              {"检查是否符合售后政策", "Check against the policy"},
	"req.submit":             {"提交申请", "Send the request"},
	"req.eligible":           {"符合售后政策", "This request fits our policy"},
	"req.ineligible":         {"不符合售后政策，无法提交", "This request does not fit our policy and cannot be sent"},
	"req.why":                {"原因", "Why"},
	"req.suggest":            {"建议的处理方式", "We suggest"},
	"req.refund":             {"预计退款", "Expected refund"},
	"req.shipping":           {"退货运费", "Return postage"},
	"req.ship.shop":          {"由商家承担", "paid by the shop"},
	"req.ship.buyer":         {"由您承担", "paid by you"},
	"req.required":           {"请选择问题并填写描述。", "Please choose the problem and describe it."},
	"case.title":             {"售后申请", "After-sales request"},
	"case.no":                {"编号", "No."},
	"case.status":            {"当前进度", "Status"},
	"case.timeline":          {"处理记录", "Progress"},
	"case.messages":          {"沟通记录", "Messages"},
	"case.you":               {"您", "You"},
	"case.team":              {"客服", "Our team"},
	"case.notice":            {"进度通知", "Update"},
	"case.photos":            {"照片", "Photos"},
	"case.reply":             {"补充说明或回复", "Add a message"},
	"case.send":              {"发送", "Send"},
	"case.reply.empty":       {"请填写内容或上传照片。", "Please write something or add a photo."},
	"case.tracking":          {"填写退货快递单号", "Enter the return tracking number"},
	"case.carrier":           {"快递公司", "Courier"},
	"case.trackno":           {"快递单号", "Tracking number"},
	"case.save":              {"提交", "Save"},
	"case.rate":              {"为本次服务评分", "Rate our service"},
	"case.rate.comment":      {"留言（可选）", "Comment (optional)"},
	"case.rated":             {"您的评分", "Your rating"},
	"case.cancel":            {"撤销申请", "Withdraw the request"},
	"case.back":              {"返回订单", "Back to my orders"},
	"case.return.to":         {"请寄回至", "Send it to"},
	"case.amount":            {"金额", "Amount"},
	"case.shopref":           {"商家处理单号", "Shop reference"},
	"error.title":            {"出错了", "Something went wrong"},
	"error.notfound":         {"没有找到这个页面。", "This page does not exist."},
	"error.csrf":             {"页面已过期，请刷新后重试。", "This page has expired; please reload it and try again."},
	"error.generic":          {"请稍后重试；如果问题持续，请联系客服。", "Please try again later; if it keeps happening, contact us."},
	"error.photos":           {"只能上传照片、视频或 PDF，最多 9 个，每个不超过 25 MB。", "Only photos, videos or PDFs: up to 9, each under 25 MB."},
	"footer":                 {"您的信息仅用于处理售后。", "Your details are used only to handle your requests."},
	"stars.1":                {"很不满意", "Very poor"},
	"stars.2":                {"不满意", "Poor"},
	"stars.3":                {"一般", "OK"},
	"stars.4":                {"满意", "Good"},
	"stars.5":                {"非常满意", "Excellent"},
	"status.requested":       {"已提交", "Received"},
	"status.approved":        {"已同意", "Approved"},
	"status.rejected":        {"未通过", "Declined"},
	"status.awaiting_return": {"等待退货到仓", "Return on its way"},
	"status.received":        {"商品已到仓", "Item received"},
	"status.inspected":       {"验收通过", "Inspected"},
	"status.executed":        {"已处理", "Carried out"},
	"status.completed":       {"已完成", "Completed"},
	"status.cancelled":       {"已撤销", "Withdrawn"},
	"tickets.title":          {"我的咨询与投诉", "My conversations"},
	"ticket.updated":         {"最近更新", "Updated"},
	"ticket.back":            {"返回", "Back"},
	"tstatus.new":            {"待处理", "Waiting for us"},
	"tstatus.open":           {"处理中", "In progress"},
	"tstatus.pending":        {"待您回复", "Waiting for you"},
	"tstatus.on_hold":        {"其他部门处理中", "With another team"},
	"tstatus.solved":         {"已解决", "Solved"},
	"tstatus.closed":         {"已关闭", "Closed"},
	"cond.unopened":          {"未拆封", "Unopened"},
	"cond.opened":            {"已拆封验货", "Opened to inspect"},
	"cond.tried":             {"试穿/试用过", "Tried on or out"},
	"cond.tags_removed":      {"吊牌已剪", "Tags removed"},
	"cond.used":              {"已使用", "Used"},
	"cond.damaged":           {"有损坏", "Damaged"},
}

// tr returns the string for key in lang (the key itself when missing, so a
// forgotten string shows up in review rather than as a blank).
func tr(lang, key string) string {
	v, ok := catalog[key]
	if !ok {
		return key
	}
	if lang == langEN {
		return v[1]
	}
	return v[0]
}

// pickLang chooses the language: ?lang=, then the lang cookie, then the
// customer's setting, then Accept-Language; Chinese by default.
func pickLang(r *http.Request, customerLang string) string {
	for _, v := range []string{r.URL.Query().Get("lang"), cookieValue(r, cookieLang), customerLang} {
		if l := normLang(v); l != "" {
			return l
		}
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case strings.HasPrefix(tag, "zh"):
			return langZH
		case strings.HasPrefix(tag, "en"):
			return langEN
		}
	}
	return langZH
}

func normLang(v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	switch {
	case v == "":
		return ""
	case strings.HasPrefix(v, "en"):
		return langEN
	case strings.HasPrefix(v, "zh"):
		return langZH
	}
	return ""
}

func cookieValue(r *http.Request, name string) string {
	c, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	return c.Value
}
