//! Closed vocabularies stored as short strings (a new value needs no migration).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Publication state of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CaseStatus {
    #[sea_orm(string_value = "DRAFT")]
    Draft,
    #[sea_orm(string_value = "PUBLISHED")]
    Published,
    #[sea_orm(string_value = "ARCHIVED")]
    Archived,
}

/// Link of the industrial chain an organisation belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(40))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrganisationType {
    #[sea_orm(string_value = "GOVERNMENT")]
    Government,
    #[sea_orm(string_value = "COMPREHENSIVE_SERVICE_PLATFORM")]
    ComprehensiveServicePlatform,
    #[sea_orm(string_value = "TRADING_PLATFORM")]
    TradingPlatform,
    #[sea_orm(string_value = "LOGISTICS")]
    Logistics,
    #[sea_orm(string_value = "FINANCE")]
    Finance,
    #[sea_orm(string_value = "SELLER")]
    Seller,
    #[sea_orm(string_value = "DISPUTE_RESOLUTION")]
    DisputeResolution,
    #[sea_orm(string_value = "SUPPORT_SERVICE")]
    SupportService,
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// Role of an organisation in a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrganisationRole {
    #[sea_orm(string_value = "LEAD")]
    Lead,
    #[sea_orm(string_value = "PARTNER")]
    Partner,
}

/// How a case was collected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SourcingMethod {
    #[sea_orm(string_value = "FIELD_SURVEY")]
    FieldSurvey,
    #[sea_orm(string_value = "TARGETED_INVITATION")]
    TargetedInvitation,
    #[sea_orm(string_value = "ONLINE_NOTICE")]
    OnlineNotice,
}

/// Kind of follow-up measure announced with a collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FollowUpActionKind {
    #[sea_orm(string_value = "EXPERIENCE_SUMMARY")]
    ExperienceSummary,
    #[sea_orm(string_value = "SHOWCASE")]
    Showcase,
    #[sea_orm(string_value = "INTERNATIONAL_EXCHANGE")]
    InternationalExchange,
    #[sea_orm(string_value = "CAPACITY_BUILDING_PROJECT")]
    CapacityBuildingProject,
    #[sea_orm(string_value = "TRAINING_COURSE")]
    TrainingCourse,
}

/// Progress of a follow-up action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FollowUpActionStatus {
    #[sea_orm(string_value = "PLANNED")]
    Planned,
    #[sea_orm(string_value = "IN_PROGRESS")]
    InProgress,
    #[sea_orm(string_value = "DONE")]
    Done,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

/// The kind of object an audit entry or a change event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SubjectType {
    #[sea_orm(string_value = "CASE")]
    Case,
    #[sea_orm(string_value = "ORGANISATION")]
    Organisation,
    #[sea_orm(string_value = "FOLLOW_UP_ACTION")]
    FollowUpAction,
    #[sea_orm(string_value = "COLLECTION")]
    Collection,
    #[sea_orm(string_value = "CATEGORY")]
    Category,
    #[sea_orm(string_value = "API_KEY")]
    ApiKey,
}

/// What a committed change did to its subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ChangeKind {
    #[sea_orm(string_value = "CREATED")]
    Created,
    #[sea_orm(string_value = "UPDATED")]
    Updated,
    #[sea_orm(string_value = "PUBLISHED")]
    Published,
    #[sea_orm(string_value = "UNPUBLISHED")]
    Unpublished,
    #[sea_orm(string_value = "ARCHIVED")]
    Archived,
    #[sea_orm(string_value = "RESTORED")]
    Restored,
    #[sea_orm(string_value = "DELETED")]
    Deleted,
    #[sea_orm(string_value = "MERGED")]
    Merged,
}
