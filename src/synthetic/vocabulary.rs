//! Fixed word lists of the generator: countries, tags, places and organisation names. Every
//! localised entry is a [`Phrase`] whose three texts say the same thing.

use entity::enums::{FollowUpActionKind, OrganisationType};

/// A language the generator writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Language {
    English,
    Chinese,
    Arabic,
}

impl Language {
    /// The locale code stored in the `*_translation` tables.
    pub(super) fn locale(self) -> &'static str {
        match self {
            Self::English => "en",
            Self::Chinese => "zh",
            Self::Arabic => "ar",
        }
    }

    /// The title prefix that marks a row as sample data in this language.
    pub(super) fn sample_marker(self) -> &'static str {
        match self {
            Self::English => "[Sample]",
            Self::Chinese => "[示例]",
            Self::Arabic => "[عينة]",
        }
    }
}

/// The same words in English, Chinese and Arabic.
#[derive(Clone, Copy, Debug)]
pub(super) struct Phrase {
    pub english: &'static str,
    pub chinese: &'static str,
    pub arabic: &'static str,
}

impl Phrase {
    /// The text in `language`.
    pub(super) fn in_language(&self, language: Language) -> &'static str {
        match language {
            Language::English => self.english,
            Language::Chinese => self.chinese,
            Language::Arabic => self.arabic,
        }
    }
}

const fn phrase(english: &'static str, chinese: &'static str, arabic: &'static str) -> Phrase {
    Phrase { english, chinese, arabic }
}

/// ISO 3166-1 alpha-2 codes of real countries, upper case.
pub(super) const COUNTRIES: [&str; 40] = [
    "CN", "US", "GB", "DE", "FR", "IT", "ES", "NL", "PL", "TR", "AE", "SA", "EG", "QA", "KW", "OM", "JO",
    "MA", "NG", "KE", "ZA", "ET", "IN", "PK", "BD", "ID", "MY", "TH", "VN", "PH", "SG", "KR", "JP", "AU",
    "NZ", "BR", "MX", "CL", "KZ", "UZ",
];

/// Provinces used as the region of Chinese organisations.
pub(super) const CHINESE_PROVINCES: [&str; 8] =
    ["Zhejiang", "Guangdong", "Shaanxi", "Fujian", "Jiangsu", "Shandong", "Henan", "Sichuan"];

/// Tag names, as keywords an editor would choose.
pub(super) const TAGS: [&str; 30] = [
    "compliance",
    "branding",
    "cold-chain",
    "mobile-payments",
    "logistics",
    "overseas-warehouse",
    "customs-clearance",
    "live-streaming",
    "digital-marketing",
    "rural-e-commerce",
    "small-business",
    "training",
    "dispute-resolution",
    "trade-finance",
    "data-protection",
    "last-mile-delivery",
    "marketplace",
    "business-to-business",
    "business-to-consumer",
    "sustainability",
    "returns",
    "supply-chain",
    "artificial-intelligence",
    "localisation",
    "taxation",
    "consumer-protection",
    "bonded-zone",
    "agricultural-exports",
    "halal",
    "digital-silk-road",
];

/// Cities where follow-up actions take place.
pub(super) const CITIES: [Phrase; 13] = [
    phrase("Wuzhen", "乌镇", "ووتشن"),
    phrase("Hangzhou", "杭州", "هانغتشو"),
    phrase("Xi'an", "西安", "شيآن"),
    phrase("Shenzhen", "深圳", "شنتشن"),
    phrase("Dubai", "迪拜", "دبي"),
    phrase("Riyadh", "利雅得", "الرياض"),
    phrase("Cairo", "开罗", "القاهرة"),
    phrase("Nairobi", "内罗毕", "نيروبي"),
    phrase("Jakarta", "雅加达", "جاكرتا"),
    phrase("Kuala Lumpur", "吉隆坡", "كوالالمبور"),
    phrase("Almaty", "阿拉木图", "ألماتي"),
    phrase("São Paulo", "圣保罗", "ساو باولو"),
    phrase("Casablanca", "卡萨布兰卡", "الدار البيضاء"),
];

/// Two kinds of name for organisations of `organisation_type`.
pub(super) fn organisation_names(organisation_type: OrganisationType) -> [Phrase; 2] {
    match organisation_type {
        OrganisationType::Government => [
            phrase("Commerce Bureau", "商务局", "مكتب التجارة"),
            phrase("Port Authority", "口岸管理办公室", "هيئة الموانئ"),
        ],
        OrganisationType::ComprehensiveServicePlatform => [
            phrase("Trade Services Platform", "综合服务平台", "منصة الخدمات التجارية الشاملة"),
            phrase("Export Services Hub", "出口服务中心", "مركز خدمات التصدير"),
        ],
        OrganisationType::TradingPlatform => [
            phrase("Marketplace", "电商交易平台", "السوق الإلكترونية"),
            phrase("Online Mall", "网上商城", "المركز التجاري الإلكتروني"),
        ],
        OrganisationType::Logistics => [
            phrase("Logistics Co.", "物流有限公司", "شركة الخدمات اللوجستية"),
            phrase("Freight Forwarding Ltd.", "货运代理有限公司", "شركة الشحن"),
        ],
        OrganisationType::Finance => [
            phrase("Payments Bank", "支付银行", "بنك المدفوعات"),
            phrase("Trade Credit Fund", "贸易信贷基金", "صندوق الائتمان التجاري"),
        ],
        OrganisationType::Seller => [
            phrase("Export Trading Co.", "出口贸易有限公司", "شركة التصدير التجارية"),
            phrase("Crafts Workshop", "手工艺工坊", "ورشة الحِرَف اليدوية"),
        ],
        OrganisationType::DisputeResolution => [
            phrase("Mediation Centre", "调解中心", "مركز الوساطة"),
            phrase("Arbitration Commission", "仲裁委员会", "هيئة التحكيم"),
        ],
        OrganisationType::SupportService => [
            phrase("Compliance Consultancy", "合规咨询公司", "شركة استشارات الامتثال"),
            phrase("Translation Services", "翻译服务公司", "شركة خدمات الترجمة"),
        ],
        OrganisationType::Other => [
            phrase("Industry Association", "行业协会", "الجمعية الصناعية"),
            phrase("Research Institute", "研究院", "معهد البحوث"),
        ],
    }
}

/// What a follow-up action of `kind` is called.
pub(super) fn follow_up_action_name(kind: FollowUpActionKind) -> Phrase {
    match kind {
        FollowUpActionKind::ExperienceSummary => {
            phrase("Experience summary workshop", "经验总结研讨会", "ورشة عمل لتلخيص الخبرات")
        }
        FollowUpActionKind::Showcase => {
            phrase("Practice case showcase", "实践案例展示会", "معرض حالات الممارسة")
        }
        FollowUpActionKind::InternationalExchange => {
            phrase("International exchange forum", "国际交流论坛", "منتدى التبادل الدولي")
        }
        FollowUpActionKind::CapacityBuildingProject => {
            phrase("Capacity-building project", "能力建设项目", "مشروع بناء القدرات")
        }
        FollowUpActionKind::TrainingCourse => {
            phrase("Training course series", "系列培训课程", "سلسلة الدورات التدريبية")
        }
    }
}
