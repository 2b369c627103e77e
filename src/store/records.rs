//! The records a relation reads: an organisation or a follow-up action with its texts in
//! every locale, and the joins that read them in one statement (see [`super::sql::joined`]).

use entity::{follow_up_action, follow_up_action_translation, organisation, organisation_translation};
use sea_orm::sea_query::{Expr, ExprTrait, SelectStatement};

use super::brief::{self, Detail};
use super::sql::positional::select_columns;

/// An organisation with its texts in every locale present.
#[derive(Clone, Debug)]
pub struct OrganisationRecord {
    pub model: organisation::Model,
    pub translations: Vec<organisation_translation::Model>,
    /// How much of the organisation was read: [`Detail::Brief`] reads only
    /// [`brief::ORGANISATION_COLUMNS`] and the names.
    pub detail: Detail,
}

/// A follow-up action with its texts in every locale present.
#[derive(Clone, Debug)]
pub struct FollowUpActionRecord {
    pub model: follow_up_action::Model,
    pub translations: Vec<follow_up_action_translation::Model>,
}

/// `organisation` LEFT JOIN its translations: the organisation's columns, then the
/// translation's, read with [`Positional`] (all of them for [`Detail::Full`], the brief
/// ones for [`Detail::Brief`]).
pub fn organisation_columns(select: &mut SelectStatement, detail: Detail) {
    match detail {
        Detail::Full => {
            select_columns::<organisation::Entity>(select);
            select_columns::<organisation_translation::Entity>(select);
        }
        Detail::Brief => {
            brief::select_columns::<organisation::Entity>(select, &brief::ORGANISATION_COLUMNS);
            brief::select_columns::<organisation_translation::Entity>(
                select,
                &brief::ORGANISATION_TEXT_COLUMNS,
            );
        }
    }
    select.left_join(
        organisation_translation::Entity,
        Expr::col((organisation_translation::Entity, organisation_translation::Column::OrganisationId))
            .equals((organisation::Entity, organisation::Column::Id)),
    );
}

/// `follow_up_action` LEFT JOIN its translations, as [`organisation_columns`].
pub fn follow_up_action_columns(select: &mut SelectStatement) {
    select_columns::<follow_up_action::Entity>(select);
    select_columns::<follow_up_action_translation::Entity>(select);
    select.left_join(
        follow_up_action_translation::Entity,
        Expr::col((
            follow_up_action_translation::Entity,
            follow_up_action_translation::Column::FollowUpActionId,
        ))
        .equals((follow_up_action::Entity, follow_up_action::Column::Id)),
    );
}
