# Hand-written sample catalog for the fictional shop "Tessera Goods / 镶嵌良品".
# Written for the tessera project; licence: Apache-2.0 (same as the project).
# Used by tools/data/build_sample_data.py to write data/catalog.jsonl.

PRODUCTS = []


def P(sku, category, price, stock, tags, title_en, title_zh, description_en, description_zh):
    PRODUCTS.append({
        "id": sku,
        "title_en": title_en,
        "title_zh": title_zh,
        "description_en": description_en,
        "description_zh": description_zh,
        "category": category,
        "price": price,  # string with 2 decimals, written as a JSON number
        "stock": stock,
        "tags": tags.split(),
    })


# ---------------------------------------------------------------- shoes
P("SKU-11001", "shoes", "599.00", 42, "hiking waterproof men boots outdoor",
  "TrailGuard Waterproof Hiking Boots (Men's)", "TrailGuard 男款防水登山靴 中帮",
  "Mid-cut hiking boots with a waterproof breathable membrane, suede-and-nylon upper and a deep-lug rubber outsole. Men's sizes 39-46 (EU); about 620 g per boot in size 42. Good for wet trails, day hikes and light snow.",
  "中帮防水登山靴，内置防水透气膜，翻毛皮拼尼龙鞋面，深齿橡胶大底抓地力强。男码39-46，42码单只约620克，适合雨天山路、日常徒步和轻度雪地。")
P("SKU-11002", "shoes", "459.00", 35, "hiking breathable men boots summer",
  "TrailGuard Breathable Hiking Boots (Men's, Mesh)", "TrailGuard 男款透气徒步靴 网面",
  "The same TrailGuard mid-cut last as our waterproof boot, but with an open-mesh upper and no membrane, so it stays cool and dries fast in summer. Not waterproof. Men's sizes 39-46 (EU).",
  "与TrailGuard防水款同楦型，鞋面为透气网布，无防水膜，夏季徒步更凉爽，湿了干得快。不防水。男码39-46。")
P("SKU-11003", "shoes", "329.00", 18, "hiking waterproof kids boots",
  "TrailGuard Junior Waterproof Hiking Boots (Kids)", "TrailGuard 儿童防水登山鞋",
  "Waterproof hiking boots for children with a hook-and-loop strap plus quick-lace, so kids can put them on by themselves. Reinforced toe cap for scrambling. Kids' sizes 28-38 (EU).",
  "儿童防水登山鞋，魔术贴加快拉系带，孩子自己就能穿脱。加固防撞鞋头，适合亲子徒步、下雨天上学。童码28-38。")
P("SKU-11004", "shoes", "239.00", 0, "hiking breathable kids summer",
  "TrailGuard Junior Mesh Hiking Shoes (Kids)", "TrailGuard 儿童透气徒步鞋 网面",
  "Lightweight breathable hiking shoes for kids with a mesh upper and soft EVA midsole; not waterproof. Kids' sizes 28-38 (EU).",
  "儿童透气徒步鞋，网面鞋身，EVA软中底，轻便不累脚，不防水，适合夏季郊游。童码28-38。")
P("SKU-11005", "shoes", "569.00", 27, "hiking waterproof women boots",
  "TrailGuard Waterproof Hiking Boots (Women's)", "TrailGuard 女款防水徒步靴",
  "Women's waterproof hiking boots on a narrower women's last, with a membrane lining and cushioned insole. Sizes 35-41 (EU). Suitable for rainy trails and travel.",
  "女款防水徒步靴，女性专属窄楦，防水透气内衬，缓震鞋垫。码数35-41，雨天登山、旅行都适合。")
P("SKU-11006", "shoes", "499.00", 60, "running lightweight men breathable",
  "AeroKnit Runner X2 (Men's)", "AeroKnit Runner X2 男款跑鞋",
  "Daily running shoe with a one-piece knit upper, 8 mm drop and a responsive foam midsole; about 240 g in size 42. Men's sizes 39-46.",
  "一体飞织鞋面，8毫米落差，高回弹中底，42码约240克。适合日常慢跑和半马训练。男码39-46。")
P("SKU-11007", "shoes", "499.00", 0, "running lightweight women breathable",
  "AeroKnit Runner X2 (Women's)", "AeroKnit Runner X2 女款跑鞋",
  "Women's version of the AeroKnit Runner X2 with a narrower heel cup; about 205 g in size 37. Women's sizes 35-40.",
  "AeroKnit Runner X2女款，后跟更窄更包裹，37码约205克，轻量透气。女码35-40。")
P("SKU-11008", "shoes", "89.00", 120, "handmade cotton casual traditional elderly",
  "Laobeijing Cloth Shoes", "老北京布鞋 手工千层底 男女款",
  "Traditional Beijing cloth shoes with a hand-stitched layered cotton sole. Unisex sizes 35-45.",
  "老北京手工千层底布鞋，纯棉黑布鞋面，手工纳底，透气吸汗不闷脚，适合日常散步、打太极、中老年人居家穿着。男女同款35-45码。")
P("SKU-11009", "shoes", "199.00", 75, "winter warm women boots non-slip",
  "Fleece-Lined Snow Boots (Women's)", "女款加绒加厚雪地靴 中筒 防滑",
  "Women's mid-calf snow boots lined with thick plush fleece, with a non-slip rubber sole for icy pavements. Sizes 35-40.",
  "女款加绒加厚雪地靴，中筒设计，内里厚毛绒保暖，防滑橡胶底，适合北方冬天、东北旅游。码数35-40。")
P("SKU-11010", "shoes", "159.00", 44, "kids led sneakers gift",
  "Kids' Light-Up Sneakers", "儿童发光运动鞋 USB充电",
  "Kids' sneakers with LED lights in the sole, USB rechargeable, about 6 hours of light per charge. Hook-and-loop closure; kids' sizes 25-36.",
  "儿童发光运动鞋，鞋底LED七彩灯，USB充电，一次充电可亮约6小时。魔术贴设计，童码25-36，送孩子的好礼物。")
P("SKU-11011", "shoes", "699.00", 15, "leather formal men business",
  "Men's Full-Grain Leather Oxford Shoes", "男士头层牛皮商务正装皮鞋",
  "Men's Oxford shoes in full-grain cowhide with a leather lining and a rubber heel for quiet steps; for the office and formal occasions. Sizes 38-45.",
  "男士头层牛皮商务正装皮鞋，牛皮内里，橡胶后跟走路无声，适合上班、婚礼等正式场合。码数38-45。")
P("SKU-11012", "shoes", "129.00", 50, "non-slip waterproof work unisex",
  "Non-Slip Kitchen Work Clogs", "防滑厨师鞋 防水防油工作鞋",
  "Non-slip, waterproof work clogs for chefs, nurses and anyone standing on wet floors; oil-resistant outsole and a wipe-clean upper. Unisex sizes 36-46.",
  "厨师防滑工作鞋，防水防油，鞋面一擦即净，适合厨房、医院、餐厅等湿滑地面。男女同款36-46码。")
P("SKU-11013", "shoes", "69.00", 200, "summer lightweight unisex beach",
  "EVA Garden Clogs", "EVA洞洞鞋 沙滩鞋 男女款",
  "Lightweight EVA clogs with ventilation holes and a pivoting heel strap; rinse clean in seconds. Unisex sizes 35-45.",
  "EVA洞洞鞋，轻便透气，后跟带可翻转，沙滩、花园、雨天都能穿，冲洗即干净。男女同款35-45码。")
P("SKU-11014", "shoes", "119.00", 90, "canvas casual unisex white",
  "Classic White Slip-On Canvas Sneakers", "小白鞋 一脚蹬帆布鞋",
  "Classic white slip-on canvas sneakers with a vulcanised rubber sole; pair with jeans or dresses. Unisex sizes 35-44.",
  "经典小白鞋，一脚蹬帆布鞋，硫化橡胶底，百搭牛仔裤和裙子，学生上课、日常通勤都适合。码数35-44。")
P("SKU-11015", "shoes", "49.90", 300, "home warm unisex comfort",
  "Memory Foam Home Slippers", "记忆棉居家拖鞋 冬季",
  "Indoor slippers with a 2 cm memory-foam footbed and a soft knit upper; machine washable on a gentle cycle. Unisex S/M/L (35-44).",
  "记忆棉居家拖鞋，2厘米厚软鞋垫，针织鞋面，可机洗，冬天室内穿不冻脚。S/M/L三个尺码（35-44）。")
P("SKU-11016", "shoes", "629.00", 22, "running trail grip men breathable",
  "GripMax Trail Running Shoes (Men's)", "GripMax 男款越野跑鞋",
  "Trail running shoes with 5 mm lugs, a rock plate and a breathable mesh upper for dry mountain trails; not waterproof. Men's sizes 39-46.",
  "GripMax越野跑鞋，5毫米深齿大底，内置防石板，透气网面，适合干燥山路越野，不防水。男码39-46。")
P("SKU-11017", "shoes", "99.00", 65, "baby kids soft-sole gift",
  "Baby First-Walker Shoes", "宝宝学步鞋 软底防滑",
  "Soft-sole first-walker shoes for babies learning to walk, with a flexible non-slip sole and a wide toe box. For foot lengths 11.5-14 cm (about 8-18 months).",
  "宝宝学步鞋，软底防滑，宽头设计不挤脚，适合8-18个月学步期宝宝，脚长11.5-14厘米。")
P("SKU-11018", "shoes", "259.00", 0, "women formal leather office",
  "Women's Low-Heel Sheepskin Pumps", "女士低跟单鞋 软羊皮 通勤",
  "Women's 3 cm low-heel pumps in soft sheepskin with a padded insole for long days at the office. Sizes 34-40.",
  "女士3厘米低跟单鞋，软羊皮鞋面，加厚鞋垫久站不累，适合上班通勤。码数34-40。")
P("SKU-11019", "shoes", "89.00", 80, "kids waterproof rain boots",
  "Kids' Rain Boots", "儿童雨靴 防滑 带提手",
  "Kids' rubber rain boots with pull-on handles and a non-slip sole; fully waterproof up to mid-calf. Kids' sizes 24-35.",
  "儿童雨靴，全防水橡胶材质，带提手方便穿脱，防滑鞋底，下雨天上学踩水不湿脚。童码24-35。")
P("SKU-11020", "shoes", "699.00", 14, "running trail waterproof men",
  "GripMax Waterproof Trail Running Shoes (Men's)", "GripMax 男款防水越野跑鞋",
  "Waterproof version of the GripMax trail runner with a membrane bootie lining for muddy, wet trails; about 40 g heavier and a little warmer than the mesh model. Men's sizes 39-46.",
  "GripMax越野跑鞋防水款，防水袜套式内衬，适合泥泞、雨天山路，比网面款重约40克、略保暖。男码39-46。")

# ---------------------------------------------------------------- apparel
P("SKU-12001", "apparel", "79.00", 150, "quick-dry running men breathable",
  "Men's Quick-Dry Running T-Shirt", "男士速干T恤 运动短袖",
  "Men's running T-shirt in a quick-dry polyester knit that wicks sweat; flat seams prevent chafing. Sizes S-3XL.",
  "男士速干T恤，速干面料排汗快，平缝工艺不磨皮肤，跑步、健身、登山都适合。尺码S-3XL。")
P("SKU-12002", "apparel", "79.00", 130, "quick-dry running women breathable",
  "Women's Quick-Dry Running T-Shirt", "女士速干T恤 运动短袖",
  "Women's quick-dry running T-shirt with a slightly fitted cut and a reflective logo for evening runs. Sizes XS-XL.",
  "女士速干T恤，微修身版型，反光logo夜跑更安全，吸湿排汗。尺码XS-XL。")
P("SKU-12003", "apparel", "459.00", 30, "wool warm men winter",
  "Men's Merino Wool Crew-Neck Sweater", "男士美利奴羊毛圆领毛衣",
  "Men's crew-neck sweater knitted from 100% merino wool: warm, breathable and not itchy. Sizes S-XXL; hand wash or wool cycle.",
  "男士美利奴羊毛圆领毛衣，100%美利奴羊毛，保暖透气不扎人。尺码S-XXL，手洗或羊毛模式机洗。")
