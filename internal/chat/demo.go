package chat

import (
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// The demo shop: a product page of the demo's shop with the widget on it,
// in Chinese or English (?lang=en). ?buyer=1 signs in as a demo buyer, so
// the widget passes a signed identity and the agent sees their orders.
var demoShop = template.Must(template.New("shop").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.T.title}}</title>
<style>
body{margin:0;font:15px/1.5 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif;color:#222;background:#faf7f2}
header{background:#d9480f;color:#fff;padding:14px 24px;display:flex;align-items:center;gap:16px}header b{font-size:20px;flex:1}header a{color:#fff}
main{max-width:980px;margin:24px auto;padding:0 16px}.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:16px}
.card{background:#fff;border-radius:10px;padding:16px;box-shadow:0 1px 3px rgba(0,0,0,.08)}.pic{height:120px;border-radius:8px;display:flex;align-items:center;justify-content:center;font-size:48px;background:#fff4e6}
.price{color:#d9480f;font-weight:bold}.note{background:#fff;border-left:4px solid #d9480f;padding:10px 14px;margin:0 0 20px}
</style></head><body>
<header><b>{{.T.shop}}</b>{{if .Buyer}}<span>{{.T.hello}} {{.Buyer}}</span>{{else}}<a href="?lang={{.Lang}}&buyer=1">{{.T.signin}}</a>{{end}} <a href="?lang={{.Other}}{{if .Buyer}}&buyer=1{{end}}">{{.T.switch}}</a></header>
<main>
<p class="note">{{.T.note}}</p>
<div class="grid">{{range .Products}}<div class="card"><div class="pic">{{.Icon}}</div><h3>{{.Name}}</h3><p class="price">¥{{.Price}}</p></div>{{end}}</div>
</main>
{{if .User}}<script src="/demo/shop-user.js?{{.UserQuery}}"></script>{{end}}
<script src="/widget.js" data-channel="{{.Key}}" data-lang="{{.Lang}}" async></script>
</body></html>`))

type demoProduct struct{ Icon, Name, Price string }

var demoText = map[string]map[string]string{
	"zh-CN": {"title": "星河小铺 · 官方商城", "shop": "星河小铺", "signin": "以演示买家身份登录", "hello": "您好，", "switch": "English",
		"note": "这是 kefu 的演示商城：右下角的按钮就是在线客服。用另一个浏览器窗口以 agent@demo.test / demo 登录工作台，即可接待您的咨询。"},
	"en": {"title": "Xinghe Shop · official store", "shop": "Xinghe Shop", "signin": "Sign in as a demo buyer", "hello": "Hello,", "switch": "中文",
		"note": "This is kefu's demo shop: the button at the bottom right is the live chat. Sign in to the workspace as agent@demo.test / demo in another window to answer."},
}

var demoProducts = map[string][]demoProduct{
	"zh-CN": {{"👕", "纯棉圆领短袖T恤", "79.00"}, {"🎧", "主动降噪蓝牙耳机", "699.00"}, {"🔋", "20000mAh 快充移动电源", "159.00"}, {"🪥", "声波电动牙刷", "299.00"}, {"⌨️", "87键机械键盘", "399.00"}, {"🧥", "轻薄连帽羽绒服", "599.00"}},
	"en":    {{"👕", "Cotton crew-neck T-shirt", "79.00"}, {"🎧", "Noise-cancelling earbuds", "699.00"}, {"🔋", "20,000 mAh power bank", "159.00"}, {"🪥", "Sonic toothbrush", "299.00"}, {"⌨️", "87-key mechanical keyboard", "399.00"}, {"🧥", "Hooded down jacket", "599.00"}},
}

func (s *Service) serveDemoShop(rw http.ResponseWriter, r *http.Request) {
	ch, err := s.EnsureDemoChannel(r.Context())
	if err != nil {
		http.Error(rw, "demo channel unavailable", http.StatusInternalServerError)
		return
	}
	l := lang(r.URL.Query().Get("lang"), r.Header.Get("Accept-Language"))
	other := "en"
	if l == "en" {
		other = "zh-CN"
	}
	d := map[string]any{"Lang": l, "Other": other, "T": demoText[l], "Products": demoProducts[l], "Key": ch.Key}
	if r.URL.Query().Get("buyer") != "" {
		if c := s.demoBuyer(r); c != nil {
			id := Identity{ID: identityOf(c, kefu.IdentityExternal), Name: c.Name, Email: c.Email(), Phone: c.Phone(), TS: time.Now().Unix()}
			id.Sig = SignIdentity(ch.Secret, id)
			d["Buyer"] = c.Name
			d["User"] = id
			d["UserQuery"] = template.URL("id=" + urlq(id.ID) + "&name=" + urlq(id.Name) + "&email=" + urlq(id.Email) + "&phone=" + urlq(id.Phone) + "&ts=" + itoa(id.TS) + "&sig=" + id.Sig)
		}
	}
	h := rw.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'")
	_ = demoShop.Execute(rw, d)
}

// demoBuyer picks a demo customer who has an account id and orders.
func (s *Service) demoBuyer(r *http.Request) *kefu.Customer {
	cs, err := s.st.Customers(r.Context(), store.CustomerFilter{Limit: 100})
	if err != nil {
		return nil
	}
	for i := len(cs) - 1; i >= 0; i-- {
		c := cs[i]
		if identityOf(c, kefu.IdentityExternal) == "" || c.Email() == "" {
			continue
		}
		if os, err := s.st.Orders(r.Context(), store.OrderFilter{CustomerID: c.ID, Limit: 1}); err == nil && len(os) > 0 {
			return c
		}
	}
	return nil
}

func identityOf(c *kefu.Customer, k kefu.IdentityKind) string {
	for _, id := range c.Identities {
		if id.Kind == k {
			return id.Value
		}
	}
	return ""
}

// serveDemoUser is the script that, on a real shop, the shop's own server
// would render: it sets window.kefuUser to the signed identity given in the
// query (the demo page computed it). A script, not inline, for the CSP.
func (s *Service) serveDemoUser(rw http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	id := Identity{ID: q.Get("id"), Name: q.Get("name"), Email: q.Get("email"), Phone: q.Get("phone"), Sig: q.Get("sig")}
	id.TS, _ = strconv.ParseInt(q.Get("ts"), 10, 64)
	b, _ := json.Marshal(id)
	rw.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	_, _ = rw.Write([]byte("window.kefuUser = " + string(b) + ";\n"))
}

func urlq(s string) string { return url.QueryEscape(s) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
