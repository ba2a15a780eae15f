#!/usr/bin/env python3
"""Writes the tokenizer parity corpus (shared by the WordPiece and BPE tests).

    python3 tools/reference/make_tokenizer_corpus.py

Outputs (deterministic: fixed seeds, no external data, all seeds written here by hand):
  tests/data/tokenizer_corpus.jsonl     one JSON string per line (inputs may hold newlines)
  tests/data/tokenizer_corpus_bytes.txt one hex-encoded byte string per line: inputs that
                                        are NOT valid UTF-8 (JSON cannot hold them).
Tools that feed HF decode the byte inputs with errors="replace" (one U+FFFD per maximal
invalid subpart, tessera's policy too).
"""
import json
import os
import random

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")

EN_TITLES = [
    "Wireless Bluetooth Headphones, Noise Cancelling, 40h Battery",
    "Men's Slim Fit Cotton T-Shirt (Pack of 3) - Navy/White/Grey",
    "Stainless Steel Water Bottle 750ml, Vacuum Insulated, BPA-Free",
    "USB-C to Lightning Cable 2m [MFi Certified] Fast Charging",
    "Women's Running Shoes Lightweight Breathable Sneakers Size 38",
    "4K Ultra HD Smart TV 55\" with HDR10+ and Dolby Vision",
    "Organic Green Tea Bags x100 — Japanese Sencha",
    "Kids' LEGO-compatible Building Blocks Set (1,000 pcs)",
    "Ergonomic Office Chair w/ Lumbar Support & Adjustable Armrests",
    "Non-stick Frying Pan 28cm, Induction Compatible, PFOA free",
    "Mechanical Keyboard RGB Backlit, Hot-Swappable Switches (Brown)",
    "Portable Power Bank 20000mAh PD 65W for Laptop/Phone/Tablet",
    "Hand-made Leather Wallet, RFID Blocking, Gift Box Included!",
    "Yoga Mat 6mm Extra Thick, Non-Slip, with Carrying Strap",
    "Smartwatch Fitness Tracker: Heart Rate, SpO2, Sleep Monitor",
    "Ceramic Coffee Mug 350ml — Dishwasher & Microwave Safe",
    "Baby Stroller Lightweight Foldable (0-36 months)",
    "Gaming Mouse 16000 DPI, 7 programmable buttons",
    "Unisex Hoodie Oversized Fleece Pullover XS-XXL",
    "Electric Toothbrush w/ 4 Brush Heads & Travel Case",
]
EN_DESCRIPTIONS = [
    "Made from 100% organic cotton. Machine wash cold, tumble dry low. Imported.",
    "The battery lasts up to 40 hours on a single charge; a 10-minute charge gives 5 hours of playback.",
    "Please note: colors may vary slightly due to screen settings. Dimensions: 30 x 20 x 10 cm.",
    "Compatible with iPhone 14/13/12, iPad (9th gen) and AirPods. Not compatible with USB-A chargers.",
    "What's in the box? 1x charger, 1x cable, user manual (EN/DE/FR/ES/IT).",
    "Our best-seller since 2019 — over 12,000 five-star reviews!!!",
    "Warranty: 2 years limited. Returns accepted within 30 days of delivery.",
    "Don't put it in the dryer; it'll shrink. We've tested it 1000s of times.",
    "Free shipping on orders over $35.00 (continental US only).",
    "This item is final sale & can't be returned or exchanged.",
]
EN_QUESTIONS = [
    "How do I return an item I bought last week?",
    "Where is my order? It's been 10 days and tracking says 'in transit'.",
    "Can I change the shipping address after placing the order?",
    "What size should I get if I'm 175cm and 70kg?",
    "Do you ship to Canada? How much is shipping?",
    "The zipper broke after two days... can I get a refund??",
    "Is this dishwasher safe?",
    "I was charged twice for order #A-10293, please help!",
    "Does the price include VAT?",
    "can u send me a replacement asap thx",
    "Why was my coupon code SAVE20 rejected?",
    "How long does express delivery take to Hong Kong?",
    "Is the 32GB version still in stock?",
    "My package arrived damaged. What should I do?",
    "Can I pay with PayPal or Alipay?",
]
ZH_TITLES = [
    "无线蓝牙耳机 主动降噪 40小时超长续航",
    "男士纯棉短袖T恤 3件装 海军蓝/白/灰",
    "不锈钢保温杯750ml 真空隔热 不含BPA",
    "儿童积木玩具套装（1000颗粒）益智拼装",
    "人体工学办公椅 带腰托 可调节扶手",
    "有机绿茶茶包100袋 日式煎茶",
    "女士轻便透气跑步鞋 运动休闲鞋 38码",
    "55英寸4K超高清智能电视 支持HDR10+",
    "手工真皮钱包 防RFID盗刷 附礼盒",
    "加厚瑜伽垫6mm 防滑 附背带",
    "智能手表 心率血氧睡眠监测 运动手环",
    "陶瓷马克杯350ml 可用洗碗机和微波炉",
]
ZH_DESCRIPTIONS = [
    "本产品采用100%有机棉制成，建议冷水机洗，低温烘干。",
    "单次充电可使用长达40小时；充电10分钟可播放5小时。",
    "温馨提示：由于显示器设置不同，颜色可能略有差异。尺寸：30×20×10厘米。",
    "全国包邮（偏远地区除外），支持七天无理由退换货。",
    "保修期两年，收货后30天内可申请退货。",
    "自2019年以来的畅销款——已有超过12,000条五星好评！",
]
ZH_QUESTIONS = [
    "我上周买的东西怎么退货？",
    "我的订单到哪里了？已经10天了，物流一直显示运输中。",
    "下单后还能修改收货地址吗？",
    "我身高175厘米，体重70公斤，应该选什么尺码？",
    "可以寄到香港吗？运费多少？",
    "拉链两天就坏了……可以退款吗？？",
    "这个可以放洗碗机吗？",
    "订单号A-10293被重复扣款了，请帮忙处理！",
    "价格含税吗？",
    "优惠码SAVE20为什么用不了？",
    "支持支付宝或者微信支付吗？",
    "包裹收到时已经损坏了，怎么办？",
]
JA_KO = [
    "ワイヤレスイヤホン ノイズキャンセリング 送料無料",
    "返品はできますか？サイズが合いませんでした。",
    "東京都渋谷区への配送は何日かかりますか",
    "무선 블루투스 이어폰 노이즈 캔슬링",
    "배송은 얼마나 걸리나요? 환불 가능한가요?",
    "사이즈가 너무 작아요. 교환하고 싶습니다.",
    "ｶﾀｶﾅ半角テスト　全角スペース",
]
RTL = [
    "سماعات بلوتوث لاسلكية مع إلغاء الضوضاء",
    "هل يمكنني إرجاع المنتج؟",
    "אוזניות אלחוטיות עם ביטול רעשים",
    "מתי ההזמנה שלי תגיע?",
    "Price: ٣٥٠ ريال (approx. $93)",
]
ACCENTS = [
    "café", "naïve", "Ångström", "résumé", "façade", "jalapeño", "Crème brûlée", "Zürich",
    "São Paulo", "Łódź", "Ærøskøbing", "Dvořák", "İstanbul", "ŞIŞLI", "ß straße STRASSE",
    "cafe\u0301 (combining acute)", "n\u0303o", "a\u0308\u0301\u0323 stacked marks",
    "\u1e9b\u0323 long s with dots", "ΑΘΗΝΑ Ελλάδα", "Москва Россия ПРИВЕТ", "ǅemal ǈubljana",
    "ﬁne ﬂour (ligatures)", "Ⅻ Roman numeral", "x² + y³ = z¹", "½ cup, ¾ tsp", "ℌ𝔢𝔩𝔩𝔬 𝐁𝐨𝐥𝐝",
    "Ｆｕｌｌ－ｗｉｄｔｈ　ＡＢＣ１２３", "（全角括号）【优惠】「限时」", "Å vs A\u030a", "Ω vs Ω",
    "\u0e01\u0e34\u0e19\u0e02\u0e49\u0e32\u0e27 Thai", "हिन्दी में विवरण", "বাংলা",
    "Tiếng Việt có dấu", "ọ̀ yorùbá",
]
EMOJI = [
    "Great product 👍👍👍", "Love it ❤️", "😀😃😄😁", "👩‍💻 coder", "👨‍👩‍👧‍👦 family pack",
    "👍🏽 skin tone", "👋🏿👋🏻", "🏳️‍🌈 flag", "🇨🇳🇺🇸🇯🇵 flags", "⭐⭐⭐⭐☆ 4/5", "🔥SALE🔥",
    "📦 shipped ✈️ arriving 🚚", "🥲 new emoji", "🫠 melting", "1️⃣ 2️⃣ #️⃣", "☕️ + 🍰 = 😋",
    "©️ ®️ ™", "🧑🏾‍🤝‍🧑🏻", "emoji🙂inside🙂words",
]
NUMBERS = [
    "¥199.00", "$1,299.99", "30% off", "€49,95", "£12.50", "₹2,499", "₩35,000", "5.0 out of 5",
    "Save 15%-20%!", "3.5mm jack", "1/2 price", "2023-11-11", "10:30 AM", "+86 138 0013 8000",
    "0.000001", "1e-5", "#1 best seller", "v2.3.1-beta", "SKU: AB-12345-XL", "12x24\" frame",
    "-40°C to +85°C", "100W→65W", "~3 days", "≥ 18 yrs", "≈ 2 kg", "1,000,000+ sold",
]
CODE = [
    "def f(x):\n    return x ** 2  # square",
    "for (int i = 0; i < n; ++i) { sum += a[i]; }",
    "SELECT * FROM orders WHERE status = 'shipped' AND total > 100;",
    "{\"sku\": \"A-1\", \"price\": 19.99, \"tags\": [\"new\", \"sale\"]}",
    "<div class=\"price\">$9.99</div>",
    "https://shop.example.com/p/12345?ref=email&utm_source=newsletter",
    "user@example.com",
    "C:\\Users\\admin\\Documents\\invoice_2023.pdf",
    "if (a && b || !c) x = y >> 2 | z;",
    "std::vector<std::string> v{\"a\", \"b\"};",
    "#include <iostream>\nint main() { std::cout << \"hi\\n\"; }",
    "$ pip install tokenizers==0.15.0 && python -c 'import tokenizers'",
    "@media (max-width: 600px) { .cart { display: none; } }",
    "λx.x + `backticks` ~tilde~ ^caret^ |pipe|",
]
WHITESPACE = [
    "", " ", "  ", "\t", "\n", "\r\n", " \t \n ", "\u3000", "\u00a0\u00a0", "a  b", "a\t\tb",
    "a\n\nb", "  leading", "trailing  ", "a \u2003 b", "a\u200bb zero width", "a\u00adb soft hyphen",
    "a\ufeffb bom inside", "line1\r\nline2\r\nline3", "a\u2028b\u2029c", "x\u0085y",
    "tabs\there\tand\tthere", "\n\n\n", "   \t\t\t   ", "a\u0000b nul", "ctrl\u0007bell\u001b[0m",
    "\ufffd replacement char", "private \ue000 use", "a\u200d\u200cb joiners",
]
# Special-token text inside user input (literal text by tessera's default policy).
SPECIALS = ["[CLS] hello [SEP]", "what does [MASK] mean", "[UNK][PAD]", "<s>hi</s>", "<|endoftext|>",
            "<|im_start|>user\nhello<|im_end|>", "[SEP][SEP]", "a[MASK]b", "[cls] lower"]