P("SKU-12004", "apparel", "899.00", 25, "down winter warm women",
  "Women's Long Down Coat (90% Duck Down)", "女款加厚长款羽绒服 90%白鸭绒",
  "Women's knee-length down coat filled with 90% white duck down, fill power 650, with a detachable hood; comfortable to about -20°C. Sizes S-XL.",
  "女款加厚长款羽绒服，90%白鸭绒，蓬松度650，过膝长度，帽子可拆卸，约可抵御零下20度。尺码S-XL。")
P("SKU-12005", "apparel", "299.00", 40, "down kids winter lightweight",
  "Kids' Packable Down Jacket", "儿童轻薄羽绒服 可收纳",
  "Lightweight kids' down jacket (80% duck down) that packs into its own pocket; for autumn and mild winters. Heights 100-160 cm.",
  "儿童轻薄羽绒服，80%鸭绒，可收纳进自带口袋，适合秋冬季节、上学穿。身高100-160厘米。")
P("SKU-12006", "apparel", "259.00", 60, "waterproof packable unisex rain",
  "Packable Rain Jacket", "轻便防水皮肤衣 可收纳",
  "Packable rain jacket with taped seams and a 10,000 mm waterproof rating; folds into a pouch of about 15 x 10 cm. Unisex sizes S-XXL.",
  "轻便防水皮肤衣，压胶接缝，防水指数10000毫米，可折叠收纳成约15×10厘米小包。男女同款S-XXL。")
P("SKU-12007", "apparel", "129.00", 88, "organic baby cotton gift",
  "Organic Cotton Baby Onesies (3-Pack)", "有机棉婴儿连体衣三件装",
  "Three baby onesies in GOTS-certified organic cotton with snap buttons at the crotch for easy nappy changes. Sizes 59-90 cm (0-24 months).",
  "有机棉婴儿连体衣三件装，GOTS认证有机棉，裆部按扣换尿布方便。尺码59-90（0-24个月），满月、百日送礼都合适。")
P("SKU-12008", "apparel", "368.00", 12, "women traditional dress gift",
  "Modern Qipao Dress", "改良旗袍连衣裙 真丝混纺 盘扣",
  "Modern short-sleeve qipao in a silk-blend jacquard with frog buttons; knee length. Sizes S-XL.",
  "改良旗袍连衣裙，真丝混纺提花面料，手工盘扣，及膝长度，日常、拍照、参加婚礼都可以穿。尺码S-XL。")
P("SKU-12009", "apparel", "428.00", 9, "women traditional hanfu skirt",
  "Mamian Skirt (Ming Style)", "明制汉服马面裙 织金 新中式",
  "Ming-style pleated mamian skirt with woven gold pattern; waist tie fits 60-90 cm.",
  "明制汉服马面裙，织金工艺，两侧褶裥，系带可调节腰围60-90厘米，新中式日常通勤、国风拍照都适合。")
P("SKU-12010", "apparel", "199.00", 70, "men casual cotton office",
  "Men's Slim-Fit Stretch Chinos", "男士修身弹力休闲裤",
  "Men's slim-fit chinos in stretch cotton twill (98% cotton, 2% elastane); smart enough for the office. Waist 28-38.",
  "男士修身休闲裤，98%棉加2%氨纶弹力斜纹布，上班、休闲都能穿。腰围28-38。")
P("SKU-12011", "apparel", "129.00", 0, "warm winter unisex base-layer",
  "Fleece-Lined Thermal Underwear Set", "加绒保暖内衣套装 秋衣秋裤",
  "Fleece-lined thermal top and bottoms, thin enough to wear under jeans. Unisex sizes M-3XL.",
  "加绒保暖内衣套装，德绒面料，上衣加秋裤，薄款不臃肿，可穿在牛仔裤里。男女款M-3XL。")
P("SKU-12012", "apparel", "239.00", 45, "linen summer women breathable",
  "Women's Washed Linen Shirt", "女士水洗亚麻衬衫 宽松",
  "Women's relaxed shirt in 100% washed linen, breathable in hot and humid summers. Sizes S-XL; white, sage or sand.",
  "女士水洗亚麻衬衫，100%亚麻，宽松版型透气凉快，适合闷热夏天。尺码S-XL，白色、豆绿、沙色。")
P("SKU-12013", "apparel", "159.00", 110, "sun-protection summer women lightweight",
  "UPF 50+ Sun Protection Hoodie (Women's)", "女款冰丝防晒衣 UPF50+",
  "UPF 50+ sun-protection hoodie in a cool-touch fabric with thumb holes and a wide-brim hood. Women's sizes S-XL.",
  "冰丝防晒衣，UPF50+，凉感面料，大帽檐加拇指扣，骑车、出游防紫外线。女款S-XL。")
P("SKU-12014", "apparel", "99.00", 60, "sun-protection kids summer lightweight",
  "Kids' UPF 50+ Sun Protection Jacket", "儿童防晒衣 UPF50+ 轻薄速干",
  "Kids' UPF 50+ sun-protection jacket, lightweight and quick-drying; packs into a small bag. Heights 90-150 cm.",
  "儿童防晒衣，UPF50+，轻薄速干，可收纳，适合夏天户外、海边。身高90-150厘米。")
P("SKU-12015", "apparel", "399.00", 20, "cashmere gift winter women",
  "100% Cashmere Scarf", "100%羊绒围巾 礼盒装",
  "100% cashmere scarf, 180 x 30 cm, light and warm, in a gift box. Camel, grey or burgundy.",
  "100%羊绒围巾，180×30厘米，轻薄保暖，附礼盒，驼色、灰色、酒红可选，送妈妈、送女友都合适。")
P("SKU-12016", "apparel", "189.00", 55, "cotton sleepwear gift couple",
  "Cotton Couple Pyjama Sets", "纯棉情侣睡衣套装",
  "Matching pyjamas for two in 100% cotton poplin: one men's and one women's set. Sizes M-XXL.",
  "纯棉情侣睡衣套装，100%纯棉，男款加女款各一套，春秋季居家穿，适合送新婚礼物。尺码M-XXL。")
P("SKU-12017", "apparel", "1299.00", 8, "wool winter men formal",
  "Men's Wool Overcoat", "男士羊毛大衣 中长款",
  "Men's single-breasted overcoat in 70% wool and 30% polyamide, mid-thigh length, fully lined. Sizes S-XXL.",
  "男士羊毛大衣，70%羊毛，单排扣中长款，全里衬，通勤、商务场合都得体。尺码S-XXL。")
P("SKU-12018", "apparel", "69.00", 200, "running socks unisex quick-dry",
  "Compression Running Socks (3 Pairs)", "压缩跑步袜三双装",
  "Three pairs of graduated compression running socks with quick-dry yarn and cushioned heels. S (35-38), M (39-42), L (43-46).",
  "压缩跑步袜三双装，梯度压缩，速干纱线，脚跟加厚缓冲。S码35-38，M码39-42，L码43-46。")
P("SKU-12019", "apparel", "99.00", 40, "gift red traditional cotton",
  "Benmingnian Red Gift Box", "本命年红色纯棉内衣礼盒 红内裤红袜子",
  "Red cotton set for one's zodiac year, in a gift box.",
  "本命年红色纯棉内衣礼盒，红内裤、红袜子各两件，喜庆吉祥，过年送长辈、送本命年的家人朋友都合适。男女款可选。")
P("SKU-12020", "apparel", "459.00", 16, "kids waterproof winter ski",
  "Kids' Waterproof One-Piece Ski Suit", "儿童连体滑雪服 防水防风",
  "Kids' one-piece ski suit, waterproof (8,000 mm) and windproof, with insulated padding and snow gaiters. Heights 100-150 cm.",
  "儿童连体滑雪服，防水8000毫米、防风，加厚保暖填充，裤脚防雪套。身高100-150厘米。")

# ---------------------------------------------------------------- bags
P("SKU-13001", "bags", "289.00", 65, "laptop waterproof commute usb",
  "Commuter Laptop Backpack 15.6-inch with USB Port", "通勤双肩包 15.6寸电脑包 防泼水 USB充电口",
  "26 L laptop backpack in water-resistant polyester with a padded 15.6-inch sleeve, an external USB charging port and a luggage strap.",
  "通勤双肩包，可放15.6寸笔记本，防泼水面料，外置USB充电口，拉杆箱固定带，容量26升。")
P("SKU-13002", "bags", "249.00", 40, "laptop commute lightweight",
  "Slim Commuter Backpack 14-inch", "轻薄通勤双肩包 14寸",
  "Slimmer 18 L commuter backpack for 14-inch laptops, only 650 g; water-resistant fabric, no USB port.",
  "轻薄款通勤双肩包，适配14寸笔记本，容量18升，仅重650克，无USB口，面料防泼水。")
P("SKU-13003", "bags", "199.00", 90, "kids school lightweight ergonomic",
  "Kids' Ergonomic School Backpack", "儿童护脊书包 小学生 减负",
  "Ergonomic school backpack for grades 1-6 with a spine-protecting back panel and reflective strips; about 900 g.",
  "儿童护脊书包，适合1-6年级，S型背带减负护脊，反光条夜间更安全，重约900克。")
P("SKU-13004", "bags", "799.00", 14, "leather women gift office",
  "Women's Full-Grain Leather Tote", "女士头层牛皮托特包 大容量",
  "Women's tote in full-grain cowhide with a zip pocket; fits A4 documents and a 13-inch laptop.",
  "女士头层牛皮托特包，内置拉链袋，可放A4文件和13寸笔记本，上班通勤大容量。")
P("SKU-13005", "bags", "39.00", 500, "canvas reusable eco shopping",
  "Heavy Canvas Shopping Tote", "加厚帆布购物袋 环保袋",
  "Heavy 12 oz cotton canvas shopping tote, 40 x 35 x 10 cm, reusable and washable.",
  "加厚帆布购物袋，12盎司纯棉帆布，40×35×10厘米，可重复使用、可水洗，环保替代塑料袋。")
P("SKU-13006", "bags", "459.00", 33, "travel luggage carry-on lightweight",
  "20-inch Carry-On Spinner Suitcase", "20寸登机箱 PC拉杆箱 万向轮",
  "20-inch carry-on suitcase in polycarbonate with spinner wheels and a TSA lock; 2.9 kg, within most airlines' cabin limits.",
  "20寸登机箱，PC材质，万向轮静音，海关锁，重2.9公斤，符合大多数航空公司登机尺寸。")
P("SKU-13007", "bags", "559.00", 0, "travel luggage large",
  "24-inch Checked Suitcase", "24寸托运行李箱 扩容",
  "24-inch checked suitcase with a polycarbonate shell and an expansion zip for 10% more space; 3.8 kg.",
  "24寸托运箱，PC箱体，扩容拉链可增加10%空间，重3.8公斤，适合5-7天出行。")
P("SKU-13008", "bags", "59.00", 150, "running sports phone lightweight",
  "Running Waist Pack", "跑步腰包 手机袋 贴身不晃",
  "Slim running belt that holds phones up to 6.9 inches, keys and gels without bouncing.",
  "跑步腰包，贴身不晃，可放6.9寸以内手机、钥匙、能量胶，弹力面料。")
P("SKU-13009", "bags", "229.00", 48, "leather men gift wallet",
  "Men's Leather Bifold Wallet", "男士真皮短款钱包 礼盒装",
  "Men's bifold wallet in vegetable-tanned cowhide with RFID blocking and 8 card slots; gift boxed.",
  "男士真皮短款钱包，植鞣头层牛皮，防RFID盗刷，8个卡位，配礼盒，送父亲、男友合适。")
