package email

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// corpusCase is what a mail of testdata/mails must read as. text is the
// whole plain-text body; shown is what is left when quoted history and
// signatures are folded (empty when nothing folds); atts lists every
// attachment as "[inline ]filename content-type size".
type corpusCase struct {
	file, subject, from, name string
	kind                      Kind
	text, shown               string
	html                      bool
	atts                      []string
	broken                    bool // the parser must report problems
}

// corpus was written by hand, one mail per case the email channel must
// handle: charsets, encodings, MIME structures, broken MIME, machines'
// mail, and quoting.
var corpus = []corpusCase{
	{file: "01-plain-ascii", subject: "Where is my order 20240601-0042?", from: "tom@example.com", name: "Tom Baker", kind: "person",
		text: "Hello,\n\nmy order 20240601-0042 has not arrived yet.\nCan you check?\n\nTom",
	},
	{file: "02-utf8-8bit", subject: "退货申请：颜色和图片不一样", from: "lina@example.cn", name: "李娜", kind: "person",
		text: "你好，\n\n我收到的连衣裙颜色和商品图片不一样，想申请退货。\n订单号：20240528-1138\n\n李娜",
	},
	{file: "03-utf8-qp", subject: "快递三天没有更新", from: "wang.fang@example.cn", name: "王芳", kind: "person",
		text: "您好：\n我的快递单号 SF1234567890 已经三天没有物流更新了，请帮忙查一下。\n谢谢！",
	},
	{file: "04-gb2312-base64", subject: "耳机左边没有声音", from: "zhang.wei@example.cn", name: "张伟", kind: "person",
		text: "您好，耳机左边没有声音，请问怎么处理？\n订单号 20240530-0007",
	},
	{file: "05-gbk-qp", subject: "镕铸件裂了", from: "zhe@example.cn", name: "陶喆", kind: "person",
		text: "朱镕基同款镕铸摆件，收到时已经裂了。喆",
	},
	{file: "06-gb18030-4byte", subject: "名字里有生僻字䶮", from: "yan@example.cn", name: "刘䶮", kind: "person",
		text: "我的名字是刘䶮，快递单上的名字打错了 😀",
	},
	{file: "07-gbk-labelled-gb2312", subject: "张喆的订单", from: "zhe2@example.cn", name: "Zhe", kind: "person",
		text: "收件人是张喆，不是张哲。",
	},
	{file: "08-big5", subject: "請問退貨運費誰付？", from: "chen@example.tw", name: "陳小姐", kind: "person",
		text: "您好，商品有瑕疵，請問退貨運費由誰負擔？",
	},
	{file: "09-iso-2022-jp", subject: "返品について", from: "tanaka@example.jp", name: "田中", kind: "person",
		text: "商品が届きましたが、サイズが違います。\n交換できますか？",
	},
	{file: "10-iso-8859-1", subject: "Rücksendung", from: "juergen@example.de", name: "Jürgen Müller", kind: "person",
		text: "Guten Tag,\nich möchte die Jacke zurückschicken. Grüße aus Köln",
	},
	{file: "11-iso-8859-2", subject: "Zwrot towaru", from: "anna@example.pl", name: "Anna Wójcik", kind: "person",
		text: "Zażółć gęślą jaźń - paczka nie dotarła.",
	},
	{file: "12-windows-1252", subject: "Refund of €25", from: "mary@example.com", name: "Mary", kind: "person",
		text: "I was told “you’ll get €25 back” – still waiting.",
	},
	{file: "13-windows-1251", subject: "Возврат", from: "ivan@example.ru", name: "Иван", kind: "person",
		text: "Здравствуйте, товар пришёл сломанным.",
	},
	{file: "14-iso-8859-15", subject: "Facture €", from: "luc@example.fr", name: "Luc", kind: "person",
		text: "Bonjour, la facture indique 30 € au lieu de 25 €.",
	},
	{file: "15-raw-gbk-headers", subject: "发票抬头写错了", from: "zhaomin@example.cn", name: "赵敏", kind: "person",
		text: "发票抬头应该是“杭州某某科技有限公司”。",
	},
	{file: "16-raw-utf8-headers", subject: "尺码偏小，想换大一号", from: "zhoujie@example.cn", name: "周杰", kind: "person",
		text: "鞋子42码偏小，能换43码吗？",
	},
	{file: "17-split-encoded-word", subject: "七天无理由退货怎么办理", from: "li17@example.cn", name: "Li", kind: "person",
		text: "想退货。",
	},
	{file: "18-rfc2231-filenames", subject: "Invoices", from: "acct@example.cn", name: "Acct", kind: "person",
		text: "两张发票见附件。",
		atts: []string{"发票.pdf application/pdf 26", "返修单第二页.pdf application/pdf 26"},
	},
	{file: "19-encoded-word-filename", subject: "图片", from: "12345@qq.example", name: "QQ User", kind: "person",
		text: "破损照片见附件",
		atts: []string{"破损.jpg image/jpeg 23"},
	},
	{file: "20-unknown-charset", subject: "Odd charset", from: "odd@example.com", name: "Odd", kind: "person",
		text:   "Plain words in an unknown charset.",
		broken: true,
	},
	{file: "21-utf8-label-gbk-bytes", subject: "Mislabelled", from: "mis@example.cn", name: "Mis", kind: "person",
		text:   "标签说是UTF-8，其实是GBK。",
		broken: true,
	},
	{file: "22-qp-broken", subject: "QP damage", from: "qp@example.com", name: "QP", kind: "person",
		text:   "Price = 100 yuan, discount =ZZ stays, this line is soft broken and 你好 ends",
		broken: true,
	},
	{file: "23-base64-junk", subject: "Base64 damage", from: "b64@example.com", name: "B64", kind: "person",
		text:   "包裹外箱破了，里面的杯子碎了两个。",
		broken: true,
	},
	{file: "24-euc-kr", subject: "배송 문의", from: "kim@example.kr", name: "김민수", kind: "person",
		text: "주문한 상품이 아직 도착하지 않았습니다.",
	},
	{file: "25-alternative", subject: "Alternative", from: "alt@example.com", name: "Alt", kind: "person",
		text: "Plain version of the question.",
		html: true,
	},
	{file: "26-html-only", subject: "HTML only", from: "html@example.com", name: "Html", kind: "person",
		text: "Order problem\n\nItems I received:\n\n- Blue mug\n- Red plate\n\nOrder \t20240601-0099\n\nSee my order<https://shop.example.com/o/99>.",
		html: true,
	},
	{file: "27-html-gbk-meta", subject: "HTML GBK", from: "meta@example.cn", name: "Meta", kind: "person",
		text: "发票什么时候开？",
		html: true,
	},
	{file: "28-related-inline", subject: "Photo of the damage", from: "pic@example.com", name: "Pic", kind: "person",
		text: "The crack is here: [image]",
		html: true,
		atts: []string{"inline attachment-1.png image/png 56"},
	},
	{file: "29-mixed-attachments", subject: "Receipt and photo", from: "att@example.com", name: "Att", kind: "person",
		text: "Receipt and photo attached.",
		atts: []string{"receipt.pdf application/pdf 22", "photo.jpg image/jpeg 9"},
	},
	{file: "30-apple-nested", subject: "Nested structure", from: "apple@example.com", name: "Apple", kind: "person",
		text: "See the picture and the manual.",
		html: true,
		atts: []string{"inline IMG_0030.png image/png 56", "manual.pdf application/pdf 11"},
	},
	{file: "31-outlook-html-reply", subject: "RE: Your return [#1050]", from: "ol@example.com", name: "Outlook User", kind: "person",
		text:  "Thanks, I shipped it back today.\n\n________________________________\nFrom: Support <support@demo.test>\nSent: Monday, June 3, 2024 9:00 AM\nTo: Outlook User\nSubject: Your return [#1050]\n\nPlease send the item back.",
		shown: "Thanks, I shipped it back today.",
		html:  true,
	},
	{file: "32-forward-attached", subject: "Fwd: Wholesale price list", from: "boss@example.com", name: "Boss", kind: "person",
		text: "Please look at the attached mail.",
		atts: []string{"Wholesale price list.eml message/rfc822 469"},
	},
	{file: "33-forward-inline", subject: "Fwd: Complaint from my mother", from: "fw@example.com", name: "Fw", kind: "person",
		text: "Forwarding my mother's mail.\n\n---------- Forwarded message ----------\nFrom: Mother <mum@example.com>\nDate: Sat, 01 Jun 2024 12:00:00 +0000\nSubject: The kettle leaks\n\n水壶漏水了，用了两次就坏了。",
		atts: []string{"The kettle leaks.eml message/rfc822 208"},
	},
	{file: "34-double-forward", subject: "Fwd: Fwd: Original problem", from: "third@example.com", name: "Third", kind: "person",
		text: "Third hop.\n\n---------- Forwarded message ----------\nFrom: Second <second@example.com>\nSubject: Fwd: Original problem\n\nSecond hop.\n\n---------- Forwarded message ----------\nFrom: First <first@example.com>\nSubject: Original problem\n\nThe very first message.",
		atts: []string{"Fwd: Original problem.eml message/rfc822 320"},
	},
	{file: "35-huge-attachment", subject: "Video of the fault", from: "big@example.com", name: "Big", kind: "person",
		text: "Video attached (2 MB).",
		atts: []string{"fault.mp4 video/mp4 2097152"},
	},
	{file: "36-many-attachments", subject: "Twelve files", from: "many@example.com", name: "Many", kind: "person",
		text: "Twelve batch files.",
		atts: []string{"batch-01.csv text/csv 13", "batch-02.csv text/csv 13", "batch-03.csv text/csv 13", "batch-04.csv text/csv 13", "batch-05.csv text/csv 13", "batch-06.csv text/csv 13", "batch-07.csv text/csv 13", "batch-08.csv text/csv 13", "batch-09.csv text/csv 13", "batch-10.csv text/csv 13", "batch-11.csv text/csv 13", "batch-12.csv text/csv 13"},
	},
	{file: "37-attachment-no-name", subject: "Screenshot", from: "noname@example.com", name: "Noname", kind: "person",
		text: "Screenshot below.",
		atts: []string{"attachment-1.png image/png 56"},
	},
	{file: "38-text-attachment", subject: "App log", from: "log@example.com", name: "Log", kind: "person",
		text: "The app crashes; log attached.",
		atts: []string{"app.log text/plain 29"},
	},
	{file: "39-mixed-inline-texts", subject: "Two text parts", from: "two@example.com", name: "Two", kind: "person",
		text: "First paragraph.\n\nSecond paragraph after the picture.",
		atts: []string{"inline dot.gif image/gif 10"},
	},
	{file: "40-calendar", subject: "Call back appointment", from: "cal@example.com", name: "Cal", kind: "person",
		text: "Please call me at this time.",
		atts: []string{"invite.ics text/calendar 29"},
	},
	{file: "41-smime-signed", subject: "Signed mail", from: "signed@example.com", name: "Signed", kind: "person",
		text: "This mail is signed.",
		atts: []string{"smime.p7s application/pkcs7-signature 17"},
	},
	{file: "42-pgp-signed", subject: "PGP signed", from: "pgp@example.com", name: "Pgp", kind: "person",
		text: "PGP signed question.",
		atts: []string{"signature.asc application/pgp-signature 61"},
	},
	{file: "43-missing-boundary-param", subject: "No boundary", from: "nob@example.com", name: "Nob", kind: "person",
		text:   "Text despite the missing boundary.",
		atts:   []string{"a.zip application/zip 11"},
		broken: true,
	},
	{file: "44-missing-close", subject: "No closing boundary", from: "noclose@example.com", name: "Noclose", kind: "person",
		text:   "Body before a truncated attachment.",
		atts:   []string{"cut.pdf application/pdf 14"},
		broken: true,
	},
	{file: "45-wrong-boundary", subject: "Boundary mismatch", from: "wrongb@example.com", name: "Wrongb", kind: "person",
		text:   "The boundary never matches.",
		broken: true,
	},
	{file: "46-no-headers", subject: "", from: "", name: "", kind: "person",
		text:   "this is not a mail at all\njust some text pasted into the mailbox",
		broken: true,
	},
	{file: "47-header-garbage", subject: "Garbage in header", from: "garbage@example.com", name: "Garbage", kind: "person",
		text:   "Body survives.",
		broken: true,
	},
	{file: "48-bad-content-type", subject: "Bad content type", from: "badct@example.com", name: "Badct", kind: "person",
		text:   "Read as plain text.",
		broken: true,
	},
	{file: "49-no-content-type", subject: "Kein Content-Type – UTF-8", from: "noct@example.com", name: "Noct", kind: "person",
		text: "没有 Content-Type 头，正文是 UTF-8。",
	},
	{file: "50-crlf-mixed", subject: "Mixed line ends", from: "crlf@example.com", name: "Crlf", kind: "person",
		text: "CRLF body line one.\nLF line two.",
	},
	{file: "51-missing-from", subject: "No From header", from: "robot@example.com", name: "Robot Sender", kind: "person",
		text: "Who sent this?",
	},
	{file: "52-bad-date", subject: "Bad date", from: "date@example.com", name: "Date", kind: "person",
		text:   "Date header is nonsense.",
		broken: true,
	},
	{file: "53-empty-body", subject: "Subject only, call me", from: "empty@example.com", name: "Empty", kind: "person",
		text: "",
	},
	{file: "54-unclosed-quote", subject: "Unclosed quote", from: "quote@example.com", name: "Quote", kind: "person",
		text: "Parameter quote never closed.",
	},
	{file: "55-deep-nesting", subject: "Forty levels", from: "deep@example.com", name: "Deep", kind: "person",
		text:   "",
		atts:   []string{"attachment-1 multipart/mixed 586"},
		broken: true,
	},
	{file: "56-binary-garbage", subject: "Binary garbage", from: "bin@example.com", name: "Bin", kind: "person",
		text: "ÿþ€ readable tail",
	},
	{file: "57-mbox-from-line", subject: "Mbox separator", from: "mbox@example.com", name: "Mbox", kind: "person",
		text: "Body after an mbox From line.",
	},
	{file: "58-auto-submitted", subject: "自动回复：退货申请", from: "lina@example.cn", name: "李娜", kind: "auto_reply",
		text: "您好，我正在休假，6月10日回来。",
	},
	{file: "59-outlook-ooo", subject: "Automatic reply: Your ticket [#1001]", from: "busy@example.com", name: "Busy Person", kind: "auto_reply",
		text: "I am out of the office until Monday.",
	},
	{file: "60-x-autoreply", subject: "Re: order", from: "auto60@qq.example", name: "QQ", kind: "auto_reply",
		text: "这是一封自动回复邮件。",
	},
	{file: "61-dsn-bounce", subject: "Undelivered Mail Returned to Sender", from: "mailer-daemon@mx.example.net", name: "Mail Delivery System", kind: "bounce",
		text: "I'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n<nobody@example.org>: host mx.example.org said: 550 5.1.1 User unknown",
	},
	{file: "62-qmail-bounce", subject: "failure notice", from: "mailer-daemon@mail.example.org", name: "", kind: "bounce",
		text: "Hi. This is the qmail-send program at mail.example.org.\nI'm afraid I wasn't able to deliver your message to the following addresses.\n\n<gone@example.org>:\nSorry, no mailbox here by that name. (#5.1.1)",
	},
	{file: "63-mailing-list", subject: "[shop-news] This week's deals", from: "news@lists.example.com", name: "Shop Weekly", kind: "bulk",
		text: "Deals of the week.",
	},
	{file: "64-precedence-bulk", subject: "50% off everything", from: "promo@example.com", name: "Promo", kind: "bulk",
		text: "Big sale\n\n50% off",
		html: true,
	},
	{file: "65-noreply", subject: "Your parcel SF1234567890 was delivered", from: "no-reply@courier.example.com", name: "Courier", kind: "bulk",
		text: "Parcel delivered to the locker.",
	},
	{file: "66-null-return-path", subject: "Notification", from: "robot66@example.com", name: "Robot", kind: "auto_reply",
		text: "Something happened.",
	},
	{file: "67-gmail-quote", subject: "Re: Exchange for size M [#1042]", from: "gm@example.com", name: "Gm", kind: "person",
		text:  "Yes, please send size M.\n\nOn Mon, Jun 3, 2024 at 9:00 AM Support <support@demo.test> wrote:\n> Which size would you like instead?\n>\n> Best regards",
		shown: "Yes, please send size M.",
	},
	{file: "68-qq-quote", subject: "回复：退款进度 [#1043]", from: "qqer@qq.example", name: "小王", kind: "person",
		text:  "好的，谢谢！\n\n------------------ 原始邮件 ------------------\n发件人: \"客服\"<support@demo.test>;\n发送时间: 2024年6月3日(星期一) 上午9:00\n收件人: \"小王\"<qqer@qq.example>;\n主题: 退款进度 [#1043]\n\n退款已经原路返回。",
		shown: "好的，谢谢！",
	},
	{file: "69-foxmail-quote", subject: "回复: 发票开具", from: "fox@example.cn", name: "Fox", kind: "person",
		text:  "收到，发票没问题。\n\n发件人：客服\n发送时间：2024-06-03 09:00\n收件人：fox@example.cn\n主题：发票开具\n\n发票已开，请查收。",
		shown: "收到，发票没问题。",
	},
	{file: "70-signature", subject: "Warranty question", from: "sig@example.com", name: "Sig", kind: "person",
		text:  "Is the blender covered by warranty after 8 months?\n\n--\nJohn Sig\nSenior Buyer, Example Ltd.\n+86 138 0013 8000",
		shown: "Is the blender covered by warranty after 8 months?",
	},
	{file: "71-iphone-reply", subject: "Re: 到货时间 [#1044]", from: "ios@example.cn", name: "刘洋", kind: "person",
		text:  "明天下午在家，可以送货。\n\n发自我的iPhone\n\n在 2024年6月3日，上午10:00，客服 <support@demo.test> 写道：\n\n> 请问您什么时候方便收货？",
		shown: "明天下午在家，可以送货。",
	},
	{file: "72-interleaved", subject: "Re: Your questions [#1045]", from: "inter@example.com", name: "Inter", kind: "person",
		text: "> What is your order number?\n20240601-0100\n> What colour did you order?\nBlue, but I got red.",
	},
	{file: "73-html-gmail-quote", subject: "Re: Photos please [#1046]", from: "gh@example.com", name: "Gh", kind: "person",
		text:  "Photos are attached now.\n\nOn Mon, Jun 3, 2024 at 9:00 AM Support <support@demo.test> wrote:\n> Could you send photos?",
		shown: "Photos are attached now.",
		html:  true,
	},
}

func TestCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/mails/*.eml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 60 {
		t.Fatalf("the corpus has %d mails; the issue asks for at least 60", len(files))
	}
	byFile := map[string]corpusCase{}
	for _, c := range corpus {
		byFile[c.file] = c
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".eml")
		if _, ok := byFile[name]; !ok {
			t.Errorf("%s has no expected result in the corpus table", name)
		}
	}
	for _, c := range corpus {
		t.Run(c.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata/mails", c.file+".eml"))
			if err != nil {
				t.Fatal(err)
			}
			m := Parse(raw)
			check := func(what, got, want string) {
				t.Helper()
				if got != want {
					t.Errorf("%s:\n got %q\nwant %q", what, got, want)
				}
			}
			check("subject", m.Subject, c.subject)
			check("from", m.From.Email, c.from)
			check("name", m.From.Name, c.name)
			check("kind", string(Classify(m).Kind), string(c.kind))
			check("text", m.Text, c.text)
			shown := ""
			if m.QuoteAt > 0 {
				shown = strings.TrimSpace(m.Text[:m.QuoteAt])
			}
			check("shown", shown, c.shown)
			if (m.HTML != "") != c.html {
				t.Errorf("html body present = %v, want %v", m.HTML != "", c.html)
			}
			var atts []string
			for _, p := range m.Parts {
				s := fmt.Sprintf("%s %s %d", p.Filename, p.ContentType, len(p.Data))
				if p.Inline {
					s = "inline " + s
				}
				atts = append(atts, s)
			}
			check("attachments", strings.Join(atts, "\n"), strings.Join(c.atts, "\n"))
			if (len(m.Problems) > 0) != c.broken {
				t.Errorf("problems %q, want broken=%v", m.Problems, c.broken)
			}
			for what, s := range map[string]string{"subject": m.Subject, "text": m.Text, "name": m.From.Name} {
				if !utf8.ValidString(s) {
					t.Errorf("%s is not valid UTF-8: %q", what, s)
				}
				if strings.Contains(s, "=?") {
					t.Errorf("%s still holds an encoded word: %q", what, s)
				}
			}
		})
	}
}
