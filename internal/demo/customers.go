package demo

import (
	"fmt"
	"strings"

	"github.com/kefu-dev/kefu/internal/kefu"
)

// person is a hand-written demo customer; the rest of the profile is drawn.
type person struct {
	name   string
	handle string // for the email address
	female bool
	en     bool
}

var people = []person{
	{"王芳", "wangfang", true, false}, {"李娜", "lina", true, false}, {"张伟", "zhangwei", false, false},
	{"刘强", "liuqiang", false, false}, {"陈静", "chenjing", true, false}, {"杨帆", "yangfan", false, false},
	{"赵丽", "zhaoli", true, false}, {"黄磊", "huanglei", false, false}, {"周婷", "zhouting", true, false},
	{"吴昊", "wuhao", false, false}, {"徐敏", "xumin", true, false}, {"孙鹏", "sunpeng", false, false},
	{"胡晓燕", "huxiaoyan", true, false}, {"朱琳", "zhulin", true, false}, {"高翔", "gaoxiang", false, false},
	{"林佳怡", "linjiayi", true, false}, {"何雪", "hexue", true, false}, {"郭子豪", "guozihao", false, false},
	{"马骁", "maxiao", false, false}, {"罗欣", "luoxin", true, false}, {"梁晨", "liangchen", false, false},
	{"宋雨桐", "songyutong", true, false}, {"郑凯", "zhengkai", false, false}, {"谢婉清", "xiewanqing", true, false},
	{"韩梅梅", "hanmeimei", true, false}, {"唐宇", "tangyu", false, false}, {"冯媛", "fengyuan", true, false},
	{"于波", "yubo", false, false}, {"董思雨", "dongsiyu", true, false}, {"萧然", "xiaoran", false, false},
	{"程诺", "chengnuo", true, false}, {"曹磊", "caolei", false, false}, {"袁梦", "yuanmeng", true, false},
	{"邓超然", "dengchaoran", false, false}, {"许晴", "xuqing", true, false}, {"傅强", "fuqiang", false, false},
	{"沈佳", "shenjia", true, false}, {"曾小贤", "zengxiaoxian", false, false}, {"彭丹", "pengdan", true, false},
	{"吕志远", "lvzhiyuan", false, false}, {"苏晓", "suxiao", true, false}, {"卢俊", "lujun", false, false},
	{"蒋欣怡", "jiangxinyi", true, false}, {"蔡文", "caiwen", false, false}, {"贾玲玲", "jialingling", true, false},
	{"丁磊", "dinglei", false, false}, {"魏然", "weiran", true, false}, {"薛峰", "xuefeng", false, false},
	{"叶子", "yezi", true, false}, {"阎明", "yanming", false, false},
	{"Emma Wilson", "emma.wilson", true, true}, {"James Miller", "james.miller", false, true},
	{"Sophie Laurent", "sophie.laurent", true, true}, {"Daniel Kim", "daniel.kim", false, true},
	{"Olivia Brown", "olivia.brown", true, true}, {"Lucas Schmidt", "lucas.schmidt", false, true},
	{"Hannah Lee", "hannah.lee", true, true}, {"Michael O'Brien", "michael.obrien", false, true},
	{"Priya Sharma", "priya.sharma", true, true}, {"Tom Becker", "tom.becker", false, true},
}

var (
	domainsZH    = []string{"qq.com", "163.com", "126.com", "foxmail.com", "sina.com", "outlook.com"}
	domainsEN    = []string{"gmail.com", "outlook.com", "icloud.com", "hotmail.com"}
	phonePrefix  = []string{"138", "139", "136", "135", "150", "158", "186", "187", "177", "189"}
	notesZH      = []string{"偏好顺丰发货，可补运费", "工作日白天不方便接电话，请在线留言", "上次色差问题已补偿 ¥10 优惠券", "公司采购，需要开增值税发票", "对包装要求高，易碎品请加固", "曾因物流延误投诉，沟通时注意语气", "宝妈，常买儿童绘本", "小区不让快递进，需放门口驿站", "老客户，去年双十一下单 6 次", "收货地址常在公司，周末不收件"}
	notesEN      = []string{"Expat living in Shanghai; prefers English, email first", "Works night shifts: contact after 14:00", "Company purchases, needs a fapiao", "Reads some Chinese but prefers replies in English"}
	tagsZH       = []string{"老客户", "易投诉", "企业客户", "新客户", "宝妈", "学生", "价格敏感"}
	enPlaces     = []int{0, 5, 6, 7, 1} // indexes into places where the English-speaking customers live
	greetingNote = "已开通生日祝福"
)

