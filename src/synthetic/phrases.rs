//! Sentences the case texts are built from. Entries at the same position of a list are
//! translations of each other, so a case reads the same in every language it has.
//!
//! Result sentences hold placeholders: `{months}` (12–36, which keeps the Arabic counted
//! noun in its accusative singular), `{percent}`, `{count}` (hundreds) and `{days}` (3–9).

use super::vocabulary::Phrase;

const fn phrase(english: &'static str, chinese: &'static str, arabic: &'static str) -> Phrase {
    Phrase { english, chinese, arabic }
}

/// What a case built (English starts in lower case; titles capitalise it).
pub(super) const SUBJECTS: [Phrase; 16] = [
    phrase("cross-border logistics hub", "跨境物流枢纽", "مركز لوجستي عابر للحدود"),
    phrase("bonded warehouse network", "保税仓储网络", "شبكة مستودعات جمركية"),
    phrase("mobile payment gateway", "移动支付网关", "بوابة دفع عبر الهاتف المحمول"),
    phrase("brand incubation programme", "品牌孵化计划", "برنامج لاحتضان العلامات التجارية"),
    phrase("cold-chain export corridor", "冷链出口通道", "ممر تصدير بسلسلة التبريد"),
    phrase("online dispute mediation service", "在线纠纷调解服务", "خدمة وساطة إلكترونية لتسوية النزاعات"),
    phrase("seller training academy", "卖家培训学院", "أكاديمية لتدريب البائعين"),
    phrase("digital customs clearance platform", "数字化通关平台", "منصة رقمية للتخليص الجمركي"),
    phrase("overseas warehouse alliance", "海外仓联盟", "تحالف المستودعات الخارجية"),
    phrase("live-streaming export channel", "直播出口渠道", "قناة تصدير عبر البث المباشر"),
    phrase("export credit service", "出口信贷服务", "خدمة ائتمان للصادرات"),
    phrase("rural e-commerce service centre", "农村电商服务中心", "مركز خدمات التِّجارة الإلكترونية الريفية"),
    phrase("compliance advisory desk", "合规咨询服务台", "مكتب استشارات الامتثال"),
    phrase("last-mile delivery network", "最后一公里配送网络", "شبكة توصيل الميل الأخير"),
    phrase("multilingual marketplace storefront", "多语种电商店铺", "واجهة متجر إلكتروني متعددة اللغات"),
    phrase("returns consolidation centre", "退货集运中心", "مركز تجميع المرتجعات"),
];

/// Whom a case serves.
pub(super) const MARKETS: [Phrase; 12] = [
    phrase("Gulf markets", "海湾市场", "أسواق الخليج"),
    phrase("Southeast Asia", "东南亚", "جنوب شرق آسيا"),
    phrase("Central Asia", "中亚", "آسيا الوسطى"),
    phrase("East Africa", "东非", "شرق أفريقيا"),
    phrase("North Africa", "北非", "شمال أفريقيا"),
    phrase("Latin America", "拉丁美洲", "أمريكا اللاتينية"),
    phrase("the European Union", "欧盟", "الاتحاد الأوروبي"),
    phrase("Belt and Road partner countries", "“一带一路”合作国家", "الدول الشريكة في مبادرة الحزام والطريق"),
    phrase("small and medium-sized sellers", "中小卖家", "البائعين الصغار والمتوسطين"),
    phrase("rural producers", "农村生产者", "المنتجين الريفيين"),
    phrase("the Middle East", "中东", "الشرق الأوسط"),
    phrase("South Asia", "南亚", "جنوب آسيا"),
];

/// The problem a case answered.
pub(super) const BACKGROUNDS: [Phrase; 8] = [
    phrase(
        "Exporters in the region faced long delivery times and fragmented customs procedures.",
        "该地区出口企业长期面临配送周期长、通关流程分散等问题。",
        "واجه المُصَدِّرون في المنطقة فترات تسليم طويلة وإجراءات جمركية مجزأة.",
    ),
    phrase(
        "Small sellers lacked the brand recognition and payment options that overseas buyers expect.",
        "中小卖家缺乏海外买家所期待的品牌认知度和支付方式。",
        "افتقر البائعون الصغار إلى شهرة العلامة التجارية وخيارات الدفع التي يتوقعها المشترون في الخارج.",
    ),
    phrase(
        "Rising return rates and unclear consumer-protection rules were eroding trust between buyers and sellers.",
        "退货率上升和消费者保护规则不清晰削弱了买卖双方之间的信任。",
        "أدى ارتفاع معدلات الإرجاع وعدم وضوح قواعد حماية المستهلك إلى تآكل الثقة بين المشترين والبائعين.",
    ),
    phrase(
        "Local producers had quality goods but little experience of online marketplaces abroad.",
        "当地生产者拥有优质产品，但缺乏开拓海外电商平台的经验。",
        "امتلك المنتجون المحليون سلعًا عالية الجودة لكن خبرتهم في الأسواق الإلكترونية الخارجية كانت محدودة.",
    ),
    phrase(
        "Trade data was scattered across agencies, which slowed approvals and raised compliance costs.",
        "贸易数据分散在多个部门，导致审批缓慢、合规成本上升。",
        "كانت البيانات التجارية موزعة بين جهات متعددة، مما أبطأ الموافقات ورفع تكاليف الامتثال.",
    ),
    phrase(
        "Perishable products often spoiled in transit because cold storage capacity was limited.",
        "由于冷库容量有限，生鲜产品在运输途中经常变质。",
        "كثيرًا ما تلفت المنتجات سريعة التلف أثناء النقل بسبب محدودية سعة التخزين المبرد.",
    ),
    phrase(
        "Financing was hard to obtain for sellers without collateral or a credit history.",
        "缺少抵押物和信用记录的卖家很难获得融资。",
        "كان الحصول على التمويل صعبًا على البائعين الذين لا يملكون ضمانات أو سجلًا ائتمانيًا.",
    ),
    phrase(
        "Cross-border disputes took months to settle and rarely reached a fair outcome for small buyers.",
        "跨境纠纷往往需要数月才能解决，小额买家很少获得公平的结果。",
        "استغرقت تسوية النزاعات العابرة للحدود شهورًا، ونادرًا ما حقق صغار المشترين نتيجة عادلة.",
    ),
];

