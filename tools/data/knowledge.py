# Hand-written policy / FAQ passages and customer questions for the fictional shop
# "Tessera Goods / 镶嵌良品". Written for the tessera project; licence: Apache-2.0.
# Passages KB-001..KB-054 and KB-057/KB-058 come in zh/en pairs (odd = zh, even = en)
# that state the same numbers; KB-055 (zh) and KB-056 (en) have no translation.

KB = []


def K(kid, topic, lang, title, text):
    KB.append({"id": kid, "topic": topic, "lang": lang, "title": title, "text": text})


# ------------------------------------------------------------------ returns
K("KB-001", "returns", "zh", "7天无理由退货",
  "自签收之日起7天内，商品未使用、吊牌完好、包装及配件齐全，可申请7天无理由退货。"
  "请在“我的订单”中点击“申请售后”，选择退货原因并填写退货快递单号。"
  "仓库收到退货并检验合格后，为您办理退款。部分特殊商品不适用无理由退货，详见《不支持无理由退货的商品》。")
K("KB-002", "returns", "en", "7-day no-reason returns",
  "Within 7 days of delivery you can return any item for any reason, as long as it is unused, with tags attached and with its packaging and accessories complete. "
  "Go to My Orders, click Request After-Sales Service, choose a reason and enter the tracking number of your return parcel. "
  "We refund you once the warehouse has received and checked the return. "
  "Some items cannot be returned without a reason; see Items excluded from no-reason returns.")
K("KB-003", "returns", "zh", "不支持无理由退货的商品",
  "以下商品一经拆封不支持7天无理由退货：化妆品和护肤品、贴身衣物（内衣、内裤、袜子、泳衣）、宠物食品和零食、定制商品（如刻字商品、定制尺寸窗帘），以及已激活的智能手表和儿童电话手表。"
  "以上商品如有质量问题，仍可享受15天质量问题换货和相应的保修服务。")
K("KB-004", "returns", "en", "Items excluded from no-reason returns",
  "Once opened, the following cannot be returned under the 7-day no-reason policy: cosmetics and skincare, intimate apparel (underwear, socks, swimwear), pet food and treats, customised items (such as engraved goods or made-to-measure curtains), and smartwatches or kids' phone watches that have been activated. "
  "If one of these items is defective, the 15-day defect exchange and the warranty still apply.")
K("KB-005", "returns", "zh", "退货运费由谁承担",
  "7天无理由退货的寄回运费由顾客承担。"
  "如商品存在质量问题、发错货或漏发，寄回运费由镶嵌良品承担：请先垫付，我们会在退款时一并退还，最高¥30。"
  "金卡会员每笔订单赠送运费险，无理由退货时可获得运费险理赔。请勿使用到付方式寄回，到付包裹仓库将拒收。")
K("KB-006", "returns", "en", "Who pays for return shipping",
  "For 7-day no-reason returns, the customer pays the return shipping. "
  "If the item is defective, or we sent the wrong or an incomplete item, Tessera Goods pays: pay the courier first and we add the cost to your refund, up to ¥30. "
  "Gold members get free return-shipping insurance on every order, which covers no-reason returns. "
  "Please do not send returns cash-on-delivery (freight collect); the warehouse refuses such parcels.")
K("KB-007", "returns", "zh", "退款时间",
  "仓库收到退货后3个工作日内完成检验并发起退款，款项原路退回。"
  "支付宝、微信支付通常1-3个工作日到账；银联卡、Visa、Mastercard通常3-7个工作日到账。"
  "使用优惠券的订单按实际支付金额退款；整单退货时，未过期的优惠券将退回您的账户。")
K("KB-008", "returns", "en", "Refund timing",
  "The warehouse checks a return and issues the refund within 3 business days of receiving it, to the original payment method. "
  "Alipay and WeChat Pay refunds usually arrive in 1-3 business days; UnionPay, Visa and Mastercard refunds in 3-7 business days. "
  "Orders paid partly with a coupon are refunded the amount actually paid; if the whole order is returned, an unexpired coupon goes back to your account.")
