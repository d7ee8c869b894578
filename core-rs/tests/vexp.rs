//! The vectorised exp: within 1 ulp of the platform's `exp` over the whole range,
//! exact at the special values, and the slice form equal to the scalar form.

use gpts_core::vexp::{exp, exp_scaled_inplace};

fn ulps(a: f64, b: f64) -> u64 {
    if a == b || (a.is_nan() && b.is_nan()) {
        return 0;
    }
    let (ia, ib) = (a.to_bits() as i64, b.to_bits() as i64);
    assert!(a.is_sign_positive() && b.is_sign_positive(), "{a} {b}");
    (ia - ib).unsigned_abs()
}

#[test]
fn exp_is_within_one_ulp_over_the_range() {
    // Dense sweeps: the RBF range [-40, 0] finely, the full range coarsely, plus a
    // seeded random set.
    let mut xs: Vec<f64> = (0..400_000).map(|i| -40.0 + 40.0 * i as f64 / 400_000.0).collect();
    xs.extend((0..200_000).map(|i| -745.0 + 1454.0 * i as f64 / 200_000.0));
    let mut s = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..200_000 {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        xs.push(-745.0 + 1454.0 * (s >> 11) as f64 / (1u64 << 53) as f64);
    }
    let mut worst = (0u64, 0.0f64);
    let mut off = 0usize;
    for &x in &xs {
        let u = ulps(exp(x), x.exp());
        if u > worst.0 {
            worst = (u, x);
        }
        off += (u > 0) as usize;
    }
    assert!(worst.0 <= 1, "worst {} ulps at x = {:e}", worst.0, worst.1);
    // Not just within 1 ulp: equal to the platform's (correctly rounded almost
    // everywhere) for all but about 0.1% of the arguments.
    assert!((off as f64) < 0.01 * xs.len() as f64, "{off} of {} differ by 1 ulp", xs.len());
}

#[test]
fn exp_special_values() {
    assert_eq!(exp(0.0), 1.0);
    assert_eq!(exp(-0.0), 1.0);
    assert_eq!(exp(f64::NEG_INFINITY), 0.0);
    assert_eq!(exp(-746.0), 0.0);
    assert_eq!(exp(-1e300), 0.0);
    assert_eq!(exp(f64::INFINITY), f64::INFINITY);
    assert_eq!(exp(709.9), f64::INFINITY);
    assert!(exp(f64::NAN).is_nan());
    assert!(ulps(exp(709.7), 709.7f64.exp()) <= 1);
    // Subnormal results, rounded once.
    for x in [-708.5, -720.0, -740.0, -744.4] {
        assert!(ulps(exp(x), x.exp()) <= 1, "x = {x}: {:e} vs {:e}", exp(x), x.exp());
    }
}

#[test]
fn exp_scaled_inplace_matches_scalar_for_every_length() {
    for len in [0usize, 1, 2, 3, 7, 32, 1024, 1025] {
        let src: Vec<f64> = (0..len).map(|i| (i as f64 * 0.37) % 50.0).collect();
        let mut v = src.clone();
        exp_scaled_inplace(&mut v, -0.5);
        for (a, &x) in v.iter().zip(&src) {
            assert_eq!(a.to_bits(), exp(-0.5 * x).to_bits());
        }
    }
}
