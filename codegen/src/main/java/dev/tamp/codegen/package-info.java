/**
 * Code generation: specialized Java kernels (Java 8 source, no dependencies) and the compressed weights container
 * for a planned, compressed model. It depends on the optimizer's output; the CLI depends on it.
 */
package dev.tamp.codegen;
