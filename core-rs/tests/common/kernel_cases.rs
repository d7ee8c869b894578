//! The kernel programs the integration tests run: every opcode, ARD, selected
//! dimensions, shared theta entries and compositions.

pub struct Case {
    pub name: &'static str,
    pub ops: Vec<i32>,
    pub theta: Vec<f64>,
    pub d: usize,
}

pub fn cases() -> Vec<Case> {
    vec![
        Case { name: "rbf shared", ops: vec![1, 1, 0, 1, 0], theta: vec![0.3], d: 1 },
        Case { name: "rbf shared over 3 dims", ops: vec![1, 3, 0, 1, 2, 1, 0], theta: vec![0.7], d: 3 },
        Case { name: "rbf ard", ops: vec![1, 3, 0, 1, 2, 3, 0, 1, 2], theta: vec![0.5, 1.3, 0.8], d: 3 },
        Case { name: "rbf ard, selected dims", ops: vec![1, 2, 2, 0, 2, 1, 0], theta: vec![0.9, 0.4], d: 3 },
        Case { name: "rbf ard, repeated theta", ops: vec![1, 2, 0, 1, 2, 1, 1], theta: vec![5.0, 0.6], d: 2 },
        Case { name: "scale(rbf)", ops: vec![1, 1, 0, 1, 0, 2, 1], theta: vec![0.25, 1.7], d: 1 },
        Case {
            name: "scale(rbf0) + scale(rbf12 ard)",
            ops: vec![1, 1, 0, 1, 0, 2, 1, 1, 2, 1, 2, 2, 2, 3, 2, 4, 3],
            theta: vec![0.6, 2.0, 0.9, 1.1, 0.5],
            d: 3,
        },
        Case { name: "rbf0 * rbf1", ops: vec![1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 4], theta: vec![0.8, 0.45], d: 2 },
        Case {
            // scale((rbf0 + scale(rbf1, s1)) * rbf(0,2; ls0), s2): ls0 used by two leaves
            name: "nested, shared theta",
            ops: vec![1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 2, 2, 3, 1, 2, 0, 2, 1, 0, 4, 2, 3],
            theta: vec![0.7, 0.55, 1.4, 0.8],
            d: 3,
        },
        Case { name: "scale(scale(rbf, s), s)", ops: vec![1, 1, 0, 1, 0, 2, 1, 2, 1], theta: vec![0.4, 1.5], d: 1 },
        Case { name: "rbf * scale(rbf, s) same ls", ops: vec![1, 1, 0, 1, 0, 1, 1, 0, 1, 0, 2, 1, 4], theta: vec![0.4, 0.9], d: 1 },
        Case { name: "matern 1/2", ops: vec![5, 1, 1, 0, 1, 0], theta: vec![0.7], d: 1 },
        Case { name: "matern 3/2 ard", ops: vec![5, 3, 2, 0, 1, 2, 0, 1], theta: vec![0.7, 1.3], d: 2 },
        Case { name: "matern 5/2 shared, dims 2,0", ops: vec![5, 5, 2, 2, 0, 1, 0], theta: vec![0.45], d: 3 },
        Case { name: "matern 1/2 ard 3 dims", ops: vec![5, 1, 3, 0, 1, 2, 3, 0, 1, 2], theta: vec![0.5, 1.1, 2.0], d: 3 },
        Case { name: "rq", ops: vec![6, 1, 0, 1, 0, 1], theta: vec![0.6, 1.7], d: 1 },
        Case { name: "rq ard", ops: vec![6, 2, 0, 1, 2, 0, 1, 2], theta: vec![0.6, 0.9, 0.3], d: 2 },
        Case { name: "periodic", ops: vec![7, 1, 0, 1, 0, 1, 1], theta: vec![0.8, 0.55], d: 1 },
        Case { name: "periodic ard both", ops: vec![7, 2, 0, 1, 2, 0, 1, 2, 2, 3], theta: vec![0.8, 1.4, 0.55, 0.9], d: 2 },
        Case { name: "periodic shared ls, ard period", ops: vec![7, 2, 1, 0, 1, 0, 2, 1, 2], theta: vec![1.2, 0.7, 1.9], d: 2 },
        Case { name: "linear", ops: vec![8, 1, 0, 1, 0], theta: vec![0.9], d: 1 },
        Case { name: "linear ard", ops: vec![8, 3, 0, 1, 2, 3, 0, 1, 2], theta: vec![0.9, 0.2, 1.6], d: 3 },
        Case { name: "polynomial 3", ops: vec![9, 3, 2, 0, 1, 0], theta: vec![0.8], d: 2 },
        Case { name: "polynomial 1", ops: vec![9, 1, 1, 0, 0], theta: vec![0.3], d: 1 },
        Case { name: "cosine", ops: vec![10, 2, 0, 1, 0], theta: vec![1.3], d: 2 },
        Case { name: "spectral 1 dim", ops: vec![11, 1, 0, 0, 1], theta: vec![0.6, 0.35], d: 1 },
        Case { name: "spectral 2 dims", ops: vec![11, 2, 0, 1, 0, 1, 2, 3], theta: vec![0.6, 0.4, 0.35, 0.8], d: 2 },
        Case {
            // w0·sm0 + w1·sm1 (a two-component spectral mixture)
            name: "spectral mixture q=2",
            ops: vec![11, 1, 0, 0, 1, 2, 2, 11, 1, 0, 3, 4, 2, 5, 3],
            theta: vec![0.6, 0.35, 1.5, 0.2, 1.1, 0.7],
            d: 1,
        },
        Case {
            // scale(rbf·periodic + rq + matern52·linear), Mauna Loa-like, theta shared between rbf and rq
            name: "composite",
            ops: vec![1, 1, 0, 1, 0, 7, 1, 0, 1, 1, 1, 2, 4, 6, 1, 0, 1, 0, 3, 3, 5, 5, 1, 0, 1, 4, 8, 1, 0, 1, 5, 4, 3, 2, 6],
            theta: vec![1.5, 0.9, 0.6, 2.0, 0.8, 0.3, 1.7],
            d: 1,
        },
    ]
}

