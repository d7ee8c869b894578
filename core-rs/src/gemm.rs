//! Blocked, packed GEMM: `C += alpha · A · B` over strided views, the engine under
//! every level-3 routine of the crate (Cholesky's symmetric update, the blocked
//! triangular solves and multiplies, the inverse).
//!
//! Loop nest (GotoBLAS / BLIS order): columns of `C` in blocks of `nc`, the inner
//! dimension in blocks of `kc` (one `kc × nc` panel of `B` packed into NR-column
//! micro-panels), rows in blocks of `mc` (one `mc × kc` block of `A` packed into
//! MR-row micro-panels, sized for L2), then the micro-tiles: a `kc × NR` micro-panel
//! of `B` stays in L1 while the `MR`-row micro-panels of `A` stream past it.
//!
//! `Tri::Lower` restricts the update to the lower triangle `i ≥ j` of `C` (in `C`'s
//! own indices): blocks and tiles strictly above the diagonal are skipped, tiles that
//! cross it are written through a mask, so the upper triangle is never touched.

use crate::microkernel::{kernel, kernel_rows, store_full, MR, NR};
use crate::view::{MatMut, MatRef};

/// Inner-dimension block (rows of a packed `B` panel).
pub const KC: usize = 256;
/// Row block of `A` (multiple of `MR`).
pub const MC: usize = 96;
/// Column block of `B` (multiple of `NR`).
pub const NC: usize = 2048;
/// Widest `B` for which `A` is read in place instead of packed (see [`gemm`]).
pub const SKINNY: usize = 32;

/// Which part of `C` an update writes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Tri {
    /// Every element.
    Full,
    /// Only `i ≥ j`.
    Lower,
}

/// Packing buffers, allocated once per ABI call and reused by every GEMM under it.
pub struct Workspace {
    apack: Vec<f64>,
    bpack: Vec<f64>,
    kc: usize,
    mc: usize,
    nc: usize,
}

#[inline]
fn round_up(x: usize, m: usize) -> usize {
    (x + m - 1) / m * m
}

/// Grows `v` to at least `len` elements (new ones zero); `None` when memory cannot grow.
fn try_grow(v: &mut Vec<f64>, len: usize) -> Option<()> {
    if v.len() < len {
        v.try_reserve_exact(len - v.len()).ok()?;
        v.resize(len, 0.0);
    }
    Some(())
}

impl Workspace {
    /// Buffers for GEMMs whose dimensions never exceed `max_dim`; `None` when
    /// memory cannot grow.
    pub fn try_new(max_dim: usize) -> Option<Workspace> {
        let mut ws = Workspace { apack: Vec::new(), bpack: Vec::new(), kc: 0, mc: 0, nc: 0 };
        ws.prepare(max_dim)?;
        Some(ws)
    }

    /// Re-targets these buffers at GEMMs of dimensions up to `max_dim`, growing them
    /// when they are too small (they never shrink, so a workspace kept across calls
    /// allocates only when a call is bigger than every one before). The block sizes
    /// depend on `max_dim` only through `min(block, max_dim)`, so every GEMM blocks the
    /// same way, and gives the same bits, whatever workspace it runs in.
    pub fn prepare(&mut self, max_dim: usize) -> Option<()> {
        let d = max_dim.max(1);
        self.kc = KC.min(d);
        self.mc = MC.min(round_up(d, MR));
        self.nc = NC.min(round_up(d, NR));
        try_grow(&mut self.apack, self.mc * self.kc)?;
        try_grow(&mut self.bpack, self.kc * self.nc)
    }
}

