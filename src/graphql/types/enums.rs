//! The contract's enums, mirrored from the stored vocabularies.

use async_graphql::Enum;
use entity::enums;

/// Publication state of a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "enums::CaseStatus")]
pub enum CaseStatus {
    /// Being written; visible only with the `read:drafts` scope.
    Draft,
    /// Public.
    Published,
    /// Withdrawn from listings; visible only with the `read:drafts` scope.
    Archived,
}

/// A link of the cross-border e-commerce industrial chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "enums::OrganisationType")]
pub enum OrganisationType {
    /// Government body, at any level.
    Government,
    /// Comprehensive cross-border e-commerce service platform.
    ComprehensiveServicePlatform,
    /// Trading platform.
    TradingPlatform,
    /// Logistics enterprise.
    Logistics,
    /// Financial institution.
    Finance,
    /// Seller.
    Seller,
    /// Dispute-resolution institution.
    DisputeResolution,
    /// Supporting service organisation.
    SupportService,
    /// Anything else.
    Other,
}

/// Role of an organisation in a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "enums::OrganisationRole")]
pub enum OrganisationRole {
    /// The organisation that carried the case.
    Lead,
    /// An organisation that took part.
    Partner,
}

/// How a case was collected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "enums::SourcingMethod")]
pub enum SourcingMethod {
    /// Found through a field survey.
    FieldSurvey,
    /// Submitted on a targeted invitation.
    TargetedInvitation,
    /// Submitted after an online notice.
    OnlineNotice,
}

/// Kind of follow-up measure announced with a collection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "enums::FollowUpActionKind")]
pub enum FollowUpActionKind {
    /// Summarising the experience and innovative models of the cases.
    ExperienceSummary,
    /// Announcing and showcasing the cases.
    Showcase,
    /// International exchange and dissemination of the cases.
    InternationalExchange,
    /// A capacity-building training project.
    CapacityBuildingProject,
    /// A training course.
    TrainingCourse,
}

/// Progress of a follow-up action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "enums::FollowUpActionStatus")]
pub enum FollowUpActionStatus {
    /// Announced, not started.
    Planned,
    /// Under way.
    InProgress,
    /// Finished.
    Done,
    /// Called off.
    Cancelled,
}

/// Sort direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub enum OrderDirection {
    /// Smallest first.
    Asc,
    /// Largest first.
    Desc,
}
