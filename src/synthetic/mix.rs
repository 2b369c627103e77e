//! The mix of the synthetic set: which organisation types, follow-up action kinds and
//! states it holds, and how each row draws its own. The plan sizes the set from these, and
//! the row writers draw from them.

use entity::enums::{FollowUpActionKind, FollowUpActionStatus, OrganisationType};

use super::random::{RowRandom, Stream, covering, row_random};

/// Organisation types with their relative weights; the first nine organisations take one each.
pub(super) const TYPES: [(OrganisationType, u32); 9] = [
    (OrganisationType::Government, 8),
    (OrganisationType::ComprehensiveServicePlatform, 10),
    (OrganisationType::TradingPlatform, 12),
    (OrganisationType::Logistics, 16),
    (OrganisationType::Finance, 10),
    (OrganisationType::Seller, 24),
    (OrganisationType::DisputeResolution, 5),
    (OrganisationType::SupportService, 10),
    (OrganisationType::Other, 5),
];

/// The type of each of the first `count` organisations of `seed`.
pub(super) fn types(seed: u64, count: u64) -> Vec<OrganisationType> {
    (0..count).map(|index| draw_type(&mut row_random(seed, Stream::Organisation, index), index)).collect()
}

/// The type of organisation `index`: the first draw of its stream.
pub(super) fn draw_type(random: &mut RowRandom, index: u64) -> OrganisationType {
    covering(random, index, &TYPES).unwrap_or(OrganisationType::Other)
}

pub(super) const KINDS: [FollowUpActionKind; 5] = [
    FollowUpActionKind::ExperienceSummary,
    FollowUpActionKind::Showcase,
    FollowUpActionKind::InternationalExchange,
    FollowUpActionKind::CapacityBuildingProject,
    FollowUpActionKind::TrainingCourse,
];

pub(super) const STATUSES: [FollowUpActionStatus; 4] = [
    FollowUpActionStatus::Planned,
    FollowUpActionStatus::InProgress,
    FollowUpActionStatus::Done,
    FollowUpActionStatus::Cancelled,
];

/// Combinations of kind and status; the first actions take one each.
pub(super) const PAIRS: u64 = (KINDS.len() * STATUSES.len()) as u64;