WORDS_EN = ("shirt shoes size return refund shipping order delivery color blue red large small "
            "cotton leather price discount coupon warranty battery charger cable phone case "
            "waterproof lightweight durable comfortable premium quality fast free express "
            "customer service exchange damaged missing tracking package address payment "
            "unbelievable internationalization antidisestablishmentarianism microcontroller "
            "headphones smartwatch keyboard backpack sunglasses").split()
WORDS_ZH = list("的一是不了人我在有他这为之大来以个中上们到说时地也子就道要出会可下而过天去能对小多然于心学么之都好看起发当没成只如事把还用第样道想作种开美总从无情己面最女但现前些所同日手又行意动方期它头经长儿回位分爱老因很给名法间斯知世什两次使身者被高已亲其进此话常与活正感见明问力理尔点文几定本公特做外孩相西果走将月十实向声车全信重三机工物气每并别真打太新比才便夫再书部水像眼等体却加电主界门利海受听表德少克代员许稜先口由死安写性马光白或住难望教命花结乐色更拉东神记处让母父应直字场平报友关放至张认接告入笑内英军候民岁往何度山觉路带万男边风解叫任金快原吃妈变通师立象数四失满战远格士音轻目条呢病始达深完今提求清王化空业思切怎非找片罗钱紶吗语元喜曾离飞科言干流欢约各即指合反题必该论交终林请医晚制球决窢传画保读运及则房早院量苦火布品近坐产答星精视五连司巴奇管类未朋且婚台夜青北队久乎越观落尽形影红爸百令周吧识步希亚术留市半热送兴造谈容极随演收首根讲整式取照办强石古华諣拿计您装似足双妻尼转诉米称丽客南领节衣站黑刻统断福城故历惊脸选包紧争另建维绝树系伤示愿持千史谁准联妇纪基买志静阿诗独复痛消社算义竟确酒需单治卡幸兰念举仅钟怕共毛句息功官待究跟穿室易游程号居考突皮哪费倒价图具刚脑永歌响商礼细专黄块脚味灵改据般破引食仍存众注笔甚某沉血备习校默务土微娘须试怀料调广蜖苏显赛查密议底列富梦错座参八除跑亮假印设线温虽掉京初养香停际致阳纸李纳验助激够严证帝饭忘趣支春集丈木研班普导顿睡展跳获艺六波察群皇段急庭创区奥器谢弟店否害草排背止组州朝封睛板角况曲馆育忙质河续哥呼若推境遇雨标姐充围案伦护冷警贝著雪索剧啊船险烟依斗值帮汉慢佛肯闻唱沙局伯族低玩资屋击速顾泪洲团圣旁堂兵七露园牛哭旅街劳型烈姑陈莫鱼异抱宝权鲁简态级票怪寻杀律胜份汽右洋范床舞秘午登楼贵吸责例追较职属渐左录丝牙党继托赶章智冲叶胡吉卖坚喝肉遗救修松临藏担戏善卫药悲敢靠伊村戴词森耳差短祖云规窗散迷油旧适乡架恩投弹铁博雷府压超负勒杂醒洗采毫嘴毕九冰既状乱景席珍童顶派素脱农疑练野按犯拍征坏骨余承置臓彩灯巨琴免环姆暗换技翻束增忍餐洛塞缺忆判欧层付阵玛批岛项狗休懂武革良恶恋委拥娜妙探呀营退摇弄桌熟诺宣银势奖宫忽套康供优课鸟喊降夏困刘罪亡鞋健模败伴守挥鲜财孤枪禁恐伙杰迹妹藸遍盖副坦牌江顺秋萨菜划授归浪听凡预奶雄升碃编典袋莱含盛济蒙棋端腿招释介烧误")