K("KB-009", "returns", "zh", "质量问题15天包换",
  "自签收之日起15天内，商品出现非人为的质量问题，可申请免费换货，往返运费由我们承担。"
  "申请时请上传清晰的问题照片或视频。换货商品缺货时，可选择全额退款。"
  "电子产品和小家电签收7天内出现性能故障，可任选退货退款或换货。")
K("KB-010", "returns", "en", "15-day exchange for defects",
  "If an item develops a defect that is not caused by misuse within 15 days of delivery, we exchange it free of charge and pay shipping both ways. "
  "Please upload clear photos or a video of the problem with your request. If the replacement is out of stock, you can choose a full refund instead. "
  "For electronics and small appliances with a functional fault within 7 days of delivery, you may choose either a refund or an exchange.")
# ------------------------------------------------------------------ sizes
K("KB-011", "sizes", "zh", "服装鞋类换码",
  "服装和鞋类商品签收后7天内可申请换码，每笔订单首次换码免运费（寄回运费由我们承担，最高¥15）。"
  "换码商品需未穿着外出、未洗涤、吊牌完好；鞋类请在地毯等干净地面试穿。"
  "如需要的尺码缺货，可改为退货退款。")
K("KB-012", "sizes", "en", "Size exchanges for clothing and shoes",
  "Clothing and shoes can be exchanged for another size within 7 days of delivery; the first size exchange on each order is free (we pay the return shipping, up to ¥15). "
  "The item must not have been worn outside or washed, and the tags must be attached; please try shoes on a carpet or other clean floor. "
  "If the size you need is out of stock, you can return the item for a refund instead.")
# ------------------------------------------------------------------ shipping
K("KB-013", "shipping", "zh", "运费与包邮",
  "中国大陆地区订单实付满¥99包邮，不满¥99收取运费¥8。"
  "新疆、西藏、青海不参与满额包邮，每单运费¥20。"
  "同一订单的商品可能由不同仓库分开发货，不会重复收取运费。")
K("KB-014", "shipping", "en", "Shipping fees and free shipping",
  "Orders to mainland China ship free when the amount paid is ¥99 or more; below ¥99 the shipping fee is ¥8. "
  "Xinjiang, Tibet and Qinghai are not eligible for free shipping and pay ¥20 per order. "
  "If items in one order ship from different warehouses, you are only charged shipping once.")
K("KB-015", "shipping", "zh", "发货时间与配送时效",
  "工作日16:00前付款的订单当天发货，16:00后付款的订单次个工作日发货；周末和法定节假日付款的订单在节后第一个工作日发货。"
  "中国大陆地区一般发货后2-5天送达，新疆、西藏、青海等偏远地区5-10天送达。"
  "预售商品以商品页面标注的发货时间为准。")
K("KB-016", "shipping", "en", "Dispatch and delivery times",
  "Orders paid before 16:00 on a business day are dispatched the same day; orders paid after 16:00 are dispatched the next business day, and orders paid at weekends or on public holidays on the first business day after. "
  "Delivery within mainland China usually takes 2-5 days after dispatch, and 5-10 days to remote regions such as Xinjiang, Tibet and Qinghai. "
  "Pre-sale items ship on the date shown on the product page.")
K("KB-017", "shipping", "zh", "快递公司",
  "默认使用中通或圆通快递发货；实付满¥299的订单以及所有电子产品默认使用顺丰速运。"
  "不满¥299的订单可在结算时加¥15升级为顺丰速运。暂不支持指定其他快递公司。")
K("KB-018", "shipping", "en", "Couriers",
  "By default we ship with ZTO or YTO Express; orders of ¥299 or more and all electronics ship with SF Express. "
  "For orders under ¥299 you can upgrade to SF Express at checkout for ¥15. We cannot use other couriers on request.")