P("SKU-13010", "bags", "69.00", 120, "insulated lunch office kids",
  "Insulated Lunch Bag", "保温午餐包 饭盒袋",
  "Insulated lunch bag with foil lining that keeps food warm or cold for about 4 hours; fits two meal-prep boxes.",
  "保温午餐包，铝箔内衬保温保冷约4小时，可放两个饭盒，上班族、学生带饭必备。")
P("SKU-13011", "bags", "89.00", 70, "waterproof outdoor beach kayak",
  "20 L Roll-Top Dry Bag", "20升防水桶包 漂流包",
  "20 L roll-top dry bag in 500D PVC tarpaulin, fully waterproof; keeps phones and clothes dry while kayaking or at the beach.",
  "20升防水桶包，500D PVC夹网布，卷口密封完全防水，漂流、皮划艇、海边游泳都能用。")
P("SKU-13012", "bags", "329.00", 19, "camera photography padded travel",
  "Camera Sling Bag", "相机斜挎包 微单",
  "Camera sling with padded dividers for one mirrorless body and two lenses; quick side access.",
  "相机斜挎包，加厚可调隔板，可放一机两镜（微单），侧开快取，旅行拍照方便。")
P("SKU-13013", "bags", "269.00", 37, "baby mom large insulated",
  "Diaper Backpack", "大容量妈咪包 双肩 母婴包",
  "25 L diaper backpack with insulated bottle pockets, a changing pad and stroller straps.",
  "大容量妈咪包，双肩背，保温奶瓶袋，附赠隔尿垫，可挂婴儿车，容量25升。")
P("SKU-13014", "bags", "129.00", 85, "women phone crossbody lightweight",
  "Crossbody Phone Bag", "手机斜挎小包 女",
  "Small crossbody phone bag in PU leather with a card slot and an adjustable strap; fits phones up to 6.8 inches.",
  "手机斜挎小包，PU皮质，带卡位，肩带可调，可放6.8寸以内手机，出门逛街轻便。")
P("SKU-13015", "bags", "79.00", 160, "travel organizer lightweight",
  "Packing Cubes (6-Piece Set)", "旅行收纳袋六件套",
  "Six-piece packing set in lightweight nylon: three cube sizes, a shoe bag, a toiletry bag and a laundry bag.",
  "旅行收纳袋六件套，三种尺寸收纳袋加鞋袋、洗漱包、脏衣袋，轻量尼龙，行李箱整理神器。")
P("SKU-13016", "bags", "159.00", 58, "gym sports duffel waterproof",
  "Gym Duffel with Shoe Compartment", "健身包 干湿分离 独立鞋仓",
  "35 L gym duffel with a separate ventilated shoe compartment and a waterproof wet pocket for swimwear.",
  "健身包，35升大容量，独立鞋仓，干湿分离防水袋可放泳衣毛巾，健身游泳都适合。")
P("SKU-13017", "bags", "88.00", 30, "handmade embroidery gift traditional",
  "Suzhou Embroidery Coin Purse", "苏绣手工刺绣零钱包 牡丹",
  "Hand-embroidered coin purse (Suzhou embroidery), 11 x 9 cm.",
  "苏绣手工刺绣零钱包，牡丹图案，11×9厘米，金属口金扣，精致国风小礼物，适合送外国朋友。")
P("SKU-13018", "bags", "499.00", 26, "hiking outdoor large rain-cover",
  "40 L Hiking Backpack with Rain Cover", "40升登山包 带防雨罩",
  "40 L hiking backpack with an adjustable back system, hip-belt pockets and an integrated rain cover; 1.4 kg.",
  "40升登山包，背负系统可调，腰带口袋，自带防雨罩，重1.4公斤，适合2-3天徒步。")

# ---------------------------------------------------------------- kitchen
P("SKU-14001", "kitchen", "129.00", 200, "insulated stainless-steel gift office",
  "Vacuum Insulated Bottle 500 ml", "316不锈钢保温杯 500ml 带茶隔",
  "500 ml vacuum-insulated bottle in 316 stainless steel; keeps drinks hot for 12 hours and cold for 24. Leak-proof lid with a tea infuser.",
  "316不锈钢保温杯500ml，保温12小时、保冷24小时，防漏杯盖带茶隔，泡茶、上班、送礼都合适。")
P("SKU-14002", "kitchen", "99.00", 150, "kids insulated leak-proof school",
  "Kids' Insulated Straw Cup 400 ml", "儿童保温杯 吸管杯 400ml",
  "400 ml kids' insulated cup with a straw lid and shoulder strap; 316 stainless steel, BPA-free.",
  "儿童保温杯带吸管400ml，316不锈钢内胆，防漏弹盖，带背带，上学、幼儿园都能用。")
P("SKU-14003", "kitchen", "239.00", 40, "cast-iron cookware induction",
  "Cast Iron Skillet 26 cm", "26厘米铸铁煎锅 已开锅",
  "Pre-seasoned 26 cm cast iron skillet for gas, induction and ovens up to 260°C; even heat for searing steak.",
  "26厘米铸铁煎锅，已开锅，燃气灶、电磁炉、烤箱都可用（最高260°C），煎牛排受热均匀。")
P("SKU-14004", "kitchen", "199.00", 60, "nonstick cookware induction wok",
  "Non-Stick Wok 32 cm with Glass Lid", "32厘米不粘炒锅 带玻璃盖",
  "32 cm non-stick wok with a three-layer PFOA-free coating and a glass lid; induction compatible.",
  "32厘米不粘炒锅，三层无PFOA涂层，配可视玻璃盖，电磁炉燃气灶通用，少油烟。")
P("SKU-14005", "kitchen", "298.00", 25, "iron handmade wok traditional",
  "Zhangqiu Hand-Hammered Iron Wok 32 cm", "章丘手工锻打铁锅 32厘米 无涂层",
  "Hand-hammered carbon-steel wok from Zhangqiu, 32 cm; uncoated, needs seasoning.",
  "章丘手工锻打铁锅32厘米，无涂层，千次锤打，越用越好用，炒菜有锅气，需自行开锅养护。")
P("SKU-14006", "kitchen", "599.00", 30, "appliance rice smart induction",
  "3 L IH Rice Cooker", "3升IH电饭煲 智能预约",
  "3 L induction-heating rice cooker with 12 programmes and a 24-hour delay timer; serves 2-6 people.",
  "3升IH电磁加热电饭煲，12种烹饪模式，24小时预约，适合2-6人家庭，煮饭香软。")
P("SKU-14007", "kitchen", "169.00", 0, "appliance rice small dorm",
  "Mini Rice Cooker 1.2 L", "迷你电饭煲1.2升 宿舍可用",
  "1.2 L mini rice cooker for one or two people, with a non-stick pot and keep-warm; only 300 W, suitable for dorms.",
  "1.2升迷你电饭煲，适合1-2人，不粘内胆，自动保温，300W小功率宿舍可用。")
P("SKU-14008", "kitchen", "259.00", 35, "coffee glass gift",
  "Pour-Over Coffee Starter Set", "手冲咖啡套装 入门",
  "Pour-over set with a glass dripper, a 600 ml server, a gooseneck kettle and 100 paper filters.",
  "手冲咖啡套装：玻璃滤杯、600ml分享壶、细口手冲壶和100张滤纸，新手入门送礼都合适。")
P("SKU-14009", "kitchen", "588.00", 10, "tea handmade gift traditional",
  "Yixing Zisha Teapot 200 ml", "宜兴原矿紫砂壶 纯手工 200ml",
  "Handmade Yixing clay teapot, 200 ml.",
  "宜兴原矿紫砂壶，纯手工制作，容量200ml，适合泡乌龙茶、普洱，配礼盒及证书，送长辈、送领导有面子。")
P("SKU-14010", "kitchen", "59.00", 140, "bamboo eco cutting-board",
  "Bamboo Cutting Board", "整竹砧板 带导流槽",
  "Solid bamboo cutting board, 38 x 28 x 2 cm, with a juice groove; gentle on knives.",
  "整竹砧板38×28×2厘米，带导流槽，天然抗菌不伤刀，环保耐用。")
P("SKU-14011", "kitchen", "299.00", 22, "knife stainless-steel gift",
  "8-inch Chef's Knife (German Steel)", "8寸主厨刀 德国钢",
  "8-inch chef's knife forged from German X50CrMoV15 steel, 56 HRC, with a full-tang pakkawood handle.",
  "8寸主厨刀，德国X50CrMoV15钢锻打，硬度56HRC，全龙骨木柄，切肉切菜都锋利。")
P("SKU-14012", "kitchen", "119.00", 90, "glass microwave-safe storage lunch",
  "Glass Meal-Prep Containers (5-Pack)", "高硼硅玻璃保鲜盒五件套 可微波",
  "Five borosilicate glass containers with locking lids (370-1040 ml); microwave, oven and dishwasher safe.",
  "高硼硅玻璃保鲜盒五件套（370-1040ml），四边锁扣密封，可微波炉、烤箱加热，可洗碗机清洗，上班带饭方便。")
P("SKU-14013", "kitchen", "399.00", 45, "appliance air-fryer healthy",
  "5 L Air Fryer with Window", "5升空气炸锅 可视窗口",
  "5 L air fryer with a viewing window and 8 presets; cooks with little or no oil. 1500 W.",
  "5升空气炸锅，可视窗口，8种预设菜单，少油或无油烹饪，1500W，薯条鸡翅一锅搞定。")
P("SKU-14014", "kitchen", "459.00", 18, "appliance breakfast soymilk",
  "High-Speed Soymilk Maker 1.2 L", "破壁豆浆机1.2升 免过滤",
  "1.2 L high-speed blender that makes soymilk, rice paste and soups; self-cleaning, with a breakfast timer.",
  "破壁豆浆机1.2升，可做豆浆、米糊、浓汤，一键自清洗，可预约早餐，免过滤。")
P("SKU-14015", "kitchen", "49.00", 100, "baking silicone reusable",
  "Silicone Baking Mats (2-Pack)", "硅胶烘焙垫两片装",
  "Two food-grade silicone baking mats, 42 x 29.5 cm, heat resistant to 230°C; reusable instead of baking paper.",
  "硅胶烘焙垫两片装，42×29.5厘米，食品级硅胶，耐温230°C，可重复使用代替油纸。")
P("SKU-14016", "kitchen", "139.00", 80, "appliance kettle stainless-steel",
  "Electric Kettle 1.7 L", "电热水壶1.7升 304不锈钢",
  "1.7 L electric kettle with a 304 stainless steel interior, boil-dry protection and auto shut-off; boils in about 5 minutes.",
  "1.7升电热水壶，304不锈钢内胆，防干烧自动断电，约5分钟烧开。")
P("SKU-14017", "kitchen", "329.00", 20, "ceramic gift dishwasher-safe tableware",
  "Ceramic Dinnerware Set (16 Pieces)", "陶瓷餐具16件套 礼盒装",
  "16-piece ceramic dinnerware set for four (plates, bowls, side plates), dishwasher and microwave safe; gift boxed.",
  "陶瓷餐具16件套，4人份碗碟盘，可洗碗机、微波炉使用，礼盒包装，乔迁送礼好选择。")
P("SKU-14018", "kitchen", "149.00", 60, "insulated lunch stainless-steel office",
  "Insulated Food Jar 800 ml", "焖烧杯800ml 316不锈钢",
  "800 ml insulated food jar: add oats or rice and boiling water in the morning and it is cooked by lunch; keeps hot about 6 hours.",
  "焖烧杯800ml，316不锈钢，早上放燕麦或米加开水，中午就能吃上热粥，保温约6小时。")
P("SKU-14019", "kitchen", "69.00", 75, "eco reusable organic storage",
  "Beeswax Food Wraps (3-Pack)", "蜂蜡保鲜布三件套",
  "Three reusable beeswax wraps (S/M/L) made from organic cotton and beeswax; a replacement for cling film.",
  "蜂蜡保鲜布三件套（大中小），有机棉加天然蜂蜡，可重复使用，代替保鲜膜，环保。")
