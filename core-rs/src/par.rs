//! Fork-join over the threads of the shared-memory build (`gpts_core_threads.wasm`).
//!
//! Every instance of the threaded module shares one linear memory, so the statics
//! below are shared too: the main thread publishes a job (a `&dyn Fn(item, tid)`
//! living on its own stack, which is in the shared memory, and an item count), the
//! workers parked in [`worker_loop`] wake up and claim items with an atomic counter,
//! and the main thread claims items as well until every one is done. Items are
//! claimed dynamically, so a worker that is slow, not started yet, or gone only makes
//! a call slower, never wrong or stuck: the main thread alone finishes every job.
//!
//! Workers never allocate and never panic: everything they touch (packing buffers,
//! kernel-tile stacks) is allocated by the main thread in [`Par`] before a job.
//! In the single-thread build (no `threads` feature) and natively, every job
//! runs on the calling thread in item order.
//!
//! Results do not depend on the thread count: the dense routines split only
//! independent columns (each element is computed by the same serial code), and the
//! O(N²) reductions keep one partial sum per tile row, added in order at the end.

use crate::gemm::{gemm as gemm_serial, Tri, Workspace};
use crate::microkernel::{MR, NR};
use crate::view::{MatMut, MatRef};
use core::sync::atomic::{AtomicU32, Ordering::SeqCst};

/// Most threads (main thread included) a job can use.
pub const MAX_THREADS: usize = 64;

/// Flops below which a dense routine stays on the calling thread.
const PAR_MIN_FLOPS: f64 = 1.0e6;

/// The shared control block.
#[repr(C)]
pub struct Ctl {
    /// Job generation: odd while a job is being written, even when published.
    gen: AtomicU32,
    /// Workers inside a job (between their generation check and their exit from it).
    active: AtomicU32,
    /// Next unclaimed item.
    next: AtomicU32,
    /// Items finished.
    done: AtomicU32,
    /// Items in the current job.
    items: AtomicU32,
    /// Threads a job may use (main thread included), set by `gpts_threads_set`.
    threads: AtomicU32,
    /// Non-zero: workers leave their loop.
    quit: AtomicU32,
    /// ABI calls in progress on the main thread ([`Par`] alive): parked workers do not
    /// count this time as idle, so a long call on fewer threads does not make them leave.
    busy: AtomicU32,
    /// `alive[id]`: worker `id` is inside [`worker_loop`].
    alive: [AtomicU32; MAX_THREADS],
}

#[allow(clippy::declare_interior_mutable_const)]
const ZERO: AtomicU32 = AtomicU32::new(0);

/// The control block (shared by every instance of the threaded build).
pub static CTL: Ctl = Ctl {
    gen: ZERO,
    active: ZERO,
    next: ZERO,
    done: ZERO,
    items: ZERO,
    threads: AtomicU32::new(1),
    quit: ZERO,
    busy: ZERO,
    alive: [ZERO; MAX_THREADS],
};

#[cfg(all(target_arch = "wasm32", feature = "threads"))]
type Job = *const (dyn Fn(usize, usize) + Sync);

#[cfg(all(target_arch = "wasm32", feature = "threads"))]
struct JobCell(core::cell::UnsafeCell<Option<Job>>);
// SAFETY: written only by the main thread while no worker is inside a job (odd
// generation, `active == 0`), read by workers only inside a published job.
#[cfg(all(target_arch = "wasm32", feature = "threads"))]
unsafe impl Sync for JobCell {}
#[cfg(all(target_arch = "wasm32", feature = "threads"))]
static JOB: JobCell = JobCell(core::cell::UnsafeCell::new(None));

/// Threads a job may use now (1 in the single-thread build and natively).
#[inline]
pub fn threads() -> usize {
    if cfg!(all(target_arch = "wasm32", feature = "threads")) {
        (CTL.threads.load(SeqCst) as usize).clamp(1, MAX_THREADS)
    } else {
        1
    }
}

/// Sets the thread count for the next calls (clamped to `1..=MAX_THREADS`).
pub fn set_threads(t: usize) {
    CTL.threads.store(t.clamp(1, MAX_THREADS) as u32, SeqCst);
}