K("KB-019", "shipping", "zh", "港澳及海外配送",
  "目前支持寄送至香港和澳门，运费每单¥45，不参与满额包邮，一般7-12天送达，可能产生的进口税费由收件人承担。"
  "暂不支持寄往其他国家和地区。")
K("KB-020", "shipping", "en", "Shipping to Hong Kong, Macau and abroad",
  "We ship to Hong Kong and Macau for ¥45 per order (free shipping does not apply); delivery usually takes 7-12 days and any import duties are paid by the recipient. "
  "We do not currently ship to other countries or regions.")
K("KB-021", "shipping", "zh", "物流跟踪",
  "订单发货后24小时内，我们会通过短信和邮件发送快递单号，您也可以在“我的订单”中查看物流进度。"
  "如果物流信息超过72小时没有更新，请联系客服，我们会协助向快递公司查询。")
K("KB-022", "shipping", "en", "Tracking your parcel",
  "Within 24 hours of dispatch we send the tracking number by SMS and email, and you can follow the parcel in My Orders. "
  "If the tracking has not updated for more than 72 hours, contact customer service and we will chase the courier for you.")
K("KB-023", "shipping", "zh", "包裹破损、少件或丢失",
  "签收时请当面检查外包装，包裹明显破损可以拒收。"
  "签收后48小时内发现商品破损、少件或错发，请在“我的订单”中上传外包装和商品照片申请售后，我们将为您补发或退款。"
  "物流显示已签收但您未收到包裹的，请在7天内联系客服处理。")
K("KB-024", "shipping", "en", "Damaged, incomplete or lost parcels",
  "Please check the outer packaging when the parcel is handed over; you may refuse a visibly damaged parcel. "
  "If you find a broken, missing or wrong item within 48 hours of delivery, upload photos of the packaging and the item in My Orders and we will send a replacement or refund you. "
  "If tracking shows a parcel as delivered but you did not receive it, contact customer service within 7 days.")
# ------------------------------------------------------------------ warranty
K("KB-025", "warranty", "zh", "电子产品与小家电保修",
  "电子产品和小家电（如耳机、充电宝、智能手表、电饭煲、空气炸锅、吹风机、扫地机器人）自签收之日起享受1年质保，数据线等配件享受6个月质保。"
  "质保期内非人为的性能故障免费维修，无法维修的更换同型号新品。"
  "以下情况不在保修范围内：人为摔坏、进水（在标称防水等级内正常使用除外）、私自拆修。")
K("KB-026", "warranty", "en", "Warranty on electronics and small appliances",
  "Electronics and small appliances (for example headphones, power banks, smartwatches, rice cookers, air fryers, hair dryers and robot vacuums) have a 1-year warranty from delivery; accessories such as cables have 6 months. "
  "Faults not caused by misuse are repaired free of charge during the warranty, and items that cannot be repaired are replaced with the same model. "
  "The warranty does not cover drops or other physical damage, water damage (except normal use within the stated waterproof rating) or unauthorised repairs.")
K("KB-027", "warranty", "zh", "如何申请保修",
  "在“我的订单”中选择对应商品，点击“申请售后-保修”，描述故障并上传照片或视频。无需保留纸质发票，订单号即为购买凭证。"
  "审核通过后请将商品寄回售后中心，往返运费由我们承担。"
  "售后中心收到商品后7-10个工作日内完成维修并寄回。")
K("KB-028", "warranty", "en", "How to make a warranty claim",
  "In My Orders, select the item, click After-Sales Service > Warranty, describe the fault and upload photos or a video. You do not need a paper invoice: your order number is your proof of purchase. "
  "Once the claim is approved, send the item to our service centre; we pay shipping both ways. "
  "The service centre repairs the item and ships it back within 7-10 business days of receiving it.")