/// What a case did, one bullet each.
pub(super) const MEASURES: [Phrase; 12] = [
    phrase(
        "A shared data platform linking customs, tax and logistics",
        "打通海关、税务和物流的共享数据平台",
        "منصة بيانات مشتركة تربط الجمارك والضرائب والخدمات اللوجستية",
    ),
    phrase("Weekly consolidated freight departures", "每周固定的集拼货运班次", "رحلات شحن مجمّعة أسبوعية"),
    phrase(
        "Bilingual onboarding workshops for new sellers",
        "面向新卖家的双语入驻培训",
        "ورش تأهيل ثنائية اللغة للبائعين الجدد",
    ),
    phrase(
        "Local wallets and instant bank transfers at checkout",
        "结账时支持本地电子钱包和即时银行转账",
        "محافظ إلكترونية محلية وتحويلات مصرفية فورية عند الدفع",
    ),
    phrase(
        "Temperature monitoring from farm to doorstep",
        "从产地到家门口的全程温度监控",
        "مراقبة درجة الحرارة من المزرعة إلى باب المستهلك",
    ),
    phrase(
        "A product certification and labelling checklist",
        "产品认证与标签核对清单",
        "قائمة تحقق لاعتماد المنتجات ووضع الملصقات عليها",
    ),
    phrase(
        "Online mediation within fourteen days",
        "十四天内完成在线调解",
        "وساطة إلكترونية خلال أربعة عشر يومًا",
    ),
    phrase(
        "Shared overseas warehouses with pooled inventory",
        "共享库存的海外公共仓",
        "مستودعات خارجية مشتركة بمخزون موحد",
    ),
    phrase(
        "Credit scoring based on verified sales data",
        "基于真实销售数据的信用评估",
        "تقييم ائتماني قائم على بيانات مبيعات موثقة",
    ),
    phrase(
        "Live-streamed product launches with local presenters",
        "由本地主播参与的直播新品发布",
        "إطلاق المنتجات عبر البث المباشر بمشاركة مقدِّمين محليين",
    ),
    phrase(
        "A returns hub that refurbishes and resells goods",
        "翻新并再销售退货商品的退货中心",
        "مركز للمرتجعات يجدد السلع ويعيد بيعها",
    ),
    phrase("Mentoring by experienced exporters", "由资深出口企业提供辅导", "إرشاد يقدمه مصدّرون ذوو خبرة"),
];

/// What a case achieved.
pub(super) const RESULTS: [Phrase; 4] = [
    phrase(
        "Within {months} months, export orders grew by {percent}% and more than {count} sellers joined the programme.",
        "{months}个月内，出口订单增长{percent}%，超过{count}家卖家加入该项目。",
        "خلال {months} شهرًا، نمت طلبات التصدير بنسبة {percent}% وانضم أكثر من {count} بائع إلى البرنامج.",
    ),
    phrase(
        "Average delivery time fell to {days} days and customer complaints dropped by {percent}%.",
        "平均配送时间缩短至{days}天，客户投诉减少{percent}%。",
        "انخفض متوسط مدة التسليم إلى {days} أيام وتراجعت شكاوى العملاء بنسبة {percent}%.",
    ),
    phrase(
        "The service handled {count} shipments in its first year, with a dispute rate below {days}%.",
        "该服务第一年处理了{count}票货物，纠纷率低于{days}%。",
        "عالجت الخدمة {count} شحنة في عامها الأول، وبقي معدل النزاعات دون {days}%.",
    ),
    phrase(
        "After {months} months, participating sellers reported revenue growth of {percent}% on average.",
        "{months}个月后，参与项目的卖家平均收入增长{percent}%。",
        "بعد {months} شهرًا، أفاد البائعون المشاركون بنمو إيراداتهم بنسبة {percent}% في المتوسط.",
    ),
];

/// The note that opens every body.
pub(super) const SAMPLE_NOTE: Phrase = phrase(
    "_Synthetic sample data, generated for testing._",
    "_本文为测试用的合成示例数据。_",
    "_هذه بيانات نموذجية اصطناعية أُنشِئت لأغراض الاختبار._",
);

/// Section headings of a body: background, measures, results.
pub(super) const HEADINGS: [Phrase; 3] = [
    phrase("Background", "背景", "الخلفية"),
    phrase("What was done", "主要做法", "الإجراءات المتخذة"),
    phrase("Results", "成效", "النتائج"),
];