// rustc 1.63 has `memory.atomic.wait32/notify` only as unstable intrinsics, so the
// threaded build imports them from JavaScript (`Atomics.wait` / `Atomics.notify` on
// the shared memory; src/wasm/core.ts and src/wasm/thread_worker.ts provide them).
#[cfg(all(target_arch = "wasm32", feature = "threads"))]
#[link(wasm_import_module = "env")]
extern "C" {
    /// Sleeps while the `i32` at `addr` equals `expected`, at most `timeout_ms`;
    /// `2` when it timed out.
    fn gpts_wait(addr: *const AtomicU32, expected: u32, timeout_ms: f64) -> i32;
    /// Wakes every thread sleeping on `addr`.
    fn gpts_notify(addr: *const AtomicU32);
}

#[cfg(all(target_arch = "wasm32", feature = "threads"))]
#[inline]
fn wait(a: &AtomicU32, expected: u32, timeout_ms: f64) -> i32 {
    // SAFETY: the import only reads the aligned i32 at `a`.
    unsafe { gpts_wait(a, expected, timeout_ms) }
}

#[cfg(all(target_arch = "wasm32", feature = "threads"))]
#[inline]
fn notify(a: &AtomicU32) {
    // SAFETY: as for `wait`.
    unsafe { gpts_notify(a) }
}

/// Runs `f(item, tid)` for every `item < items`, on up to [`threads`] threads
/// (`tid < threads()` names the thread's scratch; the caller is `tid = 0`). Only the
/// main thread calls this, never from inside a job.
pub fn par_for(items: usize, f: &(dyn Fn(usize, usize) + Sync)) {
    #[cfg(all(target_arch = "wasm32", feature = "threads"))]
    {
        if threads() > 1 && items > 1 {
            return par_for_shared(items, f);
        }
    }
    for i in 0..items {
        f(i, 0);
    }
}

#[cfg(all(target_arch = "wasm32", feature = "threads"))]
fn par_for_shared(items: usize, f: &(dyn Fn(usize, usize) + Sync)) {
    let g = CTL.gen.load(SeqCst) & !1;
    CTL.gen.store(g.wrapping_add(1), SeqCst);
    while CTL.active.load(SeqCst) != 0 {
        core::hint::spin_loop();
    }
    // SAFETY: no worker reads JOB now (odd generation, none active); the lifetime is
    // erased, and this function returns only after every item has run.
    unsafe {
        *JOB.0.get() = Some(core::mem::transmute::<&(dyn Fn(usize, usize) + Sync), Job>(f));
    }
    CTL.items.store(items as u32, SeqCst);
    CTL.next.store(0, SeqCst);
    CTL.done.store(0, SeqCst);
    CTL.gen.store(g.wrapping_add(2), SeqCst);
    notify(&CTL.gen);
    loop {
        let i = CTL.next.fetch_add(1, SeqCst) as usize;
        if i >= items {
            break;
        }
        f(i, 0);
        CTL.done.fetch_add(1, SeqCst);
    }
    let mut spins = 0u32;
    loop {
        let d = CTL.done.load(SeqCst);
        if d as usize >= items {
            break;
        }
        if spins < 1 << 16 {
            spins += 1;
            core::hint::spin_loop();
        } else {
            wait(&CTL.done, d, 1.0);
        }
    }
}

/// How much longer a worker stays parked while the main thread is inside a call.
#[cfg(all(target_arch = "wasm32", feature = "threads"))]
const BUSY_SLACK: f64 = 40.0;

