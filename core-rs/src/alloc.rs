//! `gpts_alloc` / `gpts_free`: 16-byte aligned blocks from the global allocator.

use std::alloc::{alloc, dealloc, Layout};

/// Alignment of every block (one `v128`).
pub const ALIGN: usize = 16;

#[inline]
fn layout(bytes: usize) -> Option<Layout> {
    // Zero-byte requests get a real 1-byte block so that every pointer handed out
    // is distinct and can be freed with the same length.
    Layout::from_size_align(bytes.max(1), ALIGN).ok()
}

/// A 16-byte aligned block of `bytes` bytes, or null when memory cannot grow.
pub fn allocate(bytes: usize) -> *mut u8 {
    match layout(bytes) {
        // SAFETY: the layout has a nonzero size.
        Some(l) => unsafe { alloc(l) },
        None => core::ptr::null_mut(),
    }
}

/// Releases a block from [`allocate`] (same `bytes`). Null is ignored.
///
/// # Safety
/// `ptr` must come from `allocate(bytes)` and not have been freed.
pub unsafe fn release(ptr: *mut u8, bytes: usize) {
    if ptr.is_null() {
        return;
    }
    if let Some(l) = layout(bytes) {
        dealloc(ptr, l);
    }
}