# ------------------------------------------------------------------ payment
K("KB-029", "payment", "zh", "支付方式",
  "我们支持支付宝、微信支付、银联卡（储蓄卡和信用卡），以及Visa和Mastercard信用卡。"
  "暂不支持货到付款，也暂不支持PayPal。"
  "所有订单均以人民币结算。")
K("KB-030", "payment", "en", "Payment methods",
  "We accept Alipay, WeChat Pay, UnionPay debit and credit cards, and Visa and Mastercard credit cards. "
  "Cash on delivery and PayPal are not available. "
  "All orders are charged in Chinese yuan (CNY).")
K("KB-031", "payment", "zh", "花呗与信用卡分期",
  "单笔订单实付满¥600可使用花呗分期，3期和6期免息，12期需支付花呗收取的手续费。"
  "信用卡分期以发卡银行的规则为准。分期订单退款时，花呗会自动退还相应的分期款项。")
K("KB-032", "payment", "en", "Instalments (Huabei and credit cards)",
  "Orders of ¥600 or more can be paid in Huabei instalments: 3 or 6 instalments are interest-free, while 12 instalments carry Huabei's fee. "
  "Credit-card instalments follow the rules of your card issuer. If an instalment order is refunded, Huabei reverses the instalments automatically.")
K("KB-033", "payment", "zh", "未支付订单自动取消",
  "下单后请在30分钟内完成支付，超时未支付的订单将自动取消并释放库存。"
  "自动取消订单中使用的优惠券会退回您的账户。同一订单只能使用一种支付方式，暂不支持组合支付。")
K("KB-034", "payment", "en", "Unpaid orders are cancelled automatically",
  "Please pay within 30 minutes of placing an order; unpaid orders are cancelled automatically and the stock is released. "
  "Coupons used on an automatically cancelled order are returned to your account. Each order can be paid with one payment method only; split payments are not supported.")
# ------------------------------------------------------------------ sizes
K("KB-035", "sizes", "zh", "鞋码选择指南",
  "鞋类商品统一使用欧码（EU）标注。请在傍晚测量脚长（脚后跟到最长脚趾的距离，单位厘米），对照商品页面的尺码表选择；脚长介于两个尺码之间时选大一码。"
  "登山靴建议穿厚袜试穿，一般比平时穿的运动鞋大半码到一码。"
  "童鞋请在脚长基础上预留0.5-1厘米的生长空间。")
K("KB-036", "sizes", "en", "Shoe size guide",
  "All shoe sizes are EU sizes. Measure your foot length in centimetres in the evening (heel to longest toe) and compare it with the size chart on the product page; if you are between two sizes, choose the larger one. "
  "Try hiking boots on with thick socks; most people take half a size to one size larger than their usual trainers. "
  "For kids' shoes, allow 0.5-1 cm of growing room beyond the foot length.")
K("KB-037", "sizes", "zh", "服装尺码选择指南",
  "每个服装商品页面的“尺码”标签中都有尺码表，包括胸围、衣长、袖长等平铺测量数据，误差1-3厘米属正常。"
  "我们的服装采用亚洲尺码，如果您平时穿欧美尺码，建议选大一码。"
  "童装按身高选择，例如身高120厘米选120码；羽绒服可选大一码方便内搭。")
K("KB-038", "sizes", "en", "Clothing size guide",
  "Every clothing page has a size chart under the Size tab, with flat measurements such as chest, length and sleeve; a difference of 1-3 cm is normal. "
  "Our clothes use Asian sizing: if you usually wear European or US sizes, choose one size up. "
  "Kids' clothes are sized by height, for example size 120 for a child 120 cm tall; for down jackets you may go one size up to leave room for layers.")
# ------------------------------------------------------------------ order changes
K("KB-039", "order_changes", "zh", "修改或取消订单",
  "订单状态为“待发货”时，可在“我的订单”中自行修改收货地址、联系电话，或直接取消订单，取消后款项原路退回。"
  "商品的颜色、尺码等规格无法直接修改，请取消后重新下单。"
  "订单状态变为“已发货”后无法修改或取消，您可以拒收包裹，或签收后申请退货。")