P("SKU-14020", "kitchen", "139.00", 50, "tea travel portable gift",
  "Travel Gongfu Tea Set", "便携旅行功夫茶具套装",
  "Travel tea set: a ceramic quick-brew pot, four cups and a tea caddy in a padded carry case.",
  "便携旅行功夫茶具套装，陶瓷快客杯加四个品茗杯和茶叶罐，收纳包防摔，出差、露营喝茶方便。")

# ---------------------------------------------------------------- home
P("SKU-15001", "home", "199.00", 70, "sleep memory-foam bedroom neck",
  "Contour Memory Foam Pillow", "记忆棉颈椎枕 护颈",
  "Contoured memory-foam pillow, 60 x 35 cm with 11/9 cm heights, that supports the neck; removable washable cover.",
  "记忆棉颈椎枕，60×35厘米，高低双曲线贴合颈椎，枕套可拆洗，适合侧睡和仰睡。")
P("SKU-15002", "home", "259.00", 40, "sleep latex cooling",
  "Natural Latex Cooling Pillow", "天然乳胶枕 透气",
  "Natural latex pillow with ventilation holes for a cooler night, 60 x 40 x 10 cm; good for hot sleepers.",
  "天然乳胶枕，透气孔设计凉爽不闷热，60×40×10厘米，回弹好，适合怕热的人。")
P("SKU-15003", "home", "129.00", 90, "warm blanket winter gift",
  "Thick Coral Fleece Blanket 150 x 200 cm", "加厚珊瑚绒毛毯 150×200",
  "Thick coral-fleece blanket, 150 x 200 cm, 450 g/m²; soft for the sofa or bed in winter, machine washable.",
  "加厚珊瑚绒毛毯150×200厘米，克重450g/m²，冬天盖在沙发上、床上都暖和，可机洗。")
P("SKU-15004", "home", "399.00", 35, "cotton bedding bedroom",
  "Cotton Sateen Bedding Set (4 Pieces)", "纯棉四件套 60支长绒棉",
  "Four-piece bedding set in 100% long-staple cotton sateen (60s): duvet cover, flat sheet and two pillowcases, for 1.5 m or 1.8 m beds.",
  "纯棉四件套，100%长绒棉60支贡缎，被套加床单加两个枕套，适用1.5米或1.8米床，亲肤不起球。")
P("SKU-15005", "home", "189.00", 50, "blackout bedroom curtain",
  "Blackout Curtains (Custom Width)", "全遮光窗帘 定制尺寸",
  "Thermal blackout curtains blocking about 99% of light; custom widths 1-4 m, hooks included.",
  "全遮光窗帘，遮光率约99%，隔热保温，宽度1-4米可定制，附挂钩，卧室睡觉不怕阳光。")
P("SKU-15006", "home", "169.00", 0, "aroma relax gift bedroom",
  "Ultrasonic Aroma Diffuser 300 ml", "超声波香薰机 300ml 小夜灯",
  "Ultrasonic aroma diffuser, 300 ml, with a 7-colour night light and auto shut-off when empty; very quiet.",
  "超声波香薰机300ml，七彩小夜灯，缺水自动断电，静音运行，卧室助眠。")
P("SKU-15007", "home", "139.00", 65, "candle gift relax soy",
  "Scented Candle Gift Set (3 Candles)", "香薰蜡烛礼盒三支装",
  "Gift set of three soy-wax scented candles (osmanthus, sandalwood, white tea), about 25 hours of burn time each.",
  "香薰蜡烛礼盒三支装，大豆蜡，桂花、檀香、白茶三种香味，每支燃烧约25小时，送闺蜜、送女朋友都适合。")
P("SKU-15008", "home", "89.00", 120, "storage organizer foldable",
  "Foldable Fabric Storage Boxes (3-Pack)", "可折叠布艺收纳箱三件套",
  "Three foldable fabric storage boxes, 40 x 30 x 25 cm each, with lids and handles for wardrobes or under the bed.",
  "可折叠布艺收纳箱三件套，每个40×30×25厘米，带盖带提手，衣柜、床底收纳衣物被子。")
P("SKU-15009", "home", "99.00", 40, "bamboo laundry eco",
  "Woven Bamboo Laundry Hamper 55 L", "手工竹编脏衣篮 55升",
  "Hand-woven bamboo laundry hamper, 55 L, with a removable cotton liner.",
  "手工竹编脏衣篮，55升，带可拆洗棉布内衬，透气不发霉。")
P("SKU-15010", "home", "229.00", 55, "led desk kids study",
  "Eye-Care LED Desk Lamp", "护眼台灯 学生写作业",
  "LED desk lamp with no visible flicker, adjustable 2700-6500 K colour temperature and a 45 cm arm; for homework and reading.",
  "护眼台灯，无可视频闪，色温2700-6500K可调，45厘米长臂，孩子写作业、看书不伤眼。")
P("SKU-15011", "home", "79.00", 60, "silent clock living-room",
  "Silent Wall Clock 30 cm", "静音挂钟 30厘米 扫秒",
  "30 cm wall clock with a sweeping second hand, so no ticking; runs on one AA battery.",
  "30厘米静音挂钟，扫秒机芯无滴答声，适合卧室、客厅，使用一节5号电池。")
P("SKU-15012", "home", "159.00", 0, "warm winter electric bedroom",
  "Double Electric Blanket", "双人电热毯 双控温",
  "Double electric blanket, 180 x 150 cm, with dual controls, 3 heat levels and an auto-off timer.",
  "双人电热毯180×150厘米，双控温，三档调节，定时自动关闭，安全防水。")
P("SKU-15013", "home", "59.00", 150, "non-slip entryway washable",
  "Non-Slip Entrance Doormat", "入户防滑地垫 可机洗",
  "Non-slip entrance mat with rubber backing, 60 x 90 cm; traps mud and water, machine washable.",
  "入户防滑地垫60×90厘米，橡胶防滑底，吸水刮泥，可机洗。")
P("SKU-15014", "home", "268.00", 12, "ceramic gift traditional decor",
  "Jingdezhen Blue-and-White Porcelain Vase", "景德镇手绘青花瓷花瓶",
  "Hand-painted blue-and-white porcelain vase from Jingdezhen, 30 cm tall.",
  "景德镇手绘青花瓷花瓶，高30厘米，新中式客厅摆件，送外国朋友、乔迁送礼都合适。")
P("SKU-15015", "home", "1499.00", 15, "smart cleaning wifi appliance",
  "Robot Vacuum and Mop with LiDAR", "扫拖一体扫地机器人 激光导航",
  "Robot vacuum and mop with LiDAR mapping, 4000 Pa suction and app control over 2.4 GHz Wi-Fi; 180 minutes per charge.",
  "扫拖一体扫地机器人，激光导航建图，4000Pa吸力，APP控制（2.4GHz WiFi），续航180分钟。")
P("SKU-15016", "home", "899.00", 10, "appliance humidity bedroom",
  "Dehumidifier 12 L/day", "除湿机 日除湿12升 回南天",
  "12 L/day dehumidifier for rooms up to 30 m², with a continuous drain hose and a laundry-drying mode.",
  "除湿机日除湿12升，适用30平方米以内，可接排水管连续排水，干衣模式，南方回南天必备。")
P("SKU-15017", "home", "29.90", 300, "festival decor traditional red",
  "Spring Festival Paper-Cut Window Set", "春节窗花剪纸套装 福字 生肖",
  "Red paper-cut window decorations, 12 pieces.",
  "春节窗花剪纸套装，12张，福字和生肖图案，附静电贴，过年贴窗户、玻璃门，喜庆热闹。")
P("SKU-15018", "home", "359.00", 20, "sleep weighted relax",
  "Weighted Blanket 7 kg", "重力毯7公斤 助眠",
  "7 kg weighted blanket with glass beads in quilted pockets, 150 x 200 cm; for adults of 60-80 kg.",
  "重力毯7公斤，玻璃珠分格填充不跑珠，150×200厘米，适合体重60-80公斤成人，帮助放松入睡。")
P("SKU-15019", "home", "199.00", 45, "humidifier quiet bedroom appliance",
  "Quiet Ultrasonic Humidifier 4 L", "静音加湿器4升 上加水",
  "4 L ultrasonic humidifier, under 30 dB in sleep mode, top-fill, about 24 hours per fill.",
  "静音加湿器4升，睡眠模式低于30分贝，上加水，一次加水约可用24小时，卧室、办公室适用。")

# ---------------------------------------------------------------- electronics
P("SKU-16001", "electronics", "399.00", 30, "keyboard mechanical quiet wireless",
  "SilentKeys K87 Quiet Mechanical Keyboard", "SilentKeys K87 静音机械键盘 87键 三模",
  "87-key mechanical keyboard with silent linear switches and dampening foam; Bluetooth, 2.4 GHz and USB-C; hot-swappable switches.",
  "静音机械键盘87键，静音线性轴加消音棉，打字安静不吵室友，三模连接（蓝牙/2.4G/有线），支持热插拔。")
P("SKU-16002", "electronics", "299.00", 45, "keyboard mechanical rgb gaming",
  "ClickPro 104 Blue-Switch Mechanical Keyboard", "ClickPro 104 青轴机械键盘 RGB",
  "104-key mechanical keyboard with clicky blue switches and RGB backlight; wired USB. Loud and tactile, made for gaming.",
  "青轴机械键盘104键，段落感强、声音清脆，RGB背光，有线USB连接，适合游戏玩家。")
P("SKU-16003", "electronics", "79.00", 200, "mouse wireless quiet office",
  "Silent Wireless Mouse", "无线静音鼠标 办公",
  "Wireless mouse with silent clicks (about 90% quieter), 2.4 GHz receiver and 1600 DPI; one AA battery lasts about 12 months.",
  "无线静音鼠标，按键声音降低约90%，2.4G接收器，1600 DPI，一节5号电池约用12个月，办公、图书馆适用。")
P("SKU-16004", "electronics", "899.00", 20, "headphones wireless noise-cancelling bluetooth",
  "Pulse ANC700 Noise-Cancelling Headphones", "Pulse ANC700 头戴式主动降噪蓝牙耳机",
  "Over-ear Bluetooth 5.3 headphones with active noise cancellation up to 40 dB, 40-hour battery and a foldable design.",
  "头戴式主动降噪蓝牙耳机，降噪深度约40dB，蓝牙5.3，续航40小时，可折叠，通勤、出差坐飞机用。")
P("SKU-16005", "electronics", "299.00", 80, "earbuds wireless bluetooth waterproof",
  "Pulse Buds True Wireless Earbuds", "Pulse Buds 真无线蓝牙耳机 运动防水",
  "True wireless earbuds, IPX5 sweat and water resistant, 6 hours per charge (30 hours with the case), USB-C charging.",
  "真无线蓝牙耳机，IPX5防水防汗，单次续航6小时、配合充电盒30小时，USB-C充电，运动跑步不掉。")
P("SKU-16006", "electronics", "129.00", 35, "kids headphones wired safe",
  "Kids' Volume-Limited Headphones", "儿童耳机 限音85分贝 网课",
  "Wired kids' headphones limited to 85 dB to protect young ears, with a 3.5 mm jack and an adjustable soft headband.",
  "儿童耳机，音量限制85分贝保护听力，3.5毫米有线接口，头梁可调，上网课用。")
P("SKU-16007", "electronics", "149.00", 150, "power-bank fast-charging travel usb-c",
  "VoltMax 20K Power Bank 20000 mAh", "VoltMax 20K 充电宝 20000毫安 快充",
  "20,000 mAh power bank with 22.5 W fast charging, USB-C in/out and two USB-A ports; 74 Wh, allowed in cabin baggage.",
  "20000毫安充电宝，22.5W快充，USB-C双向加两个USB-A口，74Wh可带上飞机。")
