//! The fork-join runtime: the shared control block, publishing a job, the workers'
//! loop, and the thread-count setting (see [`super`] for the model).

use core::sync::atomic::{AtomicU32, Ordering::SeqCst};

/// Most threads (main thread included) a job can use.
pub const MAX_THREADS: usize = 64;

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
    pub(super) busy: AtomicU32,
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

/// Address of [`Ctl::alive`].
#[allow(non_snake_case)]
pub fn CTL_alive_ptr() -> *const u32 {
    CTL.alive.as_ptr() as *const u32
}
