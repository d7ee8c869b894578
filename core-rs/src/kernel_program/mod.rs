//! The kernel-program interpreter: a kernel tree compiled (in TypeScript) to a
//! postfix program, evaluated on tiles of `(x_i, x'_j)` pairs in float64, with
//! forward-mode derivative tiles for the theta entries each stack entry depends on.
//!
//! Layout of a stack entry: one value tile followed by one derivative tile per theta
//! entry that the program uses (compact "slots"), plus a flag per slot saying whether
//! the entry depends on it. Tiles are `TILE × TILE` (a block of pairs) or `TILE`
//! long (the diagonal, pairs `(x_i, x_i)`), always fully computed from zero-padded
//! inputs so every loop is a plain loop over a fixed length.
//!
//! | module | what |
//! | --- | --- |
//! | [`parse`] | decode and validate a program ([`parse()`], `Instr`, [`Program`]) |
//! | [`tile`] | tiles, the stack, [`Program::eval`], `SCALE` / `ADD` / `MUL` |
//! | [`leaves`] | one tile function per leaf kernel |
//! | [`radial`] | the radial leaves (Matern row by row with the vector `exp`, RQ) |
//! | [`input`] | input-derivative tiles ([`Program::eval_input`]) |
//! | [`drivers`] | kernel matrix, diagonal, θ contraction with a symmetric `G` |
//! | [`contractions`] | θ and input contractions with a rectangular `G`, and on the diagonal |
//!
//! Adding a kernel: give it an opcode in `crate::opcodes`, decode and validate its
//! operands into an `Instr` variant in [`parse`], write its tile function in
//! [`leaves`] (value and theta-derivative formulas over `for_pairs`) and its input
//! derivatives in [`input`], and add one arm to `Program::leaf`, `Program::columns`
//! and `leaf_input`. Composition (`SCALE`, `ADD`, `MUL`) is generic and needs no change.

use crate::status::{E_NOMEM, OK};
use crate::vfill;

pub mod contractions;
pub mod drivers;
pub mod input;
pub mod leaves;
pub mod parse;
pub mod radial;
pub mod tile;

pub use contractions::{cross_theta_contract, diag_input_contract, diag_theta_contract, input_contract};
pub use drivers::{grad_contract, kernel_diag, kernel_matrix};
pub use input::{Columns, Wrt};
pub use parse::{parse, Program};
pub use tile::{Geom, Stack, TileInputs};

use drivers::tiles;
use leaves::*;
use radial::*;
use parse::{try_vec, Instr};
use tile::{add, for_pairs, for_pairs_rows, mul, Entry};

/// Side of a tile.
pub const TILE: usize = 32;
const TT: usize = TILE * TILE;
/// Deepest stack a program may use.
pub const MAX_STACK: usize = 32;

const PI: f64 = core::f64::consts::PI;

const UNUSED: usize = usize::MAX;
