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
//!
//! | module | what |
//! | --- | --- |
//! | [`runtime`] | the control block, `par_for`, the workers' loop, the thread count |
//! | [`scratch`] | per-call scratch: GEMM workspaces ([`Par`]), per-thread values ([`PerThread`]) |
//! | [`blas`] | the parallel GEMM, triangular solves and multiply |

pub mod blas;
pub mod runtime;
pub mod scratch;

pub use blas::{by_columns, gemm, trmm_left_lower_trans, trsm_left_lower, trsm_left_upper};
pub use runtime::{par_for, set_quit, set_threads, threads, worker_loop, Ctl, CTL, CTL_alive_ptr, MAX_THREADS};
pub use scratch::{Par, PerThread, SharedMut, PAR_MIN_TILES};
