//! Exact order statistics of f32 values in IEEE total order: the sortable key the GPU bisects
//! over (`order_key` in shaders/series.wgsl) and the selections the CPU twins use.

/// Sortable key of an f32: unsigned order of keys = IEEE total order of values. Mirrors
/// `order_key` in shaders/series.wgsl.
#[inline]
pub fn order_key(v: f32) -> u32 {
    let b = v.to_bits();
    if b & 0x8000_0000 != 0 {
        !b
    } else {
        b | 0x8000_0000
    }
}

/// The `k`-th smallest (0-based) of `v`, in the total order; `v` is reordered.
pub fn kth_smallest(v: &mut [f32], k: usize) -> f32 {
    *v.select_nth_unstable_by(k, f32::total_cmp).1
}

/// The median of `v` as numpy computes it (mean of the two middle values when even).
pub fn median(v: &mut [f32]) -> f32 {
    let n = v.len();
    let hi = kth_smallest(v, n / 2);
    if n % 2 == 1 {
        return hi;
    }
    // After the selection every element below n/2 is <= hi: the lower middle is their maximum.
    let lo = v[..n / 2]
        .iter()
        .copied()
        .max_by(f32::total_cmp)
        .unwrap_or(hi);
    (lo + hi) * 0.5
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_keys_follow_the_total_order() {
        let v = [-3.5f32, -0.0, 0.0, 1e-30, 2.0, f32::MAX, -f32::MAX];
        for a in v {
            for b in v {
                assert_eq!(order_key(a).cmp(&order_key(b)), a.total_cmp(&b), "{a} {b}");
            }
        }
    }

    #[test]
    fn median_is_numpys() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&mut [5.0]), 5.0);
    }
}
