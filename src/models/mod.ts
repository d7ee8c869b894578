/**
 * GP models.
 *
 * @module
 */
export { ExactGP } from "./exact_gp.ts";
