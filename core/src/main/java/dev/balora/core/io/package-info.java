/**
 * File input and output that survives crashes and hostile files.
 *
 * <ul>
 *   <li>{@link dev.balora.core.io.AtomicFiles}: write-temp, fsync, atomic rename, fsync directory.</li>
 *   <li>{@link dev.balora.core.io.SafetensorsReader} / {@link dev.balora.core.io.SafetensorsWriter}: the
 *       Hugging Face safetensors format, with plain-data records {@link dev.balora.core.io.TensorInfo}
 *       (a header entry) and {@link dev.balora.core.io.F32Tensor} (shape and float32 values), independent
 *       of the engine's tensor class.</li>
 * </ul>
 *
 * <p>Errors: a malformed safetensors file always surfaces as the checked
 * {@link dev.balora.core.io.SafetensorsFormatException} (an {@link java.io.IOException}), whose message
 * names the file, the header field or tensor, and the expected and actual values. Caller mistakes when
 * writing (a reserved tensor name, a shape that does not match the values) are
 * {@link java.lang.IllegalArgumentException}s.
 */
package dev.balora.core.io;