/// The loop a worker runs (`gpts_threads_worker`): waits for jobs and works on them;
/// returns after `idle_ms` without a job, or when told to quit.
pub fn worker_loop(id: usize, idle_ms: u32) -> i32 {
    #[cfg(all(target_arch = "wasm32", feature = "threads"))]
    {
        if id == 0 || id >= MAX_THREADS {
            return -5;
        }
        CTL.alive[id].store(1, SeqCst);
        let mut seen = CTL.gen.load(SeqCst);
        let mut idle_ms_spent = 0.0f64;
        // Spin only between jobs that come in a burst: after a timed-out wait the pool
        // is idle, and spinning again would burn a core every wake-up.
        let mut spin = true;
        loop {
            if CTL.quit.load(SeqCst) != 0 {
                break;
            }
            let g = CTL.gen.load(SeqCst);
            if g != seen && g & 1 == 0 {
                seen = g;
                idle_ms_spent = 0.0;
                CTL.active.fetch_add(1, SeqCst);
                if CTL.gen.load(SeqCst) == g && id < threads() {
                    // SAFETY: the job was published with generation g and is still it.
                    let f = unsafe { &*(*JOB.0.get()).unwrap_unchecked() };
                    let items = CTL.items.load(SeqCst) as usize;
                    loop {
                        let i = CTL.next.fetch_add(1, SeqCst) as usize;
                        if i >= items {
                            break;
                        }
                        f(i, id);
                        if CTL.done.fetch_add(1, SeqCst) as usize + 1 == items {
                            notify(&CTL.done);
                        }
                    }
                }
                CTL.active.fetch_sub(1, SeqCst);
                spin = true;
                continue;
            }
            // Spin a little (jobs come in bursts), then sleep on the generation.
            let mut spun = 0u32;
            let limit = if spin { 1u32 << 18 } else { 0 };
            while spun < limit && CTL.gen.load(SeqCst) == g && CTL.quit.load(SeqCst) == 0 {
                core::hint::spin_loop();
                spun += 1;
            }
            spin = false;
            if CTL.gen.load(SeqCst) != g {
                continue;
            }
            let step = 50.0;
            if wait(&CTL.gen, g, step) == 2 {
                // While the main thread is inside a call, idle time counts 1/BUSY_SLACK:
                // a long call on fewer threads keeps the pool, and a call that trapped
                // (leaving `busy` raised) only delays the exit.
                idle_ms_spent += if CTL.busy.load(SeqCst) == 0 { step } else { step / BUSY_SLACK };
                if idle_ms_spent >= idle_ms as f64 {
                    break;
                }
            }
        }
        CTL.alive[id].store(0, SeqCst);
        0
    }
    #[cfg(not(all(target_arch = "wasm32", feature = "threads")))]
    {
        let _ = (id, idle_ms);
        -5
    }
}

/// Tells parked workers to leave (`on != 0`) or lets new ones stay (`on == 0`).
pub fn set_quit(on: bool) {
    CTL.quit.store(on as u32, SeqCst);
    #[cfg(all(target_arch = "wasm32", feature = "threads"))]
    notify(&CTL.gen);
}

// ---------------------------------------------------------------- per-call scratch

/// One GEMM workspace per thread, lent by the main thread to one ABI call.
pub struct Par {
    ws: Vec<core::cell::UnsafeCell<Workspace>>,
}

// SAFETY: thread `tid` only touches `ws[tid]`.
unsafe impl Sync for Par {}

/// The workspaces of the last call, kept for the next one: the packing buffers of a
/// level-3 call are allocated (and zeroed) once for the largest size seen, not again
/// for every call — a triangular solve with one right-hand side at n = 1000 spent a
/// fifth of its time clearing 2 MB of packing buffer. Only the main thread makes and
/// drops a [`Par`] (workers never allocate), and ABI calls do not nest.
struct Kept(core::cell::UnsafeCell<Vec<core::cell::UnsafeCell<Workspace>>>);
// SAFETY: touched only by the main thread, in `Par::try_new` and `Par::drop`.
unsafe impl Sync for Kept {}
static KEPT: Kept = Kept(core::cell::UnsafeCell::new(Vec::new()));

impl Par {
    /// Workspaces for GEMMs of dimensions up to `max_dim`, one per [`threads`].
    pub fn try_new(max_dim: usize) -> Option<Par> {
        let t = threads();
        // SAFETY: main thread only (see KEPT); taken out, so no other reference exists.
        let mut ws = core::mem::take(unsafe { &mut *KEPT.0.get() });
        ws.truncate(t);
        ws.try_reserve_exact(t - ws.len()).ok()?;
        for w in ws.iter_mut() {
            w.get_mut().prepare(max_dim)?;
        }
        while ws.len() < t {
            ws.push(core::cell::UnsafeCell::new(Workspace::try_new(max_dim)?));
        }
        CTL.busy.fetch_add(1, SeqCst);
        Some(Par { ws })
    }

    /// Threads this scratch serves.
    #[inline]
    pub fn threads(&self) -> usize {
        self.ws.len()
    }

    /// The workspace of thread `tid`.
    ///
    /// # Safety
    /// Only thread `tid` may use it, and not twice at once.
    #[inline]
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn ws(&self, tid: usize) -> &mut Workspace {
        &mut *self.ws[tid.min(self.ws.len() - 1)].get()
    }

    /// Runs `f(item, tid)` for every item, in parallel when this scratch has threads.
    pub fn run(&self, items: usize, f: &(dyn Fn(usize, usize) + Sync)) {
        if self.threads() > 1 {
            par_for(items, f);
        } else {
            for i in 0..items {
                f(i, 0);
            }
        }
    }
}

impl Drop for Par {
    fn drop(&mut self) {
        CTL.busy.fetch_sub(1, SeqCst);
        // SAFETY: main thread only (see KEPT); the call that used them is over.
        unsafe { *KEPT.0.get() = core::mem::take(&mut self.ws) };
    }
}