K("KB-040", "order_changes", "en", "Changing or cancelling an order",
  "While an order is Awaiting Dispatch, you can change the delivery address or phone number, or cancel the order, yourself in My Orders; the payment is refunded to the original method. "
  "The colour, size or other options of an item cannot be changed: cancel and place a new order instead. "
  "Once the order is Dispatched it can no longer be changed or cancelled; you can refuse the parcel or return it after delivery.")
# ------------------------------------------------------------------ invoices
K("KB-041", "invoices", "zh", "发票",
  "所有订单均可开具电子普通发票，请在签收后30天内于“我的订单-申请发票”中提交，发票将在1-3个工作日内发送至您的邮箱。"
  "开具企业抬头发票需填写公司名称和纳税人识别号；如需增值税专用发票，请联系客服并提供开票资料，我们将在5个工作日内开具并寄出。"
  "发票金额为实际支付金额，不含优惠券抵扣部分。")
K("KB-042", "invoices", "en", "Invoices (fapiao)",
  "Every order can get an electronic general VAT invoice: request it in My Orders > Request Invoice within 30 days of delivery, and it is emailed to you within 1-3 business days. "
  "A company invoice needs the company name and taxpayer ID; for a special VAT invoice, contact customer service with your billing details and we issue and post it within 5 business days. "
  "The invoice shows the amount actually paid, excluding coupon discounts.")
# ------------------------------------------------------------------ membership
K("KB-043", "membership", "zh", "会员等级与积分",
  "注册即成为普通会员，每消费¥1积1分，100积分可抵扣¥1，积分在获得次年的12月31日过期。"
  "近12个月累计消费满¥1000升级为银卡会员，生日月可领¥20优惠券；满¥3000升级为金卡会员，生日月可领¥50优惠券，并且每笔订单赠送运费险。")
K("KB-044", "membership", "en", "Membership tiers and points",
  "Everyone who registers is a member and earns 1 point per ¥1 spent; 100 points are worth ¥1 off, and points expire on 31 December of the year after they were earned. "
  "Spending ¥1000 within 12 months makes you a Silver member, with a ¥20 coupon in your birthday month; spending ¥3000 makes you a Gold member, with a ¥50 birthday coupon and free return-shipping insurance on every order.")
# ------------------------------------------------------------------ privacy
K("KB-045", "privacy", "zh", "隐私保护",
  "您的姓名、电话和地址只用于订单配送和售后服务，我们不会出售给任何第三方。"
  "快递面单使用隐私面单，隐藏手机号中间4位。"
  "您可以在“账户设置-注销账户”中申请注销，我们将在15个工作日内删除您的个人信息，法律法规要求保留的交易记录除外。")
K("KB-046", "privacy", "en", "Privacy",
  "Your name, phone number and address are used only to deliver orders and provide after-sales service; we never sell them to third parties. "
  "Shipping labels are privacy labels that hide the middle 4 digits of your phone number. "
  "You can close your account in Account Settings > Close Account, and we delete your personal data within 15 business days, except transaction records the law requires us to keep.")
# ------------------------------------------------------------------ contact
K("KB-047", "contact", "zh", "联系客服",
  "在线客服每天9:00-22:00（北京时间）为您服务，客服热线400-820-6262每天9:00-21:00。"
  "也可以发送邮件至service@tesseragoods.example，我们会在24小时内回复。节假日客服时间可能调整，请以首页公告为准。")
K("KB-048", "contact", "en", "Contacting customer service",
  "Online chat is staffed every day from 9:00 to 22:00 (Beijing time), and the hotline 400-820-6262 from 9:00 to 21:00. "
  "You can also email service@tesseragoods.example; we reply within 24 hours. Hours may change on public holidays; see the notice on the home page.")
