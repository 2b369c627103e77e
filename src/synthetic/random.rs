//! Seeded randomness. Every generated row draws from its own ChaCha stream, chosen by the
//! seed, the kind of row and its index, so a row depends on nothing else: not on the chunk
//! size, not on the other rows, never on the clock.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The random source of one row.
pub(super) type RowRandom = ChaCha8Rng;

/// The kind of row a stream belongs to; part of the stream number.
#[derive(Clone, Copy, Debug)]
pub(super) enum Stream {
    Organisation = 1,
    Case = 2,
    FollowUpAction = 3,
}

/// Bits of the stream number left for the row index.
const INDEX_BITS: u32 = 56;

/// The random source of row `index` of `kind` for `seed`.
pub(super) fn row_random(seed: u64, kind: Stream, index: u64) -> RowRandom {
    let mut random = ChaCha8Rng::seed_from_u64(seed);
    random.set_stream(((kind as u64) << INDEX_BITS) | (index & ((1 << INDEX_BITS) - 1)));
    random
}

/// One item of a non-empty list.
pub(super) fn pick<'a, T>(random: &mut RowRandom, items: &'a [T]) -> &'a T {
    &items[random.random_range(0..items.len())]
}

/// Between 1 and `most` distinct positions below `length` (fewer when `length` is smaller).
pub(super) fn distinct(random: &mut RowRandom, length: usize, most: usize) -> Vec<usize> {
    let amount = random.random_range(1..=most.max(1)).min(length);
    rand::seq::index::sample(random, length, amount).into_vec()
}

/// A value drawn with the given relative weights.
pub(super) fn weighted<T: Copy>(random: &mut RowRandom, choices: &[(T, u32)]) -> Option<T> {
    let total: u32 = choices.iter().map(|(_, weight)| weight).sum();
    if total == 0 {
        return None;
    }
    let mut draw = random.random_range(0..total);
    for (value, weight) in choices {
        if draw < *weight {
            return Some(*value);
        }
        draw -= weight;
    }
    None
}

/// Row `index` takes the `index`-th choice while there are choices left, so the first rows
/// cover every value; later rows draw by weight.
pub(super) fn covering<T: Copy>(random: &mut RowRandom, index: u64, choices: &[(T, u32)]) -> Option<T> {
    match usize::try_from(index).ok().and_then(|index| choices.get(index)) {
        Some((value, _)) => Some(*value),
        None => weighted(random, choices),
    }
}

/// 2024-01-15T00:00:00Z, the earliest publication time.
const PUBLISHED_FROM: i64 = 1_705_276_800;
/// 2026-06-30T23:59:59Z, the latest publication time.
const PUBLISHED_UNTIL: i64 = 1_782_863_999;
/// 2024-05-01, the earliest start of a follow-up action, in days since 1970-01-01.
const ACTIONS_FROM_DAY: i64 = 19_844;
/// 2026-12-31, the latest start of a follow-up action, in days since 1970-01-01.
const ACTIONS_UNTIL_DAY: i64 = 20_818;

/// A whole second between the first and the last publication time.
pub(super) fn publication_time(random: &mut RowRandom) -> DateTime<Utc> {
    DateTime::<Utc>::UNIX_EPOCH + TimeDelta::seconds(random.random_range(PUBLISHED_FROM..=PUBLISHED_UNTIL))
}

/// A whole number of seconds, at most `days` days.
pub(super) fn up_to_days(random: &mut RowRandom, days: i64) -> TimeDelta {
    TimeDelta::seconds(random.random_range(0..=days * 86_400))
}

/// A day on which a follow-up action may start.
pub(super) fn action_start(random: &mut RowRandom) -> NaiveDate {
    DateTime::<Utc>::UNIX_EPOCH.date_naive()
        + TimeDelta::days(random.random_range(ACTIONS_FROM_DAY..=ACTIONS_UNTIL_DAY))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_time_bounds_are_the_documented_dates() {
        let from = DateTime::<Utc>::UNIX_EPOCH + TimeDelta::seconds(PUBLISHED_FROM);
        let until = DateTime::<Utc>::UNIX_EPOCH + TimeDelta::seconds(PUBLISHED_UNTIL);
        assert_eq!(from.to_rfc3339(), "2024-01-15T00:00:00+00:00");
        assert_eq!(until.to_rfc3339(), "2026-06-30T23:59:59+00:00");
        let epoch = DateTime::<Utc>::UNIX_EPOCH.date_naive();
        assert_eq!((epoch + TimeDelta::days(ACTIONS_FROM_DAY)).to_string(), "2024-05-01");
        assert_eq!((epoch + TimeDelta::days(ACTIONS_UNTIL_DAY)).to_string(), "2026-12-31");
    }

    #[test]
    fn a_row_stream_depends_only_on_seed_kind_and_index() {
        let draw = |seed, kind, index| row_random(seed, kind, index).random::<u64>();
        assert_eq!(draw(7, Stream::Case, 3), draw(7, Stream::Case, 3));
        assert_ne!(draw(7, Stream::Case, 3), draw(7, Stream::Case, 4));
        assert_ne!(draw(7, Stream::Case, 3), draw(8, Stream::Case, 3));
        assert_ne!(draw(7, Stream::Case, 3), draw(7, Stream::Organisation, 3));
    }
}