def rng_text(rng, words, n, sep=" "):
    return sep.join(rng.choice(words) for _ in range(n))


def main():
    rng = random.Random(20240601)
    corpus = []
    seeds = (EN_TITLES + EN_DESCRIPTIONS + EN_QUESTIONS + ZH_TITLES + ZH_DESCRIPTIONS + ZH_QUESTIONS +
             JA_KO + RTL + ACCENTS + EMOJI + NUMBERS + CODE + WHITESPACE + SPECIALS)
    corpus.extend(seeds)
    # Mixed-language product listings and questions from templates.
    sizes = ["XS", "S", "M", "L", "XL", "XXL", "38", "42", "EU 44", "US 10.5", "均码", "大号"]
    colors = ["Black", "white", "NAVY", "Rosé", "红色", "黑色", "Beige/Khaki", "米白色"]
    prices = ["¥199.00", "$1,299.99", "€49.95", "£12", "￥88", "$0.99", "HK$350", "NT$1,200"]
    templates = [
        "{title} - {color}, size {size}, only {price}!",
        "{title}（{color}，{size}）仅售{price}",
        "Q: {q}\nA: {a}",
        "{q} {emoji}",
        "【{zh}】{title} {price} {pct}% OFF",
        "{title}\n\n{desc}\n\n{zdesc}",
        "Re: order #{num} — {q}",
        "{title}\t{price}\t{size}\t{color}",
        "{acc} {title} {emoji}",
        "{zq}{emoji}{emoji}",
        "{title} | {num} reviews | {pct}% recommend",
        "{code}\n# {q}",
    ]
    for i in range(1500):
        t = templates[i % len(templates)]
        corpus.append(t.format(
            title=rng.choice(EN_TITLES + ZH_TITLES), color=rng.choice(colors), size=rng.choice(sizes),
            price=rng.choice(prices), q=rng.choice(EN_QUESTIONS + ZH_QUESTIONS),
            a=rng.choice(EN_DESCRIPTIONS + ZH_DESCRIPTIONS), emoji=rng.choice(EMOJI),
            zh=rng.choice(ZH_TITLES), pct=rng.randint(5, 90), desc=rng.choice(EN_DESCRIPTIONS),
            zdesc=rng.choice(ZH_DESCRIPTIONS), num=rng.randint(1, 10**7), acc=rng.choice(ACCENTS),
            zq=rng.choice(ZH_QUESTIONS), code=rng.choice(CODE)))
    # Random word salads, case mixes and whitespace runs.
    for i in range(300):
        s = rng_text(rng, WORDS_EN, rng.randint(1, 40))
        if i % 3 == 0:
            s = s.upper()
        elif i % 3 == 1:
            s = s.title()
        if i % 5 == 0:
            s = s.replace(" ", rng.choice(["  ", "\t", "\n", " \u3000", "\r\n", "   "]))
        corpus.append(s)
    for i in range(150):
        corpus.append("".join(rng.choice(WORDS_ZH) for _ in range(rng.randint(1, 60))))
    # Very long words (around and past max_input_chars_per_word = 100) and repeats.
    for n in (99, 100, 101, 150, 250, 1000):
        corpus.append("a" * n)
        corpus.append(("supercalifragilistic" * 20)[:n])
        corpus.append("é" * n)
        corpus.append("x" * (n - 1) + "é")
    corpus.append("hello " * 300)
    corpus.append("你好" * 300)
    corpus.append("!!!" * 100)
    corpus.append("a-b" * 200)
    # Random code points from many blocks, to exercise the category tables.
    blocks = [(0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x36F), (0x370, 0x3FF), (0x400, 0x4FF),
              (0x590, 0x6FF), (0x900, 0x97F), (0xE00, 0xE7F), (0x1100, 0x11FF), (0x2000, 0x206F),
              (0x20A0, 0x20CF), (0x2100, 0x214F), (0x2190, 0x23FF), (0x2500, 0x27BF), (0x3000, 0x30FF),
              (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7A3), (0xF900, 0xFAFF), (0xFE30, 0xFE4F),
              (0xFF00, 0xFFEF), (0x1D400, 0x1D7FF), (0x1F300, 0x1FAFF), (0x20000, 0x2A6DF),
              (0x2B740, 0x2B93F), (0x10000, 0x1007F), (0x11000, 0x1107F), (0x1E900, 0x1E95F)]
    for i in range(200):
        a, b = rng.choice(blocks)
        chars = [chr(rng.randint(a, b)) for _ in range(rng.randint(1, 30))]
        if i % 2:
            chars = [c + " " if rng.random() < 0.2 else c for c in chars]
        corpus.append("".join(chars))
    # Invalid UTF-8 (bytes file): lone continuations, truncated sequences, overlongs,
    # surrogates, > U+10FFFF, mixed with valid text.
    bad = [b"\x80", b"\xbf abc", b"abc \xc3", b"\xe4\xbd", b"\xf0\x9f\x98", b"\xc0\xaf", b"\xe0\x80\x80",
           b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xf8\x88\x80\x80\x80", b"\xff\xfe", b"caf\xe9",
           "你好".encode() + b"\xe4\xbd" + "世界".encode(), b"ok \xf0\x9f\x98 \xf0\x9f\x98\x80 done",
           b"\xc3\x28", b"\xe2\x82\x28 price", b"A\xc2B\xc2\xa0C", b"\x00\x01\x02 nul", b"\xef\xbb\xbfBOM",
           b"tail\xf0\x9f"]
    for i in range(60):
        base = rng.choice(EN_TITLES + ZH_TITLES + EMOJI).encode()
        cut = rng.randint(0, len(base))
        base = base[:cut] + rng.choice([b"\x80", b"\xc3", b"\xe4\xbd", b"\xf0\x9f", b"\xff", b"\xed\xbf\xbf"]) + base[cut:]
        bad.append(base)
    for s in bad:
        try:
            s.decode("utf-8")
            assert s == b"\x00\x01\x02 nul" or s == b"\xef\xbb\xbfBOM", s  # valid ones allowed
        except UnicodeDecodeError:
            pass
    os.makedirs(os.path.join(ROOT, "tests", "data"), exist_ok=True)
    with open(os.path.join(ROOT, "tests", "data", "tokenizer_corpus.jsonl"), "w", encoding="utf-8") as f:
        for s in corpus:
            f.write(json.dumps(s, ensure_ascii=False) + "\n")
    with open(os.path.join(ROOT, "tests", "data", "tokenizer_corpus_bytes.txt"), "w", encoding="ascii") as f:
        for s in bad:
            f.write(s.hex() + "\n")
    print(f"{len(corpus)} text inputs, {len(bad)} byte inputs")


if __name__ == "__main__":
    main()
