//! The kernel program's opcodes (ABI.md, "Kernel programs"): the one table core-rs
//! reads, the twin of `Op` in the TypeScript plan (a test there parses this file and
//! fails when the two disagree). One `pub const OP_NAME: i32 = N;` per line.

/// `RBF, nDims, dims…, nLs, ls…`
pub const OP_RBF: i32 = 1;
/// `SCALE, s`
pub const OP_SCALE: i32 = 2;
/// `ADD`
pub const OP_ADD: i32 = 3;
/// `MUL`
pub const OP_MUL: i32 = 4;
/// `MATERN, 2ν, nDims, dims…, nLs, ls…`
pub const OP_MATERN: i32 = 5;
/// `RQ, nDims, dims…, nLs, ls…, α`
pub const OP_RQ: i32 = 6;
/// `PERIODIC, nDims, dims…, nLs, ls…, nP, p…`
pub const OP_PERIODIC: i32 = 7;
/// `LINEAR, nDims, dims…, nV, v…`
pub const OP_LINEAR: i32 = 8;
/// `POLYNOMIAL, power, nDims, dims…, c`
pub const OP_POLYNOMIAL: i32 = 9;
/// `COSINE, nDims, dims…, p`
pub const OP_COSINE: i32 = 10;
/// `SPECTRAL, nDims, dims…, s…, m…`
pub const OP_SPECTRAL: i32 = 11;
