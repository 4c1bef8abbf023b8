/** Placeholder package; filled by later issues. */
package dev.balora.kernels.cpu;