/// Packs the `mb × kb` block `a` into MR-row micro-panels (k-major, zero-padded).
unsafe fn pack_a(a: MatRef, dst: *mut f64) {
    let (mb, kb) = (a.rows, a.cols);
    let mut ir = 0;
    while ir < mb {
        let panel = dst.add(ir * kb);
        let rows = MR.min(mb - ir);
        if a.cs == 1 {
            for i in 0..MR {
                if i < rows {
                    let src = a.ptr_at(ir + i, 0);
                    for p in 0..kb {
                        *panel.add(p * MR + i) = *src.add(p);
                    }
                } else {
                    for p in 0..kb {
                        *panel.add(p * MR + i) = 0.0;
                    }
                }
            }
        } else {
            for p in 0..kb {
                for i in 0..MR {
                    *panel.add(p * MR + i) = if i < rows { a.at(ir + i, p) } else { 0.0 };
                }
            }
        }
        ir += MR;
    }
}

/// Packs the `kb × nb` block `b` into NR-column micro-panels (k-major, zero-padded).
unsafe fn pack_b(b: MatRef, dst: *mut f64) {
    let (kb, nb) = (b.rows, b.cols);
    let mut jr = 0;
    while jr < nb {
        let panel = dst.add(jr * kb);
        let cols = NR.min(nb - jr);
        if b.cs == 1 && cols == NR {
            for p in 0..kb {
                let src = b.ptr_at(p, jr);
                for j in 0..NR {
                    *panel.add(p * NR + j) = *src.add(j);
                }
            }
        } else if b.rs == 1 {
            for j in 0..NR {
                if j < cols {
                    let src = b.ptr_at(0, jr + j);
                    for p in 0..kb {
                        *panel.add(p * NR + j) = *src.add(p);
                    }
                } else {
                    for p in 0..kb {
                        *panel.add(p * NR + j) = 0.0;
                    }
                }
            }
        } else {
            for p in 0..kb {
                for j in 0..NR {
                    *panel.add(p * NR + j) = if j < cols { b.at(p, jr + j) } else { 0.0 };
                }
            }
        }
        jr += NR;
    }
}

/// Adds `alpha · acc` into a tile of `c` at `(i0, j0)` of size `mr × nr` (edges and
/// the diagonal handled element by element).
#[inline(never)]
unsafe fn store_partial(
    acc: &[f64; MR * NR],
    alpha: f64,
    c: MatMut,
    i0: usize,
    j0: usize,
    mr: usize,
    nr: usize,
    lower: bool,
) {
    for i in 0..mr {
        for j in 0..nr {
            if !lower || i0 + i >= j0 + j {
                *c.ptr_at(i0 + i, j0 + j) += alpha * acc[i * NR + j];
            }
        }
    }
}

/// Adds `alpha · acc` into the `mr × nr` tile of `c` at `(i0, j0)`: whole vectors for a
/// full tile of row-major memory, element by element at edges, on other layouts and
/// where the tile `crosses` the diagonal of a `Tri::Lower` update.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn store(
    acc: &[f64; MR * NR],
    alpha: f64,
    c: MatMut,
    i0: usize,
    j0: usize,
    mr: usize,
    nr: usize,
    row_major: bool,
    crosses: bool,
) {
    if mr == MR && nr == NR && row_major && !crosses {
        store_full(acc, alpha, c.ptr_at(i0, j0), c.rs);
    } else {
        store_partial(acc, alpha, c, i0, j0, mr, nr, crosses);
    }
}

