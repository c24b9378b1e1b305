/**
 * The optimizer: compression passes over the model IR (pruning, quantization and weight sharing, low-rank
 * factorization, structured matrices, compact filters, encoding), the cost model of a hardware target, and the
 * planner that chooses each layer's compression under the recipe's budgets. It reads the checked Recipe IR of
 * {@code dev.tamp.compiler}; code generation depends on it, never the reverse.
 */
package dev.tamp.optimizer;