// custPlan is a demo customer before and after insertion.
type custPlan struct {
	p     person
	home  *place
	c     *kefu.Customer
	call  string // how an agent addresses them: 王女士, Emma
	email string
	phone string
	// weight is how often they write to the shop.
	weight int
}

// makeCustomers draws the demo customers' profiles.
func (g *gen) makeCustomers() []*custPlan {
	var cs []*custPlan
	for i, p := range people {
		cp := &custPlan{p: p, weight: 2}
		c := &kefu.Customer{Name: p.name, Language: "zh-CN"}
		if p.en {
			c.Language = "en"
			cp.home = &places[enPlaces[g.rng.IntN(len(enPlaces))]]
			cp.call = firstWord(p.name)
		} else {
			cp.home = &places[g.rng.IntN(len(places))]
			r := []rune(p.name)
			if p.female {
				cp.call = string(r[0]) + "女士"
			} else {
				cp.call = string(r[0]) + "先生"
			}
		}
		// Identities: everyone can be reached somehow.
		hasEmail, hasPhone := g.chance(0.7), g.chance(0.75)
		if p.en {
			hasEmail, hasPhone = true, g.chance(0.5)
		}
		if !hasEmail && !hasPhone {
			hasPhone = true
		}
		if hasEmail {
			cp.email = g.email(p)
			c.Identities = append(c.Identities, kefu.Identity{Kind: kefu.IdentityEmail, Value: cp.email})
		}
		if hasPhone {
			cp.phone = g.phone()
			c.Identities = append(c.Identities, kefu.Identity{Kind: kefu.IdentityPhone, Value: cp.phone})
		}
		if g.chance(0.35) {
			c.Identities = append(c.Identities, kefu.Identity{Kind: kefu.IdentityExternal, Value: fmt.Sprintf("U%d", 10001+i*17+g.rng.IntN(17))})
		}
		// Tier, tags and notes.
		switch r := g.rng.Float64(); {
		case r < 0.08:
			c.VIPTier = 3
		case r < 0.2:
			c.VIPTier = 2
		case r < 0.4:
			c.VIPTier = 1
		}
		if c.VIPTier >= 2 {
			c.Tags = append(c.Tags, "VIP")
			cp.weight++
		}
		if p.en {
			c.Tags = append(c.Tags, "English")
			if g.chance(0.4) {
				c.Notes = pick(g, notesEN)
			}
		} else {
			if g.chance(0.45) {
				t := pick(g, tagsZH)
				if t == "宝妈" && !p.female {
					t = "老客户"
				}
				c.Tags = append(c.Tags, t)
				if t == "易投诉" {
					cp.weight += 3
				}
			}
			if g.chance(0.35) {
				c.Notes = pick(g, notesZH)
				if strings.HasPrefix(c.Notes, "宝妈") && !p.female || strings.HasPrefix(c.Notes, "老客户") && hasTag(c.Tags, "新客户") {
					c.Notes = ""
				}
			}
		}
		if i%9 == 4 && !hasTag(c.Tags, "易投诉") && !p.en {
			c.Tags = append(c.Tags, "易投诉")
			cp.weight += 3
		}
		if g.chance(0.4) {
			c.Birthday = fmt.Sprintf("%d-%02d-%02d", 1972+g.rng.IntN(32), 1+g.rng.IntN(12), 1+g.rng.IntN(28))
			c.GreetingsOptIn = g.chance(0.6)
			if c.GreetingsOptIn && c.Notes == "" && !p.en {
				c.Notes = greetingNote
			}
		}
		cp.c = c
		cs = append(cs, cp)
	}
	return cs
}

func (g *gen) email(p person) string {
	if p.en {
		return p.handle + "@" + pick(g, domainsEN)
	}
	if g.chance(0.3) {
		return g.digits(8+g.rng.IntN(3)) + "@qq.com"
	}
	e := p.handle
	if g.chance(0.5) {
		e += fmt.Sprintf("%d", 80+g.rng.IntN(25))
	}
	return e + "@" + pick(g, domainsZH)
}

func (g *gen) phone() string {
	for {
		n := pick(g, phonePrefix) + g.digits(8)
		if !g.seen["ph:"+n] {
			g.seen["ph:"+n] = true
			return n
		}
	}
}

func hasTag(tags []string, t string) bool {
	for _, x := range tags {
		if x == t {
			return true
		}
	}
	return false
}

func firstWord(s string) string {
	for i, r := range s {
		if r == ' ' {
			return s[:i]
		}
	}
	return s
}

// maskPhone shows a phone number the way call logs do: 138****1234.
func maskPhone(p string) string {
	if len(p) < 11 {
		return p
	}
	return p[:3] + "****" + p[len(p)-4:]
}