/// Boundaries `0 = c_0 < … < c_p = n` splitting `n` columns (or rows) into about
/// `parts` pieces (multiples of `unit` except the last) of about equal `weight`.
fn splits(
    n: usize,
    parts: usize,
    unit: usize,
    weight: impl Fn(usize) -> f64,
    out: &mut [usize; 2 * MAX_THREADS + 1],
) -> usize {
    let parts = parts.clamp(1, 2 * MAX_THREADS);
    let total: f64 = (0..n).map(&weight).sum();
    let mut cnt = 0;
    out[0] = 0;
    let mut acc = 0.0;
    let mut j = 0;
    while j < n && cnt + 1 < parts {
        acc += weight(j);
        j += 1;
        if acc >= total * (cnt + 1) as f64 / parts as f64 && j % unit == 0 && j < n {
            cnt += 1;
            out[cnt] = j;
        }
    }
    cnt += 1;
    out[cnt] = n;
    cnt
}

/// How many pieces to cut a job of `flops` over `cols` columns into.
fn pieces(par: &Par, flops: f64, cols: usize) -> usize {
    if par.threads() <= 1 || flops < PAR_MIN_FLOPS {
        return 1;
    }
    // Two pieces a thread (dynamic claiming evens out a busy core), at least 16 columns each.
    (2 * par.threads()).min(cols / 16).max(1)
}

/// Parallel [`gemm_serial`]: `C += alpha · A · B` (`tri = Lower`: only `i ≥ j`),
/// split into independent column blocks of `C`.
///
/// # Safety
/// As for [`gemm_serial`]; the workspaces of `par` must fit the dimensions.
pub unsafe fn gemm(par: &Par, alpha: f64, a: MatRef, b: MatRef, c: MatMut, tri: Tri) {
    let (m, n, k) = (c.rows, c.cols, a.cols);
    if m == 0 || n == 0 || k == 0 {
        return;
    }
    if tri == Tri::Full && c.cs != 1 && c.rs == 1 {
        return gemm(par, alpha, b.t(), a.t(), c.t(), Tri::Full);
    }
    let lower = tri == Tri::Lower;
    let flops = 2.0 * m as f64 * n as f64 * k as f64 * if lower { 0.5 } else { 1.0 };
    if crate::gemm::reads_a_in_place(a, c, tri) {
        // Too few columns to split: split the rows (each streams its own rows of A).
        let p = pieces(par, flops, m);
        if p <= 1 {
            return gemm_serial(par.ws(0), alpha, a, b, c, tri);
        }
        let mut cuts = [0usize; 2 * MAX_THREADS + 1];
        let cnt = splits(m, p, MR, |_| 1.0, &mut cuts);
        return par.run(cnt, &|i, tid| {
            let (r0, r1) = (cuts[i], cuts[i + 1]);
            gemm_serial(par.ws(tid), alpha, a.sub(r0, 0, r1 - r0, k), b, c.sub(r0, 0, r1 - r0, n), tri);
        });
    }
    let p = pieces(par, flops, n);
    if p <= 1 {
        return gemm_serial(par.ws(0), alpha, a, b, c, tri);
    }
    let mut cuts = [0usize; 2 * MAX_THREADS + 1];
    let cnt = if lower {
        splits(n, p, NR, |j| m.saturating_sub(j) as f64, &mut cuts)
    } else {
        splits(n, p, NR, |_| 1.0, &mut cuts)
    };
    par.run(cnt, &|i, tid| {
        let (c0, c1) = (cuts[i], cuts[i + 1]);
        let w = c1 - c0;
        if lower {
            if c0 < m {
                gemm_serial(par.ws(tid), alpha, a.sub(c0, 0, m - c0, k), b.sub(0, c0, k, w), c.sub(c0, c0, m - c0, w), tri);
            }
        } else {
            gemm_serial(par.ws(tid), alpha, a, b.sub(0, c0, k, w), c.sub(0, c0, m, w), tri);
        }
    });
}