/// `C += alpha · A · B` with `A` m×k, `B` k×n, `C` m×n (all strided views);
/// `tri = Lower` writes only `C[i][j]` with `i ≥ j`.
///
/// When `B` has at most [`SKINNY`] columns (a kernel matrix times a few vectors), each
/// element of `A` is used too few times to pay for packing it, and `A`'s rows (when
/// contiguous) are read in place: same blocks, same micro-kernel arithmetic, same bits.
///
/// # Safety
/// The views must address valid memory; `C` must not overlap `A` or `B`. Every
/// dimension must be at most the `max_dim` the workspace was built for.
pub unsafe fn gemm(ws: &mut Workspace, alpha: f64, a: MatRef, b: MatRef, c: MatMut, tri: Tri) {
    let (m, n, k) = (c.rows, c.cols, a.cols);
    debug_assert!(a.rows == m && b.rows == k && b.cols == n);
    if m == 0 || n == 0 || k == 0 {
        return;
    }
    if tri == Tri::Full && c.cs != 1 && c.rs == 1 {
        // C is column-major: update Cᵀ += alpha · Bᵀ Aᵀ instead, so the micro-tiles
        // are stored along contiguous rows.
        return gemm(ws, alpha, b.t(), a.t(), c.t(), Tri::Full);
    }
    if reads_a_in_place(a, c, tri) {
        return gemm_skinny(ws, alpha, a, b, c);
    }
    let lower = tri == Tri::Lower;
    let (kc, mc, nc) = (ws.kc, ws.mc, ws.nc);
    let ap = ws.apack.as_mut_ptr();
    let bp = ws.bpack.as_mut_ptr();
    let mut acc = [0.0f64; MR * NR];
    let row_major = c.cs == 1;

    let mut jc = 0;
    while jc < n {
        let nb = nc.min(n - jc);
        // With Lower, rows above jc hold nothing to update in this column block.
        let ic0 = if lower { jc } else { 0 };
        if ic0 >= m {
            break;
        }
        let mut pc = 0;
        while pc < k {
            let kb = kc.min(k - pc);
            pack_b(b.sub(pc, jc, kb, nb), bp);
            let mut ic = ic0;
            while ic < m {
                let mb = mc.min(m - ic);
                pack_a(a.sub(ic, pc, mb, kb), ap);
                // With Lower, columns right of the block's last row are above the diagonal.
                let nb_eff = if lower { nb.min(ic + mb - jc) } else { nb };
                let mut jr = 0;
                while jr < nb_eff {
                    let nr = NR.min(nb - jr);
                    let gj = jc + jr;
                    // First micro-row that reaches the diagonal (Lower).
                    let mut ir = if lower && gj > ic { (gj - ic) / MR * MR } else { 0 };
                    while ir < mb {
                        let mr = MR.min(mb - ir);
                        let gi = ic + ir;
                        kernel(kb, ap.add(ir * kb), bp.add(jr * kb), &mut acc);
                        let crosses = lower && gi < gj + nr - 1;
                        store(&acc, alpha, c, gi, gj, mr, nr, row_major, crosses);
                        ir += MR;
                    }
                    jr += NR;
                }
                ic += mb;
            }
            pc += kb;
        }
        jc += nb;
    }
}

/// Whether [`gemm`] takes [`gemm_skinny`]'s path for `C += A·B` (`C`'s width is `B`'s):
/// a full update of few columns, `A` and `C` with contiguous rows.
#[inline]
pub fn reads_a_in_place(a: MatRef, c: MatMut, tri: Tri) -> bool {
    tri == Tri::Full && c.cols <= SKINNY && a.cs == 1 && c.cs == 1
}

/// [`gemm`] for `B` of at most [`SKINNY`] columns, row-major `A` and `C`: `B` is packed
/// one `kc` block at a time (at most `kc × SKINNY`), `A`'s rows are streamed through
/// [`kernel_rows`], so `A` is read once and never copied.
unsafe fn gemm_skinny(ws: &mut Workspace, alpha: f64, a: MatRef, b: MatRef, c: MatMut) {
    let (m, n, k) = (c.rows, c.cols, a.cols);
    let kc = ws.kc;
    let bp = ws.bpack.as_mut_ptr();
    let mut acc = [0.0f64; MR * NR];
    let mut pc = 0;
    while pc < k {
        let kb = kc.min(k - pc);
        pack_b(b.sub(pc, 0, kb, n), bp);
        let mut ir = 0;
        while ir < m {
            let mr = MR.min(m - ir);
            // Rows past the end repeat the last one (read, never stored).
            let rows: [*const f64; MR] = core::array::from_fn(|i| a.ptr_at(ir + i.min(mr - 1), pc));
            let mut jr = 0;
            while jr < n {
                let nr = NR.min(n - jr);
                kernel_rows(kb, rows, bp.add(jr * kb), &mut acc);
                store(&acc, alpha, c, ir, jr, mr, nr, true, false);
                jr += NR;
            }
            ir += MR;
        }
        pc += kb;
    }
}