# ------------------------------------------------------------------ price protection
K("KB-049", "price_protection", "zh", "7天价保",
  "自下单之日起7天内，如同一商品在本店降价，可联系客服申请价保，差价以优惠券或原路退款方式返还。"
  "限时秒杀、直播专享价、赠品以及因使用优惠券产生的价格差异不参与价保。每笔订单限申请1次价保。")
K("KB-050", "price_protection", "en", "7-day price protection",
  "If the same item becomes cheaper in our shop within 7 days of your order, contact customer service and we refund the difference as a coupon or to your original payment method. "
  "Flash sales, livestream-only prices, free gifts and differences caused by coupons are excluded. Price protection can be claimed 1 time per order.")
# ------------------------------------------------------------------ gifts
K("KB-051", "gifts", "zh", "礼品包装",
  "结算时可勾选“礼品包装”，每件¥10，包含礼盒、丝带和手写贺卡（贺卡内容不超过50字）。"
  "选择“礼品订单”后，包裹内不放价格清单。"
  "礼品包装的商品同样适用7天无理由退货，但包装费不予退还。")
K("KB-052", "gifts", "en", "Gift wrapping",
  "At checkout you can add gift wrapping for ¥10 per item, including a gift box, ribbon and a handwritten card (up to 50 characters). "
  "If you mark the order as a gift order, no price list is put in the parcel. "
  "Gift-wrapped items can still be returned under the 7-day no-reason policy, but the wrapping fee is not refunded.")
# ------------------------------------------------------------------ stock
K("KB-053", "stock", "zh", "缺货与到货通知",
  "商品库存为0时，可点击“到货通知”，补货后我们会通过短信提醒您。"
  "大部分商品的补货周期为7-14天；季节性商品（如羽绒服、防晒衣）当季可能不再补货。"
  "缺货商品暂不支持预订或锁定库存。")
K("KB-054", "stock", "en", "Out-of-stock items and restock alerts",
  "When an item's stock is 0, click Notify Me and we will text you when it is back. "
  "Most items are restocked within 7-14 days; seasonal items (such as down jackets or sun-protection clothing) may not be restocked in the same season. "
  "Out-of-stock items cannot be pre-ordered or reserved.")
# ------------------------------------------------------------------ single-language passages
K("KB-055", "shipping", "zh", "春节期间发货安排",
  "春节期间（除夕前3天至正月初六）仓库暂停发货，期间付款的订单将于正月初七起按付款顺序陆续发出。"
  "春节前最后发货日和快递停运安排会提前在首页公告。春节期间在线客服照常服务，时间调整为10:00-18:00。")
K("KB-056", "payment", "en", "Shopping from abroad with a foreign card",
  "Visa and Mastercard cards issued outside China are accepted; the order is charged in CNY and your bank may add a currency conversion fee. "
  "We deliver only to mainland China, Hong Kong and Macau, so you need a delivery address in one of these places; we cannot ship to other countries.")
K("KB-057", "coupons", "zh", "优惠券使用规则",
  "每笔订单限用1张店铺优惠券，可以与会员积分抵扣同时使用。"
  "优惠券需满足使用门槛（如满¥199减¥20），门槛按商品实付金额计算，不含运费。"
  "优惠券过期后不予补发。")
K("KB-058", "coupons", "en", "Coupon rules",
  "Only 1 shop coupon can be used per order, and it can be combined with redeeming membership points. "
  "Coupons have a minimum spend (for example ¥20 off orders of ¥199 or more), based on the price of the items and excluding shipping. "
  "Expired coupons are not reissued.")

KB_PAIRS = [("KB-%03d" % i, "KB-%03d" % (i + 1)) for i in range(1, 55, 2)] + [("KB-057", "KB-058")]


def _both(n):
    """Ids of the zh/en pair that starts at KB-n (n odd)."""
    return ["KB-%03d" % n, "KB-%03d" % (n + 1)]