/// Runs `f(ws, b_cols)` on independent column blocks of `b` (n×m), for routines whose
/// columns do not interact (triangular solves and multiplies): `flops` decides whether
/// to split at all.
///
/// # Safety
/// `f` must only touch its own column block of `b`.
pub unsafe fn by_columns(par: &Par, b: MatMut, flops: f64, f: &(dyn Fn(&mut Workspace, MatMut) + Sync)) {
    let m = b.cols;
    let p = pieces(par, flops, m);
    if p <= 1 {
        return f(par.ws(0), b);
    }
    let mut cuts = [0usize; 2 * MAX_THREADS + 1];
    let cnt = splits(m, p, NR, |_| 1.0, &mut cuts);
    par.run(cnt, &|i, tid| {
        let (c0, c1) = (cuts[i], cuts[i + 1]);
        f(par.ws(tid), b.sub(0, c0, b.rows, c1 - c0));
    });
}

/// Parallel `B ← L⁻¹ B` (split over the columns of `B`).
///
/// # Safety
/// As for [`crate::trsm::trsm_left_lower`].
pub unsafe fn trsm_left_lower(par: &Par, l: MatRef, b: MatMut) {
    let flops = l.rows as f64 * l.rows as f64 * b.cols as f64;
    by_columns(par, b, flops, &|ws, bb| crate::trsm::trsm_left_lower(ws, l, bb));
}

/// Parallel `B ← U⁻¹ B` (split over the columns of `B`).
///
/// # Safety
/// As for [`crate::trsm::trsm_left_upper`].
pub unsafe fn trsm_left_upper(par: &Par, u: MatRef, b: MatMut) {
    let flops = u.rows as f64 * u.rows as f64 * b.cols as f64;
    by_columns(par, b, flops, &|ws, bb| crate::trsm::trsm_left_upper(ws, u, bb));
}

/// Parallel `B ← Lᵀ B` (split over the columns of `B`).
///
/// # Safety
/// As for [`crate::inverse::trmm_left_lower_trans`].
pub unsafe fn trmm_left_lower_trans(par: &Par, l: MatRef, b: MatMut) {
    let flops = l.rows as f64 * l.rows as f64 * b.cols as f64;
    by_columns(par, b, flops, &|ws, bb| crate::inverse::trmm_left_lower_trans(ws, l, bb));
}

/// Address of [`Ctl::alive`].
#[allow(non_snake_case)]
pub fn CTL_alive_ptr() -> *const u32 {
    CTL.alive.as_ptr() as *const u32
}

// ------------------------------------------------- per-thread scratch, O(N²) routines

/// One scratch value per thread (kernel-tile stacks and the like), allocated by the
/// main thread before a job, for the tile loops of the O(N²) routines
/// (`kernel_program.rs`, `probe_contract.rs`). Like [`Par`], it marks the core busy.
pub struct PerThread<T> {
    items: Vec<core::cell::UnsafeCell<T>>,
}

// SAFETY: thread `tid` only touches `items[tid]`.
unsafe impl<T: Send> Sync for PerThread<T> {}

impl<T> PerThread<T> {
    /// `make()` once per thread: [`threads`] of them when `parallel`, else one.
    pub fn try_new<E>(parallel: bool, mut make: impl FnMut() -> Result<T, E>, nomem: E) -> Result<PerThread<T>, E> {
        let t = if parallel { threads() } else { 1 };
        let mut items = Vec::new();
        if items.try_reserve_exact(t).is_err() {
            return Err(nomem);
        }
        for _ in 0..t {
            items.push(core::cell::UnsafeCell::new(make()?));
        }
        CTL.busy.fetch_add(1, SeqCst);
        Ok(PerThread { items })
    }

    /// The scratch of thread `tid`.
    ///
    /// # Safety
    /// Only thread `tid` may use it, and not twice at once.
    #[inline]
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn get(&self, tid: usize) -> &mut T {
        &mut *self.items[tid.min(self.items.len() - 1)].get()
    }

    /// Runs `f(item, tid)` for every item, in parallel when there is scratch for it.
    pub fn run(&self, items: usize, f: &(dyn Fn(usize, usize) + Sync)) {
        if self.items.len() > 1 {
            par_for(items, f);
        } else {
            for i in 0..items {
                f(i, 0);
            }
        }
    }
}

impl<T> Drop for PerThread<T> {
    fn drop(&mut self) {
        CTL.busy.fetch_sub(1, SeqCst);
    }
}

/// A pointer that jobs may share: every item writes only its own elements.
#[derive(Clone, Copy)]
pub struct SharedMut(pub *mut f64);
// SAFETY: the users of a `SharedMut` write disjoint elements from different items.
unsafe impl Sync for SharedMut {}
unsafe impl Send for SharedMut {}

/// Tile pairs below which an O(N²) tile loop stays on one thread.
pub const PAR_MIN_TILES: usize = 8;
