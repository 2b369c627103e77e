//! Titles, names and Markdown bodies in English, Chinese and Arabic, built from the word
//! lists. Every title and name says it is sample data, in its own language.

use rand::Rng;

use super::phrases::{BACKGROUNDS, HEADINGS, MARKETS, MEASURES, RESULTS, SAMPLE_NOTE, SUBJECTS};
use super::random::{RowRandom, pick};
use super::vocabulary::{Language, Phrase};

/// Probability that a row has a Chinese text.
const CHINESE_SHARE: f64 = 0.8;
/// Probability that a row has an Arabic text.
const ARABIC_SHARE: f64 = 0.7;

/// The languages a row has: English always, Chinese and Arabic by chance.
pub(super) fn languages(random: &mut RowRandom) -> Vec<Language> {
    let mut languages = vec![Language::English];
    if random.random_bool(CHINESE_SHARE) {
        languages.push(Language::Chinese);
    }
    if random.random_bool(ARABIC_SHARE) {
        languages.push(Language::Arabic);
    }
    languages
}

/// One case's texts in one language.
#[derive(Debug)]
pub(super) struct CaseText {
    pub title: String,
    pub summary: String,
    pub body: String,
}

/// The words a case is written with, drawn once and then written in each language.
#[derive(Debug)]
pub(super) struct CaseWords {
    number: u64,
    subject: Phrase,
    market: Phrase,
    backgrounds: Vec<Phrase>,
    measures: Vec<Phrase>,
    result: Phrase,
    figures: [(&'static str, String); 4],
}

impl CaseWords {
    /// Draws the words of case `number`.
    pub(super) fn draw(random: &mut RowRandom, number: u64) -> Self {
        let backgrounds = rand::seq::index::sample(random, BACKGROUNDS.len(), 2);
        let measures = rand::seq::index::sample(random, MEASURES.len(), 3);
        Self {
            number,
            subject: *pick(random, &SUBJECTS),
            market: *pick(random, &MARKETS),
            backgrounds: backgrounds.iter().map(|index| BACKGROUNDS[index]).collect(),
            measures: measures.iter().map(|index| MEASURES[index]).collect(),
            result: *pick(random, &RESULTS),
            figures: [
                ("{months}", random.random_range(12..=36_u32).to_string()),
                ("{percent}", random.random_range(10..=80_u32).to_string()),
                ("{count}", (random.random_range(1..=50_u32) * 100).to_string()),
                ("{days}", random.random_range(3..=9_u32).to_string()),
            ],
        }
    }

    /// The case in `language`.
    pub(super) fn write(&self, language: Language) -> CaseText {
        let subject = self.subject.in_language(language);
        let market = self.market.in_language(language);
        let number = self.number;
        let marker = language.sample_marker();
        let (title, summary) = match language {
            Language::English => (
                format!("{marker} {} for {market}, no. {number}", capitalise(subject)),
                format!("A synthetic practice case: {subject} serving {market}."),
            ),
            Language::Chinese => (
                format!("{marker} 面向{market}的{subject}（第{number}号）"),
                format!("合成实践案例：面向{market}的{subject}。"),
            ),
            Language::Arabic => (
                format!("{marker} {subject} لخدمة {market} (رقم {number})"),
                format!("حالة ممارسة اصطناعية: {subject} لخدمة {market}."),
            ),
        };
        CaseText { title, summary, body: self.body(language) }
    }

    fn body(&self, language: Language) -> String {
        // Chinese runs sentences together; English and Arabic separate them with a space.
        let separator = if language == Language::Chinese { "" } else { " " };
        let mut body = String::with_capacity(1024);
        body.push_str(SAMPLE_NOTE.in_language(language));
        push_heading(&mut body, HEADINGS[0], language);
        let backgrounds: Vec<&str> =
            self.backgrounds.iter().map(|background| background.in_language(language)).collect();
        body.push_str(&backgrounds.join(separator));
        push_heading(&mut body, HEADINGS[1], language);
        for measure in &self.measures {
            body.push_str("- ");
            body.push_str(measure.in_language(language));
            body.push('\n');
        }
        push_heading(&mut body, HEADINGS[2], language);
        let mut result = self.result.in_language(language).to_owned();
        for (placeholder, value) in &self.figures {
            result = result.replace(placeholder, value);
        }
        body.push_str(&result);
        body.push('\n');
        body
    }
}

fn push_heading(body: &mut String, heading: Phrase, language: Language) {
    if !body.ends_with('\n') {
        body.push('\n');
    }
    body.push_str("\n## ");
    body.push_str(heading.in_language(language));
    body.push_str("\n\n");
}

/// The name and description of organisation `number`.
pub(super) fn organisation(name: Phrase, focus: Phrase, number: u64, language: Language) -> (String, String) {
    let name_text = name.in_language(language);
    let focus = focus.in_language(language);
    match language {
        Language::English => (
            format!("Sample {name_text} {number} (synthetic)"),
            format!("Synthetic sample organisation for testing; focus: {focus}."),
        ),
        Language::Chinese => (
            format!("{} {name_text}{number}号（合成数据）", language.sample_marker()),
            format!("用于测试的合成示例机构，业务重点：{focus}。"),
        ),
        Language::Arabic => (
            format!("{} {name_text} رقم {number} (بيانات اصطناعية)", language.sample_marker()),
            format!("منظمة نموذجية اصطناعية لأغراض الاختبار، مجال التركيز: {focus}."),
        ),
    }
}

/// The title and description of follow-up action `number`.
pub(super) fn follow_up_action(
    kind: Phrase,
    city: Phrase,
    number: u64,
    language: Language,
) -> (String, String) {
    let kind = kind.in_language(language);
    let city = city.in_language(language);
    let marker = language.sample_marker();
    match language {
        Language::English => (
            format!("{marker} {kind} in {city}, no. {number}"),
            format!(
                "Synthetic sample follow-up action held in {city} with the organisations of selected practice cases."
            ),
        ),
        Language::Chinese => (
            format!("{marker} {city}{kind}（第{number}号）"),
            format!("用于测试的合成示例后续行动，在{city}举办，邀请部分实践案例的相关机构参加。"),
        ),
        Language::Arabic => (
            format!("{marker} {kind} في {city} (رقم {number})"),
            format!(
                "إجراء متابعة نموذجي اصطناعي لأغراض الاختبار يُعقد في {city} بمشاركة الجهات المعنية بعدد من حالات الممارسة المختارة."
            ),
        ),
    }
}

/// `text` with its first letter in upper case.
fn capitalise(text: &str) -> String {
    let mut characters = text.chars();
    match characters.next() {
        Some(first) => first.to_uppercase().chain(characters).collect(),
        None => String::new(),
    }
}
