//! Status codes of the C ABI (see `ABI.md`).

/// Success.
pub const OK: i32 = 0;
/// Unknown opcode in a kernel program.
pub const E_OPCODE: i32 = -1;
/// Malformed program: truncated, stack under/overflow, or not exactly one result.
pub const E_PROGRAM: i32 = -2;
/// A theta index in the program is out of range.
pub const E_THETA: i32 = -3;
/// An input dimension in the program is out of range.
pub const E_DIM: i32 = -4;
/// A size argument is invalid (zero where not allowed, overflow, null or misaligned pointer).
pub const E_SIZE: i32 = -5;
/// Scratch memory could not be allocated (the wasm memory cannot grow).
pub const E_NOMEM: i32 = -6;