P("SKU-16008", "electronics", "179.00", 0, "power-bank magnetic wireless compact",
  "VoltMax Mag 10K Magnetic Power Bank", "VoltMax Mag 10K 磁吸无线充电宝 10000毫安",
  "10,000 mAh magnetic wireless power bank for MagSafe-compatible phones: 15 W wireless, 20 W USB-C.",
  "10000毫安磁吸无线充电宝，兼容MagSafe手机，无线15W、有线20W快充，轻薄便携。")
P("SKU-16009", "electronics", "129.00", 100, "charger usb-c fast-charging travel",
  "VoltMax 65 W GaN Charger", "VoltMax 65W氮化镓充电器 2C1A",
  "65 W GaN charger with two USB-C and one USB-A port; charges a laptop and a phone at once. Foldable plug.",
  "65W氮化镓充电器，2C1A三口，可同时给笔记本和手机快充，插脚可折叠，出差旅行小巧。")
P("SKU-16010", "electronics", "699.00", 25, "smartwatch fitness waterproof bluetooth",
  "Pulse Watch S3 Smartwatch", "Pulse Watch S3 智能手表 心率血氧 GPS",
  "Smartwatch with a 1.43-inch AMOLED screen, heart-rate and SpO2 monitoring, GPS and 5 ATM water resistance; up to 14 days of battery.",
  "智能手表，1.43英寸AMOLED屏，心率血氧监测，内置GPS，5ATM防水可游泳，续航最长14天。")
P("SKU-16011", "electronics", "499.00", 40, "kids gps smartwatch waterproof",
  "Kids' 4G Phone Watch with GPS", "儿童电话手表 4G 定位 视频通话",
  "Kids' 4G phone watch with GPS/Wi-Fi location, video calls, an SOS button and IP67 water resistance; parents manage contacts in the app.",
  "儿童电话手表，4G全网通，GPS加WiFi精准定位，视频通话，SOS一键求救，IP67防水，家长APP管理联系人。")
P("SKU-16012", "electronics", "259.00", 55, "speaker bluetooth waterproof outdoor",
  "Portable Waterproof Bluetooth Speaker", "便携蓝牙音箱 IPX7防水",
  "Portable Bluetooth speaker, IPX7 waterproof and floats, 20 W, 15-hour battery; pair two for stereo.",
  "便携蓝牙音箱，IPX7防水可漂浮，20W功率，续航15小时，两台可组立体声，户外露营、浴室都能用。")
P("SKU-16013", "electronics", "799.00", 18, "e-reader reading eye-care gift",
  "6-inch E-Ink Reader", "6英寸墨水屏电子书阅读器",
  "6-inch e-ink reader with a 300 ppi screen, warm front light and 16 GB storage; reads EPUB, PDF and MOBI.",
  "6英寸墨水屏电子书阅读器，300ppi，冷暖双色阅读灯，16GB存储，支持EPUB、PDF、MOBI，看书不伤眼。")
P("SKU-16014", "electronics", "199.00", 60, "webcam office usb video",
  "1080p USB Webcam with Privacy Cover", "1080P高清USB摄像头 带防窥盖",
  "1080p USB webcam with autofocus, dual noise-reducing microphones and a privacy cover; plug and play.",
  "1080P高清USB摄像头，自动对焦，双降噪麦克风，带防窥盖，免驱即插即用，网课、视频会议。")
P("SKU-16015", "electronics", "599.00", 30, "storage ssd usb-c fast",
  "Portable SSD 1 TB", "1TB移动固态硬盘 USB3.2",
  "1 TB portable SSD, USB 3.2 Gen 2 up to 1050 MB/s, aluminium case; USB-C and USB-A cables included.",
  "1TB移动固态硬盘，USB3.2 Gen2，读取最高1050MB/s，铝合金外壳，附USB-C和USB-A数据线。")
P("SKU-16016", "electronics", "99.00", 70, "smart wifi home voice-control",
  "Wi-Fi Smart Plugs (4-Pack)", "WiFi智能插座四只装",
  "Four 10 A Wi-Fi smart plugs with energy monitoring, schedules and voice control through common smart speakers.",
  "WiFi智能插座四只装，10A，电量统计，定时开关，支持主流智能音箱语音控制。")
P("SKU-16017", "electronics", "1299.00", 12, "camera 4k waterproof sports",
  "4K Action Camera", "4K运动相机 防抖 裸机防水",
  "4K60 action camera with image stabilisation, waterproof to 10 m without a case and 40 m in the included housing.",
  "4K60帧运动相机，防抖，裸机防水10米（配防水壳40米），潜水、骑行、滑雪记录。")
P("SKU-16018", "electronics", "169.00", 50, "usb-c hub laptop office",
  "7-in-1 USB-C Hub", "七合一USB-C扩展坞 HDMI 网口",
  "7-in-1 USB-C hub: HDMI 4K60, 100 W PD pass-through, SD and microSD, two USB-A 3.0 and gigabit Ethernet.",
  "七合一USB-C扩展坞：HDMI 4K60、100W PD充电、SD/TF读卡、两个USB3.0、千兆网口，笔记本办公扩展。")
P("SKU-16019", "electronics", "89.00", 0, "wireless charger qi desk",
  "15 W Wireless Charging Pad", "15W无线充电板",
  "15 W Qi wireless charging pad with a non-slip surface and an LED indicator; adapter not included.",
  "15W无线充电板，Qi协议，防滑表面，指示灯，不含充电头。")
P("SKU-16020", "electronics", "1099.00", 14, "projector home-theater wifi portable",
  "Mini 1080p Projector", "微型投影仪 1080P 家庭影院",
  "Mini projector, native 1080p, 450 ANSI lumens, built-in Wi-Fi casting and auto keystone; a 100-inch picture at 2.7 m.",
  "微型投影仪，1080P物理分辨率，450ANSI流明，内置WiFi投屏，自动梯形校正，2.7米投100英寸，卧室家庭影院。")

# ---------------------------------------------------------------- beauty
P("SKU-17001", "beauty", "199.00", 80, "skincare hydrating serum women",
  "Hyaluronic Acid Hydrating Serum 30 ml", "玻尿酸补水精华 30ml",
  "30 ml hydrating serum with 1% multi-weight hyaluronic acid and panthenol; fragrance-free, for dry and dehydrated skin.",
  "玻尿酸补水精华30ml，1%多分子玻尿酸加泛醇，无香精，干皮、缺水肌肤适用。")
P("SKU-17002", "beauty", "119.00", 150, "sunscreen skincare waterproof summer",
  "Sunscreen SPF50+ PA++++ 50 ml", "清爽防晒霜 SPF50+ PA++++ 防水防汗",
  "Lightweight SPF50+ PA++++ sunscreen, water and sweat resistant for 80 minutes; 50 ml.",
  "清爽防晒霜SPF50+ PA++++，防水防汗80分钟，不油腻不泛白，50ml，军训、海边适用。")
P("SKU-17003", "beauty", "99.00", 60, "sunscreen kids mineral sensitive",
  "Kids' Mineral Sunscreen SPF30", "儿童物理防晒霜 SPF30",
  "Kids' mineral sunscreen SPF30 with zinc oxide only, no fragrance, tested on sensitive skin; 60 ml, for ages 3+.",
  "儿童物理防晒霜SPF30，纯氧化锌成分，无香精，敏感肌可用，60ml，3岁以上儿童适用。")
P("SKU-17004", "beauty", "259.00", 70, "electric oral-care rechargeable gift",
  "Sonic Electric Toothbrush", "声波电动牙刷 礼盒装",
  "Sonic electric toothbrush with 5 modes, a 2-minute timer and 60 days per charge; 4 brush heads and a travel case included.",
  "声波电动牙刷，5种模式，2分钟智能计时，充电一次用60天，附4个刷头和旅行盒，送男朋友、送爸妈都适合。")
P("SKU-17005", "beauty", "399.00", 35, "hair ionic appliance quick-dry",
  "High-Speed Ionic Hair Dryer", "负离子高速吹风机",
  "1800 W ionic hair dryer with a high-speed motor, 3 heat and 2 speed settings and a cool shot; dries medium-length hair in about 5 minutes.",
  "负离子高速吹风机1800W，三档温度两档风速，冷风键，中长发约5分钟吹干，减少毛躁。")
P("SKU-17006", "beauty", "329.00", 40, "makeup lipstick gift women",
  "Lipstick Gift Box (3 Shades)", "口红礼盒三支装",
  "Gift box of three satin lipsticks (classic red, rose, brick) with a hand mirror.",
  "口红礼盒三支装，正红、玫瑰、砖红三色，缎光质地，附随身镜，情人节、生日送女朋友。")
P("SKU-17007", "beauty", "219.00", 45, "skincare men oil-control gift",
  "Men's Oil-Control Skincare Set", "男士控油护肤套装 三件套",
  "Men's skincare set for oily and combination skin: cleanser 120 g, toner 150 ml and moisturiser 50 g.",
  "男士控油护肤套装：洗面奶120g、爽肤水150ml、乳液50g，油皮混油皮适用，补水控油。")
P("SKU-17008", "beauty", "139.00", 55, "hair organic oil",
  "Organic Argan Hair Oil 100 ml", "摩洛哥坚果护发精油 100ml",
  "100 ml hair oil with certified-organic argan oil; tames frizz and protects against heat styling.",
  "摩洛哥坚果护发精油100ml，有机认证摩洛哥坚果油，改善毛躁，吹发前使用防热损伤。")
P("SKU-17009", "beauty", "89.00", 200, "skincare mask hydrating",
  "Hydrating Sheet Masks (10-Pack)", "补水面膜10片装",
  "Ten hydrating sheet masks with hyaluronic acid and centella, 25 ml of essence each.",
  "补水面膜10片装，玻尿酸加积雪草，每片25ml精华，熬夜后急救补水。")
P("SKU-17010", "beauty", "79.00", 120, "hair herbal shampoo traditional",
  "Herbal Anti-Hair-Loss Shampoo 500 ml", "何首乌生姜防脱洗发水 500ml",
  "Herbal shampoo with he shou wu and ginger, 500 ml.",
  "何首乌生姜防脱洗发水500ml，中草药配方，无硅油，控油固发，适合头发稀少、掉发人群。")
P("SKU-17011", "beauty", "89.00", 100, "skincare cleanser sensitive gentle",
  "Amino Acid Gentle Cleanser 120 g", "氨基酸洗面奶 120g 敏感肌",
  "Soap-free amino-acid facial cleanser, pH 5.5, 120 g; for sensitive skin.",
  "氨基酸洗面奶120g，无皂基，弱酸性pH5.5，温和不紧绷，敏感肌可用。")
P("SKU-17012", "beauty", "99.00", 0, "hand-cream gift winter moisturizing",
  "Hand Cream Gift Set (5 x 30 g)", "护手霜礼盒五支装",
  "Gift set of five 30 g shea-butter hand creams in five scents, for dry winter hands.",
  "护手霜礼盒五支装，每支30g，乳木果油配方，五种香味，冬天防干裂，年会、闺蜜小礼物。")
P("SKU-17013", "beauty", "459.00", 20, "perfume gift women floral",
  "Osmanthus Rain Eau de Parfum 50 ml", "桂雨香水 50ml 桂花香",
  "Osmanthus Rain eau de parfum, 50 ml, with notes of osmanthus, pear and white musk.",
  "“桂雨”香水50ml，淡香精，桂花、梨子、白麝香调，温柔清新，送女友、送妈妈。")
P("SKU-17014", "beauty", "129.00", 50, "makeup brush vegan",
  "Vegan Makeup Brush Set (12 Pieces)", "化妆刷12支套装",
  "12-piece makeup brush set with soft synthetic fibres and a standing case.",
  "化妆刷12支套装，纤维毛不伤皮肤，纯素材质，附收纳筒，新手入门。")
P("SKU-17015", "beauty", "69.00", 90, "jade massage skincare traditional",
  "Jade Gua Sha and Roller Set", "天然玉石刮痧板 滚轮套装",
  "Jade gua sha board and facial roller for facial massage.",
  "天然玉石刮痧板加滚轮套装，面部按摩、提拉紧致，配礼盒。")
