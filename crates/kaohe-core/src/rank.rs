//! Ranking with ties (并列): equal totals share a rank and the next rank is skipped
//! (1, 2, 2, 4), as results tables are usually ranked.

use rust_decimal::Decimal;

/// Ranks by total, highest first. Returns each input's rank (1-based), in input order.
pub fn rank(totals: &[Decimal]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..totals.len()).collect();
    order.sort_by(|a, b| totals[*b].cmp(&totals[*a]));
    let mut ranks = vec![0; totals.len()];
    for (pos, &i) in order.iter().enumerate() {
        ranks[i] = if pos > 0 && totals[order[pos - 1]] == totals[i] {
            ranks[order[pos - 1]]
        } else {
            pos + 1
        };
    }
    ranks
}

/// Indices of the units in ranked order; ties keep their input order.
pub fn ranked_order(totals: &[Decimal]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..totals.len()).collect();
    order.sort_by(|a, b| totals[*b].cmp(&totals[*a]));
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(v: &[&str]) -> Vec<Decimal> {
        v.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn tied_units_share_a_rank_and_the_next_rank_is_skipped() {
        assert_eq!(rank(&d(&["90", "95", "90", "80"])), vec![2, 1, 2, 4]);
        assert_eq!(rank(&d(&["90.5", "90.50", "90"])), vec![1, 1, 3]);
        assert_eq!(rank(&[]), Vec::<usize>::new());
    }
}
