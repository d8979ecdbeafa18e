package search

import "unicode"

// fold maps one character to the form both the index and queries use:
// full-width ASCII to half-width, the ideographic space to a space,
// traditional Chinese to simplified where the table below has it, Latin
// letters without their accents, and everything lower-case.
func fold(r rune) rune {
	switch {
	case r < 0x80:
		if 'A' <= r && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
		r -= 0xFEE0
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	case r == 0x3000: // ideographic space
		return ' '
	case r >= 0xC0 && r <= 0x17F:
		if b, ok := latinBase[r]; ok {
			return b
		}
	case r >= 0x3400:
		if s, ok := t2s[r]; ok {
			return s
		}
		return r
	}
	return unicode.ToLower(r)
}

// latinBase strips the accents of the Latin letters customers' names carry.
var latinBase = map[rune]rune{}

func init() {
	const (
		from = "ÀÁÂÃÄÅàáâãäåÇçÈÉÊËèéêëÌÍÎÏìíîïÑñÒÓÔÕÖØòóôõöøÙÚÛÜùúûüÝýÿĀāĂăĄąĆćČčĎďĒēĖėĘęĚěĞğĪīİıŁłŃńŇňŌōŐőŘřŚśŞşŠšŤťŪūŮůŰűŹźŻżŽž"
		to   = "aaaaaaaaaaaacceeeeeeeeiiiiiiiinnoooooooooooouuuuuuuuyyyaaaaaaccccddeeeeeeeeggiiiillnnnnoooorrssssssttuuuuuuzzzzzz"
	)
	f, t := []rune(from), []rune(to)
	if len(f) != len(t) {
		panic("search: latinBase tables differ in length")
	}
	for i := range f {
		latinBase[f[i]] = t[i]
	}
	p := []rune(tradSimp)
	for i := 0; i+1 < len(p); i++ {
		if p[i] == ' ' || p[i] == '\n' {
			continue
		}
		t2s[p[i]] = p[i+1]
		i++
	}
}

// t2s maps traditional characters to simplified ones: a compact table of
// the characters after-sales conversations use, not a full converter.
// Where simplified Chinese itself has two forms of one word the table folds
// them together too (帐号 and 账号).
var t2s = map[rune]rune{}