# (question, lang, expected_kb, expected_ids or None)
REPLY_QUESTIONS = [
    ("买的鞋子不合适，可以退吗？", "zh", _both(1) + _both(11), None),
    ("How long do I have to return an item?", "en", _both(1), None),
    ("口红拆封了还能退吗", "zh", _both(3), None),
    ("Who pays the shipping when I send something back?", "en", _both(5), None),
    ("退款多久能到账？我是用微信支付的", "zh", _both(7), None),
    ("My earbuds stopped working after 10 days. What can I do?", "en", _both(9) + _both(25), None),
    ("买了42码的跑鞋有点小，能换43码吗？", "zh", _both(11), None),
    ("How much is shipping for an order of ¥80?", "en", _both(13), None),
    ("寄到新疆包邮吗？", "zh", _both(13), None),
    ("If I pay at 3 pm on a Tuesday, when will my order ship?", "en", _both(15), None),
    ("可以发顺丰吗？", "zh", _both(17), None),
    ("Do you ship to Hong Kong?", "en", _both(19), None),
    ("Can you deliver to the United States?", "en", _both(19) + ["KB-056"], None),
    ("快递三天没更新了怎么办", "zh", _both(21), None),
    ("The parcel arrived today and the teapot inside is broken.", "en", _both(23), None),
    ("充电宝保修多久？", "zh", _both(25), None),
    ("How do I make a warranty claim? I lost the paper invoice.", "en", _both(27), None),
    ("可以用Visa信用卡付款吗", "zh", _both(29), None),
    ("Can I pay cash on delivery?", "en", _both(29), None),
    ("Do you accept PayPal?", "en", _both(29), None),
    ("花呗分期免息吗？", "zh", _both(31), None),
    ("I placed an order but haven't paid yet. How long until it is cancelled?", "en", _both(33), None),
    ("登山靴要买大一码吗", "zh", _both(35), None),
    ("Do your clothes run small? I usually wear a US medium.", "en", _both(37), None),
    ("下单后发现地址填错了，还能改吗？", "zh", _both(39), None),
    ("Can I change the colour of my order after paying?", "en", _both(39), None),
    ("公司报销需要增值税专用发票，怎么开？", "zh", _both(41), None),
    ("How do membership points work?", "en", _both(43), None),
    ("金卡会员有什么好处", "zh", _both(43) + _both(5), None),
    ("Will you sell my phone number to advertisers?", "en", _both(45), None),
    ("客服几点下班？", "zh", _both(47), None),
    ("I bought an air fryer three days ago and now it is cheaper. Can I get the difference back?", "en", _both(49), None),
    ("可以帮我包装成礼物吗？不要放价格单", "zh", _both(51), None),
    ("When will the kids' sleeping bag be back in stock?", "en", _both(53), ["SKU-19004"]),
    ("春节期间还发货吗？", "zh", ["KB-055"], None),
    ("两张优惠券可以一起用吗", "zh", _both(57), None),
    ("Can I use a Visa card issued in Germany?", "en", _both(29) + ["KB-056"], None),
    ("order还没发货，能cancel吗？", "mixed", _both(39), None),
    ("袜子尺码不合适 can I return it?", "mixed", _both(3), None),
    ("TrailGuard儿童防水登山鞋多少钱？单买一双包邮吗？", "zh", _both(13), ["SKU-11003"]),
    ("Is the Pulse Watch S3 covered by a warranty, and for how long?", "en", _both(25), ["SKU-16010"]),
    # ---- out of scope: nothing in the knowledge covers these
    ("你们支持比特币付款吗？", "zh", [], None),
    ("What's the weather tomorrow in Hangzhou?", "en", [], None),
    ("你们的老板是谁？", "zh", [], None),
    ("Can you recommend a good restaurant near me?", "en", [], None),
    ("帮我写一首关于春天的诗", "zh", [], None),
    ("Do you have a physical store in Shanghai where I can try shoes on?", "en", [], None),
    ("你们招聘客服吗？", "zh", [], None),
    ("Do you sell concert tickets for the weekend?", "en", [], None),
]