P("SKU-17016", "beauty", "349.00", 30, "men shaver waterproof rechargeable gift",
  "Men's Rotary Electric Shaver", "男士电动剃须刀 全身水洗",
  "Men's rotary shaver, IPX7 waterproof for wet or dry shaving, 60 minutes per charge, USB-C charging.",
  "男士电动剃须刀，三刀头旋转式，IPX7全身水洗，干湿双剃，充电一次用60分钟，USB-C充电，送爸爸、送男友。")
P("SKU-17017", "beauty", "229.00", 25, "oral-care rechargeable waterproof",
  "Cordless Water Flosser", "便携冲牙器 正畸适用",
  "Cordless water flosser with a 300 ml tank, 4 modes and 5 nozzles; IPX7 waterproof, about 30 days per charge.",
  "便携冲牙器，300ml水箱，四种模式，附5个喷头，IPX7防水，充电一次用30天，正畸人群适用。")
P("SKU-17018", "beauty", "79.00", 80, "baby organic moisturizing sensitive",
  "Organic Baby Lotion 200 ml", "婴儿润肤乳 200ml 有机",
  "Organic baby lotion with calendula and oat, 200 ml, no fragrance or mineral oil; for newborns' sensitive skin.",
  "婴儿润肤乳200ml，有机金盏花加燕麦，无香精无矿物油，新生儿敏感肌可用。")

# ---------------------------------------------------------------- sports
P("SKU-18001", "sports", "129.00", 100, "yoga non-slip fitness home-workout",
  "TPE Yoga Mat 6 mm", "TPE瑜伽垫6毫米 双面防滑",
  "6 mm TPE yoga mat, 183 x 61 cm, with double-sided non-slip texture and alignment lines; 1 kg with a carry strap.",
  "TPE瑜伽垫6毫米，183×61厘米，双面防滑，体位线设计，重约1公斤，附绑带。")
P("SKU-18002", "sports", "89.00", 80, "yoga thick fitness",
  "Extra-Thick Exercise Mat 10 mm", "加厚10毫米健身垫 NBR",
  "10 mm NBR foam mat, 185 x 80 cm, for sit-ups, stretching and floor exercises; softer but less stable for standing poses.",
  "加厚10毫米NBR健身垫，185×80厘米，适合仰卧起坐、拉伸、地面运动，更软但站立体式稳定性一般。")
P("SKU-18003", "sports", "699.00", 15, "fitness dumbbell home-workout men",
  "Adjustable Dumbbells 2-20 kg (Pair)", "可调节哑铃一对 2-20公斤",
  "Pair of adjustable dumbbells, 2-20 kg each, set with a dial in seconds; replaces 15 pairs.",
  "可调节哑铃一对，单只2-20公斤，旋钮快速调重，一套顶15对，家庭健身省空间。")
P("SKU-18004", "sports", "59.00", 180, "fitness resistance home-workout portable",
  "Resistance Band Set (5 Bands)", "弹力带五件套",
  "Five latex resistance bands (5-25 kg) with a door anchor, handles and ankle straps.",
  "弹力带五件套，乳胶材质，阻力5-25公斤，附门扣、手柄、脚环，居家健身、康复训练。")
P("SKU-18005", "sports", "39.00", 250, "fitness jump-rope kids cardio",
  "Counting Jump Rope", "电子计数跳绳 中考体测",
  "Jump rope with a digital counter and an adjustable 3 m steel-wire rope; cordless mode for small rooms.",
  "电子计数跳绳，钢丝绳长3米可调，可切换无绳模式在室内跳，中考体测练习。")
P("SKU-18006", "sports", "199.00", 50, "badminton racket carbon couple",
  "Carbon Badminton Rackets (Pair)", "全碳素羽毛球拍对拍",
  "Pair of full-carbon badminton rackets, 82 g each, strung at 24 lbs, with a bag.",
  "全碳素羽毛球拍对拍，单支82克，已穿线24磅，附拍包，情侣、家庭业余娱乐。")
P("SKU-18007", "sports", "69.00", 100, "badminton shuttlecock training",
  "Duck Feather Shuttlecocks (12)", "鸭毛羽毛球12只装",
  "Tube of 12 duck-feather shuttlecocks, speed 77, durable for club play.",
  "鸭毛羽毛球12只装，77速，耐打稳定，适合业余和俱乐部训练。")
P("SKU-18008", "sports", "159.00", 60, "basketball outdoor adult",
  "Size 7 PU Basketball", "7号PU篮球 室内外通用",
  "Size 7 PU basketball for indoor and outdoor courts, with deep channels for grip.",
  "7号PU篮球，室内外通用，深沟设计手感好，成人标准比赛用球。")
P("SKU-18009", "sports", "99.00", 40, "basketball kids rubber",
  "Size 5 Kids' Basketball", "5号儿童篮球",
  "Size 5 rubber basketball for kids aged 6-12; about 450 g and easy for small hands.",
  "5号儿童篮球，适合6-12岁孩子，重约450克，橡胶材质耐磨，小手好控球。")
P("SKU-18010", "sports", "149.00", 45, "table-tennis paddle beginner",
  "Table Tennis Paddle Set", "乒乓球拍两支装 初学者",
  "Two table-tennis paddles (5-ply wood, inverted rubber), three 3-star balls and a case; for beginners.",
  "乒乓球拍两支装，五层纯木底板，双面反胶，附3个三星球和拍套，适合初学者。")
P("SKU-18011", "sports", "79.00", 90, "swimming anti-fog waterproof adult",
  "Anti-Fog Swimming Goggles", "成人防雾泳镜",
  "Adult anti-fog swimming goggles with UV protection and a silicone seal; adjustable strap.",
  "成人防雾泳镜，防紫外线，硅胶密封圈防漏水，可调节头带。")
P("SKU-18012", "sports", "49.00", 0, "swimming kids anti-fog",
  "Kids' Anti-Fog Swim Goggles", "儿童防雾泳镜 3-12岁",
  "Kids' anti-fog goggles for ages 3-12 in soft silicone, with a quick-adjust strap.",
  "儿童防雾泳镜，适合3-12岁，软硅胶不勒脸，一键调节头带。")
P("SKU-18013", "sports", "89.00", 60, "recovery massage fitness",
  "Grid Foam Roller 33 cm", "泡沫轴 33厘米 狼牙棒",
  "33 cm EVA foam roller with a grid texture for muscle recovery after running.",
  "33厘米狼牙棒泡沫轴，EVA材质，跑后放松肌肉、缓解酸痛。")
P("SKU-18014", "sports", "399.00", 25, "recovery massage rechargeable gift",
  "Percussion Massage Gun", "筋膜枪 静音 20档",
  "Massage gun with 6 heads and 20 speeds, 3-hour battery, under 45 dB; carry case included.",
  "筋膜枪，6个按摩头，20档调速，续航3小时，静音低于45分贝，附收纳包，健身后放松，送健身爱好者。")
P("SKU-18015", "sports", "259.00", 30, "cycling helmet safety lightweight",
  "Cycling Helmet with Rear Light", "骑行头盔 带尾灯",
  "Lightweight road and city cycling helmet, 260 g, with 18 vents and a rear LED light; head sizes 55-61 cm.",
  "骑行头盔，一体成型仅重260克，18个通风孔，尾部LED警示灯，头围55-61厘米。")
P("SKU-18016", "sports", "188.00", 20, "taichi traditional cotton unisex",
  "Tai Chi Uniform", "太极服 棉麻 晨练 男女款",
  "Cotton-linen tai chi uniform with frog buttons. Sizes S-XXL.",
  "太极服，棉麻面料，传统盘扣，适合晨练太极拳、八段锦和表演。男女同款S-XXL。")
P("SKU-18017", "sports", "69.00", 70, "yoga cork eco",
  "Cork Yoga Blocks (Pair)", "软木瑜伽砖两块装",
  "Pair of natural cork yoga blocks, 23 x 15 x 7.5 cm; firm, non-slip and plastic-free.",
  "软木瑜伽砖两块装，23×15×7.5厘米，天然软木，稳固防滑不含塑料。")
P("SKU-18018", "sports", "129.00", 35, "fitness home-workout pull-up",
  "Doorway Pull-Up Bar", "门框单杠 免打孔",
  "Doorway pull-up bar with no screws, for frames 80-100 cm wide; holds up to 150 kg.",
  "门框单杠，免打孔安装，适用门宽80-100厘米，承重150公斤，居家引体向上。")

# ---------------------------------------------------------------- outdoor
P("SKU-19001", "outdoor", "459.00", 25, "camping tent waterproof lightweight",
  "2-Person Backpacking Tent", "双人防雨帐篷 轻量",
  "Two-person backpacking tent, 1.9 kg, double wall with a 3000 mm waterproof flysheet and aluminium poles.",
  "双人防雨帐篷，重1.9公斤，双层结构，外帐防水指数3000毫米，铝合金杆，徒步露营轻量化。")
P("SKU-19002", "outdoor", "699.00", 12, "camping tent family instant",
  "4-Person Instant Family Tent", "四人速开帐篷 家庭露营",
  "Four-person instant tent that opens in about 60 seconds; 2000 mm waterproof, large mesh windows, 6.5 kg.",
  "四人速开帐篷，约60秒自动撑开，防水2000毫米，大网窗通风，重6.5公斤，家庭公园露营。")
P("SKU-19003", "outdoor", "299.00", 30, "camping sleeping-bag warm winter",
  "Mummy Sleeping Bag (-5°C)", "木乃伊睡袋 极限-5°C",
  "Mummy sleeping bag with a 0°C comfort and -5°C limit rating, 1.5 kg, compresses to 35 x 20 cm.",
  "木乃伊睡袋，舒适温度0°C，极限温度-5°C，重1.5公斤，压缩后35×20厘米，秋冬露营。")
P("SKU-19004", "outdoor", "159.00", 0, "camping kids sleeping-bag",
  "Kids' Sleeping Bag", "儿童信封式睡袋",
  "Kids' envelope sleeping bag, 150 x 70 cm, 10°C comfort; machine washable, for sleepovers and summer camps.",
  "儿童信封式睡袋150×70厘米，舒适温度10°C，可机洗，适合夏令营和在朋友家过夜。")
P("SKU-19005", "outdoor", "129.00", 80, "camping chair foldable portable",
  "Folding Moon Chair", "折叠月亮椅 露营椅",
  "Folding camping chair with an aluminium frame, 1.2 kg, holds 120 kg; packs into a bag.",
  "折叠月亮椅，铝合金支架，重1.2公斤，承重120公斤，收纳小巧，露营、钓鱼、野餐都适用。")
P("SKU-19006", "outdoor", "199.00", 40, "hiking trekking carbon lightweight",
  "Carbon Trekking Poles (Pair)", "碳素登山杖一对",
  "Pair of carbon-fibre trekking poles with flick locks, 105-135 cm, 210 g each.",
  "碳素登山杖一对，外锁快调，长度105-135厘米，单支210克，下山减轻膝盖压力。")
P("SKU-19007", "outdoor", "89.00", 100, "camping headlamp rechargeable waterproof",
  "Rechargeable Headlamp 500 lm", "充电头灯 500流明",
  "Rechargeable 500-lumen headlamp with a red-light mode, IPX6 waterproof, 6-40 hours of light.",
  "充电头灯500流明，带红光模式，IPX6防水，续航6-40小时，夜跑、露营、夜钓。")
P("SKU-19008", "outdoor", "119.00", 50, "camping lantern rechargeable",
  "Rechargeable Camping Lantern", "露营灯 可充电 充电宝功能",
  "Rechargeable LED lantern with three colour temperatures; its 5200 mAh battery can also charge a phone.",
  "露营灯，三档色温，可充电，内置5200毫安电池可给手机充电，帐篷挂灯。")
P("SKU-19009", "outdoor", "149.00", 35, "camping stove cooking",
  "Portable Cassette Stove", "便携卡式炉 户外火锅",
  "Portable butane cassette stove, 2.9 kW, with a carry case; for camping and hotpot at home.",
  "便携卡式炉，2.9kW大火力，附收纳箱，户外露营、在家吃火锅都能用。")