// tradSimp lists traditional→simplified pairs, two characters each.
const tradSimp = `
萬万 與与 專专 業业 叢丛 東东 絲丝 丟丢 兩两 嚴严 喪丧 個个 豐丰 臨临 為为 麗丽 舉举 麼么 義义 烏乌
樂乐 喬乔 習习 鄉乡 書书 買买 亂乱 爭争 虧亏 雲云 亞亚 產产 畝亩 親亲 億亿 僅仅 從从 倉仓 儀仪 們们
價价 眾众 優优 會会 傘伞 偉伟 傳传 傷伤 倫伦 偽伪 體体 債债 傾倾 僕仆 儲储 兒儿 兌兑 黨党 蘭兰 關关
興兴 養养 獸兽 內内 岡冈 冊册 寫写 軍军 農农 衝冲 決决 況况 凍冻 淨净 涼凉 減减 湊凑 幾几 鳳凤 憑凭
凱凯 擊击 劃划 劉刘 則则 剛刚 創创 刪删 別别 劑剂 劇剧 勸劝 辦办 務务 動动 勵励 勁劲 勞劳 勢势 區区
醫医 華华 協协 單单 賣卖 盧卢 衛卫 卻却 廠厂 廳厅 歷历 曆历 厲厉 壓压 厭厌 廁厕 縣县 參参 雙双 發发
髮发 變变 敘叙 疊叠 葉叶 號号 嘆叹 嚇吓 嗎吗 啟启 啓启 吳吴 員员 聽听 呂吕 嗚呜 嘔呕 囑嘱 團团 園园
圍围 圖图 圓圆 聖圣 場场 壞坏 塊块 堅坚 壇坛 壩坝 墜坠 壟垄 墾垦 墊垫 壺壶 處处 備备 復复 複复 夠够
頭头 誇夸 夾夹 奪夺 奮奋 妝妆 婦妇 媽妈 嬌娇 孫孙 學学 寧宁 寶宝 實实 寵宠 審审 憲宪 寬宽 賓宾 寢寝
對对 尋寻 導导 壽寿 將将 爾尔 塵尘 嘗尝 嚐尝 層层 屬属 島岛 嶺岭 幣币 帥帅 師师 帶带 幫帮 幹干 乾干
並并 廣广 莊庄 慶庆 庫库 應应 廟庙 廢废 開开 異异 棄弃 張张 彌弥 彎弯 彈弹 強强 歸归 當当 錄录 徹彻
徑径 憶忆 憂忧 懷怀 態态 憐怜 總总 戀恋 懇恳 惡恶 惱恼 悶闷 懸悬 驚惊 懼惧 慘惨 慣惯 憤愤 戲戏 戰战
戶户 撲扑 執执 擴扩 掃扫 揚扬 擾扰 撫抚 拋抛 搶抢 護护 報报 擔担 擬拟 擁拥 攔拦 擰拧 撥拨 擇择 掛挂
損损 撿捡 換换 據据 擋挡 擠挤 揮挥 擺摆 擲掷 撐撑 攜携 搖摇 斂敛 敵敌 數数 齋斋 斬斩 斷断 時时 曠旷
晝昼 顯显 晉晋 曬晒 曉晓 暈晕 暫暂 術术 樸朴 機机 殺杀 雜杂 權权 條条 來来 楊杨 傑杰 極极 構构 樞枢
棗枣 槍枪 楓枫 櫃柜 檸柠 標标 棧栈 棟栋 欄栏 樹树 樣样 檔档 橋桥 樁桩 夢梦 檢检 櫻樱 歐欧 殲歼 殘残
殼壳 毀毁 毆殴 氣气 漢汉 湯汤 溝沟 沒没 淪沦 滄沧 滬沪 淚泪 潑泼 澤泽 潔洁 灑洒 淺浅 漿浆 澆浇 濁浊
測测 濟济 瀏浏 渾浑 濃浓 濤涛 渦涡 潤润 漲涨 澀涩 淵渊 漬渍 漸渐 漁渔 滲渗 溫温 灣湾 濕湿 潰溃 濺溅
滯滞 滿满 濾滤 濫滥 濱滨 灘滩 瀉泻 潛潜 燈灯 災灾 燦灿 爐炉 燉炖 點点 煉炼 爍烁 爛烂 燭烛 煙烟 煩烦
燒烧 燴烩 燙烫 熱热 煥焕 營营 爺爷 牆墙 牽牵 犧牺 獨独 狹狭 獅狮 獄狱 貓猫 獵猎 獻献 現现 環环 瑣琐
電电 畫画 暢畅 療疗 瘡疮 瘋疯 癢痒 盞盏 鹽盐 監监 蓋盖 盜盗 盤盘 睜睁 瞞瞒 礦矿 碼码 磚砖 確确 礙碍
禮礼 禍祸 離离 禿秃 種种 積积 稱称 穩稳 窮穷 竊窃 竄窜 窩窝 競竞 筆笔 築筑 簡简 籌筹 簽签 籃篮 簾帘
糧粮 糾纠 紀纪 紅红 約约 級级 紋纹 納纳 紐纽 純纯 紗纱 紙纸 紛纷 紡纺 線线 綫线 練练 組组 細细 織织
終终 紹绍 經经 結结 給给 絡络 絕绝 統统 絹绢 綁绑 繼继 績绩 緒绪 續续 綢绸 維维 綿绵 緊紧 綠绿 網网
綱纲 緣缘 編编 緩缓 締缔 縫缝 縮缩 縱纵 纖纤 繞绕 繡绣 繩绳 繪绘 繳缴 纜缆 罰罚 罷罢 羅罗 聞闻 聯联
聰聪 聲声 職职 肅肃 腸肠 膚肤 腫肿 脹胀 腎肾 腦脑 膽胆 臉脸 臟脏 髒脏 艙舱 艦舰 藝艺 節节 蘆芦 蘇苏
蘋苹 範范 蓮莲 薦荐 藥药 莖茎 蕭萧 蒼苍 藍蓝 蔔卜 襪袜 裝装 裡里 裏里 補补 製制 襯衬 襲袭 褲裤 見见
規规 視视 覺觉 覽览 觀观 觸触 訂订 計计 討讨 認认 訊讯 記记 講讲 訪访 設设 許许 訴诉 診诊 評评 詞词
譯译 試试 詩诗 誠诚 話话 詳详 詢询 該该 誤误 說说 誰谁 課课 調调 談谈 請请 諒谅 論论 諾诺 謀谋 謂谓
謊谎 謎谜 謙谦 謝谢 謠谣 謹谨 證证 識识 譜谱 議议 譽誉 讀读 讓让 讚赞 貝贝 貞贞 負负 財财 貢贡 貧贫
貨货 販贩 貪贪 貫贯 責责 貯贮 貴贵 貸贷 費费 賀贺 貿贸 資资 賊贼 賭赌 賢贤 賤贱 賬账 帳账 帐账 賠赔
償偿 賦赋 質质 賴赖 購购 賽赛 贈赠 贊赞 贏赢 賺赚 貼贴 趕赶 躍跃 蹤踪 車车 軌轨 軟软 軸轴 較较 載载
輔辅 輕轻 輛辆 輝辉 輩辈 輪轮 輯辑 輸输 轉转 轟轰 辭辞 邊边 遼辽 達达 遷迁 過过 邁迈 運运 還还 這这
進进 遠远 違违 連连 遲迟 適适 選选 遺遗 遞递 邏逻 郵邮 鄭郑 鄰邻 醜丑 釋释 鑒鉴 針针 釣钓 鈕钮 鈔钞
鈴铃 鉛铅 鉤钩 銀银 銅铜 銘铭 銷销 鋁铝 鋒锋 鋪铺 鋼钢 錢钱 錦锦 錯错 錫锡 鍋锅 鍵键 鍾钟 鐘钟 鎖锁
鎮镇 鏈链 鏡镜 鐵铁 鑰钥 鑽钻 錶表 鍍镀 鏽锈 銹锈 長长 門门 閃闪 閉闭 問问 闖闯 閒闲 閑闲 間间 閘闸
閱阅 闊阔 闆板 陽阳 陰阴 陣阵 階阶 際际 陸陆 陳陈 險险 隨随 隱隐 隻只 雖虽 難难 雞鸡 霧雾 靈灵 靜静
韓韩 頁页 頂顶 項项 順顺 須须 預预 頓顿 領领 頗颇 頻频 題题 額额 顏颜 願愿 類类 顧顾 風风 颱台 臺台
檯台 飄飘 飛飞 飯饭 飲饮 飾饰 餅饼 餓饿 餘余 館馆 饅馒 馬马 駐驻 駕驾 驗验 騙骗 騰腾 驅驱 鬆松 鬥斗
鬧闹 魚鱼 鮮鲜 鳥鸟 鴨鸭 鵝鹅 麥麦 黃黄 齊齐 齒齿 龍龙 龜龟 麵面 穀谷 鬱郁 樓楼 噸吨 後后 週周 舊旧
響响 歲岁 齡龄 歡欢 愛爱 鬍胡 鬚须 妳你 準准 捨舍 彙汇 匯汇 盡尽 儘尽 於于 繫系 係系 註注 塗涂 膠胶
屜屉 蝦虾 蟲虫 豬猪 黴霉 攝摄 誌志 鑄铸 鐲镯 鑲镶 緻致 傢家 廚厨 櫥橱 嬰婴 僱雇 倆俩 佈布 喚唤 啞哑
鍊链 滷卤 鹵卤 噴喷 繃绷 綳绷 濟济 剎刹 擱搁 攤摊 攬揽 擴扩 碼码 砲炮 礎础 禦御 縷缕 蠟蜡 襖袄 訛讹
詐诈 謬谬 譴谴 貶贬 賄贿 贓赃 踐践 輻辐 轄辖 辯辩 醞酝 醬酱 釀酿 鈣钙 鉀钾 銳锐 鋸锯 錘锤 鍛锻 鎊镑
閥阀 闡阐 釐厘 隊队 陝陕 靂雳 韌韧 顛颠 顫颤 飢饥 飽饱 餵喂 驟骤 骯肮 鬨哄 鯨鲸 鴿鸽 鷹鹰 麗丽 黨党 龐庞
`
