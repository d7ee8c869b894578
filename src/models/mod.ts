/**
 * GP models.
 *
 * @module
 */
export { ExactGP } from "./exact_gp.ts";
export { ApproximateGP } from "./approximate_gp.ts";
