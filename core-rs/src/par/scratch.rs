//! Per-call scratch the main thread allocates before a job (workers never allocate):
//! the GEMM workspaces of the dense routines, kept from one call to the next, and
//! one value per thread for the O(N²) tile loops.

use super::runtime::{par_for, threads, CTL};
use crate::gemm::Workspace;
use core::sync::atomic::Ordering::SeqCst;


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
#[cfg(target_arch = "wasm32")]
mod kept {
    use super::Workspaces;
    struct Kept(core::cell::UnsafeCell<Workspaces>);
    // SAFETY: touched only by the main thread, in `Par::try_new` and `Par::drop`.
    unsafe impl Sync for Kept {}
    static KEPT: Kept = Kept(core::cell::UnsafeCell::new(Vec::new()));
    pub fn take() -> Workspaces {
        // SAFETY: main thread only; taken out, so no other reference exists.
        core::mem::take(unsafe { &mut *KEPT.0.get() })
    }
    pub fn put(ws: Workspaces) {
        // SAFETY: main thread only; the call that used them is over.
        unsafe { *KEPT.0.get() = ws };
    }
}

/// Native builds (the crate's tests, which the test harness runs on several threads at
/// once) keep one set per calling thread.
#[cfg(not(target_arch = "wasm32"))]
mod kept {
    use super::Workspaces;
    std::thread_local!(static KEPT: core::cell::Cell<Workspaces> = const { core::cell::Cell::new(Vec::new()) });
    pub fn take() -> Workspaces {
        KEPT.with(|k| k.take())
    }
    pub fn put(ws: Workspaces) {
        KEPT.with(|k| k.set(ws));
    }
}

type Workspaces = Vec<core::cell::UnsafeCell<Workspace>>;

impl Par {
    /// Workspaces for GEMMs of dimensions up to `max_dim`, one per [`threads`].
    pub fn try_new(max_dim: usize) -> Option<Par> {
        let t = threads();
        let mut ws = kept::take();
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
        kept::put(core::mem::take(&mut self.ws));
    }
}

/// One scratch value per thread (kernel-tile stacks and the like), allocated by the
/// main thread before a job, for the tile loops of the O(N²) routines
/// (`kernel_program/`, `probe_contract.rs`). Like [`Par`], it marks the core busy.
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