P("SKU-19010", "outdoor", "169.00", 60, "insulated outdoor hiking stainless-steel",
  "Outdoor Vacuum Bottle 1 L", "户外保温壶1升 带杯盖",
  "1 L stainless steel vacuum bottle with a cup lid; keeps drinks hot for 24 hours. For hiking and fishing.",
  "户外保温壶1升，304不锈钢，带杯盖，保温24小时，爬山钓鱼一家人够喝。")
P("SKU-19011", "outdoor", "259.00", 20, "fishing carbon portable",
  "Telescopic Carbon Fishing Rod 3.6 m", "伸缩碳素鱼竿3.6米",
  "Telescopic carbon fishing rod, 3.6 m, collapses to 45 cm; line and floats included.",
  "伸缩碳素鱼竿3.6米，收缩后45厘米，附鱼线浮漂套装，新手溪流、水库钓鱼。")
P("SKU-19012", "outdoor", "79.00", 120, "picnic waterproof foldable family",
  "Waterproof Picnic Blanket 200 x 200 cm", "防水野餐垫 200×200",
  "Waterproof picnic blanket, 200 x 200 cm, with a soft fleece top and PEVA backing; folds with a handle.",
  "防水野餐垫200×200厘米，上层绒面下层PEVA防水，可折叠手提，春游、沙滩用。")
P("SKU-19013", "outdoor", "149.00", 25, "camping hammock mosquito-net",
  "Hammock with Mosquito Net", "带蚊帐吊床",
  "Parachute-nylon hammock with a built-in mosquito net, holds 200 kg, tree straps included.",
  "带蚊帐吊床，降落伞尼龙面料，承重200公斤，附护树绑带，户外露营防蚊。")
P("SKU-19014", "outdoor", "799.00", 20, "waterproof hiking men windproof",
  "Men's 3-in-1 Hardshell Jacket", "男款三合一冲锋衣 防水防风",
  "Men's 3-in-1 jacket: a waterproof (10,000 mm) windproof shell with a zip-in fleece liner. Sizes M-3XL.",
  "男款三合一冲锋衣，外层防水10000毫米防风，内胆抓绒可拆，秋冬登山、旅行。尺码M-3XL。")
P("SKU-19015", "outdoor", "799.00", 0, "waterproof hiking women windproof",
  "Women's 3-in-1 Hardshell Jacket", "女款三合一冲锋衣 防水防风",
  "Women's 3-in-1 jacket with the same waterproof shell and fleece liner in a women's cut. Sizes S-XL.",
  "女款三合一冲锋衣，同款防水防风外套加抓绒内胆，女版剪裁更修身。尺码S-XL。")
P("SKU-19016", "outdoor", "499.00", 15, "binoculars birdwatching waterproof",
  "10x42 Waterproof Binoculars", "10x42双筒望远镜 防水",
  "10x42 roof-prism binoculars, nitrogen-filled and waterproof, for birdwatching and hiking.",
  "10x42双筒望远镜，屋脊棱镜，充氮防水防雾，观鸟、看演唱会、登山。")
P("SKU-19017", "outdoor", "199.00", 30, "camping cooler insulated picnic",
  "25 L Hard Cooler Box", "25升保温箱 车载 露营",
  "25 L hard cooler with PU foam insulation that keeps ice for about 48 hours; doubles as a seat.",
  "25升保温箱，PU发泡保温，冰块约保持48小时，可当凳子坐，自驾露营钓鱼。")
P("SKU-19018", "outdoor", "29.90", 200, "kids mosquito summer outdoor",
  "Kids' Mosquito-Repellent Wristbands (10)", "儿童驱蚊手环10条装",
  "Ten kids' wristbands with plant-based citronella oil, each effective for about 7 days once opened.",
  "儿童驱蚊手环10条装，香茅植物精油，开封后每条约有效7天，夏天户外、公园玩耍。")

# ---------------------------------------------------------------- toys
P("SKU-20001", "toys", "299.00", 40, "building-blocks kids gift educational",
  "City Building Blocks (500 Pieces)", "城市主题积木500粒 6岁以上",
  "500-piece city-themed building block set compatible with the major brick brands; ages 6+.",
  "城市主题积木500粒，兼容主流小颗粒积木，适合6岁以上，益智拼装。")
P("SKU-20002", "toys", "89.00", 70, "wooden puzzle kids educational",
  "Wooden Magnetic Fishing Puzzle", "木质磁性钓鱼拼图 2-4岁",
  "Wooden magnetic fishing and shape-matching puzzle for ages 2-4, finished with water-based paint.",
  "木质磁性钓鱼拼图，2-4岁宝宝认知形状颜色，水性漆安全无异味。")
P("SKU-20003", "toys", "259.00", 35, "rc car kids rechargeable",
  "1:16 Off-Road RC Car", "1:16遥控越野车 充电",
  "1:16 off-road remote-control car, 2.4 GHz, 25 km/h, with two rechargeable batteries for 40 minutes of play.",
  "1:16遥控越野车，2.4G遥控，时速25公里，配两块充电电池共玩40分钟，送男孩生日礼物。")
P("SKU-20004", "toys", "129.00", 90, "plush panda gift kids",
  "Giant Panda Plush 40 cm", "大熊猫毛绒公仔 40厘米",
  "40 cm giant panda plush in soft short-pile fabric; machine washable, for all ages.",
  "大熊猫毛绒公仔40厘米，短毛绒面料柔软，可机洗，送小朋友、外国朋友的中国特色礼物。")
P("SKU-20005", "toys", "499.00", 20, "stem programming kids educational",
  "Programmable STEM Robot Kit", "编程机器人套装 8岁以上",
  "Programmable robot kit with 300+ parts, block-based and Python programming in the app; ages 8+.",
  "编程机器人套装，300多个零件，支持图形化和Python编程，8岁以上，培养动手能力和逻辑思维。")
P("SKU-20006", "toys", "59.00", 100, "baby rattle safe gift",
  "Baby Rattle and Teether Set (8)", "婴儿摇铃牙胶8件套",
  "Eight baby rattles and teethers in food-grade silicone and ABS; can be boiled to sterilise. Ages 0-12 months.",
  "婴儿摇铃牙胶8件套，食品级硅胶，可啃咬可水煮消毒，0-12个月。")
P("SKU-20007", "toys", "99.00", 60, "art kids drawing gift",
  "Kids' Art Set (150 Pieces)", "儿童绘画套装150件 木盒",
  "150-piece kids' art set with crayons, coloured pencils, markers and watercolours in a wooden case.",
  "儿童绘画套装150件，蜡笔、彩铅、水彩笔、水彩颜料，木盒装，美术启蒙礼物。")
P("SKU-20008", "toys", "399.00", 15, "kids balance-bike outdoor",
  "Balance Bike (Ages 2-5)", "儿童平衡车 无脚踏滑步车",
  "Pedal-free balance bike for ages 2-5 with a 3 kg magnesium frame and a 30-42 cm adjustable seat.",
  "儿童平衡车，无脚踏滑步车，镁合金车架仅3公斤，座高30-42厘米可调，2-5岁。")
P("SKU-20009", "toys", "69.00", 50, "kite outdoor traditional kids",
  "Weifang Swallow Kite", "潍坊传统燕子风筝 手绘",
  "Hand-painted Weifang swallow kite, 1.2 m wingspan, with a 100 m line and reel.",
  "潍坊传统燕子风筝，翼展1.2米，手绘图案，附100米线轮，春天公园放风筝。")
P("SKU-20010", "toys", "229.00", 0, "magnetic building-blocks kids educational",
  "Magnetic Tiles (60 Pieces)", "彩窗磁力片60片",
  "60 translucent magnetic building tiles for ages 3+; build 3D shapes.",
  "彩窗磁力片60片，3岁以上，可拼立体造型，益智早教。")
P("SKU-20011", "toys", "79.00", 60, "board-game chess traditional wooden",
  "Xiangqi Set (Solid Wood)", "实木中国象棋 榉木",
  "Xiangqi set with 4.5 cm beech-wood pieces and a folding board.",
  "实木中国象棋，榉木棋子直径4.5厘米，附可折叠棋盘，送爸爸、爷爷。")
P("SKU-20012", "toys", "59.00", 80, "card-game family party",
  "Party Cats Card Game", "Party Cats 派对猫卡牌游戏",
  "Party Cats: a fast card game for 2-6 players aged 7+, 15-minute rounds; English rules.",
  "派对猫卡牌游戏，2-6人，7岁以上，每局约15分钟，家庭聚会桌游（英文规则说明）。")
P("SKU-20013", "toys", "49.00", 100, "baby bath kids",
  "Sealed Bath Toys (6 Pieces)", "宝宝洗澡玩具6件套 防发霉",
  "Six floating bath toys with a fully sealed, mould-free design; suction net bag included.",
  "宝宝洗澡玩具6件套，全密封防发霉，附吸盘收纳网袋。")
P("SKU-20014", "toys", "39.00", 150, "puzzle cube kids brain-teaser",
  "Magnetic 3x3 Speed Cube", "三阶磁力魔方",
  "Magnetic 3x3 speed cube, stickerless, smooth turning for beginners and competitions.",
  "三阶磁力魔方，无贴纸，顺滑不卡顿，入门和比赛都可用。")
P("SKU-20015", "toys", "459.00", 10, "wooden dollhouse kids gift",
  "Three-Storey Wooden Dollhouse", "木质过家家娃娃屋 三层",
  "Three-storey wooden dollhouse, 60 cm tall, with 28 pieces of furniture; ages 3+.",
  "木质过家家娃娃屋，三层别墅，28件家具，高60厘米，3岁以上，送女孩生日礼物。")
P("SKU-20016", "toys", "39.00", 120, "summer water kids outdoor",
  "Pump Water Gun 600 ml", "大容量水枪600ml",
  "Pump-action water gun with a 600 ml tank and a range of about 8 m.",
  "大容量水枪600ml，射程约8米，夏天戏水、泼水节。")
P("SKU-20017", "toys", "79.00", 40, "puzzle adult jigsaw gift",
  "West Lake Jigsaw Puzzle (1000 Pieces)", "1000片拼图 杭州西湖",
  "1000-piece jigsaw of West Lake in Hangzhou, 70 x 50 cm when finished; for adults.",
  "1000片拼图，杭州西湖风景，完成尺寸70×50厘米，成人减压解闷。")
P("SKU-20018", "toys", "329.00", 18, "kids pretend-play gift",
  "Pretend-Play Toy Kitchen", "仿真过家家厨房玩具",
  "Toy kitchen with light and sound, a running-water tap and 30 accessories; 80 cm high.",
  "仿真过家家厨房玩具，声光效果，可出水水龙头，30件配件，高80厘米。")

# ---------------------------------------------------------------- books
P("SKU-21001", "books", "128.00", 50, "kids picture-book chinese bedtime",
  "Chinese Picture Books for Kids (10 Volumes)", "儿童绘本10册 带拼音 3-6岁",
  "Ten hardcover Chinese picture books with pinyin for ages 3-6: bedtime stories about feelings and good habits.",
  "儿童绘本10册，精装，带拼音，3-6岁，情绪管理和好习惯养成，睡前故事。")
P("SKU-21002", "books", "199.00", 30, "kids english picture-book educational",
  "English Picture Books (20 Volumes, with Audio)", "英文绘本20册 扫码音频",
  "20 graded English picture books with QR-code audio, for children aged 3-8 learning English.",
  "英文绘本20册，扫码听音频，分级阅读，适合3-8岁英语启蒙。")
P("SKU-21003", "books", "79.00", 40, "chinese language textbook hsk",
  "HSK Standard Course 1", "HSK标准教程1 课本加练习册",
  "HSK Standard Course 1 textbook with workbook and audio, for beginners learning Mandarin Chinese.",
  "HSK标准教程1（课本、练习册、音频），外国人学中文入门。")
P("SKU-21004", "books", "98.00", 25, "cookbook english chinese-food",
  "Home-Style Chinese Cooking (English Edition)", "《家常中国菜》英文版",
  "English-language cookbook with 80 home-style Chinese recipes, step-by-step photos and substitutes for ingredients that are hard to find abroad.",
  "《家常中国菜》英文版，80道家常菜谱，步骤图详细，提供海外可买到的替代食材，送海外朋友。")
P("SKU-21005", "books", "168.00", 60, "sci-fi chinese novel bestseller",
  "San Ti (The Three-Body Problem) Trilogy, Chinese Edition", "《三体》全集 简体中文版 平装三册",
  "Liu Cixin's trilogy in simplified Chinese, three paperbacks.",
  "刘慈欣《三体》全集（简体中文版），平装三册，雨果奖科幻小说。")
P("SKU-21006", "books", "138.00", 20, "sci-fi english novel",
  "The Three-Body Problem (English Translation)", "《三体》英文版 第一部",
  "The Three-Body Problem in English translation, paperback, the first book of the trilogy.",
  "《三体》英文版第一部，平装，适合学英语或送外国朋友。")
P("SKU-21007", "books", "89.00", 45, "programming python textbook",
  "Python Crash Course (Chinese Edition)", "《Python编程从入门到实践》第3版",
  "Python programming for beginners, Chinese edition (3rd edition), with game, data-visualisation and web-app projects.",
  "《Python编程从入门到实践》第3版，含游戏、数据可视化、Web应用项目，零基础自学。")
P("SKU-21008", "books", "29.90", 200, "calligraphy chinese practice",
  "Kaishu Copybooks (5 Books)", "楷书练字帖五本装 凹槽",
  "Five regular-script copybooks with grooves and a pen.",
  "楷书练字帖五本装，凹槽字帖反复使用，附笔，成人和小学生练字。")
P("SKU-21009", "books", "49.00", 80, "art sketchbook stationery",
  "A5 Watercolour Sketchbook", "A5水彩本 300克棉浆纸",
  "A5 watercolour sketchbook, 20 sheets of 300 g/m² cold-pressed cotton paper.",
  "A5水彩本，300克冷压棉浆纸，20张，写生、手账。")
P("SKU-21010", "books", "89.00", 60, "notebook leather gift stationery",
  "Leather-Bound A5 Journal", "复古皮面笔记本 A5",
  "A5 leather-bound journal with 200 pages of 100 g/m² dotted paper and an elastic band.",
  "复古皮面笔记本A5，200页100克点阵内页，绑带设计，送同事、毕业礼物。")
P("SKU-21011", "books", "158.00", 10, "nature birdwatching guide",
  "Illustrated Field Guide to the Birds of China", "《中国鸟类图鉴》",
  "Illustrated field guide covering 1,400 bird species of China, in Chinese with Latin names.",
  "《中国鸟类图鉴》，收录1400种鸟类，手绘插图，中文加拉丁学名，观鸟入门。")
P("SKU-21012", "books", "69.00", 0, "travel guide chinese",
  "Yunnan Travel Guide (2024, Chinese)", "云南旅行指南 2024版",
  "Chinese-language Yunnan guidebook with routes for Kunming, Dali, Lijiang and Xishuangbanna, 2024 edition.",
  "云南旅行指南2024版，昆明、大理、丽江、西双版纳路线和美食攻略。")
P("SKU-21013", "books", "139.00", 35, "kids encyclopedia educational pop-up",
  "Pop-Up Children's Encyclopedia", "儿童立体翻翻书百科全书",
  "Pop-up encyclopedia with 12 topics such as space, dinosaurs and the human body, for ages 4-10.",
  "儿童立体翻翻书百科全书，12个主题（宇宙、恐龙、人体等），4-10岁。")
P("SKU-21014", "books", "39.00", 100, "poetry chinese kids classic",
  "300 Tang Poems (with Pinyin)", "《唐诗三百首》注音版 彩图",
  "Illustrated Tang poems with pinyin.",
  "《唐诗三百首》注音版，彩图，小学生必背古诗。")
P("SKU-21015", "books", "69.00", 30, "business ecommerce chinese",
  "The Lean Shop: Running a Small Online Store", "《精益电商：小店运营实战》",
  "A Chinese-language guide to running a small online store: listings, customer service, logistics and repeat customers.",
  "《精益电商：小店运营实战》，商品上架、客服、物流、复购实操指南。")
P("SKU-21016", "books", "159.00", 40, "pen gift stationery calligraphy",
  "Fountain Pen Gift Set", "钢笔礼盒 EF尖",
  "Fountain pen gift set with a 0.5 mm EF nib, a converter and 12 ink cartridges.",
  "钢笔礼盒，0.5毫米EF尖，附吸墨器和12支墨囊，练字、送老师同学。")
P("SKU-21017", "books", "34.00", 150, "dictionary chinese school reference",
  "Xinhua Dictionary (12th Edition)", "《新华字典》第12版",
  "The standard Chinese character dictionary for primary school.",
  "《新华字典》第12版，小学生必备工具书。")
P("SKU-21018", "books", "45.00", 50, "coloring art relax adult",
  "Adult Colouring Book", "成人减压涂色书",
  "Adult colouring book with 50 mandala and Chinese landscape designs printed on one side only.",
  "成人减压涂色书，50幅曼陀罗和山水图案，单面印刷不透色。")

# ---------------------------------------------------------------- pet
P("SKU-22001", "pet", "399.00", 30, "dog food grain-free adult",
  "Grain-Free Adult Dog Food 10 kg", "无谷成犬粮10公斤",
  "Grain-free adult dog food, 10 kg, 32% protein with fresh chicken and salmon; for medium and large breeds.",
  "无谷成犬粮10公斤，蛋白质32%，鲜鸡肉加三文鱼，适合中大型犬。")
P("SKU-22002", "pet", "129.00", 40, "dog puppy food",
  "Puppy Food 2 kg", "幼犬粮2公斤",
  "Puppy food with DHA in small kibble, 2 kg, for puppies aged 2-12 months.",
  "幼犬粮2公斤，添加DHA，小颗粒好咀嚼，2-12个月幼犬。")
P("SKU-22003", "pet", "259.00", 35, "cat food indoor",
  "Indoor Adult Cat Food 5 kg", "室内成猫粮5公斤 化毛",
  "Indoor adult cat food, 5 kg, low fat with hairball control.",
  "室内成猫粮5公斤，化毛配方，低脂，适合不常出门的室内猫。")
P("SKU-22004", "pet", "89.00", 100, "cat litter dust-free flushable",
  "Tofu Cat Litter (3 x 6 L)", "豆腐猫砂6升×3包",
  "Three 6 L bags of tofu cat litter: fast clumping, low dust and flushable in small amounts.",
  "豆腐猫砂6升×3包，结团快，低粉尘，少量可冲马桶。")
P("SKU-22005", "pet", "329.00", 12, "cat furniture scratching",
  "Cat Tree 150 cm", "猫爬架150厘米 剑麻",
  "150 cm cat tree with sisal scratching posts, two condos and a hammock; for cats up to 8 kg.",
  "猫爬架150厘米，剑麻猫抓柱，双猫窝加吊床，适合8公斤以内的猫。")
P("SKU-22006", "pet", "299.00", 20, "pet smart wifi feeder",
  "Wi-Fi Automatic Pet Feeder 4 L", "自动喂食器4升 WiFi远程",
  "Automatic feeder, 4 L, with up to 10 scheduled meals a day, voice recording and Wi-Fi app control.",
  "自动喂食器4升，一天最多定时10餐，可录音呼唤，WiFi手机APP远程控制，出差不用担心。")
P("SKU-22007", "pet", "149.00", 0, "pet water quiet cat",
  "Quiet Pet Water Fountain 2.5 L", "静音宠物饮水机2.5升",
  "Quiet 2.5 L pet water fountain with a filter and a pump under 30 dB.",
  "静音宠物饮水机2.5升，循环过滤，水泵低于30分贝，鼓励猫咪多喝水。")
P("SKU-22008", "pet", "69.00", 50, "dog waterproof rain small-dog",
  "Dog Raincoat with Hood", "狗狗雨衣 带帽 反光",
  "Waterproof hooded raincoat for small dogs with a reflective strip; XS-XL by back length 20-45 cm.",
  "狗狗雨衣，防水带帽，反光条，适合小型犬，按背长20-45厘米选XS-XL。")
P("SKU-22009", "pet", "79.00", 60, "dog leash walking",
  "Retractable Dog Leash 5 m", "5米自动伸缩牵引绳",
  "5 m retractable leash with a one-button brake, for dogs up to 25 kg.",
  "5米自动伸缩牵引绳，一键刹车，适合25公斤以内狗狗。")
P("SKU-22010", "pet", "259.00", 18, "dog bed memory-foam large-dog",
  "Orthopedic Memory Foam Dog Bed (L)", "记忆棉狗窝 L号 大型犬",
  "Orthopedic memory-foam dog bed, 100 x 70 cm, with a removable washable cover; for large or older dogs.",
  "记忆棉狗窝L号100×70厘米，外套可拆洗，适合大型犬、老年犬，保护关节。")
P("SKU-22011", "pet", "29.90", 200, "cat toy interactive",
  "Cat Teaser Wands (5)", "逗猫棒五件套",
  "Five cat teaser wands with feathers and bells; replaceable heads.",
  "逗猫棒五件套，羽毛铃铛，可替换头。")
P("SKU-22012", "pet", "49.00", 80, "dog toy chew durable",
  "Durable Rubber Chew Toys (3)", "耐咬狗玩具三件套",
  "Three natural-rubber chew toys for medium dogs that can be filled with treats.",
  "耐咬狗玩具三件套，天然橡胶，可塞零食，适合中型犬。")
P("SKU-22013", "pet", "59.00", 90, "pet grooming cat dog",
  "Self-Cleaning Slicker Brush", "宠物梳毛刷 一键退毛",
  "Self-cleaning slicker brush for cats and dogs with one-click hair release.",
  "宠物梳毛刷，猫狗通用，一键退毛，去浮毛。")
P("SKU-22014", "pet", "199.00", 25, "cat carrier travel breathable",
  "Pet Carrier Backpack with Window", "宠物太空舱背包 猫包",
  "Pet carrier backpack with ventilation holes and a clear window, for cats or small dogs up to 7 kg.",
  "宠物太空舱背包，透气孔，透明观景窗，承重7公斤，猫咪外出、看病、旅行。")
P("SKU-22015", "pet", "69.00", 100, "pet treats freeze-dried cat",
  "Freeze-Dried Chicken Treats 200 g", "冻干鸡胸肉200克 猫狗零食",
  "Single-ingredient freeze-dried chicken breast treats for cats and dogs, 200 g.",
  "冻干鸡胸肉200克，单一肉源无添加，猫狗通用零食。")
P("SKU-22016", "pet", "39.00", 70, "pet grooming nail",
  "LED Pet Nail Clipper", "宠物指甲剪 带LED灯",
  "Pet nail clipper with an LED light so you can see the quick; for cats and small dogs.",
  "宠物指甲剪，带LED灯看清血线，适合猫和小型犬。")
P("SKU-22017", "pet", "89.00", 45, "dog winter warm small-dog",
  "Padded Winter Jacket for Small Dogs", "狗狗加厚棉衣 冬季",
  "Padded winter jacket for small dogs with fleece lining and a leash hole; XS-XL.",
  "狗狗加厚棉衣，内里抓绒，背部牵引孔，小型犬冬天保暖，XS-XL。")
P("SKU-22018", "pet", "359.00", 8, "fish aquarium led starter",
  "30 L Aquarium Starter Kit", "30升玻璃鱼缸套装",
  "30 L glass aquarium starter kit with an LED light, filter and heater.",
  "30升玻璃鱼缸套装，含LED灯、过滤器、加热棒，新手养鱼入门。")
